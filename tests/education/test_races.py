"""Two phones at once (PostgreSQL only: row locks and unique indexes under real concurrency)."""

import datetime
import zoneinfo

import pytest
from django.db import connection

from education import reminders, services
from education.models import BroadcastDay, ReturnSlip
from notifications.models import Notification
from tests.races import run_together

from .factories import ParentNoticeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(*calls):
    results, errors = run_together(*calls)
    assert not errors, errors
    return results


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (CI runs this on PostgreSQL)")


def test_two_taps_of_broadcast_done_at_once_log_one_day(school, middle_school, semester, today):
    results = _at_once(*(lambda: services.broadcast_log(actor=school, school=middle_school) for _ in range(2)))
    assert sorted(result.created for result in results) == [False, True]
    assert BroadcastDay.objects.count() == 1


def test_two_phones_ticking_the_same_class_keep_both_ticks(school, middle_school, semester, classes, today):
    notice = ParentNoticeFactory(school=middle_school, semester=semester, grade="初一", class_name="1班")
    a, b = (student.pk for student in classes["1"][:2])
    _at_once(
        lambda: services.return_slips_record(actor=school, notice=notice, collected={a}, shown={a}),
        lambda: services.return_slips_record(actor=school, notice=notice, collected={a, b}, shown={a, b}),
    )
    assert set(ReturnSlip.objects.values_list("student_id", flat=True)) == {a, b}


def test_two_reminder_scans_at_once_send_one_reminder(school, middle_school, semester):
    now = datetime.datetime(2026, 9, 16, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    results = _at_once(*(lambda: reminders.broadcast_reminders_send(now=now) for _ in range(2)))
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(kind="education.broadcast").count() == 1
