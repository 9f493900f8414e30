"""The door-visit API (the offline mode will sync through it), and the households API's visited filter."""

import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import DoorVisit
from tests.factories import HouseholdFactory

from .factories import DoorVisitFactory


def body(household, **overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "household": household.pk,
        "visited_at": timezone.now().isoformat(),
        "someone_home": True,
        "materials": ["letter", "pledge_form"],
        "app_installed": True,
        "notes": "已讲解",
    }
    data.update(overrides)
    return data


def test_posting_a_visit_answers_201_with_the_visit(api_as, grid_a, household_a):
    response = api_as(grid_a).post("/api/v1/door-visits/", body(household_a), format="json")

    assert response.status_code == 201
    visit = DoorVisit.objects.get()
    assert response.json()["id"] == visit.pk
    assert response.json()["materials"] == ["letter", "pledge_form"]
    assert response.json()["visitors"] == ["grid_a"] and response.json()["recorded_by"] == "grid_a"
    assert visit.gave_letter and visit.gave_pledge_form and not visit.gave_contact_card and visit.app_installed


def test_reposting_the_same_client_id_answers_200_and_creates_nothing(api_as, grid_a, household_a):
    client = api_as(grid_a)
    data = body(household_a)
    first = client.post("/api/v1/door-visits/", data, format="json")
    again = client.post("/api/v1/door-visits/", data, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert DoorVisit.objects.count() == 1


def test_nobody_at_home_is_recorded_with_fraud_types_and_companions(api_as, grid_a, head_a, household_a):
    response = api_as(grid_a).post(
        "/api/v1/door-visits/",
        body(household_a, someone_home=False, materials=[], fraud_types=["loan"], visitors=["grid_a", "head_a"]),
        format="json",
    )
    assert response.status_code == 201
    visit = DoorVisit.objects.get()
    assert not visit.someone_home and visit.fraud_types_explained == ["loan"]
    assert set(visit.visitors.values_list("username", flat=True)) == {"grid_a", "head_a"}


def test_a_household_outside_the_callers_scope_answers_404(api_as, grid_a, household_b):
    response = api_as(grid_a).post("/api/v1/door-visits/", body(household_b), format="json")
    assert response.status_code == 404 and not DoorVisit.objects.exists()
    missing = api_as(grid_a).post("/api/v1/door-visits/", {**body(household_b), "household": 999999}, format="json")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"materials": ["flyer"]}, "materials"),
        ({"fraud_types": ["nonsense"]}, "fraud_types"),
        ({"visited_at": "2999-01-01T00:00:00+08:00"}, "visited_at"),
        ({"someone_home": None}, "someone_home"),
        ({"visitors": ["nobody_like_this"]}, "visitors"),
    ],
)
def test_bad_input_answers_400_with_the_field(api_as, grid_a, household_a, overrides, field):
    response = api_as(grid_a).post("/api/v1/door-visits/", body(household_a, **overrides), format="json")
    assert response.status_code == 400 and field in response.json()
    assert not DoorVisit.objects.exists()


def test_a_stranger_and_an_unknown_username_get_the_same_answer(api_as, grid_a, grid_b, household_a):
    """Usernames outside the village's team are refused alike: the API does not tell which ones exist."""
    client = api_as(grid_a)
    stranger = client.post("/api/v1/door-visits/", body(household_a, visitors=["grid_b"]), format="json")
    unknown = client.post("/api/v1/door-visits/", body(household_a, visitors=["no_such_user"]), format="json")
    assert stranger.status_code == unknown.status_code == 400
    assert stranger.json()["visitors"] == [m.replace("no_such_user", "grid_b") for m in unknown.json()["visitors"]]
    assert not DoorVisit.objects.exists()


def test_a_client_id_of_another_households_visit_is_refused(api_as, grid_a, household_a):
    other = HouseholdFactory(village=household_a.village, grid=household_a.grid)
    visit = DoorVisitFactory(household=other)
    response = api_as(grid_a).post(
        "/api/v1/door-visits/", body(household_a, client_id=str(visit.client_id)), format="json"
    )
    assert response.status_code == 400 and "client_id" in response.json()


def test_leadership_reads_but_may_not_record(api_as, leader, household_a):
    DoorVisitFactory(household=household_a)
    client = api_as(leader)
    assert client.get("/api/v1/door-visits/").status_code == 200
    assert client.post("/api/v1/door-visits/", body(household_a), format="json").status_code == 403


def test_reading_is_scoped(api_as, grid_a, school, household_a, household_b, django_assert_max_num_queries):
    mine = DoorVisitFactory(household=household_a)
    theirs = DoorVisitFactory(household=household_b)
    for _n in range(5):
        DoorVisitFactory(household=household_a)
    client = api_as(grid_a)
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/door-visits/")
    ids = (
        [row["id"] for row in listed.json()["results"]]
        if "results" in listed.json()
        else [row["id"] for row in listed.json()]
    )
    assert mine.pk in ids and theirs.pk not in ids
    assert client.get(f"/api/v1/door-visits/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/door-visits/{mine.pk}/").status_code == 200
    assert api_as(school).get("/api/v1/door-visits/").status_code == 403
    assert api_as(school).get(f"/api/v1/door-visits/{mine.pk}/").status_code == 404


def test_the_households_api_filters_by_visited(api_as, grid_a, household_a):
    reached = HouseholdFactory(village=household_a.village, grid=household_a.grid)
    DoorVisitFactory(household=reached, someone_home=True)
    not_home = HouseholdFactory(village=household_a.village, grid=household_a.grid)
    DoorVisitFactory(household=not_home, someone_home=False)
    client = api_as(grid_a)

    def ids(query):
        data = client.get(f"/api/v1/households/?{query}").json()
        return {row["id"] for row in data.get("results", data) if isinstance(row, dict)}

    assert ids("visited=true") == {reached.pk}
    assert ids("visited=false") == {household_a.pk, not_home.pk}
    assert ids("") == {household_a.pk, reached.pk, not_home.pk}


def test_the_schema_documents_door_visits_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/door-visits/:" in text and "/api/v1/door-visits/{id}/:" in text
    assert "name: visited" in text
