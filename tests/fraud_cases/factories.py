"""Factories of the fraud case registry."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from fraud_cases.models import CaseSource, FraudCase
from tests.factories import ResidentFactory, VillageFactory
from warnings_followup.models import FraudType


class FraudCaseFactory(DjangoModelFactory):
    """A case reported yesterday by a resident of the village, without a warning before it."""

    class Meta:
        model = FraudCase

    case_number = factory.Sequence(lambda n: f"A2026{n:08d}")
    reported_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    village = factory.SubFactory(VillageFactory)
    victim = factory.LazyAttribute(lambda o: ResidentFactory(village=o.village))
    fraud_type = FraudType.REBATE_TASK
    loss_amount = Decimal("12000.00")
    recovered_amount = Decimal("0")
    source = CaseSource.DISPATCH_110
