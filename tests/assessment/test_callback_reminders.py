"""Callbacks do not wait silently (四(二) 一案双查): a callback not made RULE_CALLBACK_DUE_DAYS (10) days after its draw
reminds its caller, and RULE_CALLBACK_ESCALATE_DAYS (3) days later the leadership group; once per callback and
level, however often the daily scan runs."""

import datetime

import pytest
from django.utils import timezone

from assessment.models import CallbackStatus
from assessment.reminders import callback_reminders_send
from assessment.tasks import callback_reminders
from notifications.models import Notification
from organization.models import Role
from tests import factories

from .factories import CallbackDrawFactory, CallbackFactory, FraudCaseFactory

pytestmark = pytest.mark.django_db
DRAWN = timezone.make_aware(datetime.datetime(2026, 4, 1, 9, 0))


def days(n):
    return DRAWN + datetime.timedelta(days=n)


@pytest.fixture
def caller(governance_centre):
    return factories.UserFactory(username="caller", unit=governance_centre, roles=[Role.GOVERNANCE])


@pytest.fixture
def callback(village_a, caller):
    draw = CallbackDrawFactory(drawn_at=DRAWN)
    return CallbackFactory(draw=draw, case=FraudCaseFactory(village=village_a), assigned_to=caller)


def reminded(user):
    return list(Notification.objects.filter(recipient=user, kind="assessment.callback_overdue"))


def test_nothing_before_the_tenth_day(callback, caller, leader):
    assert callback_reminders_send(now=days(9)) == 0
    assert reminded(caller) == []


def test_the_caller_is_reminded_on_the_tenth_day_once(callback, caller, leader):
    assert callback_reminders_send(now=days(10)) == 1
    assert callback_reminders_send(now=days(11)) == 0  # the next day's scan: not again
    [notification] = reminded(caller)
    assert callback.case.case_number in notification.title
    assert notification.url.endswith(f"/{callback.pk}/")
    assert reminded(leader) == []


def test_then_the_leadership_group_once(callback, caller, leader):
    callback_reminders_send(now=days(10))
    assert callback_reminders_send(now=days(13)) == 1
    assert callback_reminders_send(now=days(20)) == 0
    assert len(reminded(leader)) == 1 and len(reminded(caller)) == 1


def test_a_callback_made_in_time_reminds_no_one(callback, caller, leader):
    callback.status = CallbackStatus.DONE
    callback.save(update_fields=["status"])
    assert callback_reminders_send(now=days(30)) == 0


def test_no_caller_assigned_the_governance_centre_is_reminded(callback, caller, zongzhi):
    callback.assigned_to = None
    callback.save(update_fields=["assigned_to"])
    callback_reminders_send(now=days(10))
    assert len(reminded(zongzhi)) == 1 and len(reminded(caller)) == 1  # both hold the governance role


def test_the_rule_is_a_setting(settings, callback, caller):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "CALLBACK_DUE_DAYS": 5}
    assert callback_reminders_send(now=days(5)) == 1


def test_the_beat_task_runs_the_scan(callback, caller, time_machine):
    time_machine.move_to(days(10), tick=False)
    assert callback_reminders() == 1


def test_the_scan_is_scheduled_daily():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="assessment.callback_reminders", enabled=True).exists()
