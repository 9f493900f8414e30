"""seed_demo's fraud cases: a year over the demo villages, some villages clearly higher, some victims warned before."""

import datetime

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from demo import fraud_cases as demo
from demo.organization import seed_organization
from demo.residents import seed_registry
from demo.warnings_followup import seed_warnings
from fraud_cases.models import FraudCase
from warnings_followup.models import WarningOrder, WarningStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_organization()
        seed_registry()
        seed_warnings()
        open_before = WarningOrder.objects.open().count()
        counts = demo.seed()
        yield counts, open_before
        transaction.set_rollback(True)


def test_a_year_of_cases_over_every_village(seeded):
    counts, _open_before = seeded
    cases = FraudCase.objects.filter(case_number__startswith=demo.CASE_PREFIX)
    assert counts["fraud_cases"] == cases.count() > 80
    first = timezone.localtime(cases.order_by("reported_at").first().reported_at).date()
    assert first >= datetime.date(2025, 12, 1)
    assert all(case.reported_at <= timezone.now() for case in cases)
    per_village = dict(cases.values_list("village__code").annotate(n=Count("pk")))
    assert len(per_village) == 8
    assert max(per_village.values()) >= 3 * min(per_village.values())
    assert cases.filter(recovered_amount__gt=0).exists()
    assert {case.source for case in cases} == {"110", "platform", "other"}


def test_some_victims_were_warned_before_and_open_warnings_stay_open(seeded):
    counts, open_before = seeded
    warned = FraudCase.objects.filter(case_number__startswith=demo.CASE_PREFIX, warning__isnull=False)
    assert counts["defrauded_after_warning"] == warned.count() >= 2
    for case in warned.select_related("warning"):
        assert case.warning.pushed_at < case.reported_at
        assert case.warning.person_id == case.victim_id
    assert WarningOrder.objects.filter(status=WarningStatus.DEFRAUDED, fraud_cases__isnull=True).count() == 0
    assert WarningOrder.objects.open().count() == open_before


def test_seeding_again_creates_nothing(seeded):
    before = FraudCase.objects.count()
    assert demo.seed()["created_fraud_cases"] == 0
    assert FraudCase.objects.count() == before
