"""Two registrations at once (PostgreSQL only: row locks and unique indexes under real concurrency)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from core.validators import make_id_number
from fraud_cases.models import FraudCase
from fraud_cases.services import fraud_case_register
from residents.models import Resident
from tests import factories
from tests.races import run_together
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db(transaction=True)

VICTIM_ID = make_id_number("440605", datetime.date(1950, 2, 3), 456)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (CI runs this on PostgreSQL)")


def _at_once(*calls):
    results, errors = run_together(*calls)
    assert not errors, errors
    return results


def register(police, village, number):
    return fraud_case_register(
        actor=police,
        case_number=number,
        reported_at=timezone.now() - datetime.timedelta(hours=1),
        victim_name="梁阿婆",
        id_number=VICTIM_ID,
        village=village,
        fraud_type="investment",
        loss_amount=Decimal("1000"),
        source="110",
    )


def test_the_same_case_posted_twice_at_once_is_registered_once(police, village_a):
    results = _at_once(*(lambda: register(police, village_a, "A1") for _ in range(2)))
    assert sorted(result.created for result in results) == [False, True]
    assert FraudCase.objects.count() == 1 and Resident.objects.count() == 1


def test_two_cases_of_one_new_victim_at_once_share_one_resident(police, village_a):
    results = _at_once(lambda: register(police, village_a, "A1"), lambda: register(police, village_a, "A2"))
    assert all(result.created for result in results)
    assert Resident.objects.count() == 1
    assert set(FraudCase.objects.values_list("victim_id", flat=True)) == {Resident.objects.get().pk}


def test_two_cases_of_a_warned_victim_at_once_move_the_warning_once(police, village_a):
    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID)
    warning = factories.WarningFactory(
        village=village_a, person=person, pushed_at=timezone.now() - datetime.timedelta(days=2)
    )
    _at_once(lambda: register(police, village_a, "A1"), lambda: register(police, village_a, "A2"))
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DEFRAUDED
    assert FraudCase.objects.filter(warning=warning).count() == 2
    assert AuditEvent.objects.filter(object_id=str(warning.pk), event="report_defrauded").count() == 1


def test_the_same_warned_case_posted_twice_at_once_opens_one_incident_review(police, village_a):
    from assessment.models import AccountabilityItem

    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID)
    factories.WarningFactory(village=village_a, person=person, pushed_at=timezone.now() - datetime.timedelta(days=5))
    _at_once(*(lambda: register(police, village_a, "A1") for _ in range(2)))
    assert AccountabilityItem.objects.filter(kind="incident_review").count() == 1
