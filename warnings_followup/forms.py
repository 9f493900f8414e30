"""Forms of the warning pages. Forms check the shape of the input; the services check the rules.

Double submissions: the push form carries a hidden token and the visit form a hidden ``client_id``,
both generated when the form is rendered, so that submitting the same rendered form twice (a double
tap, a retried request) creates one warning and one visit.
"""

from __future__ import annotations

import re
import secrets
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import ID_NUMBER_WIDGET, PHONE_WIDGET, UnitChoiceField, to_decide
from core.validators import validate_bank_account, validate_id_number, validate_phone
from organization.models import Unit

from .models import EARLY_CLOSE_REASONS, DissuasionMethod, FraudType, RiskLevel, VisitMethod

MAX_ACCOUNTS = 3
PUSH_TOKEN_RE = re.compile(r"^LC\d{14}[0-9A-F]{6}$")
ACCOUNT_WIDGET = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"})
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("no", _("No")), ("yes", _("Yes"))]


def new_push_token() -> str:
    """A fresh instruction number for a form push: "LC", the local time and a random suffix."""
    return f"LC{timezone.localtime():%Y%m%d%H%M%S}{secrets.token_hex(3).upper()}"


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class PushForm(forms.Form):
    """A police push: the person, the village, the fraud and the accounts under stop-payment."""

    person_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"), max_length=32, validators=[validate_id_number], widget=ID_NUMBER_WIDGET
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=32, validators=[validate_phone], widget=PHONE_WIDGET
    )
    village = UnitChoiceField(label=_("Village or community"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    fraud_type = forms.ChoiceField(label=_("Fraud type"), choices=to_decide(FraudType.choices))
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    external_id = forms.CharField(
        label=_("Instruction number"),
        required=False,
        max_length=64,
        help_text=_("The police platform's instruction number. Leave empty to generate one."),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if not self.is_bound:
            self.fields["token"].initial = new_push_token()
        for number in range(1, MAX_ACCOUNTS + 1):
            self.fields[f"bank_{number}"] = forms.CharField(
                label=_("Bank (account %(n)d)") % {"n": number}, required=False, max_length=60
            )
            self.fields[f"account_number_{number}"] = forms.CharField(
                label=_("Account number (account %(n)d)") % {"n": number},
                required=False,
                max_length=40,
                validators=[validate_bank_account],
                widget=ACCOUNT_WIDGET,
            )

    @property
    def account_fields(self):
        return [(self[f"bank_{n}"], self[f"account_number_{n}"]) for n in range(1, MAX_ACCOUNTS + 1)]

    def clean(self):
        data = super().clean()
        for number in range(1, MAX_ACCOUNTS + 1):
            bank, account = data.get(f"bank_{number}"), data.get(f"account_number_{number}")
            if bank and not account and f"account_number_{number}" not in self.errors:
                self.add_error(f"account_number_{number}", _("Enter the account number of this bank."))
            if account and not bank:
                self.add_error(f"bank_{number}", _("Enter the bank of this account."))
        return data

    def external_id_to_use(self) -> str:
        """The instruction number typed in, else the form's token (a fresh one if it was tampered with)."""
        typed = self.cleaned_data["external_id"].strip()
        if typed:
            return typed
        token = self.cleaned_data.get("token", "")
        return token if PUSH_TOKEN_RE.match(token) else new_push_token()

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "external_id": self.external_id_to_use(),
            "person_name": data["person_name"].strip(),
            "id_number": data["id_number"],
            "phone": data["phone"],
            "village": data["village"],
            "address": data["address"].strip(),
            "fraud_type": data["fraud_type"],
            "risk_level": data["risk_level"],
            "summary": data["summary"].strip(),
            "stop_payment_accounts": [
                {"bank": data[f"bank_{n}"].strip(), "account_number": data[f"account_number_{n}"]}
                for n in range(1, MAX_ACCOUNTS + 1)
                if data.get(f"account_number_{n}")
            ],
        }


class VisitForm(forms.Form):
    """A follow-up visit, one-handed on a phone: how, at risk or not, the person's state, notes."""

    method = forms.ChoiceField(
        label=_("How"), choices=VisitMethod.choices, initial=VisitMethod.IN_PERSON, widget=forms.RadioSelect
    )
    at_risk = forms.TypedChoiceField(
        label=_("Still at risk?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
    )
    understands_risk = forms.BooleanField(label=_("Understands the risk"), required=False)
    still_in_contact = forms.BooleanField(label=_("Still in contact with the fraudster"), required=False)
    new_transfer_attempts = forms.BooleanField(label=_("New transfer attempts"), required=False)
    app_installed = forms.BooleanField(label=_("Anti-fraud app installed"), required=False)
    relatives_informed = forms.BooleanField(label=_("Relatives informed"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    visited_at = forms.DateTimeField(label=_("When"), initial=_now_to_the_minute, widget=DATETIME_WIDGET)
    companions = forms.ModelMultipleChoiceField(
        label=_("Who else went"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, team, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()
        self.actor = actor
        self.fields["companions"].queryset = team.exclude(pk=actor.pk)
        self.fields["companions"].label_from_instance = lambda user: str(user)
        if not self.is_bound and not self.fields["companions"].queryset.exists():  # a POST skips the query
            del self.fields["companions"]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        companions = list(data.pop("companions", None) or [])
        data["visitors"] = [self.actor, *companions]
        return data


class EscalationForm(forms.Form):
    """A relative or friend mobilised because the person is still at risk."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    relation = forms.CharField(
        label=_("Relation to the warned person"),
        max_length=30,
        help_text=_("For example: son, daughter, neighbour, friend."),
    )
    phone = forms.CharField(
        label=_("Phone"), required=False, max_length=32, validators=[validate_phone], widget=PHONE_WIDGET
    )
    contacted_at = forms.DateTimeField(label=_("When"), initial=_now_to_the_minute, widget=DATETIME_WIDGET)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


# --- Transitions ---------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason_required = False

    reason = forms.CharField(
        label=_("Reason or note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = self.reason_required


class RequiredReasonForm(ReasonForm):
    reason_required = True


class FirstDissuasionForm(ReasonForm):
    """The police's own first dissuasion: how, the result, and when (now unless said otherwise)."""

    method = forms.ChoiceField(label=_("How"), choices=DissuasionMethod.choices, widget=forms.RadioSelect)
    result = forms.CharField(label=_("Result"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    at = forms.DateTimeField(label=_("When"), required=False, initial=_now_to_the_minute, widget=DATETIME_WIDGET)

    field_order = ["method", "result", "at", "reason"]

    def clean_at(self):
        return self.cleaned_data.get("at") or None


class CloseForm(ReasonForm):
    """Police close a case: before the window ends only for a reason from the list ("other" in words)."""

    close_reason = forms.ChoiceField(
        label=_("Why close now"),
        required=False,
        choices=[("", _("The follow-up window has ended")), *EARLY_CLOSE_REASONS],
    )

    field_order = ["close_reason", "reason"]


class ReportDefraudedForm(RequiredReasonForm):
    loss_amount = forms.DecimalField(
        label=_("Loss (yuan)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    defrauded_on = forms.DateField(label=_("Defrauded on"), widget=DATE_WIDGET)

    field_order = ["loss_amount", "defrauded_on", "reason"]


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "acknowledge": ReasonForm,
    "first_dissuasion": FirstDissuasionForm,
    "confirm_dissuaded": RequiredReasonForm,
    "confirm_release": RequiredReasonForm,
    "report_defrauded": ReportDefraudedForm,
    "close": CloseForm,
}


def action_form(action: str, data=None) -> forms.Form:
    """The form of ``action``, prefixed so that several can sit on one page."""
    return ACTION_FORMS[action](data, prefix=action)
