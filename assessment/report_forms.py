"""Forms of the year's target, the reports to the county and the units' documents (shape only: the services
check the rules)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.periods import BadPeriod, parse_period
from core.uploads import DOCUMENT, IMAGE, MultipleEvidenceField

from .models import DocumentKind


class YearTargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    cases_change = forms.DecimalField(
        label=_("Change of cases (%)"),
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("-100"),
        max_value=Decimal("100"),
        help_text=_("Against the same period of the year before; −20 means a fifth fewer."),
    )
    loss_change = forms.DecimalField(
        label=_("Change of losses (%)"),
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("-100"),
        max_value=Decimal("100"),
    )


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=_("Work summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The free-text section of the report: what was done, problems, next steps."),
    )


class PeriodField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        try:
            return parse_period(value)
        except BadPeriod as error:
            raise forms.ValidationError(str(error)) from None


class UnitDocumentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    period = PeriodField(label=_("Period"), max_length=7, help_text=_("YYYY, YYYY-Qn or YYYY-MM."))
    title = forms.CharField(label=_("Title"), max_length=200)
    files = MultipleEvidenceField(label=_("Files"), kinds=(DOCUMENT, IMAGE), required=True)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units.count() == 1:
            self.fields["unit"].initial = units.first().pk


class AttachForm(forms.Form):
    files = MultipleEvidenceField(label=_("Files"), kinds=(DOCUMENT, IMAGE), required=True)
