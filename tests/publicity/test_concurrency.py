"""Two people acting on the same row at the same moment: one change, one audit event (PostgreSQL row locks)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from organization.models import Role
from publicity import services
from publicity.models import InspectionItem, TaskStatus, Venue, Volunteer, WorkPlan, WorkTask
from tests import factories

from .factories import InspectionItemFactory, WorkPlanFactory, WorkTaskFactory


def _race(target, actors):
    from django.db import connections

    outcomes = []
    barrier = threading.Barrier(len(actors))

    def run(actor):
        try:
            barrier.wait()
            outcomes.append(target(actor))
        except (services.TransitionNotAllowed, ValidationError):
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_fix_the_same_item_at_once(economic_office, jingfa):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this on PostgreSQL)")
    colleague = factories.UserFactory(username="jingfa2", unit=economic_office, roles=[Role.DEPARTMENT_STAFF])
    item = InspectionItemFactory(inspection__venue__unit=economic_office)
    _race(
        lambda actor: services.inspection_item_fix(
            actor=actor,
            item=InspectionItem.objects.get(pk=item.pk),
            fixed_on=timezone.localdate(),
            fix_note=actor.username,
        ),
        [jingfa, colleague],
    )
    assert AuditEvent.objects.filter(event="fix", object_id=str(item.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_complete_the_same_task_at_once(publicity_office, department_staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this on PostgreSQL)")
    colleague = factories.UserFactory(username="publicity2", unit=publicity_office, roles=[Role.DEPARTMENT_STAFF])
    task = WorkTaskFactory(plan__unit=publicity_office)
    outcomes = _race(
        lambda actor: (
            services.work_task_transition(actor=actor, task=WorkTask.objects.get(pk=task.pk), action="complete").status
        ),
        [department_staff, colleague],
    )
    assert sorted(outcomes) == [TaskStatus.DONE, "refused"]
    assert AuditEvent.objects.filter(event="complete", object_id=str(task.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_task_sent_twice_at_once_is_added_once(publicity_office, department_staff):
    """A double tap on a slow network: two copies of the task form arrive together."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this on PostgreSQL)")
    colleague = factories.UserFactory(username="publicity2", unit=publicity_office, roles=[Role.DEPARTMENT_STAFF])
    plan = WorkPlanFactory(unit=publicity_office)
    due = timezone.localdate()
    outcomes = _race(
        lambda actor: services.work_task_create(
            actor=actor, plan=WorkPlan.objects.get(pk=plan.pk), title="进校园宣讲", due_on=due, responsible_name="李明"
        ),
        [department_staff, colleague],
    )
    assert outcomes.count("refused") == 1
    assert WorkTask.objects.filter(plan=plan).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_plan_venue_and_volunteer_sent_twice_at_once_are_added_once(
    publicity_office, economic_office, department_staff, jingfa
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this on PostgreSQL)")
    colleague = factories.UserFactory(username="publicity2", unit=publicity_office, roles=[Role.DEPARTMENT_STAFF])
    jingfa2 = factories.UserFactory(username="jingfa2", unit=economic_office, roles=[Role.DEPARTMENT_STAFF])
    _race(
        lambda actor: services.work_plan_create(actor=actor, unit=publicity_office, title="宣传工作方案", year=2026),
        [department_staff, colleague],
    )
    _race(
        lambda actor: services.volunteer_add(actor=actor, unit=publicity_office, name="陈嘉怡", group="resident"),
        [department_staff, colleague],
    )
    _race(
        lambda actor: services.venue_create(actor=actor, unit=economic_office, name="百佳超市", kind="supermarket"),
        [jingfa, jingfa2],
    )
    assert WorkPlan.objects.filter(unit=publicity_office).count() == 1
    assert Volunteer.objects.filter(unit=publicity_office).count() == 1
    assert Venue.objects.filter(unit=economic_office).count() == 1
