"""GET /api/v1/coverage/?unit=CODE: the contract in issue 5, scoped to the caller."""

import pytest

from tests.factories import HouseholdFactory, ResidentFactory

from .factories import DoorVisitFactory, PledgeFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/coverage/"
CONTRACT = {"households", "households_visited", "residents", "residents_pledged", "app_installs"}


@pytest.fixture
def visited(village_a, village_b, grid_a1, grid_b1):
    h1 = HouseholdFactory(village=village_a, grid=grid_a1)
    h2 = HouseholdFactory(village=village_a, grid=grid_a1)
    h3 = HouseholdFactory(village=village_b, grid=grid_b1)
    for household in (h1, h2, h3):
        ResidentFactory(household=household)
    visit = DoorVisitFactory(household=h1, app_installed=True)
    PledgeFactory(visit=visit, resident=h1.members.get())
    DoorVisitFactory(household=h2, someone_home=False)
    DoorVisitFactory(household=h3)
    return h1


def test_a_grid_worker_gets_the_coverage_of_their_grid(api_as, grid_a, visited, grid_a1):
    response = api_as(grid_a).get(URL, {"unit": grid_a1.code})
    assert response.status_code == 200
    body = response.json()
    assert CONTRACT <= set(body)
    assert {key: body[key] for key in CONTRACT} == {
        "households": 2,
        "households_visited": 1,
        "residents": 2,
        "residents_pledged": 1,
        "app_installs": 1,
    }
    assert body["unit"] == grid_a1.code and body["coverage_rate"] == 0.5
    assert body["as_of"]


def test_leadership_gets_the_town(api_as, leader, visited, town):
    body = api_as(leader).get(URL, {"unit": town.code}).json()
    assert (body["households"], body["households_visited"], body["residents_pledged"]) == (3, 2, 1)


def test_a_unit_outside_the_scope_or_unknown_answers_404(api_as, grid_a, visited, village_b, grid_b1, town):
    client = api_as(grid_a)
    for code in (village_b.code, grid_b1.code, town.code, "NOPE"):
        assert client.get(URL, {"unit": code}).status_code == 404, code


def test_without_a_unit_or_for_another_kind_answers_400(api_as, police, visited, police_station):
    client = api_as(police)
    response = client.get(URL)
    assert response.status_code == 400
    assert "unit" in response.json()
    assert client.get(URL, {"unit": police_station.code}).status_code == 400


def test_it_needs_a_token_and_the_outreach_capability(api_client, api_as, school, visited, town):
    assert api_client.get(URL, {"unit": town.code}).status_code in (401, 403)
    assert api_as(school).get(URL, {"unit": "SCH"}).status_code == 403


def test_the_endpoint_is_in_the_schema(api_as, leader):
    response = api_as(leader).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].endswith("json") else None
    if schema is None:
        import yaml

        schema = yaml.safe_load(response.content)
    operation = schema["paths"]["/api/v1/coverage/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["unit"]
    properties = schema["components"]["schemas"]["Coverage"]["properties"]
    assert CONTRACT <= set(properties)
