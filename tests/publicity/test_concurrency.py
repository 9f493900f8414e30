"""Two people acting on the same row at the same moment: one change, one audit event (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from organization.models import Role
from publicity import services
from publicity.models import InspectionItem, TaskStatus, WorkTask
from tests import factories

from .factories import InspectionItemFactory, WorkTaskFactory


def _race(target, actors):
    from django.db import connections

    outcomes = []
    barrier = threading.Barrier(len(actors))

    def run(actor):
        try:
            barrier.wait()
            outcomes.append(target(actor))
        except services.TransitionNotAllowed:
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
