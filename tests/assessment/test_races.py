"""Two leaders or callers at once (PostgreSQL only: row locks and unique indexes under real concurrency)."""

import datetime

import pytest
from django.db import connection

from assessment import services
from assessment.models import AccountabilityItem, CallbackDraw, CallbackStatus, Nomination
from audit.models import AuditEvent
from tests.races import run_together

from .factories import CallbackFactory, FraudCaseFactory, NominationFactory

_at_once = run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (CI runs this on PostgreSQL)")


def test_two_callers_recording_one_callback_at_once_record_it_once(leader, village_a):
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    results, errors = _at_once(
        *(
            lambda: services.callback_record(callback=callback, actor=leader, reached=True, educated=False)
            for _ in range(2)
        )
    )
    assert len(results) == 1 and [type(error) for error in errors] == [services.TransitionNotAllowed]
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DONE
    assert AccountabilityItem.objects.filter(callback=callback).count() == 2


def test_two_leaders_summoning_a_suggested_village_at_once_record_one_summons(leader, village_a):
    results, errors = _at_once(
        *(
            lambda: services.accountability_summon_suggested(village=village_a, actor=leader, reason="高发")
            for _ in (1, 2)
        )
    )
    assert not errors and sorted(created for _item, created in results) == [False, True]
    assert AccountabilityItem.objects.filter(unit=village_a).count() == 1


def test_a_month_drawn_twice_at_once_is_drawn_once(leader, village_a):
    FraudCaseFactory(village=village_a, reported_at=datetime.datetime.fromisoformat("2026-03-10T10:00+08:00"))
    results, errors = _at_once(
        *(lambda: services.callback_draw_month(month=datetime.date(2026, 3, 1), actor=leader, seed=1) for _ in range(2))
    )
    assert not errors and sorted(created for _draw, created in results) == [False, True]
    assert CallbackDraw.objects.count() == 1


# --- year-end nominations (先进集体和个人) ---


def test_two_leaders_deciding_at_once_decide_once(leader, village_a):
    nomination = NominationFactory(unit=village_a)
    results, errors = _at_once(
        lambda: services.nomination_decide(nomination=nomination, actor=leader, action="approve"),
        lambda: services.nomination_decide(nomination=nomination, actor=leader, action="reject", note="不同意"),
    )
    assert len(results) == 1 and [type(error) for error in errors] == [services.TransitionNotAllowed]
    assert AuditEvent.objects.filter(event__startswith="nomination_").count() == 1


def test_two_leaders_proposing_at_once_record_one_nomination(leader, publicity_office):
    from tests.publicity.factories import ActivityFactory

    ActivityFactory(unit=publicity_office, held_on=datetime.date(2026, 5, 10))
    results, errors = _at_once(
        *(
            lambda: services.nomination_propose(actor=leader, year=2026, category="department", unit=publicity_office)
            for _ in range(2)
        )
    )
    assert not errors and sorted(created for _n, created in results) == [False, True]
    assert Nomination.objects.count() == 1
