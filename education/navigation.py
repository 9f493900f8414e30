"""This app's entries in the navigation menu (collected by core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry

ENTRIES: list = [
    NavEntry(_("School education"), "education:overview", "education.view"),
]
