"""Forms of the publicity pages. Forms check the shape of the input; the services check the rules.

Lists that belong to one activity (links, attendees, cases, decisions, recipients) are typed one per
line, with ``|`` between the parts — quick on a phone — and stored as rows. Evidence files are
checked by their content in ``clean`` (``core.uploads``), so a bad file is a form error and nothing
is saved.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import PHONE_WIDGET, UnitChoiceField
from core.uploads import IMAGE, MultipleEvidenceField
from core.validators import validate_phone
from organization.models import Unit, UnitKind

from .models import (
    PUSH_CHANNELS,
    Category,
    Channel,
    InspectionItemKind,
    LegalPlace,
    VenueKind,
    VolunteerGroup,
    WorkTask,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEPARATOR = re.compile(r"\s*[|｜]\s*")
LINES_WIDGET = forms.Textarea(attrs={"rows": 3})

# Which category-specific fields each category shows (the page hides the others; see publicity.js).
FIELD_CATEGORIES = {
    "legal_place": [Category.LEGAL_EDUCATION],
    "attendees": [Category.CASE_MEETING],
    "cases": [Category.CASE_MEETING],
    "decisions": [Category.CASE_MEETING],
    "recipients": [Category.FINANCE_PUSH],
}


def _lines(text: str) -> list[list[str]]:
    return [SEPARATOR.split(line.strip()) for line in (text or "").splitlines() if line.strip()]


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from None


class ActivityForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    audience_size = forms.IntegerField(
        label=_("Audience size"),
        required=False,
        min_value=0,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.ON_SITE)
    legal_place = forms.ChoiceField(
        label=_("Law in six places: where"), choices=[("", "—"), *LegalPlace.choices], required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    links = forms.CharField(
        label=_("Links to the posts"),
        required=False,
        widget=LINES_WIDGET,
        help_text=_("One per line: the address, or a title | the address."),
    )
    attendees = forms.CharField(
        label=_("Attendees"),
        required=False,
        widget=LINES_WIDGET,
        help_text=_("One per line: name | organisation."),
    )
    cases = forms.CharField(
        label=_("Cases discussed"),
        required=False,
        widget=LINES_WIDGET,
        help_text=_("One per line: case number | summary (or the summary alone)."),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=LINES_WIDGET,
        help_text=_("One per line: decision | responsible | deadline (YYYY-MM-DD); the last two are optional."),
    )
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The finance staff the push went to, one per line: name | village or unit."),
    )
    evidence = MultipleEvidenceField(
        label=_("Photos, video or files"),
        help_text=_("Kept as evidence for inspection."),
    )

    def __init__(self, *args, units, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()
            self.fields["held_on"].initial = timezone.localdate()
        # One unit (the usual case): no choice to make, and none to forge.
        self.single_unit = units.first() if units.count() == 1 else None
        if self.single_unit is not None:
            del self.fields["unit"]
        labels = dict(Category.choices)
        self.fields["category"].choices = [(value, labels[value]) for value in categories]
        # A push to finance staff goes out by SMS, WeChat or QQ, never "on site": offer a push channel from the
        # start, so that the first submit (with its files) is not refused for the channel.
        category = self.initial.get("category") or (categories[0] if categories else None)
        if not self.is_bound and category == Category.FINANCE_PUSH:
            self.fields["channel"].initial = PUSH_CHANNELS[0]

    def clean_links(self):
        rows = []
        validate = URLValidator(schemes=["http", "https"])
        for parts in _lines(self.cleaned_data["links"]):
            url = parts[-1]
            title = " ".join(parts[:-1])[:200]
            try:
                validate(url)
            except ValidationError:
                raise ValidationError(_("“%(value)s” is not a web address.") % {"value": url}) from None
            rows.append((url[:500], title))
        return rows

    def clean_attendees(self):
        return [(parts[0][:50], " ".join(parts[1:])[:100]) for parts in _lines(self.cleaned_data["attendees"])]

    def clean_cases(self):
        rows = []
        for parts in _lines(self.cleaned_data["cases"]):
            if len(parts) == 1:
                rows.append(("", parts[0][:500]))
            else:
                rows.append((parts[0][:64], " ".join(parts[1:])[:500]))
        return rows

    def clean_decisions(self):
        rows = []
        for parts in _lines(self.cleaned_data["decisions"]):
            text = parts[0][:500]
            responsible = parts[1][:100] if len(parts) > 1 else ""
            due_on = _parse_date(parts[2]) if len(parts) > 2 and parts[2] else None
            rows.append((text, responsible, due_on))
        return rows

    def clean_recipients(self):
        return [(parts[0][:50], " ".join(parts[1:])[:100]) for parts in _lines(self.cleaned_data["recipients"])]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "client_id": data["client_id"],
            "unit": self.single_unit or data["unit"],
            "category": data["category"],
            "title": data["title"],
            "held_on": data["held_on"],
            "place": data["place"],
            "audience_size": data["audience_size"],
            "channel": data["channel"],
            "legal_place": data["legal_place"],
            "description": data["description"],
            "links": data["links"],
            "attendees": data["attendees"],
            "cases": data["cases"],
            "decisions": data["decisions"],
            "recipients": data["recipients"],
            "uploads": data["evidence"],
        }


class ActivityEditForm(forms.Form):
    """The common fields of a recorded activity, for corrections."""

    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    audience_size = forms.IntegerField(
        label=_("Audience size"),
        required=False,
        min_value=0,
        max_value=10_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    legal_place = forms.ChoiceField(
        label=_("Law in six places: where"), choices=[("", "—"), *LegalPlace.choices], required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, activity, **kwargs):
        kwargs.setdefault("initial", {field: getattr(activity, field) for field in self.base_fields})
        super().__init__(*args, **kwargs)
        if activity.category != Category.LEGAL_EDUCATION:
            del self.fields["legal_place"]


class EvidenceForm(forms.Form):
    evidence = MultipleEvidenceField(label=_("Photos, video or files"), required=True)


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    group = forms.ChoiceField(label=_("Group"), choices=VolunteerGroup.choices, initial=VolunteerGroup.RESIDENT)
    organisation = forms.CharField(label=_("Organisation"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, validators=[validate_phone], widget=PHONE_WIDGET
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE_WIDGET, initial=timezone.localdate)
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)


class VenueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    village = UnitChoiceField(label=_("Village or community"), queryset=Unit.objects.none(), required=False)
    contact = forms.CharField(label=_("Contact person"), max_length=100, required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages.filter(kind=UnitKind.VILLAGE)


PASS_FAIL = [("pass", pgettext_lazy("inspection", "Passed")), ("fail", pgettext_lazy("inspection", "Failed"))]


class InspectionForm(forms.Form):
    """A joint inspection: for each item passed or failed; a failed item needs a fix-by date."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    inspected_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    with_police = forms.BooleanField(label=_("With the police"), required=False, initial=True)
    carriers = forms.CharField(
        label=_("Carriers"),
        max_length=100,
        required=False,
        help_text=_("For example China Mobile, China Unicom, China Telecom."),
    )
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleEvidenceField(label=_("Photos"), kinds=(IMAGE,))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["client_id"].initial = uuid.uuid4()
            self.fields["inspected_on"].initial = timezone.localdate()
        default_deadline = timezone.localdate() + datetime.timedelta(days=7)
        for kind, label in InspectionItemKind.choices:
            self.fields[f"{kind}_result"] = forms.ChoiceField(
                label=label, choices=PASS_FAIL, widget=forms.RadioSelect, initial="pass"
            )
            self.fields[f"{kind}_note"] = forms.CharField(label=_("What was wrong"), max_length=200, required=False)
            self.fields[f"{kind}_fix_deadline"] = forms.DateField(
                label=_("Fix by"), required=False, widget=DATE_WIDGET, initial=default_deadline
            )

    @property
    def item_fields(self):
        return [
            (kind, self[f"{kind}_result"], self[f"{kind}_note"], self[f"{kind}_fix_deadline"])
            for kind in InspectionItemKind.values
        ]

    def clean(self):
        data = super().clean()
        for kind in InspectionItemKind.values:
            if data.get(f"{kind}_result") == "fail" and not data.get(f"{kind}_fix_deadline"):
                if f"{kind}_fix_deadline" not in self.errors:
                    self.add_error(f"{kind}_fix_deadline", _("Give a deadline for fixing this item."))
        return data

    def items(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "item": kind,
                "passed": data[f"{kind}_result"] == "pass",
                "note": data[f"{kind}_note"],
                "fix_deadline": data[f"{kind}_fix_deadline"],
            }
            for kind in InspectionItemKind.values
        ]


class FixForm(forms.Form):
    fixed_on = forms.DateField(label=_("Fixed on"), widget=DATE_WIDGET, initial=timezone.localdate)
    fix_note = forms.CharField(label=_("How it was fixed"), max_length=200, required=False)
    evidence = MultipleEvidenceField(label=_("Photos"), kinds=(IMAGE,))


class WorkPlanForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if not self.is_bound:
            self.fields["year"].initial = timezone.localdate().year
        self.single_unit = units.first() if units.count() == 1 else None
        if self.single_unit is not None:
            del self.fields["unit"]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["unit"] = self.single_unit or data["unit"]
        return data


class ResponsibleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class WorkTaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    responsible = ResponsibleChoiceField(label=_("Responsible person"), queryset=None, required=False)
    responsible_name = forms.CharField(label=_("Or the responsible person's name"), max_length=50, required=False)
    due_on = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members, task: WorkTask | None = None, **kwargs):
        if task is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": task.title,
                "responsible": task.responsible_id,
                "responsible_name": task.responsible_name,
                "due_on": task.due_on,
                "description": task.description,
            }
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = members

    def clean(self):
        data = super().clean()
        if not data.get("responsible") and not (data.get("responsible_name") or "").strip():
            self.add_error("responsible", _("Name the responsible person."))
        return data
