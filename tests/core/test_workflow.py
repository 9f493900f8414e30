"""The shared workflow pieces: a step's checks, the row lock, and how the API answers a refusal."""

import pytest
from django.core.exceptions import PermissionDenied

from core.api import exception_handler
from core.workflow import Transition, TransitionNotAllowed, lock_row
from organization.models import Unit

STEP = Transition("Close", frozenset({"open"}), "closed", actors=frozenset({"police"}))
REFUSAL = "“%(action)s” is not possible while the item is “%(status)s”."


def test_a_step_is_allowed_from_its_sources_only():
    assert STEP.allows("open")
    assert not STEP.allows("closed")


def test_a_step_from_another_state_is_refused_with_the_apps_message():
    STEP.check("open", refusal=REFUSAL, state_label="Open")
    with pytest.raises(TransitionNotAllowed) as refused:
        STEP.check("closed", refusal=REFUSAL, state_label="Closed")
    assert refused.value.message == "“Close” is not possible while the item is “Closed”."


def test_a_step_is_taken_by_its_sides_only():
    assert STEP.taken_by({"police", "team"})
    STEP.check_side({"police"}, refusal="Only the police.")
    with pytest.raises(PermissionDenied, match=r"Only the police\."):
        STEP.check_side({"team"}, refusal="Only the police.")


@pytest.mark.django_db
def test_the_locked_row_is_read_again_with_its_related_rows(village_a):
    stale = Unit.objects.get(pk=village_a.pk)
    stale.name = "changed in memory"
    locked = lock_row(stale, "parent", of_self=True)
    assert locked is not stale and locked.name == village_a.name
    assert locked.parent == village_a.parent


def test_the_api_answers_a_wrong_state_409_and_a_wrong_role_403_with_the_services_message():
    conflict = exception_handler(TransitionNotAllowed("Not now."), {})
    assert (conflict.status_code, conflict.data["detail"]) == (409, "Not now.")
    forbidden = exception_handler(PermissionDenied("Only the police."), {})
    assert (forbidden.status_code, forbidden.data["detail"]) == (403, "Only the police.")
    assert exception_handler(PermissionDenied(), {}).status_code == 403
