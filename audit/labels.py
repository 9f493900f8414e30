"""The words the access log shows for the fields and filters an entry names (it stores names, never values).

"name、address" becomes "姓名、住址": a name is looked up in :data:`FIELD_LABELS`, then among the models' fields
(the registry's and the schools' first, whose "name" is a person's), and is shown as it is only when no model has
it. ``id_number:masked`` (an export that held masked numbers) reads "ID number (masked)".
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "id_number": _("ID number"),
    "phone": _("phone"),
    "contact_phone": _("contact phone"),
    "bank_account": _("bank account"),
    "q": _("search"),
    "has_household": _("has a household"),
    "show": _("shown"),
}
#: Models whose field names win when two models share one ("name": the person's, not the unit's).
FIRST = ("residents.Resident", "residents.Household", "schools.Student", "warnings_followup.WarningOrder")


@cache
def _model_labels() -> dict:
    labels = {}
    first = [apps.get_model(label) for label in FIRST if apps.is_installed(label.split(".")[0])]
    for model in [*first, *apps.get_models()]:
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if verbose:
                labels.setdefault(field.name, verbose)
    return labels


def field_label(name: str) -> str:
    """The label of a field or filter ``name`` in the active language."""
    base, _sep, note = name.strip().partition(":")
    label = FIELD_LABELS.get(base) or _model_labels().get(base.split("__")[0]) or base
    label = str(label)
    return gettext("%(field)s (masked)") % {"field": label} if note == "masked" else label


def field_labels(names: str) -> list[str]:
    """The labels of a comma-separated list of names, as an entry stores them."""
    return [field_label(name) for name in names.split(",") if name.strip()]
