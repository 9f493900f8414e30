"""This app's entries in the navigation menu (collected by core.navigation)."""

from core.navigation import NavEntry  # noqa: F401

ENTRIES: list = []
