"""GET /api/v1/units/: the units the caller may see, with code, name, kind and parent code."""

import pytest

pytestmark = pytest.mark.django_db


def test_units_need_authentication(api_client, village_a):
    assert api_client.get("/api/v1/units/").status_code == 401


def test_grid_worker_lists_their_village(api_as, grid_a, village_b):
    response = api_as(grid_a).get("/api/v1/units/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {"VA", "VA-01"}
    assert rows["VA"] == {"code": "VA", "name": "联和村", "kind": "village", "parent": "T1", "population": 10_000}
    assert rows["VA-01"]["parent"] == "VA"


def test_leader_lists_every_kind(api_as, leader, grid_a1, police_station, middle_school, publicity_office):
    response = api_as(leader).get("/api/v1/units/", {"page_size": 100})
    kinds = {row["kind"] for row in response.json()["results"]}
    assert kinds == {"town", "village", "grid", "department", "school", "police_station"}
    town = next(row for row in response.json()["results"] if row["kind"] == "town")
    assert town["parent"] is None


def test_unit_outside_scope_answers_404(api_as, grid_a, village_b):
    client = api_as(grid_a)
    assert client.get("/api/v1/units/VA/").status_code == 200
    response = client.get("/api/v1/units/VB/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_filter_by_kind(api_as, leader, grid_a1, grid_b1):
    rows = api_as(leader).get("/api/v1/units/", {"kind": "grid"}).json()["results"]
    assert {row["code"] for row in rows} == {"VA-01", "VB-01"}


def test_bad_filter_value_is_a_json_error_per_field(api_as, leader, town):
    response = api_as(leader).get("/api/v1/units/", {"kind": "planet"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_the_schema_documents_the_units_endpoint(api_as, leader):
    response = api_as(leader).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/units/" in response.json()["paths"]


def test_units_list_runs_a_bounded_number_of_queries(api_as, leader, town, django_assert_max_num_queries):
    from tests import factories

    for n in range(40):
        factories.VillageFactory(parent=town, code=f"V{n}")
    client = api_as(leader)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/units/").status_code == 200


def test_create_api_token_prints_the_token(grid_a):
    from io import StringIO

    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    out = StringIO()
    call_command("create_api_token", "grid_a", stdout=out)
    assert out.getvalue().strip() == Token.objects.get(user=grid_a).key
    out2 = StringIO()
    call_command("create_api_token", "grid_a", stdout=out2)
    assert out2.getvalue() == out.getvalue()


def test_create_api_token_for_an_unknown_user_fails(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")


def test_the_schema_is_for_signed_in_callers_only(client, api_as, police):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert api_as(police).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 200
