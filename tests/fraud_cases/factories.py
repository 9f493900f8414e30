"""Factories of the fraud case registry."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from fraud_cases.models import CaseSource, FraudCase, TypicalCase, TypicalCaseStatus
from tests.factories import ResidentFactory, TownFactory, VillageFactory
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


class TypicalCaseFactory(DjangoModelFactory):
    """A draft typical case of the town (``unit``), with three warning signs and a three-point script."""

    class Meta:
        model = TypicalCase

    title = factory.Sequence(lambda n: f"典型案例{n}")
    fraud_type = FraudType.REBATE_TASK
    story = "对方先让她做点赞任务返小额佣金，再让她垫付大额任务，最后以操作失误为由不让提现。"
    warning_signs = factory.LazyFunction(lambda: ["先返小额佣金", "要求先垫钱", "说账户冻结要交钱"])
    script = factory.LazyFunction(lambda: ["刷单就是诈骗。", "马上停止转账。", "已经转钱的立即报警。"])
    status = TypicalCaseStatus.DRAFT
    unit = factory.SubFactory(TownFactory)
    published_on = factory.LazyAttribute(
        lambda o: timezone.localdate() if o.status == TypicalCaseStatus.PUBLISHED else None
    )
