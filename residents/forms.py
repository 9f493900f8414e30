"""Forms of the registry pages. Forms check the shape of the input; the services check the rules.

Numbers are validated with the shared validators (core.validators) so a bad ID or phone number gets
the same message here as in imports and the API. Unit choices are limited to the user's scope, so a
forged unit id in the POST body is "not one of the available choices".

Edit forms never pre-fill the full ID or phone number (that would reveal it without an access-log
entry): the fields start empty, show the masked value, and an empty field keeps the stored value.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ID_NUMBER_WIDGET, PHONE_WIDGET, UnitChoiceField
from core.validators import validate_id_number, validate_phone
from organization.selectors import grids_for_user, villages_for_user

from .models import Household, Resident, ResidentTag

KEEP_HELP = _("Leave empty to keep the current number (%(masked)s).")


class HouseholdForm(forms.Form):
    village = UnitChoiceField(label=_("Village or community"), queryset=None)
    grid = UnitChoiceField(label=_("Grid"), queryset=None, required=False)
    address = forms.CharField(label=_("Address"), max_length=200)
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, max_length=32, validators=[validate_phone], widget=PHONE_WIDGET
    )

    def __init__(self, *args, user, household: Household | None = None, **kwargs):
        if household is not None:
            kwargs.setdefault(
                "initial", {"village": household.village_id, "grid": household.grid_id, "address": household.address}
            )
        super().__init__(*args, **kwargs)
        self.household = household
        villages = villages_for_user(user=user)
        self.fields["village"].queryset = villages
        self.fields["grid"].queryset = grids_for_user(user=user)
        if household is None and len(villages) == 1:
            self.fields["village"].initial = villages[0].pk
        if household is not None and household.contact_phone:
            self.fields["contact_phone"].help_text = KEEP_HELP % {"masked": household.masked_contact_phone}

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        if self.household is not None and not data["contact_phone"]:
            del data["contact_phone"]  # empty keeps the stored number
        return data


class ResidentForm(forms.Form):
    """A household member: short enough to fill in with one hand on a phone."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"), max_length=32, validators=[validate_id_number], widget=ID_NUMBER_WIDGET
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=32, validators=[validate_phone], widget=PHONE_WIDGET
    )
    relation = forms.CharField(
        label=_("Relation to the household head"),
        required=False,
        max_length=20,
        help_text=_("For example: head, spouse, son, daughter."),
    )
    tags = forms.MultipleChoiceField(
        label=_("Tags"), choices=ResidentTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class ResidentEditForm(ResidentForm):
    household = forms.ModelChoiceField(label=_("Household"), queryset=None, required=False)

    field_order = ["name", "id_number", "phone", "household", "relation", "tags"]

    def __init__(self, *args, user, resident: Resident, **kwargs):
        from .selectors import households_for_user

        kwargs.setdefault(
            "initial",
            {
                "name": resident.name,
                "relation": resident.relation,
                "tags": resident.tags,
                "household": resident.household_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.resident = resident
        self.fields["id_number"].required = False
        self.fields["id_number"].help_text = KEEP_HELP % {"masked": resident.masked_id_number}
        if resident.phone:
            self.fields["phone"].help_text = KEEP_HELP % {"masked": resident.masked_phone}
        # Moving someone to a household of another village is not done from this form.
        self.fields["household"].queryset = households_for_user(user=user).filter(village=resident.village_id)

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        for field in ("id_number", "phone"):
            if not data[field]:
                del data[field]  # empty keeps the stored number
        return data
