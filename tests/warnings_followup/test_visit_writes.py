"""A field worker records a visit on a phone, fifty at a time across the county: each POST runs a fixed number of
queries, whatever the number of visits already recorded.

Issue 13 (4): at most eight. API: the token with its user, unit, village and roles 1, the scoped warning 1, companions
1, the lock (with the visit already posted under this client id and the in-person visits around this one) 1, the
visit (INSERT … ON CONFLICT DO NOTHING) 1, its visitors 1, the warning's clock 1, the audit event 1. The web form:
the session comes from the cache and is written at most once a minute; the user 1 instead of the token. The
services open no savepoint. Before: API 17, web form 21 (door visit form 13)."""

import datetime
import uuid
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from campaigns.models import DoorVisit
from notifications.models import Notification
from tests import factories
from warnings_followup import services
from warnings_followup.models import FollowUpVisit, WarningStatus

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
API_QUERIES = 8
FORM_QUERIES = 8


@pytest.fixture
def warning(village_a, grid_a, head_a, police):
    pushed = timezone.now() - datetime.timedelta(days=2)
    return factories.WarningFactory(village=village_a, pushed_at=pushed, status=WarningStatus.FOLLOWING_UP)


def _history(warning, actor, visits=6):
    for days in range(visits):
        services.warning_record_visit(
            warning=warning,
            actor=actor,
            client_id=uuid.uuid4(),
            visited_at=warning.pushed_at + datetime.timedelta(hours=days + 1),
            method="in_person" if days % 2 else "phone",
            at_risk=False,
        )


def test_a_visit_posted_to_the_api_runs_a_fixed_number_of_queries(
    api_as, grid_a, head_a, warning, django_assert_max_num_queries
):
    _history(warning, grid_a)
    client = api_as(grid_a)
    client.get(f"/api/v1/warnings/{warning.pk}/")  # the scope's unit ids are cached from the first request on
    body = {
        "client_id": str(uuid.uuid4()),
        "visited_at": timezone.now().isoformat(),
        "method": "in_person",
        "at_risk": False,
        "visitors": ["head_a"],
        "notes": "老人表示已明白",
    }
    with django_assert_max_num_queries(API_QUERIES):
        response = client.post(f"/api/v1/warnings/{warning.pk}/visits/", body, format="json")
    assert response.status_code == 201, response.content
    visit = FollowUpVisit.objects.get(client_id=body["client_id"])
    assert set(visit.visitors.values_list("username", flat=True)) == {"grid_a", "head_a"}


def test_a_visit_posted_with_the_web_form_runs_a_fixed_number_of_queries(
    client, grid_a, head_a, warning, django_assert_max_num_queries
):
    _history(warning, grid_a)
    client.force_login(grid_a)
    client.get(reverse("warnings_followup:visit_create", args=[warning.pk]))  # the form, as the worker opened it
    data = {
        "method": "in_person",
        "at_risk": "no",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "client_id": str(uuid.uuid4()),
        "companions": [head_a.pk],
    }
    with django_assert_max_num_queries(FORM_QUERIES):
        response = client.post(reverse("warnings_followup:visit_create", args=[warning.pk]), data)
    assert response.status_code == 302
    visit = FollowUpVisit.objects.get(client_id=data["client_id"])
    assert set(visit.visitors.values_list("username", flat=True)) == {"grid_a", "head_a"}


def test_a_visit_recorded_late_for_an_earlier_day_moves_the_next_visits_clock(warning, grid_a):
    """The on-time clock is stored on each in-person visit (anchor_day): a visit recorded out of order changes the
    clock of the visit after it."""
    pushed = timezone.localdate(warning.pushed_at)

    def visit(days):
        moment = warning.pushed_at + datetime.timedelta(days=days)
        return services.warning_record_visit(
            warning=warning, actor=grid_a, client_id=uuid.uuid4(), visited_at=moment, method="in_person", at_risk=False
        ).visit

    later = visit(2)
    assert later.anchor_day == pushed
    earlier = visit(1)  # written down afterwards
    later.refresh_from_db()
    assert earlier.anchor_day == pushed
    assert later.anchor_day == pushed + datetime.timedelta(days=1)
    warning.refresh_from_db()
    assert warning.next_visit_due == pushed + datetime.timedelta(days=2 + 3)


def test_a_visit_written_outside_the_service_is_anchored_too(warning):
    pushed = timezone.localdate(warning.pushed_at)
    second = factories.FollowUpVisitFactory(warning=warning, visited_at=warning.pushed_at + datetime.timedelta(days=4))
    first = factories.FollowUpVisitFactory(warning=warning, visited_at=warning.pushed_at + datetime.timedelta(days=1))
    phone = factories.FollowUpVisitFactory(
        warning=warning, visited_at=warning.pushed_at + datetime.timedelta(days=2), method="phone"
    )
    for visit in (first, second, phone):
        visit.refresh_from_db()
    assert (first.anchor_day, second.anchor_day, phone.anchor_day) == (
        pushed,
        pushed + datetime.timedelta(days=1),
        None,
    )
    first.delete()
    second.refresh_from_db()
    assert second.anchor_day == pushed


def test_a_door_visit_posted_with_the_web_form_runs_a_fixed_number_of_queries(
    client, grid_a, grid_a1, head_a, django_assert_max_num_queries
):
    household = factories.HouseholdFactory(village=grid_a1.parent, grid=grid_a1, address="联和村幸福路1号")
    client.force_login(grid_a)
    url = reverse("campaigns:visit_create", args=[household.pk])
    client.get(url)  # the form, as the worker opened it
    ContentType.objects.get_for_model(household)  # a running process has it cached (the audit event's type)
    data = {
        "client_id": str(uuid.uuid4()),
        "someone_home": "yes",
        "materials": ["letter", "contact_card"],
        "fraud_types": ["rebate_task"],
        "notes": "讲解了刷单返利",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "visitors": [grid_a.pk, head_a.pk],
    }
    with django_assert_max_num_queries(FORM_QUERIES):
        response = client.post(url, data)
    assert response.status_code == 302, response.content
    visit = DoorVisit.objects.get(client_id=data["client_id"])
    assert set(visit.visitors.values_list("username", flat=True)) == {"grid_a", "head_a"}


def test_an_at_risk_visit_leaves_its_notification_to_a_worker(
    api_as,
    grid_a,
    head_a,
    police,
    warning,
    monkeypatch,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """The head and police hear of a person still at risk from a worker's task queued after the commit: the POST
    runs no query for the recipients, the notifications or the work group's delivery."""
    from warnings_followup import tasks

    queued = []
    monkeypatch.setattr(tasks.notify_event, "delay", lambda *args: queued.append(args))
    client = api_as(grid_a)
    client.get(f"/api/v1/warnings/{warning.pk}/")
    body = {"client_id": str(uuid.uuid4()), "visited_at": timezone.now().isoformat(), "method": "in_person"}
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(API_QUERIES):
        response = client.post(f"/api/v1/warnings/{warning.pk}/visits/", {**body, "at_risk": True}, format="json")
    assert response.status_code == 201, response.content
    assert queued == [("at_risk", warning.pk)]
    assert not Notification.objects.exists()
    tasks.notify_event(*queued[0])
    assert set(Notification.objects.filter(kind="warning.at_risk").values_list("recipient__username", flat=True)) == {
        "head_a",
        "police",
    }


def test_an_at_risk_visit_is_notified_in_the_request_when_the_broker_is_down(
    grid_a, head_a, police, warning, monkeypatch, django_capture_on_commit_callbacks
):
    from warnings_followup import tasks

    def broker_down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.notify_event, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.warning_record_visit(
            warning=warning,
            actor=grid_a,
            client_id=uuid.uuid4(),
            visited_at=timezone.now(),
            method="in_person",
            at_risk=True,
        )
    assert Notification.objects.filter(kind="warning.at_risk").count() == 2
