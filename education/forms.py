"""Forms of the education work. Shapes only: the rules (semester, school, class) are checked by ``services``."""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import DOCUMENT, IMAGE, VIDEO, MultipleEvidenceField
from organization.models import Unit, UnitKind

from .models import CalendarChange, Semester, SessionKind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class _ClientIdForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()


class SessionForm(_ClientIdForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, widget=forms.RadioSelect)
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    audience = forms.CharField(
        label=_("Audience"), max_length=200, help_text=_("Who attended, e.g. all teachers, or Grade 8 Class 2.")
    )
    audience_size = forms.IntegerField(
        label=_("Number of people"),
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleEvidenceField(
        label=_("Photos or videos (kept as evidence)"), kinds=(IMAGE, VIDEO), required=True
    )

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["held_on"].initial = timezone.localdate()
            if kind in SessionKind.values:
                self.fields["kind"].initial = kind

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "client_id": data["client_id"],
            "kind": data["kind"],
            "held_on": data["held_on"],
            "topic": data["topic"],
            "audience": data["audience"],
            "audience_size": data["audience_size"],
            "notes": data["notes"],
            "uploads": data["evidence"],
        }


class BroadcastForm(forms.Form):
    day = forms.DateField(label=_("School day"), required=False, widget=DATE_WIDGET)


class NoticeForm(_ClientIdForm):
    school_class = forms.ChoiceField(label=_("Class"))
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE_WIDGET)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text of the notice"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = MultipleEvidenceField(
        label=_("The notice as a file or photo (optional)"), kinds=(IMAGE, DOCUMENT), required=False
    )

    def __init__(self, *args, classes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = [("", "—")] + [
            (f"{grade}|{class_name}", f"{grade}{class_name}") for grade, class_name in classes
        ]
        if not self.is_bound:
            self.fields["sent_on"].initial = timezone.localdate()

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        grade, _sep, class_name = data["school_class"].partition("|")
        return {
            "client_id": data["client_id"],
            "grade": grade,
            "class_name": class_name,
            "sent_on": data["sent_on"],
            "title": data["title"],
            "text": data["text"],
            "uploads": data["attachment"],
        }


class SlipsForm(forms.Form):
    """The tick list: ``shown`` are the students listed on the page, ``collected`` the ticked ones."""

    collected = forms.TypedMultipleChoiceField(coerce=int, required=False)
    shown = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, student_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(pk, pk) for pk in student_ids]
        self.fields["collected"].choices = choices
        self.fields["shown"].choices = choices


# --- semesters (the town) ----------------------------------------------------------------------------


def _parse_lines(text: str, *, ranges: bool) -> list[tuple[datetime.date, datetime.date, str]]:
    """``2026-10-01 2026-10-07 National Day`` (a range) or ``2026-10-10 make-up day`` (one day) per line."""
    rows, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        try:
            start = datetime.date.fromisoformat(parts[0])
            end = start
            rest = parts[1:]
            if ranges and rest:
                try:
                    end = datetime.date.fromisoformat(rest[0])
                    rest = rest[1:]
                except ValueError:
                    pass
        except ValueError:
            errors.append(_("Line %(n)d: start with a date like 2026-10-01.") % {"n": number})
            continue
        if end < start:
            errors.append(_("Line %(n)d: the end comes before the start.") % {"n": number})
            continue
        rows.append((start, end, " ".join(rest)[:60]))
    if errors:
        raise ValidationError(errors)
    return rows


class SemesterForm(forms.ModelForm):
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: first day, last day (optional) and a name, e.g. 2026-10-01 2026-10-07 National Day."
        ),
    )
    makeup_days = forms.CharField(
        label=_("Make-up school days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Weekend days that are school days, one per line, e.g. 2026-10-10."),
    )
    student_education_schools = forms.ModelMultipleChoiceField(
        label=_("Schools with micro-classes and the daily broadcast"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The plan names 罗村中学. Staff education sessions are required at every school; micro-classes and the "
            "daily broadcast only at the schools ticked here."
        ),
    )

    class Meta:
        model = Semester
        fields = [
            "town",
            "name",
            "starts_on",
            "ends_on",
            "required_staff_sessions",
            "required_micro_classes",
            "student_education_schools",
            "broadcast_deadline",
        ]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET, "broadcast_deadline": TIME_WIDGET}

    def __init__(self, *args, towns: list[Unit], **kwargs):
        """``towns``: the towns the user sets semesters for (``selectors.semester_towns_for_user``); a semester
        belongs to one of them and names only its schools. One town: chosen for the user (not shown)."""
        super().__init__(*args, **kwargs)
        town_field = self.fields["town"]
        town_field.queryset = Unit.objects.filter(pk__in=[town.pk for town in towns]).order_by("path")
        town_field.label_from_instance = lambda unit: unit.name
        town_field.empty_label = None
        if self.instance.pk or len(towns) == 1:
            # A semester stays in its town; with one town to choose from, it is that one (not asked).
            if not self.instance.pk:
                self.initial["town"] = towns[0].pk
            town_field.disabled = True
            town_field.widget = forms.HiddenInput()
        schools = self.fields["student_education_schools"]
        town_q = Q()
        for town in towns:
            town_q |= Q(path__startswith=town.path)
        schools.queryset = (
            Unit.objects.filter(town_q, kind=UnitKind.SCHOOL, is_active=True).select_related("parent").order_by("code")
            if towns
            else Unit.objects.none()
        )
        schools.label_from_instance = (
            (lambda unit: unit.name) if len(towns) <= 1 else (lambda unit: f"{unit.name}（{unit.parent.name}）")
        )
        if self.instance.pk and not self.is_bound:
            changes = list(self.instance.calendar_changes.all())
            self.fields["holidays"].initial = "\n".join(
                f"{c.starts_on} {c.ends_on} {c.name}".strip() for c in changes if c.kind == CalendarChange.Kind.HOLIDAY
            )
            self.fields["makeup_days"].initial = "\n".join(
                f"{c.starts_on} {c.name}".strip() for c in changes if c.kind == CalendarChange.Kind.MAKEUP_DAY
            )

    def clean_holidays(self):
        return _parse_lines(self.cleaned_data["holidays"], ranges=True)

    def clean_makeup_days(self):
        return _parse_lines(self.cleaned_data["makeup_days"], ranges=False)

    def clean(self):
        data = super().clean()
        town = data.get("town")
        if town is not None:
            others = [
                school.name
                for school in data.get("student_education_schools") or []
                if not school.path.startswith(town.path)
            ]
            if others:
                self.add_error(
                    "student_education_schools",
                    _("Only the town's own schools can be named: %(schools)s are not.")
                    % {"schools": "、".join(others)},
                )
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end:
            for field in ("holidays", "makeup_days"):
                for first, last, _name in data.get(field) or []:
                    if first < start or last > end:
                        self.add_error(field, _("%(day)s is outside the semester.") % {"day": first})
                        break
        return data

    def save(self, commit=True):
        semester = super().save(commit=commit)
        if commit:
            semester.calendar_changes.all().delete()
            CalendarChange.objects.bulk_create(
                [
                    CalendarChange(semester=semester, kind=CalendarChange.Kind.HOLIDAY, starts_on=a, ends_on=b, name=n)
                    for a, b, n in self.cleaned_data["holidays"]
                ]
                + [
                    CalendarChange(
                        semester=semester, kind=CalendarChange.Kind.MAKEUP_DAY, starts_on=a, ends_on=b, name=n
                    )
                    for a, b, n in self.cleaned_data["makeup_days"]
                ]
            )
        return semester
