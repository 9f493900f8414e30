"""Overdue tasks and overdue venue fixes are notified once per deadline, to the right people."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from notifications.models import Notification
from organization.models import Role
from publicity.models import TaskStatus
from publicity.tasks import send_overdue_reminders
from tests import factories

from .factories import InspectionItemFactory, WorkTaskFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def test_an_overdue_task_reaches_its_responsible_person_once(department_staff, publicity_office):
    colleague = factories.UserFactory(username="colleague", unit=publicity_office, roles=[Role.DEPARTMENT_STAFF])
    task = WorkTaskFactory(plan__unit=publicity_office, responsible=department_staff, due_on=days(-1))
    WorkTaskFactory(plan__unit=publicity_office, due_on=days(-1), status=TaskStatus.DONE)
    WorkTaskFactory(plan__unit=publicity_office, due_on=days(1))
    assert send_overdue_reminders() == 1
    assert send_overdue_reminders() == 0  # the second run sends nothing
    [notification] = Notification.objects.all()
    assert notification.recipient == department_staff
    assert task.title in notification.title
    assert not colleague.notifications.exists()
    # A new deadline that passes is a new reminder.
    task.due_on = days(-1) - datetime.timedelta(days=1)
    task.save()
    assert send_overdue_reminders() == 1


def test_a_task_without_a_responsible_account_reaches_the_unit(department_staff, publicity_office):
    WorkTaskFactory(plan__unit=publicity_office, responsible=None, responsible_name="张三", due_on=days(-2))
    send_overdue_reminders()
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["publicity"]


def test_a_fix_past_its_deadline_reaches_the_venues_unit(jingfa, economic_office):
    InspectionItemFactory(inspection__venue__unit=economic_office, fix_deadline=days(-1))
    InspectionItemFactory(inspection__venue__unit=economic_office, fix_deadline=days(3))
    InspectionItemFactory(inspection__venue__unit=economic_office, fix_deadline=days(-1), fixed_on=timezone.localdate())
    assert send_overdue_reminders() == 1
    assert Notification.objects.get().recipient == jingfa


def test_the_reminder_is_scheduled_daily():
    task = PeriodicTask.objects.get(task="publicity.send_overdue_reminders")
    assert (task.crontab.hour, task.crontab.minute) == ("8", "30")
