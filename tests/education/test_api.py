"""The education API: compliance in scope, and the idempotent broadcast log."""

import pytest

from education.models import BroadcastDay

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_compliance_lists_the_schools_in_scope(api_as, school, leader, middle_school, centre_school, semester, today):
    mine = api_as(school).get("/api/v1/education/compliance/")
    assert mine.status_code == 200
    assert [row["school_code"] for row in mine.json()] == [middle_school.code]
    row = mine.json()[0]
    assert row["broadcast"]["required"] is True
    assert row["micro_classes"] == {"done": 0, "required": 2, "expected_by_now": 1, "behind": True, "applies": True}
    everyone = api_as(leader).get("/api/v1/education/compliance/")
    assert {row["school_code"] for row in everyone.json()} == {middle_school.code, centre_school.code}


def test_compliance_is_404_without_education_view(api_as, police, semester):
    assert api_as(police).get("/api/v1/education/compliance/").status_code == 404


def test_broadcast_log_is_idempotent_and_scoped(api_as, school, school_c, leader, middle_school, semester, today):
    client = api_as(school)
    first = client.post("/api/v1/education/broadcasts/", {}, format="json")
    again = client.post("/api/v1/education/broadcasts/", {"day": TODAY.isoformat()}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {"school": middle_school.pk, "day": TODAY.isoformat(), "created": True}
    assert BroadcastDay.objects.count() == 1
    other = api_as(school_c).post("/api/v1/education/broadcasts/", {"school": middle_school.pk}, format="json")
    assert other.status_code == 404
    boss = api_as(leader).post("/api/v1/education/broadcasts/", {"school": middle_school.pk}, format="json")
    assert boss.status_code == 403
    holiday = api_as(school).post("/api/v1/education/broadcasts/", {"day": "2026-09-25"}, format="json")
    assert holiday.status_code == 400
    assert list(holiday.json()) == ["day"]  # the service's refusal, on its field (the API's exception handler)


def test_the_education_api_is_in_the_schema(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/education/compliance/:" in text and "/api/v1/education/broadcasts/:" in text
