"""The registration form (phone-friendly: one column, native date-time and number keyboards).

Submitting the same form twice registers one case: the case number is the key (see services).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ID_NUMBER_WIDGET, PHONE_WIDGET, UnitChoiceField, to_decide
from core.validators import validate_id_number, validate_phone
from organization.models import Unit
from warnings_followup.models import FraudType

from .models import CaseSource

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AMOUNT_WIDGET = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"})


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class FraudCaseForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=64,
        help_text=_("The number in the 110 dispatch system or the fraud investigation platform."),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=CaseSource.choices, initial=CaseSource.DISPATCH_110, widget=forms.RadioSelect
    )
    reported_at = forms.DateTimeField(
        label=_("Reported at"), widget=DATETIME_WIDGET, initial=_now_to_the_minute, input_formats=["%Y-%m-%dT%H:%M"]
    )
    victim_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"), max_length=32, validators=[validate_id_number], widget=ID_NUMBER_WIDGET
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=32, validators=[validate_phone], widget=PHONE_WIDGET
    )
    village = UnitChoiceField(label=_("Village or community"), queryset=Unit.objects.none())
    fraud_type = forms.ChoiceField(label=_("Fraud type"), choices=to_decide(FraudType.choices))
    loss_amount = forms.DecimalField(
        label=_("Loss (yuan)"), min_value=0, max_digits=14, decimal_places=2, widget=AMOUNT_WIDGET
    )
    recovered_amount = forms.DecimalField(
        label=_("Recovered (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        initial=Decimal("0"),
        widget=AMOUNT_WIDGET,
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "case_number": data["case_number"].strip(),
            "reported_at": data["reported_at"],
            "victim_name": data["victim_name"].strip(),
            "id_number": data["id_number"],
            "phone": data["phone"],
            "village": data["village"],
            "fraud_type": data["fraud_type"],
            "loss_amount": data["loss_amount"],
            "recovered_amount": data["recovered_amount"] or Decimal("0"),
            "source": data["source"],
        }


class LinesField(forms.CharField):
    """A list of short texts, typed one per line in a textarea."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class TypicalCaseForm(forms.Form):
    """A typical case (典型案例): shape only; the anonymity and the number of points are the service's rules."""

    title = forms.CharField(label=_("Title"), max_length=100)
    fraud_type = forms.ChoiceField(label=_("Fraud type"), choices=FraudType.choices)
    story = forms.CharField(
        label=_("How the swindle went"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("In plain words, without names, ID numbers, phone numbers or bank numbers."),
    )
    warning_signs = LinesField(label=_("Warning signs"), help_text=_("One per line."))
    script = LinesField(
        label=_("What to say (dissuasion script)"),
        help_text=_("3 to 6 short talking points, one per line."),
    )
    source_case_number = forms.CharField(
        label=_("Source case number"),
        max_length=64,
        required=False,
        help_text=_("The registered case it is drawn from (only staff who may see that case see the link)."),
    )

    @classmethod
    def initial_for(cls, case, *, source=None) -> dict:
        """The form's values for ``case``; the source case's number only when the editor may see it."""
        return {
            "title": case.title,
            "fraud_type": case.fraud_type,
            "story": case.story,
            "warning_signs": case.warning_signs,
            "script": case.script,
            "source_case_number": source.case_number if source is not None else "",
        }

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)
