"""This app's entries in the navigation menu (collected by organization.navigation)."""

from django.utils.translation import gettext_lazy as _

from organization.navigation import NavEntry, menu

menu(
    _("Schools"),
    NavEntry(_("Card applications"), "schools:queue", "schools.view_students"),
    NavEntry(_("Students"), "schools:student_list", "schools.view_students"),
    order=50,
)
