"""Reminders to the school: the broadcast not logged by the deadline, and requirements falling behind.
Each goes out once however often the scan runs."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from education import reminders, tasks
from notifications.models import Notification

from .factories import BroadcastDayFactory


@pytest.fixture(autouse=True)
def english(settings):
    """These stories check the English source wording (the default language, zh-hans, is tested elsewhere)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return datetime.datetime(2026, 9, day, hour, minute, tzinfo=SHANGHAI)


def test_broadcast_reminder_after_the_deadline_is_sent_once(school, school_c, middle_school, semester):
    assert reminders.broadcast_reminders_send(now=at(16, 9, 45)) == 0  # before 10:00
    assert reminders.broadcast_reminders_send(now=at(16, 10, 0)) == 1
    assert reminders.broadcast_reminders_send(now=at(16, 10, 15)) == 0
    notes = Notification.objects.filter(kind="education.broadcast")
    assert [n.recipient for n in notes] == [school]  # the centre school does not broadcast
    assert "2026-09-16" in notes.get().title


def test_no_broadcast_reminder_when_logged_or_not_a_school_day(school, middle_school, semester):
    BroadcastDayFactory(school=middle_school, semester=semester, day=datetime.date(2026, 9, 16))
    assert reminders.broadcast_reminders_send(now=at(16, 11)) == 0
    assert reminders.broadcast_reminders_send(now=at(25, 11)) == 0  # Mid-Autumn holiday
    assert reminders.broadcast_reminders_send(now=at(26, 11)) == 0  # Saturday
    assert reminders.broadcast_reminders_send(now=at(27, 11)) == 1  # make-up Sunday: a school day
    assert not Notification.objects.filter(title__contains="2026-09-16").exists()


def test_the_deadline_is_set_per_semester(school, middle_school, semester):
    semester.broadcast_deadline = datetime.time(8, 30)
    semester.save()
    assert reminders.broadcast_reminders_send(now=at(17, 8, 45)) == 1


def test_falling_behind_is_told_once_a_week(school, middle_school, semester):
    day = datetime.date(2026, 9, 16)
    assert reminders.requirement_reminders_send(today=day) == 1
    assert reminders.requirement_reminders_send(today=day) == 0
    assert reminders.requirement_reminders_send(today=day + datetime.timedelta(days=2)) == 0  # same week
    notes = Notification.objects.filter(kind="education.behind", recipient=school)
    assert notes.count() == 1
    assert "0 of 2" in notes.get().body
    assert reminders.requirement_reminders_send(today=day + datetime.timedelta(days=7)) == 1


def test_tasks_run_the_scans(school, middle_school, semester):
    assert tasks.remind_behind(today="2026-09-16") == 1
    assert tasks.remind_behind(today="2026-09-16") == 0


def test_the_schedules_are_in_the_database(db):
    from django_celery_beat.models import PeriodicTask

    tasks_by_name = {task.task: task for task in PeriodicTask.objects.select_related("crontab")}
    assert tasks_by_name["education.remind_broadcast"].crontab.minute == "*/15"
    assert tasks_by_name["education.remind_behind"].crontab.day_of_week == "1"
