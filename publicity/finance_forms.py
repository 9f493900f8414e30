"""Forms of the finance staff roster and the push (三(七)): shapes only, the rules are in ``publicity.finance``."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PHONE_WIDGET, UnitChoiceField
from core.validators import validate_phone


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class FinanceStaffForm(forms.Form):
    unit = UnitChoiceField(label=_("Village or unit"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=50)
    position = forms.CharField(label=_("Position"), max_length=50, required=False)
    mobile = forms.CharField(label=_("Mobile number"), max_length=30, widget=PHONE_WIDGET, validators=[validate_phone])

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class FinanceStaffEditForm(FinanceStaffForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, staff, **kwargs):
        initial = {"unit": staff.unit_id, "name": staff.name, "position": staff.position, "is_active": staff.is_active}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["mobile"].required = False
        self.fields["mobile"].help_text = _("On file: %(mobile)s. Leave empty to keep it.") % {
            "mobile": staff.masked_mobile
        }


class FinancePushForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    message = forms.CharField(
        label=_("Anti-fraud knowledge to push"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent by SMS with each person's link to confirm reading, and to the villages' work groups."),
    )
    units = UnitsField(label=_("Audience"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple)
    include_not_confirmed = forms.BooleanField(
        label=_("Also send to the staff who did not confirm their latest push"), required=False, initial=True
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()
