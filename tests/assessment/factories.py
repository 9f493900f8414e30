"""Factories of the assessment tests (one per model), and a fraud case factory for the fixtures."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assessment.models import (
    AccountabilityItem,
    AccountabilityKind,
    AccountabilitySource,
    Callback,
    CallbackDraw,
    ChecklistItem,
    IndicatorWeights,
    Inspection,
    SummonsRule,
)
from fraud_cases.models import CaseSource, FraudCase
from organization.models import UnitKind
from tests.factories import ResidentFactory, VillageFactory
from warnings_followup.models import FraudType


class FraudCaseFactory(DjangoModelFactory):
    class Meta:
        model = FraudCase

    case_number = factory.Sequence(lambda n: f"AJ2026{n:06d}")
    reported_at = factory.LazyFunction(timezone.now)
    village = factory.SubFactory(VillageFactory)
    victim = factory.LazyAttribute(lambda o: ResidentFactory(village=o.village))
    fraud_type = FraudType.INVESTMENT
    loss_amount = Decimal("1000.00")
    source = CaseSource.DISPATCH_110


class CallbackDrawFactory(DjangoModelFactory):
    class Meta:
        model = CallbackDraw
        django_get_or_create = ("month",)

    month = datetime.date(2026, 3, 1)
    seed = 42
    per_village = 1
    trigger = CallbackDraw.Trigger.MANUAL


class CallbackFactory(DjangoModelFactory):
    class Meta:
        model = Callback

    draw = factory.SubFactory(CallbackDrawFactory)
    case = factory.SubFactory(FraudCaseFactory)
    village = factory.LazyAttribute(lambda o: o.case.village)


class AccountabilityItemFactory(DjangoModelFactory):
    class Meta:
        model = AccountabilityItem

    unit = factory.SubFactory(VillageFactory)
    kind = AccountabilityKind.SUMMONS
    source = AccountabilitySource.MANUAL
    reason = "案件持续高发"


class ChecklistItemFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    unit_kind = UnitKind.VILLAGE
    label = factory.Sequence(lambda n: f"检查项{n}")
    points = 50


class InspectionFactory(DjangoModelFactory):
    class Meta:
        model = Inspection

    unit = factory.SubFactory(VillageFactory)
    inspected_on = factory.LazyFunction(timezone.localdate)
    inspectors = "镇领导小组"
    score = Decimal("80.0")


class IndicatorWeightsFactory(DjangoModelFactory):
    class Meta:
        model = IndicatorWeights

    name = "2026"


class SummonsRuleFactory(DjangoModelFactory):
    class Meta:
        model = SummonsRule

    name = "rule"


class YearTargetFactory(DjangoModelFactory):
    class Meta:
        model = "assessment.YearTarget"

    unit = factory.SubFactory("tests.factories.TownFactory")
    year = 2026
    cases_change = Decimal("-20")
    loss_change = Decimal("-20")


class CountyReportFactory(DjangoModelFactory):
    class Meta:
        model = "assessment.CountyReport"

    unit = factory.SubFactory("tests.factories.TownFactory")
    period_key = "2026-11"


class UnitDocumentFactory(DjangoModelFactory):
    class Meta:
        model = "assessment.UnitDocument"

    unit = factory.SubFactory(VillageFactory)
    kind = "work_plan"
    period_key = "2026"
    title = factory.Sequence(lambda n: f"反诈宣防工作方案 {n}")


class NominationFactory(DjangoModelFactory):
    """A collective nomination of a village (pass ``person`` with kind/category for an individual)."""

    class Meta:
        model = "assessment.Nomination"

    year = 2026
    kind = "collective"
    category = "village"
    unit = factory.SubFactory(VillageFactory)
    figures = factory.LazyFunction(lambda: {"rank": 1, "score": "88.0"})
    reason = "综合得分第一"
