"""This app's entries in the navigation menu (collected by core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavEntry

ENTRIES: list = [
    NavEntry(_("Card applications"), "schools:queue", "schools.view_students"),
    NavEntry(_("Students"), "schools:student_list", "schools.view_students"),
]
