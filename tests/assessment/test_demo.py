"""seed_demo's assessment: callbacks made after their draw, items dated by the call that opened them."""

import pytest
from django.db import transaction
from django.utils import timezone

from assessment.models import AccountabilityItem, AccountabilitySource, Callback, CallbackStatus
from core import periods
from demo import assessment as demo
from demo.fraud_cases import seed as seed_cases
from demo.organization import seed_organization
from demo.residents import seed_registry
from demo.warnings_followup import seed_warnings

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_organization()
        seed_registry()
        seed_warnings()
        seed_cases()
        counts = demo.seed()
        yield counts
        transaction.set_rollback(True)


def test_callbacks_are_made_after_their_draw_and_items_dated_by_the_call(seeded):
    now = timezone.now()
    done = Callback.objects.filter(status=CallbackStatus.DONE).select_related("draw")
    assert done.exists()
    for callback in done:
        assert periods.month(callback.draw.month).end <= callback.called_at <= now
    items = AccountabilityItem.objects.filter(source=AccountabilitySource.CALLBACK).select_related("callback")
    assert items.filter(status="closed").exists() and items.filter(status="open").exists()
    for item in items:
        assert item.created_at == item.callback.called_at
        assert item.held_on >= timezone.localtime(item.created_at).date()
        if item.closed_at:
            assert item.created_at < item.closed_at <= now
            assert timezone.localtime(item.closed_at).date() <= item.rectification_deadline


def test_seeding_again_creates_nothing(seeded):
    before = (Callback.objects.count(), AccountabilityItem.objects.count())
    counts = demo.seed()
    assert counts["callback_draws_created"] == 0 and counts["inspections_created"] == 0
    assert (Callback.objects.count(), AccountabilityItem.objects.count()) == before


def test_the_demo_shows_an_incident_review_a_records_disagree_callback_and_a_rectification(seeded):
    from assessment.models import RectificationReport

    reviews = AccountabilityItem.objects.filter(kind="incident_review").select_related("case", "warning")
    assert reviews.exists()
    for item in reviews:
        assert item.warning_id and item.case.warning_id == item.warning_id
        assert item.created_at == item.case.reported_at
    disagree = Callback.objects.get(review="disagree")
    assert disagree.records and not disagree.accountability_items.exists()
    report = RectificationReport.objects.select_related("item__unit", "submitted_by").get()
    assert report.item.unit.name == "罗村社区" and report.submitted_by.username == "head_a"
    assert report.item.rectification_status == "submitted" and report.attachments.count() == 1
    assert seeded["records_disagree"] == 1
