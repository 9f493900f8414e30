"""GET /api/v1/households/ and /api/v1/residents/: scoped, masked, paginated; exact lookup by number through
POST /api/v1/residents/lookup/ (a full number in a query string answers 400: tests/security/test_numbers_in_urls.py)."""

import datetime

import pytest

from audit.models import AccessAction, AccessLog
from core.validators import ID_CHECKSUM_MESSAGE, ID_LENGTH_MESSAGE, make_id_number
from organization.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

ID = make_id_number("440605", datetime.date(1948, 7, 9), 127)
ID_X = next(
    number
    for sequence in range(1000)
    if (number := make_id_number("440605", datetime.date(1961, 2, 3), sequence)).endswith("X")
)
PHONE = "13912345678"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.fixture
def household_a(village_a, grid_a1):
    return factories.HouseholdFactory(village=village_a, grid=grid_a1, address="联和村东街12号")


@pytest.fixture
def household_b(village_b, grid_b1):
    return factories.HouseholdFactory(village=village_b, grid=grid_b1, address="下柏村南街3号")


@pytest.fixture
def resident_a(household_a):
    return factories.ResidentFactory(household=household_a, name="陈国强", id_number=ID, phone=PHONE)


@pytest.fixture
def resident_b(household_b):
    return factories.ResidentFactory(household=household_b, name="黄丽芳")


# --- authentication and permission ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/households/", "/api/v1/residents/"])
def test_token_authentication_is_required(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_details_need_authentication_too(api_client, resident_a):
    assert api_client.get(f"/api/v1/residents/{resident_a.pk}/").status_code == 401
    assert api_client.get(f"/api/v1/households/{resident_a.household_id}/").status_code == 401


@pytest.mark.parametrize("user_fixture", ["school", "department_staff", "outsider"])
def test_without_registry_access_lists_answer_403_and_details_404(request, api_as, user_fixture, resident_a):
    client = api_as(request.getfixturevalue(user_fixture))
    assert client.get("/api/v1/households/").status_code == 403
    assert client.get("/api/v1/residents/").status_code == 403
    assert client.get(f"/api/v1/households/{resident_a.household_id}/").status_code == 404
    assert client.get(f"/api/v1/residents/{resident_a.pk}/").status_code == 404


# --- households ----------------------------------------------------------------------------------


def test_household_list_fields_and_member_count(api_as, grid_a, household_a):
    factories.ResidentFactory.create_batch(3, household=household_a)
    response = api_as(grid_a).get("/api/v1/households/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["results"] == [
        {"id": household_a.pk, "address": "联和村东街12号", "village": "VA", "grid": "VA-01", "members": 3}
    ]


def test_household_without_grid_or_members(api_as, grid_a, village_a):
    household = factories.HouseholdFactory(village=village_a, address="联和村西街1号")
    row = api_as(grid_a).get(f"/api/v1/households/{household.pk}/").json()
    assert row == {"id": household.pk, "address": "联和村西街1号", "village": "VA", "grid": None, "members": 0}


def test_household_pagination(api_as, leader, village_a):
    for n in range(7):
        factories.HouseholdFactory(village=village_a, address=f"联和村北街{n + 1}号")
    client = api_as(leader)
    first = client.get("/api/v1/households/", {"page_size": 5}).json()
    assert first["count"] == 7
    assert len(first["results"]) == 5
    assert first["previous"] is None
    assert "page=2" in first["next"]
    second = client.get("/api/v1/households/", {"page_size": 5, "page": 2}).json()
    assert len(second["results"]) == 2
    assert second["next"] is None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(ids)) == 7


def test_household_filters_by_village_and_grid_codes(api_as, leader, village_a, grid_a1, household_a, household_b):
    other_grid = factories.GridFactory(code="VA-02", parent=village_a)
    in_other_grid = factories.HouseholdFactory(village=village_a, grid=other_grid, address="联和村中心路8号")
    client = api_as(leader)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/households/", params).json()["results"]}

    assert ids() == {household_a.pk, household_b.pk, in_other_grid.pk}
    assert ids(village="VA") == {household_a.pk, in_other_grid.pk}
    assert ids(village="VB") == {household_b.pk}
    assert ids(grid="VA-01") == {household_a.pk}
    assert ids(grid="VA-02") == {in_other_grid.pk}
    assert ids(village="VA", grid="VB-01") == set()
    assert ids(village="NOPE") == set()


def test_household_search_keeps_the_member_count(api_as, grid_a, household_a):
    factories.ResidentFactory(household=household_a, name="陈国强", id_number=ID, phone=PHONE)
    factories.ResidentFactory(household=household_a, name="陈小明")
    factories.ResidentFactory(household=household_a, name="陈小红")
    client = api_as(grid_a)
    for q in ("东街", "陈国强"):
        rows = client.get("/api/v1/households/", {"q": q}).json()["results"]
        assert [(row["id"], row["members"]) for row in rows] == [(household_a.pk, 3)], q
    # Exact numbers never go into a URL.
    assert client.get("/api/v1/households/", {"q": ID}).status_code == 400
    assert client.get("/api/v1/households/", {"q": PHONE}).status_code == 400
    assert not AccessLog.objects.exists()
    assert client.get("/api/v1/households/", {"q": "南街"}).json()["results"] == []


def test_household_outside_scope_is_404_and_never_listed(api_as, grid_a, household_a, household_b):
    client = api_as(grid_a)
    assert client.get(f"/api/v1/households/{household_a.pk}/").status_code == 200
    response = client.get(f"/api/v1/households/{household_b.pk}/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert [row["id"] for row in client.get("/api/v1/households/").json()["results"]] == [household_a.pk]
    assert client.get("/api/v1/households/", {"village": "VB"}).json()["results"] == []
    assert client.get("/api/v1/households/", {"q": "下柏村南街3号"}).json()["results"] == []


# --- residents -----------------------------------------------------------------------------------


def test_resident_list_fields_are_masked(api_as, grid_a, resident_a):
    response = api_as(grid_a).get("/api/v1/residents/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["results"] == [
        {
            "id": resident_a.pk,
            "name": "陈国强",
            "id_number": ID[:6] + "********" + ID[-4:],
            "phone": "139****5678",
            "household": resident_a.household_id,
            "village": "VA",
        }
    ]


def test_resident_detail_and_resident_without_household(api_as, head_a, village_a):
    resident = factories.ResidentFactory(village=village_a, household=None, name="李四", phone="")
    row = api_as(head_a).get(f"/api/v1/residents/{resident.pk}/").json()
    assert set(row) == {"id", "name", "id_number", "phone", "household", "village"}
    assert row["household"] is None
    assert row["phone"] == ""
    assert row["village"] == "VA"
    assert "*" in row["id_number"]


def test_viewing_a_resident_is_access_logged(api_as, grid_a, resident_a):
    api_as(grid_a).get(f"/api/v1/residents/{resident_a.pk}/", HTTP_USER_AGENT="pytest")
    entry = AccessLog.objects.get()
    assert entry.user == grid_a
    assert entry.action == AccessAction.VIEW
    assert entry.object_id == str(resident_a.pk)
    assert ID not in entry.path + entry.fields + entry.object_repr


def test_full_numbers_never_appear_in_any_response(api_as, leader, resident_a):
    client = api_as(leader)
    household = resident_a.household
    household.set_contact_phone("13600001111")
    household.save()
    bodies = [
        client.get("/api/v1/residents/").content,
        client.get(f"/api/v1/residents/{resident_a.pk}/").content,
        client.get("/api/v1/residents/", {"id_number": ID}).content,
        client.get("/api/v1/residents/", {"q": PHONE}).content,
        client.post("/api/v1/residents/lookup/", {"id_number": ID}, format="json").content,
        client.post("/api/v1/residents/lookup/", {"phone": PHONE}, format="json").content,
        client.get("/api/v1/households/").content,
        client.get(f"/api/v1/households/{household.pk}/").content,
    ]
    for body in bodies:
        text = body.decode()
        assert ID not in text
        assert PHONE not in text
        assert "13600001111" not in text
        assert ID[6:14] not in text  # not even the birth date


@pytest.mark.parametrize(
    "raw",
    [ID, f"  {ID}  ", ID.translate(FULL_WIDTH)],
    ids=["plain", "spaces", "full-width"],
)
def test_find_a_resident_by_exact_id_number(api_as, grid_a, resident_a, raw):
    factories.ResidentFactory.create_batch(3, household=resident_a.household)
    response = api_as(grid_a).post("/api/v1/residents/lookup/", {"id_number": raw}, format="json")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [resident_a.pk]


@pytest.mark.parametrize("raw", [ID_X, ID_X.lower(), ID_X.translate(FULL_WIDTH), ID_X.lower().translate(FULL_WIDTH)])
def test_lower_case_x_and_full_width_digits_find_the_same_resident(api_as, grid_a, household_a, raw):
    resident = factories.ResidentFactory(household=household_a, id_number=ID_X)
    factories.ResidentFactory(household=household_a)
    rows = api_as(grid_a).post("/api/v1/residents/lookup/", {"id_number": raw}, format="json").json()["results"]
    assert [row["id"] for row in rows] == [resident.pk]
    assert rows[0]["id_number"].endswith(ID_X[-4:])


def test_exact_lookup_finds_nobody_for_an_unknown_valid_number(api_as, grid_a, resident_a):
    other = make_id_number("440605", datetime.date(1990, 5, 6), 42)
    body = api_as(grid_a).post("/api/v1/residents/lookup/", {"id_number": other}, format="json").json()
    assert body["count"] == 0
    assert body["results"] == []


def test_exact_lookup_never_finds_a_resident_outside_scope(api_as, grid_b, resident_a):
    body = api_as(grid_b).post("/api/v1/residents/lookup/", {"id_number": ID}, format="json").json()
    assert body["results"] == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (ID[:-1] + str((int(ID[-1]) + 1) % 10) if ID[-1] != "X" else ID[:-1] + "0", str(ID_CHECKSUM_MESSAGE)),
        (ID[:17], str(ID_LENGTH_MESSAGE) % {"length": 17}),
        (ID + "1", str(ID_LENGTH_MESSAGE) % {"length": 19}),
    ],
    ids=["checksum", "17-digits", "19-digits"],
)
def test_an_invalid_id_number_answers_400_with_the_validator_message(api_as, grid_a, resident_a, raw, message):
    response = api_as(grid_a).get("/api/v1/residents/", {"id_number": raw})
    assert response.status_code == 400
    assert response.json() == {"id_number": [message]}


def test_an_impossible_birth_date_answers_400(api_as, grid_a, village_a):
    response = api_as(grid_a).get("/api/v1/residents/", {"id_number": "440605199002300011"})
    assert response.status_code == 400
    assert "19900230" in response.json()["id_number"][0]


def test_an_empty_id_number_is_no_filter(api_as, grid_a, resident_a):
    assert api_as(grid_a).get("/api/v1/residents/", {"id_number": ""}).json()["count"] == 1


def test_id_number_searches_are_access_logged_without_the_number(api_as, grid_a, resident_a):
    client = api_as(grid_a)
    client.post("/api/v1/residents/lookup/", {"id_number": ID}, format="json")
    client.get("/api/v1/residents/", {"q": "陈"})  # not an exact-number search: not logged
    entry = AccessLog.objects.get()
    assert entry.action == AccessAction.SEARCH
    assert entry.object_id == str(resident_a.pk)
    assert entry.fields == "id_number"
    assert ID not in entry.path


def test_resident_filters_village_grid_and_q(api_as, leader, resident_a, resident_b, village_a):
    homeless = factories.ResidentFactory(village=village_a, household=None, name="陈无户")
    client = api_as(leader)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/residents/", params).json()["results"]}

    assert ids(village="VA") == {resident_a.pk, homeless.pk}
    assert ids(village="VB") == {resident_b.pk}
    assert ids(grid="VA-01") == {resident_a.pk}
    assert ids(grid="VB-01") == {resident_b.pk}
    assert ids(q="陈") == {resident_a.pk, homeless.pk}
    assert client.get("/api/v1/residents/", {"q": PHONE}).status_code == 400  # numbers go by POST
    assert client.get("/api/v1/residents/", {"q": ID.lower()}).status_code == 400


def test_resident_outside_scope_is_404_and_never_listed(api_as, grid_a, resident_a, resident_b):
    client = api_as(grid_a)
    assert client.get(f"/api/v1/residents/{resident_a.pk}/").status_code == 200
    response = client.get(f"/api/v1/residents/{resident_b.pk}/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert [row["id"] for row in client.get("/api/v1/residents/").json()["results"]] == [resident_a.pk]
    assert client.get("/api/v1/residents/", {"village": "VB"}).json()["results"] == []
    assert client.get("/api/v1/residents/", {"grid": "VB-01"}).json()["results"] == []


def test_police_see_every_village(api_as, police, resident_a, resident_b):
    body = api_as(police).get("/api/v1/residents/").json()
    assert {row["id"] for row in body["results"]} == {resident_a.pk, resident_b.pk}


def test_resident_pagination(api_as, leader, household_a):
    factories.ResidentFactory.create_batch(12, household=household_a)
    client = api_as(leader)
    first = client.get("/api/v1/residents/", {"page_size": 10}).json()
    second = client.get("/api/v1/residents/", {"page_size": 10, "page": 2}).json()
    assert first["count"] == second["count"] == 12
    assert len(first["results"]) == 10
    assert len(second["results"]) == 2
    assert len({row["id"] for row in first["results"] + second["results"]}) == 12


# --- bounded queries -----------------------------------------------------------------------------


def _populate(village, grid, households=12, members=3, street="大街"):
    for n in range(households):
        household = factories.HouseholdFactory(village=village, grid=grid, address=f"{village.name}{street}{n + 1}号")
        factories.ResidentFactory.create_batch(members, household=household)


@pytest.mark.parametrize("url", ["/api/v1/households/", "/api/v1/residents/"])
def test_lists_run_a_bounded_number_of_queries(api_as, grid_a, village_a, grid_a1, url, django_assert_max_num_queries):
    client = api_as(grid_a)
    _populate(village_a, grid_a1, households=4, members=2)
    with django_assert_max_num_queries(8) as small:
        assert client.get(url, {"page_size": 100}).status_code == 200
    _populate(village_a, factories.GridFactory(code="VA-02", parent=village_a), households=30, members=2, street="新街")
    with django_assert_max_num_queries(8) as large:
        response = client.get(url, {"page_size": 100})
    assert response.json()["count"] >= 30
    assert len(response.json()["results"]) >= 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_leader_list_stays_bounded_across_villages(
    api_as, leader, village_a, village_b, django_assert_max_num_queries
):
    _populate(village_a, None, households=16, members=2)
    _populate(village_b, None, households=16, members=2)
    client = api_as(leader)
    for url in ("/api/v1/households/", "/api/v1/residents/"):
        with django_assert_max_num_queries(8):
            assert len(client.get(url, {"page_size": 100}).json()["results"]) >= 32


# --- schema --------------------------------------------------------------------------------------


def test_the_schema_documents_both_endpoints_and_the_id_number_parameter(api_as, leader):
    response = api_as(leader).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/households/", "/api/v1/households/{id}/", "/api/v1/residents/", "/api/v1/residents/{id}/"):
        assert "get" in paths[path]
        assert set(paths[path]) <= {"get", "parameters"}  # read-only
    resident_params = {param["name"]: param for param in paths["/api/v1/residents/"]["get"]["parameters"]}
    assert {"id_number", "village", "grid", "q", "page", "page_size"} <= set(resident_params)
    assert resident_params["id_number"]["in"] == "query"
    assert "POST /api/v1/residents/lookup/" in resident_params["id_number"]["description"]
    assert resident_params["id_number"]["deprecated"] is True
    assert set(paths["/api/v1/residents/lookup/"]) == {"post"}
    household_params = {param["name"] for param in paths["/api/v1/households/"]["get"]["parameters"]}
    assert {"village", "grid", "q", "page", "page_size"} <= household_params
    schemas = response.json()["components"]["schemas"]
    assert set(schemas["Household"]["properties"]) == {"id", "address", "village", "grid", "members"}
    assert set(schemas["Resident"]["properties"]) == {"id", "name", "id_number", "phone", "household", "village"}


def test_a_volunteer_may_view_the_registry(api_as, village_a, resident_a):
    volunteer = factories.UserFactory(username="volunteer", unit=village_a, roles=[Role.VOLUNTEER])
    body = api_as(volunteer).get("/api/v1/residents/").json()
    assert [row["id_number"] for row in body["results"]] == [ID[:6] + "********" + ID[-4:]]
