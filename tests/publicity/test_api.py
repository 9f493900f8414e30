"""The read-only API: scoped like the pages, filters shared with the list, in the OpenAPI schema."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from publicity.models import TaskStatus

from .factories import ActivityFactory, ActivityLinkFactory, WorkTaskFactory

pytestmark = pytest.mark.django_db


def test_activities_are_scoped_and_filtered(api_as, department_staff, leader, publicity_office, finance_centre):
    ours = ActivityFactory(unit=publicity_office, category="column_post", title="专栏")
    ActivityLinkFactory(activity=ours, url="https://example.org/a")
    theirs = ActivityFactory(unit=finance_centre, category="finance_push", channel="sms")
    api = api_as(department_staff)
    body = api.get("/api/v1/publicity-activities/").json()
    assert [row["id"] for row in body["results"]] == [ours.pk]
    assert body["results"][0]["links"] == [{"url": "https://example.org/a", "title": ""}]
    assert body["results"][0]["unit"] == "DEP"
    assert api.get(f"/api/v1/publicity-activities/{theirs.pk}/").status_code == 404
    api = api_as(leader)
    body = api.get("/api/v1/publicity-activities/", {"category": "finance_push"}).json()
    assert [row["id"] for row in body["results"]] == [theirs.pk]


def test_without_the_capability_a_list_is_403_and_a_record_404(api_as, outsider, publicity_office):
    activity = ActivityFactory(unit=publicity_office)
    api = api_as(outsider)
    assert api.get("/api/v1/publicity-activities/").status_code == 403
    assert api.get(f"/api/v1/publicity-activities/{activity.pk}/").status_code == 404


def test_a_village_team_lists_its_villages_activities_only(api_as, grid_a, village_a, publicity_office):
    """Villages log their own publicity (五(三)): the team reads the village's, never a department's."""
    own = ActivityFactory(unit=village_a, category="banner")
    department = ActivityFactory(unit=publicity_office)
    api = api_as(grid_a)
    body = api.get("/api/v1/publicity-activities/").json()
    assert [row["id"] for row in body["results"]] == [own.pk]
    assert api.get(f"/api/v1/publicity-activities/{department.pk}/").status_code == 404


def test_overdue_tasks(api_as, department_staff, publicity_office, finance_centre):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = WorkTaskFactory(plan__unit=publicity_office, due_on=yesterday)
    WorkTaskFactory(plan__unit=publicity_office, due_on=yesterday, status=TaskStatus.DONE)
    WorkTaskFactory(plan__unit=finance_centre, due_on=yesterday)
    body = api_as(department_staff).get("/api/v1/work-tasks/", {"overdue": "true"}).json()
    assert [(row["id"], row["overdue"]) for row in body["results"]] == [(late.pk, True)]


def test_the_schema_documents_the_publicity_api(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/publicity-activities/:" in text and "/api/v1/work-tasks/:" in text
