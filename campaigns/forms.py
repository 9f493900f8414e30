"""Forms of the door-knocking pages, one column for phones. Forms check the shape; the services the rules.

Double submissions: each form carries a hidden ``client_id`` generated when it is rendered, so that
submitting the same rendered form twice (a double tap, a retried request) records one visit or pledge.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ID_NUMBER_WIDGET
from core.uploads import EvidenceField, MultipleEvidenceField, signature_png
from core.validators import normalize_id_number
from warnings_followup.models import FraudType

from .models import Material, PledgeMethod
from .services import already_signed_error

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
YES_NO = [("yes", _("Yes, someone was at home")), ("no", _("No, nobody was at home"))]


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class WorkerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class DoorVisitForm(forms.Form):
    """A door visit: someone home or not, what was handed out and explained, the app, notes, photos."""

    someone_home = forms.TypedChoiceField(
        label=_("Was someone at home?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    materials = forms.MultipleChoiceField(
        label=_("Materials handed out"),
        choices=Material.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fraud_types = forms.MultipleChoiceField(
        label=_("Fraud types explained"),
        choices=FraudType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    app_installed = forms.BooleanField(
        label=_("The national anti-fraud app was installed with our help"), required=False
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleEvidenceField(label=_("Photos"), kinds=("image",), required=False)
    visited_at = forms.DateTimeField(label=_("When"), initial=_now_to_the_minute, widget=DATETIME_WIDGET)
    visitors = WorkerChoiceField(
        label=_("Who went"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, workers, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["visitors"].queryset = (
            get_user_model().objects.filter(Q(pk__in=workers.values("pk")) | Q(pk=actor.pk)).order_by("username")
        )
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()
            self.fields["visitors"].initial = [actor.pk]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["visitors"] = list(data["visitors"])
        return data


class ResidentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = obj.name
        if obj.relation:
            label = f"{label}（{obj.relation}）"
        return label


class PledgeForm(forms.Form):
    """A pledge: who signs, and their signature drawn on the phone or a photo of the signed paper form.

    ``static/js/pledge.js`` writes the signature pad's PNG (a ``data:`` URL) into the hidden ``signature``.
    """

    resident = ResidentChoiceField(label=_("Who signs"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    signature = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-signature-input": ""}))
    photo = EvidenceField(
        label=_("Or a photo of the signed paper form"),
        kinds=("image",),
        required=False,
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, residents, **kwargs):
        """``residents``: the household's members in scope. Only those who have not signed are offered; one
        who signed meanwhile (on a colleague's phone) gets a clear error rather than "not a valid choice"."""
        super().__init__(*args, **kwargs)
        field = self.fields["resident"]
        field.queryset = residents.select_related("pledge")
        field.widget.choices = [
            (resident.pk, field.label_from_instance(resident))
            for resident in field.queryset
            if not hasattr(resident, "pledge")
        ]
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()

    @property
    def has_choices(self) -> bool:
        return bool(self.fields["resident"].widget.choices)

    def clean_resident(self):
        resident = self.cleaned_data["resident"]
        if hasattr(resident, "pledge"):
            raise already_signed_error(resident, resident.pledge).error_dict["resident"][0]
        return resident

    def clean(self):
        data = super().clean()
        signature = (data.get("signature") or "").strip()
        photo = data.get("photo")
        if signature and not self.has_error("photo"):
            try:
                data["image"] = signature_png(signature)
            except ValidationError as error:
                self.add_error(None, error)
                return data
            data["method"] = PledgeMethod.SIGNED_ON_PHONE
        elif photo is not None:
            data["image"] = photo
            data["method"] = PledgeMethod.PAPER_PHOTO
        elif not self.has_error("photo"):
            raise ValidationError(
                _("Have the resident sign in the box, or take a photo of the signed paper form."), code="no_signature"
            )
        return data

    def service_arguments(self) -> dict:
        return {
            "resident": self.cleaned_data["resident"],
            "client_id": self.cleaned_data["client_id"],
            "image": self.cleaned_data["image"],
            "method": self.cleaned_data["method"],
        }


class PledgeLookupForm(forms.Form):
    """Find a person by exact ID number: did they sign, when, and who visited?"""

    id_number = forms.CharField(label=_("ID number"), max_length=30, widget=ID_NUMBER_WIDGET)

    def clean_id_number(self):
        return normalize_id_number(self.cleaned_data["id_number"])
