"""Threat: full ID and mobile numbers in URLs end up in server and proxy access logs.

A curious caller (or a script written years ago) puts a person's number into a query string. Every path
answers 400 and points to the POST form or ``POST /api/v1/residents/lookup/``; the lookup finds the
person in the caller's scope only, masked, and writes the access log like the page search.
"""

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLog
from core.privacy import full_number_kind
from core.validators import make_id_number
from tests import factories

pytestmark = pytest.mark.django_db

ID = make_id_number("440605", datetime.date(1948, 7, 9), 127)
PHONE = "13912345678"
LOOKUP = "/api/v1/residents/lookup/"
WRITTEN = [
    ID,
    ID.lower(),
    ID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
    f"陈国强 {ID}",
    PHONE,
    "+86 139 1234 5678",
    "139-1234-5678",
    "００８６１３９１２３４５６７８",
    "440605480709127",  # a first-generation 15-digit ID number
]


@pytest.fixture
def resident_a(village_a, grid_a1):
    household = factories.HouseholdFactory(village=village_a, grid=grid_a1)
    return factories.ResidentFactory(household=household, name="陈国强", id_number=ID, phone=PHONE)


@pytest.fixture
def resident_b(village_b, grid_b1):
    household = factories.HouseholdFactory(village=village_b, grid=grid_b1)
    return factories.ResidentFactory(household=household, name="黄丽芳", phone="13787654321")


# --- the query string ------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", WRITTEN)
def test_a_full_number_however_written_is_recognised(written):
    assert full_number_kind(written) in {"id_number", "phone"}


@pytest.mark.parametrize("harmless", ["440605124001", "440605124001-01", "2024-01-01", "H0000123", "陈", "12345678901"])
def test_unit_codes_dates_and_names_are_not_numbers(harmless):
    assert full_number_kind(harmless) is None


@pytest.mark.parametrize("written", WRITTEN)
def test_the_api_refuses_a_full_number_in_any_query_parameter(api_as, grid_a, resident_a, written):
    client = api_as(grid_a)
    for url, params in [
        ("/api/v1/residents/", {"id_number": written}),
        ("/api/v1/residents/", {"q": written}),
        ("/api/v1/households/", {"q": written}),
        ("/api/v1/warnings/", {"anything": written}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 400, (url, params)
        assert response["Content-Type"] == "application/json"
        assert response.json()["lookup"] == LOOKUP
        assert LOOKUP in response.json()["detail"]
        assert "陈国强" not in response.text


def test_a_page_refuses_a_full_number_and_points_to_its_search_form(client, grid_a, resident_a):
    client.force_login(grid_a)
    url = reverse("residents:resident_list")
    for params in [{"q": ID}, {"q": PHONE}, {"page": "1", "village": "VA", "x": f"tel {PHONE}"}]:
        response = client.get(url, params)
        assert response.status_code == 400
        assert "陈国强" not in response.text
        assert 'data-testid="back-to-form"' in response.text
        assert f'href="{url}"' in response.text
        assert "网址" in response.text  # translated
    assert client.get(reverse("residents:household_list"), {"q": ID}).status_code == 400


def test_anonymous_callers_get_the_same_refusal(client):
    assert client.get(reverse("login"), {"next": f"/residents/residents/?q={ID}"}).status_code == 400


def test_partial_numbers_and_ordinary_filters_still_work(api_as, client, grid_a, resident_a):
    assert api_as(grid_a).get("/api/v1/residents/", {"q": "陈", "village": "VA"}).json()["count"] == 1
    client.force_login(grid_a)
    assert client.get(reverse("residents:resident_list"), {"q": "陈国", "page": "1"}).status_code == 200


def test_the_page_search_posts_and_its_pagination_links_never_carry_the_number(client, grid_a, resident_a, village_a):
    household = factories.HouseholdFactory(village=village_a)
    for _ in range(30):
        factories.ResidentFactory(household=household, phone=PHONE)
    client.force_login(grid_a)
    response = client.post(reverse("residents:resident_list"), {"q": PHONE})
    assert response.status_code == 200
    assert "page=2" in response.text  # more than one page of matches
    assert PHONE not in response.text
    assert '<form method="post"' in response.text


# --- POST /api/v1/residents/lookup/ ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [{"id_number": ID}, {"id_number": ID.lower()}, {"phone": PHONE}, {"phone": "+86 139-1234-5678"}]
)
def test_the_lookup_finds_the_person_masked_and_logs_the_search(api_as, grid_a, resident_a, body):
    response = api_as(grid_a).post(LOOKUP, body, format="json")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    (row,) = response.json()["results"]
    assert row["id"] == resident_a.pk
    assert row["id_number"] == ID[:6] + "********" + ID[-4:]
    assert row["phone"] == "139****5678"
    assert ID not in response.text and PHONE not in response.text
    entry = AccessLog.objects.get()
    assert entry.action == AccessAction.SEARCH
    assert entry.user == grid_a
    assert entry.fields == next(iter(body))
    assert entry.object_id == str(resident_a.pk)


def test_the_lookup_never_finds_a_person_outside_the_callers_scope(api_as, grid_b, resident_a):
    for body in [{"id_number": ID}, {"phone": PHONE}]:
        response = api_as(grid_b).post(LOOKUP, body, format="json")
        assert response.status_code == 200
        assert response.json() == {"count": 0, "results": []}
    assert AccessLog.objects.filter(user=grid_b, action=AccessAction.SEARCH).count() == 2


def test_the_lookup_needs_registry_access_and_a_token(api_client, api_as, school, resident_a):
    assert api_client.post(LOOKUP, {"id_number": ID}, format="json").status_code == 401
    assert api_as(school).post(LOOKUP, {"id_number": ID}, format="json").status_code == 403


@pytest.mark.parametrize(
    "body", [{}, {"id_number": ID, "phone": PHONE}, {"id_number": ID[:-1]}, {"phone": "12345"}, {"name": "陈国强"}]
)
def test_the_lookup_refuses_a_bad_body(api_as, grid_a, resident_a, body):
    response = api_as(grid_a).post(LOOKUP, body, format="json")
    assert response.status_code == 400
    assert "陈国强" not in response.text


def test_the_lookup_is_post_only(api_as, grid_a, resident_a):
    assert api_as(grid_a).get(LOOKUP).status_code == 405


def test_the_api_docs_point_to_the_lookup(api_as, leader):
    schema = api_as(leader).get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").json()
    lookup = schema["paths"][LOOKUP]["post"]
    assert {"200", "400", "403"} <= set(lookup["responses"])
    assert "body" in lookup["description"]
    listing = schema["paths"]["/api/v1/residents/"]["get"]
    assert LOOKUP in listing["description"]
    id_number = next(p for p in listing["parameters"] if p["name"] == "id_number")
    assert id_number.get("deprecated") is True
    assert LOOKUP in id_number["description"]


def test_a_posted_search_with_a_number_inside_other_text_is_not_redirected_into_a_url(client, grid_a, resident_a):
    client.force_login(grid_a)
    for q in [f"陈国强 {PHONE}", "440605480709127"]:
        response = client.post(reverse("residents:resident_list"), {"q": q})
        assert response.status_code == 200, q  # answered directly, not redirected to ?q=...
        assert q not in response.text
    response = client.post(reverse("residents:resident_list"), {"q": "陈国", "village": "VA"})
    assert response.status_code == 302
    assert "q=" in response["Location"]


@pytest.mark.parametrize(
    ("who", "list_name"),
    [("grid_a", "campaigns:pledge_list"), ("school", "schools:student_list"), ("grid_a", "residents:household_list")],
)
def test_every_posted_list_search_answers_a_number_in_place_instead_of_redirecting_it_into_a_url(
    client, request, who, list_name
):
    client.force_login(request.getfixturevalue(who))
    for q in [ID, f"陈国强 {PHONE}", f"电话{PHONE}"]:
        response = client.post(reverse(list_name), {"q": q})
        assert response.status_code == 200, (list_name, q)  # not a redirect into ?q=<number>, which answers 400
    response = client.post(reverse(list_name), {"q": "陈国"})
    assert response.status_code == 302 and "q=" in response["Location"]
