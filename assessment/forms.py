import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import UnitChoiceField
from core.periods import BadPeriod, parse_period
from core.uploads import MultipleEvidenceField
from organization.access import CAPABILITIES
from organization.models import User

from .models import AccountabilityKind, EducationChannel

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class AssessedUnitField(UnitChoiceField):
    """A village, department, school or police station, shown with its kind (a school and a village may share a
    name's beginning; the summons and the checklist depend on the kind)."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_kind_display()}）"


def callers_queryset():
    roles = CAPABILITIES["assessment.callback"]
    return User.objects.filter(is_active=True, roles__role__in=roles).distinct().order_by("full_name", "username")


class DrawForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("The month whose cases are drawn."),
    )
    per_village = forms.IntegerField(label=_("Cases per village"), min_value=1, max_value=50, required=False)
    share = forms.DecimalField(
        label=_("Or a share of each village's cases"),
        min_value=0,
        max_value=1,
        decimal_places=3,
        required=False,
        help_text=_("For example 0.2 for one case in five."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"), required=False, min_value=0, help_text=_("Leave empty for a new random draw.")
    )

    def clean_month(self):
        try:
            period = parse_period(self.cleaned_data["month"])
        except BadPeriod as error:
            raise forms.ValidationError(str(error)) from error
        if period.kind != "month":
            raise forms.ValidationError(_("Choose a month."))
        return period.first_day


class CallbackRecordForm(forms.Form):
    reached = forms.ChoiceField(label=_("Was the victim reached?"), choices=YES_NO, widget=forms.RadioSelect)
    educated = forms.ChoiceField(
        label=_("Had they received anti-fraud education before the fraud?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    channels = forms.MultipleChoiceField(
        label=_("How?"), choices=EducationChannel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    other_channel = forms.CharField(label=_("Other channel"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        data = super().clean()
        data["reached"] = data.get("reached") == "yes"
        educated = data.get("educated")
        data["educated"] = None if not educated else educated == "yes"
        return data


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("Caller"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = callers_queryset()


# Recorded by hand: an incident review is opened by the registration of the case.
MANUAL_KINDS = [(v, label) for v, label in AccountabilityKind.choices if v != AccountabilityKind.INCIDENT_REVIEW]


class AccountabilityForm(forms.Form):
    unit = AssessedUnitField(label=_("Unit"), queryset=None)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=MANUAL_KINDS,
        help_text=_(
            "A summons fits its kind of unit (a village's, a department's, a school's or the station's head); "
            "a public criticism fits any unit."
        ),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    held_on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    people = forms.CharField(
        label=_("People"), max_length=200, required=False, help_text=_("Who was summoned, who attended.")
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rectification_deadline = forms.DateField(label=_("Rectification deadline"), widget=DATE, required=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class AccountabilityUpdateForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE, required=False)
    people = forms.CharField(label=_("People"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rectification_deadline = forms.DateField(label=_("Rectification deadline"), widget=DATE, required=False)
    follow_up = forms.CharField(
        label=_("Rectification follow-up"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CloseForm(forms.Form):
    follow_up = forms.CharField(
        label=_("Rectification follow-up"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class InspectionForm(forms.Form):
    unit = AssessedUnitField(label=_("Unit"), queryset=None)
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DATE, initial=timezone.localdate)
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    score = forms.DecimalField(
        label=_("Score"),
        min_value=0,
        max_value=100,
        decimal_places=1,
        required=False,
        help_text=_("Only when no checklist is configured for this kind of unit."),
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    rectification_deadline = forms.DateField(label=_("Rectification deadline"), widget=DATE, required=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    def __init__(self, *args, units=None, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.checklist = list(checklist)
        for item in self.checklist:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=f"{item.label} (0–{item.points})", min_value=0, max_value=item.points, initial=0
            )
        if self.checklist:
            del self.fields["score"]

    def results(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}") or 0 for item in self.checklist}


class RectifyForm(forms.Form):
    notes = forms.CharField(label=_("What was rectified"), widget=forms.Textarea(attrs={"rows": 3}))


class CallbackDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("sanction", _("Confirmed not educated: summons and public criticism")),
            ("records_confirmed", _("The records stand: no sanction")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the records stand (e.g. the visit was confirmed with the grid worker)."),
    )


class RectificationForm(forms.Form):
    text = forms.CharField(
        label=_("What was rectified"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the unit did, when, and who was involved."),
    )
    files = MultipleEvidenceField(
        label=_("Evidence"), help_text=_("Photos, documents, video or audio (备查), up to 10 files.")
    )


class RectificationDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Leadership's note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when returning: say what is missing."),
    )


class NominationDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Leadership's note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Needed to reject: say why."),
    )
