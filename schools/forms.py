"""Forms of the schools pages. Forms check the shape of the input; the services check the rules.

The application form carries a hidden ``client_id`` generated when it is rendered, so submitting the
same rendered form twice (a double tap, a retried request) files one application.
"""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ID_NUMBER_WIDGET, PHONE_WIDGET
from core.uploads import DOCUMENT, IMAGE, EvidenceField, MultipleEvidenceField
from core.validators import validate_id_number, validate_phone

from .models import CardType, last4_validator

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LAST4_WIDGET = forms.TextInput(
    attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": "4", "pattern": "[0-9]{4}"}
)


class StudentForm(forms.Form):
    grade = forms.CharField(label=_("Grade"), max_length=20, help_text=_("Such as 初一 or 2024级."))
    class_name = forms.CharField(label=_("Class"), max_length=30, help_text=_("Such as 3班."))
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"), max_length=32, validators=[validate_id_number], widget=ID_NUMBER_WIDGET
    )
    guardian_name = forms.CharField(label=_("Guardian"), max_length=50, required=False)
    guardian_phone = forms.CharField(
        label=_("Guardian's phone"), max_length=32, required=False, validators=[validate_phone], widget=PHONE_WIDGET
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("Leave empty to keep the registered ID number.")
            self.fields["guardian_phone"].help_text = _("Leave empty to keep the registered phone.")
            self.fields["remove_guardian_phone"] = forms.BooleanField(
                label=_("Remove the guardian's phone"), required=False
            )
            self.fields["is_active"] = forms.BooleanField(label=_("Still at the school"), required=False)


class CardForm(forms.Form):
    """A card the student already holds (the first of its kind)."""

    card_type = forms.ChoiceField(label=_("Card type"), choices=CardType.choices, widget=forms.RadioSelect)
    issuer = forms.CharField(label=_("Issuer"), max_length=60, help_text=_("The bank or the carrier."))
    last4 = forms.CharField(label=_("Last 4 digits"), max_length=4, validators=[last4_validator], widget=LAST4_WIDGET)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE_WIDGET)


class ApplicationForm(forms.Form):
    card_type = forms.ChoiceField(label=_("Card type"), choices=CardType.choices, widget=forms.RadioSelect)
    issuer = forms.CharField(label=_("Bank or carrier"), max_length=60)
    reason = forms.CharField(
        label=_("Why the student needs a further card"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    guardian_consent = forms.BooleanField(
        label=_("The guardian consents (signed consent kept by the school)"),
        required=True,
        error_messages={"required": _("The guardian's consent is required.")},
    )
    consent_files = MultipleEvidenceField(
        label=_("Guardian's signed consent (photo or PDF, optional)"), kinds=(IMAGE, DOCUMENT), required=False
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["uploads"] = data.pop("consent_files") or ()
        return data


class SealForm(forms.Form):
    image = EvidenceField(
        label=_("Seal image"), kinds=(IMAGE,), help_text=_("A scan or photo of the school's seal (PNG or JPEG).")
    )


# --- the chain's steps -----------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


def _next_school_day_morning():
    now = timezone.localtime()
    return (now + datetime.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)


class EscortForm(forms.Form):
    escort = forms.ModelChoiceField(label=_("Escort (a staff member of the school)"), queryset=None)
    appointment_at = forms.DateTimeField(
        label=_("Appointment at the police station"), widget=DATETIME_WIDGET, initial=_next_school_day_morning
    )
    reason = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, escorts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["escort"].queryset = escorts
        self.fields["escort"].label_from_instance = lambda user: str(user)


class OpenedForm(forms.Form):
    last4 = forms.CharField(label=_("Last 4 digits"), max_length=4, validators=[last4_validator], widget=LAST4_WIDGET)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE_WIDGET, initial=timezone.localdate)
    issuer = forms.CharField(
        label=_("Issuer"), max_length=60, required=False, help_text=_("Leave empty to keep the one applied for.")
    )
    reason = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "school_approve": ReasonForm,
    "school_reject": RequiredReasonForm,
    "assign_escort": EscortForm,
    "police_clear": ReasonForm,
    "police_refuse": RequiredReasonForm,
    "record_opened": OpenedForm,
}


def action_form(action: str, data=None, *, escorts=None) -> forms.Form:
    """The form of ``action``, prefixed so that several can sit on one page."""
    if action == "assign_escort":
        return EscortForm(data, prefix=action, escorts=escorts)
    return ACTION_FORMS[action](data, prefix=action)
