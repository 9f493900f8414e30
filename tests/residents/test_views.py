"""The registry pages: who can see and change which households and residents, and what they see of them."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.models import AccessAction, AccessLog
from core.validators import ID_CHECKSUM_MESSAGE, PHONE_INVALID_MESSAGE, make_id_number
from residents import services
from residents.models import Household, Resident
from tests import factories

pytestmark = pytest.mark.django_db

ID_A = make_id_number("440605", datetime.date(1948, 5, 1), 11)
ID_B = make_id_number("440605", datetime.date(1990, 7, 9), 22)
NEW_ID = make_id_number("440605", datetime.date(2012, 2, 29), 33)
PHONE_A = "13800138000"
MASKED_ID_A = ID_A[:6] + "********" + ID_A[-4:]


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, so messages can be compared with the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def household_a(village_a, grid_a1):
    return services.household_create(village=village_a, grid=grid_a1, address="幸福路1号", contact_phone="13912345678")


@pytest.fixture
def resident_a(household_a):
    return services.resident_create(
        name="李四", id_number=ID_A, household=household_a, phone=PHONE_A, tags=["elderly"], relation="户主"
    )


@pytest.fixture
def household_b(village_b, grid_b1):
    return services.household_create(village=village_b, grid=grid_b1, address="下柏大街9号")


@pytest.fixture
def resident_b(household_b):
    return services.resident_create(name="王五", id_number=ID_B, household=household_b, phone="13700137000")


def _detail_urls(household, resident):
    return [
        reverse("residents:household_detail", args=[household.pk]),
        reverse("residents:household_edit", args=[household.pk]),
        reverse("residents:member_create", args=[household.pk]),
        reverse("residents:resident_detail", args=[resident.pk]),
        reverse("residents:resident_edit", args=[resident.pk]),
    ]


def _no_log_mentions(value: str) -> None:
    for row in AccessLog.objects.values_list():
        assert value not in repr(row)


# --- who can open the pages ------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, household_a, resident_a):
    urls = [
        reverse("residents:household_list"),
        reverse("residents:resident_list"),
        reverse("residents:household_create"),
        reverse("residents:village_overview"),
        *_detail_urls(household_a, resident_a),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("residents:resident_reveal", args=[resident_a.pk]))
    assert response.status_code == 302
    assert not AccessLog.objects.exists()


def test_grid_worker_sees_their_village_households_only(client, grid_a, household_a, household_b):
    client.force_login(grid_a)
    response = client.get(reverse("residents:household_list"))
    assert response.status_code == 200
    assert "幸福路1号" in response.text
    assert "下柏大街9号" not in response.text


def test_grid_worker_sees_their_village_residents_only(client, grid_a, resident_a, resident_b):
    client.force_login(grid_a)
    response = client.get(reverse("residents:resident_list"))
    assert "李四" in response.text
    assert "王五" not in response.text


def test_leadership_sees_every_village(client, leader, household_a, household_b):
    client.force_login(leader)
    response = client.get(reverse("residents:household_list"))
    assert "幸福路1号" in response.text
    assert "下柏大街9号" in response.text


def test_grid_worker_gets_404_for_another_village_records(client, grid_a, household_b, resident_b):
    client.force_login(grid_a)
    for url in _detail_urls(household_b, resident_b):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("residents:resident_reveal", args=[resident_b.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_grid_worker_cannot_change_another_village_records(client, grid_a, household_b, resident_b):
    client.force_login(grid_a)
    response = client.post(reverse("residents:household_edit", args=[household_b.pk]), {"address": "改掉"})
    assert response.status_code == 404
    response = client.post(reverse("residents:resident_edit", args=[resident_b.pk]), {"name": "改掉"})
    assert response.status_code == 404
    response = client.post(
        reverse("residents:member_create", args=[household_b.pk]), {"name": "赵六", "id_number": NEW_ID}
    )
    assert response.status_code == 404
    household_b.refresh_from_db()
    resident_b.refresh_from_db()
    assert household_b.address == "下柏大街9号"
    assert resident_b.name == "王五"
    assert not Resident.objects.filter(name="赵六").exists()


def test_records_of_another_village_look_like_missing_ones(client, grid_a, resident_b):
    client.force_login(grid_a)
    forbidden = client.get(reverse("residents:resident_detail", args=[resident_b.pk]))
    missing = client.get(reverse("residents:resident_detail", args=[resident_b.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    assert "王五" not in forbidden.text


@pytest.mark.parametrize("fixture", ["school", "outsider", "department_staff"])
def test_roles_outside_the_registry_get_404(client, request, fixture, household_a, resident_a):
    client.force_login(request.getfixturevalue(fixture))
    for url in [reverse("residents:household_list"), reverse("residents:resident_list")]:
        assert client.get(url).status_code == 404
    for url in _detail_urls(household_a, resident_a):
        assert client.get(url).status_code == 404


def test_leadership_can_view_but_not_edit(client, leader, household_a, resident_a):
    client.force_login(leader)
    assert client.get(reverse("residents:household_detail", args=[household_a.pk])).status_code == 200
    assert client.get(reverse("residents:household_create")).status_code == 404
    assert client.get(reverse("residents:household_edit", args=[household_a.pk])).status_code == 404
    assert client.get(reverse("residents:resident_edit", args=[resident_a.pk])).status_code == 404
    page = client.get(reverse("residents:household_detail", args=[household_a.pk])).text
    assert 'data-testid="add-member"' not in page


# --- masking, view log and reveal ------------------------------------------------------------------


def test_lists_show_masked_numbers_only(client, grid_a, resident_a):
    client.force_login(grid_a)
    residents = client.get(reverse("residents:resident_list")).text
    assert MASKED_ID_A in residents
    assert "138****8000" in residents
    assert ID_A not in residents and PHONE_A not in residents
    households = client.get(reverse("residents:household_list")).text
    assert "139****5678" in households
    assert "13912345678" not in households


def test_household_page_lists_members_masked(client, grid_a, household_a, resident_a):
    client.force_login(grid_a)
    response = client.get(reverse("residents:household_detail", args=[household_a.pk]))
    assert response.status_code == 200
    assert "李四" in response.text
    assert MASKED_ID_A in response.text
    assert ID_A not in response.text and PHONE_A not in response.text
    assert "13912345678" not in response.text


def test_viewing_a_resident_is_logged_and_masked(client, grid_a, resident_a):
    client.force_login(grid_a)
    response = client.get(reverse("residents:resident_detail", args=[resident_a.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert MASKED_ID_A in response.text
    assert ID_A not in response.text and PHONE_A not in response.text
    assert "no-store" in response["Cache-Control"]
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_id) == (grid_a, AccessAction.VIEW, str(resident_a.pk))
    assert entry.ip_address == "10.1.2.3"


def test_grid_worker_reveals_full_details_and_it_is_logged(client, grid_a, resident_a):
    client.force_login(grid_a)
    detail = client.get(reverse("residents:resident_detail", args=[resident_a.pk]))
    assert 'data-testid="reveal-button"' in detail.text
    response = client.post(reverse("residents:resident_reveal", args=[resident_a.pk]))
    assert response.status_code == 200
    assert ID_A in response.text and PHONE_A in response.text
    assert "<html" in response.text  # without htmx: the whole page again
    entry = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (entry.user, entry.object_id, entry.fields) == (grid_a, str(resident_a.pk), "id_number,phone")
    _no_log_mentions(ID_A)
    _no_log_mentions(PHONE_A)


def test_reveal_with_htmx_returns_only_the_details_block(client, grid_a, resident_a):
    client.force_login(grid_a)
    response = client.post(reverse("residents:resident_reveal", args=[resident_a.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="resident-sensitive"' in response.text
    assert ID_A in response.text
    assert AccessLog.objects.filter(action=AccessAction.REVEAL).count() == 1


def test_reveal_is_post_only(client, grid_a, resident_a):
    client.force_login(grid_a)
    assert client.get(reverse("residents:resident_reveal", args=[resident_a.pk])).status_code == 405
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_reveal_needs_a_csrf_token(grid_a, resident_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grid_a)
    assert client.post(reverse("residents:resident_reveal", args=[resident_a.pk])).status_code == 403
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_volunteer_can_view_but_not_reveal(client, volunteer_a, resident_a):
    client.force_login(volunteer_a)
    detail = client.get(reverse("residents:resident_detail", args=[resident_a.pk]))
    assert detail.status_code == 200
    assert 'data-testid="reveal-button"' not in detail.text
    response = client.post(reverse("residents:resident_reveal", args=[resident_a.pk]))
    assert response.status_code == 404
    assert ID_A not in response.text
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_volunteer_cannot_edit(client, volunteer_a, household_a, resident_a):
    client.force_login(volunteer_a)
    assert client.get(reverse("residents:household_create")).status_code == 404
    assert client.get(reverse("residents:member_create", args=[household_a.pk])).status_code == 404
    assert client.get(reverse("residents:resident_edit", args=[resident_a.pk])).status_code == 404


# --- search and filters --------------------------------------------------------------------------


def test_exact_id_number_search_finds_the_resident_and_is_logged(client, grid_a, resident_a):
    client.force_login(grid_a)
    response = client.post(reverse("residents:resident_list"), {"q": ID_A.lower()})
    assert response.status_code == 200
    assert "李四" in response.text
    assert ID_A not in response.text and ID_A.lower() not in response.text  # never echoed back
    assert MASKED_ID_A in response.text
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.fields) == (grid_a, AccessAction.SEARCH, "id_number")
    assert entry.object_id == str(resident_a.pk)
    _no_log_mentions(ID_A)
    _no_log_mentions(ID_A.lower())


def test_exact_number_search_in_the_query_string_is_refused(client, grid_a, resident_a):
    client.force_login(grid_a)
    response = client.get(reverse("residents:resident_list"), {"q": ID_A})
    assert response.status_code == 400  # numbers go by POST (tests/security/test_numbers_in_urls.py)
    assert "李四" not in response.text
    assert not AccessLog.objects.exists()


def test_exact_number_search_does_not_find_another_village(client, grid_a, resident_b):
    client.force_login(grid_a)
    response = client.post(reverse("residents:resident_list"), {"q": ID_B})
    assert "王五" not in response.text
    entry = AccessLog.objects.get()
    assert entry.action == AccessAction.SEARCH and entry.object_id == ""


def test_exact_phone_search_finds_the_household(client, grid_a, household_a, resident_a):
    client.force_login(grid_a)
    response = client.post(reverse("residents:household_list"), {"q": "138 0013 8000"})
    assert "幸福路1号" in response.text
    entry = AccessLog.objects.get()
    assert (entry.action, entry.fields) == (AccessAction.SEARCH, "phone")
    _no_log_mentions(PHONE_A)


def test_name_search_is_redirected_to_a_bookmarkable_url_and_not_logged(client, grid_a, resident_a, resident_b):
    client.force_login(grid_a)
    response = client.post(reverse("residents:resident_list"), {"q": "李"})
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:resident_list") + "?q=%E6%9D%8E"
    page = client.get(response["Location"]).text
    assert "李四" in page and "王五" not in page
    assert not AccessLog.objects.exists()


def test_household_search_by_member_name_keeps_the_full_member_count(client, grid_a, household_a, resident_a):
    services.resident_create(name="李小明", id_number=NEW_ID, household=household_a)
    client.force_login(grid_a)
    response = client.get(reverse("residents:household_list"), {"q": "李四"})
    assert "幸福路1号" in response.text
    assert response.context["page"][0].member_count == 2


def test_filter_choices_offer_only_units_in_scope(client, grid_a, grid_b1, household_a):
    client.force_login(grid_a)
    page = client.get(reverse("residents:household_list")).text
    assert 'value="VA-01"' in page
    assert 'value="VB-01"' not in page and 'value="VB"' not in page


def test_a_forged_village_filter_shows_nothing(client, grid_a, household_b):
    client.force_login(grid_a)
    response = client.get(reverse("residents:household_list"), {"village": "VB"})
    assert "下柏大街9号" not in response.text
    assert response.context["page"].paginator.count == 0


def test_leadership_filters_households_by_village_and_grid(client, leader, household_a, household_b):
    client.force_login(leader)
    by_village = client.get(reverse("residents:household_list"), {"village": "VB"}).text
    assert "下柏大街9号" in by_village and "幸福路1号" not in by_village
    by_grid = client.get(reverse("residents:household_list"), {"grid": "VA-01"}).text
    assert "幸福路1号" in by_grid and "下柏大街9号" not in by_grid


def test_residents_filter_by_tag_and_household(client, grid_a, village_a, resident_a):
    services.resident_create(name="无户籍", id_number=NEW_ID, village=village_a, tags=["student"])
    client.force_login(grid_a)
    elderly = client.get(reverse("residents:resident_list"), {"tag": "elderly"}).text
    assert "李四" in elderly and "无户籍" not in elderly
    without = client.get(reverse("residents:resident_list"), {"has_household": "false"}).text
    assert "无户籍" in without and "李四" not in without
    with_household = client.get(reverse("residents:resident_list"), {"has_household": "true"}).text
    assert "李四" in with_household and "无户籍" not in with_household


def test_lists_are_paginated_by_25(client, grid_a, village_a):
    factories.HouseholdFactory.create_batch(30, village=village_a)
    client.force_login(grid_a)
    first = client.get(reverse("residents:household_list"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("residents:household_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


# --- bounded queries -----------------------------------------------------------------------------


def _populate(village, grid, households: int):
    for n in range(households):
        household = factories.HouseholdFactory(village=village, grid=grid, contact_phone=f"139{n:08d}")
        factories.ResidentFactory(household=household, is_elderly=n % 2 == 0)
        factories.ResidentFactory(household=household, is_student=True)


def _count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["residents:household_list", "residents:resident_list"])
def test_lists_run_a_bounded_number_of_queries(
    client, grid_a, village_a, grid_a1, url_name, django_assert_max_num_queries
):
    client.force_login(grid_a)
    url = reverse(url_name)
    client.get(url)  # the scope's unit ids are worked out once, then shared by the next requests
    _populate(village_a, grid_a1, 2)
    few = _count_queries(client, url)
    _populate(village_a, grid_a1, 30)
    many = _count_queries(client, url)
    assert few == many
    with django_assert_max_num_queries(15):
        response = client.get(url, {"grid": "VA-01", "q": "幸福"})
    assert response.status_code == 200


def test_exact_number_search_runs_a_bounded_number_of_queries(
    client, grid_a, village_a, grid_a1, resident_a, django_assert_max_num_queries
):
    _populate(village_a, grid_a1, 30)
    client.force_login(grid_a)
    with django_assert_max_num_queries(16):
        response = client.post(reverse("residents:resident_list"), {"q": ID_A})
    assert "李四" in response.text


def test_household_page_runs_a_bounded_number_of_queries(client, grid_a, household_a, django_assert_max_num_queries):
    factories.ResidentFactory.create_batch(12, household=household_a)
    client.force_login(grid_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("residents:household_detail", args=[household_a.pk])).status_code == 200


# --- household forms -----------------------------------------------------------------------------


def test_grid_worker_registers_a_household(client, grid_a, village_a, grid_a1):
    client.force_login(grid_a)
    assert client.get(reverse("residents:household_create")).status_code == 200
    response = client.post(
        reverse("residents:household_create"),
        {"village": village_a.pk, "grid": grid_a1.pk, "address": "  新村路3号 ", "contact_phone": "13912340000"},
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("residents:household_detail", args=[household.pk])
    assert (household.village, household.grid, household.address) == (village_a, grid_a1, "新村路3号")
    assert household.contact_phone == "13912340000"


def test_forged_village_in_the_create_form_is_refused(client, grid_a, village_b):
    client.force_login(grid_a)
    response = client.post(reverse("residents:household_create"), {"village": village_b.pk, "address": "伪造路1号"})
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not Household.objects.exists()


def test_a_grid_of_another_village_is_refused(client, police, village_a, grid_b1):
    client.force_login(police)
    response = client.post(
        reverse("residents:household_create"), {"village": village_a.pk, "grid": grid_b1.pk, "address": "幸福路2号"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["grid"] == ["This grid does not belong to the chosen village."]
    assert not Household.objects.exists()


def test_a_resubmitted_household_form_creates_one_household(client, grid_a, village_a):
    client.force_login(grid_a)
    data = {"village": village_a.pk, "address": "幸福路5号"}
    assert client.post(reverse("residents:household_create"), data).status_code == 302
    again = client.post(reverse("residents:household_create"), data)
    assert again.status_code == 200
    assert "This village already has a household at this address." in again.text
    assert Household.objects.count() == 1


def test_an_invalid_phone_gets_the_shared_message(client, grid_a, village_a):
    client.force_login(grid_a)
    response = client.post(
        reverse("residents:household_create"), {"village": village_a.pk, "address": "幸福路6号", "contact_phone": "123"}
    )
    assert response.context["form"].errors["contact_phone"] == [str(PHONE_INVALID_MESSAGE)]
    assert not Household.objects.exists()


def test_editing_a_household_keeps_the_phone_when_left_empty(client, grid_a, household_a, village_a, grid_a1):
    client.force_login(grid_a)
    form_page = client.get(reverse("residents:household_edit", args=[household_a.pk])).text
    assert "13912345678" not in form_page and "139****5678" in form_page
    response = client.post(
        reverse("residents:household_edit", args=[household_a.pk]),
        {"village": village_a.pk, "grid": grid_a1.pk, "address": "幸福路1号之一", "contact_phone": ""},
    )
    assert response.status_code == 302
    household_a.refresh_from_db()
    assert household_a.address == "幸福路1号之一"
    assert household_a.contact_phone == "13912345678"


def test_editing_a_household_cannot_move_it_to_another_village(client, grid_a, household_a, village_b):
    client.force_login(grid_a)
    response = client.post(
        reverse("residents:household_edit", args=[household_a.pk]), {"village": village_b.pk, "address": "幸福路1号"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    household_a.refresh_from_db()
    assert household_a.village_id != village_b.pk


# --- adding members and editing residents ----------------------------------------------------------


def test_grid_worker_adds_a_household_member(client, grid_a, household_a):
    client.force_login(grid_a)
    assert client.get(reverse("residents:member_create", args=[household_a.pk])).status_code == 200
    response = client.post(
        reverse("residents:member_create", args=[household_a.pk]),
        {"name": "李小明", "id_number": NEW_ID, "phone": "13600136000", "relation": "儿子", "tags": ["student"]},
    )
    assert response.status_code == 302
    member = Resident.objects.get(name="李小明")
    assert (member.household, member.village, member.relation, member.tags) == (
        household_a,
        household_a.village,
        "儿子",
        ["student"],
    )
    page = client.get(response["Location"]).text
    assert "李小明" in page
    assert NEW_ID[:6] + "********" + NEW_ID[-4:] in page and NEW_ID not in page


def test_a_double_posted_member_form_creates_one_resident(client, grid_a, household_a):
    client.force_login(grid_a)
    data = {"name": "李小明", "id_number": NEW_ID}
    url = reverse("residents:member_create", args=[household_a.pk])
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert again.redirect_chain == [(reverse("residents:household_detail", args=[household_a.pk]), 302)]
    assert [message.level_tag for message in again.context["messages"]][-1] == "info"  # already in this household
    assert Resident.objects.filter(name="李小明").count() == 1


def test_a_bad_id_number_gets_the_shared_message(client, grid_a, household_a):
    client.force_login(grid_a)
    bad = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
    response = client.post(reverse("residents:member_create", args=[household_a.pk]), {"name": "李", "id_number": bad})
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [str(ID_CHECKSUM_MESSAGE)]
    assert not Resident.objects.filter(name="李").exists()


def test_member_form_needs_a_csrf_token(grid_a, household_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grid_a)
    response = client.post(
        reverse("residents:member_create", args=[household_a.pk]), {"name": "李小明", "id_number": NEW_ID}
    )
    assert response.status_code == 403
    assert not Resident.objects.filter(name="李小明").exists()


def test_editing_a_resident_never_prefills_full_numbers(client, grid_a, resident_a):
    client.force_login(grid_a)
    response = client.get(reverse("residents:resident_edit", args=[resident_a.pk]))
    assert response.status_code == 200
    assert ID_A not in response.text and PHONE_A not in response.text
    assert MASKED_ID_A in response.text


def test_editing_a_resident_keeps_numbers_left_empty(client, grid_a, resident_a, household_a):
    client.force_login(grid_a)
    response = client.post(
        reverse("residents:resident_edit", args=[resident_a.pk]),
        {"name": "李四平", "id_number": "", "phone": "", "household": household_a.pk, "tags": ["key_group"]},
    )
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.name == "李四平"
    assert resident_a.id_number == ID_A and resident_a.phone == PHONE_A
    assert resident_a.tags == ["key_group"]


def test_editing_a_resident_to_a_registered_id_number_is_refused(client, police, resident_a, resident_b):
    client.force_login(police)
    response = client.post(
        reverse("residents:resident_edit", args=[resident_a.pk]), {"name": "李四", "id_number": ID_B}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [str(services.CANNOT_ADD_HERE)]
    resident_a.refresh_from_db()
    assert resident_a.id_number == ID_A


def test_a_resident_cannot_be_moved_to_a_household_of_another_village(client, police, resident_a, household_b):
    client.force_login(police)
    response = client.post(
        reverse("residents:resident_edit", args=[resident_a.pk]), {"name": "李四", "household": household_b.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["household"]
    resident_a.refresh_from_db()
    assert resident_a.household_id != household_b.pk


# --- village overview ----------------------------------------------------------------------------


@pytest.fixture
def overview_town(village_a, village_b, town):
    """Village A: 2 households, 3 residents (2 elderly, 1 student) plus 1 without household; B: 1 and 1."""
    first = factories.HouseholdFactory(village=village_a)
    second = factories.HouseholdFactory(village=village_a)
    factories.ResidentFactory(household=first, is_elderly=True)
    factories.ResidentFactory(household=first, is_elderly=True, is_key_group=True)
    factories.ResidentFactory(household=second, is_student=True)
    factories.ResidentFactory(village=village_a)
    factories.ResidentFactory(household=factories.HouseholdFactory(village=village_b), is_finance_staff=True)
    factories.VillageFactory(code="VC", name="空村", parent=town)


def test_leadership_sees_every_village_with_counts(client, leader, overview_town, django_assert_max_num_queries):
    client.force_login(leader)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("residents:village_overview"))
    assert response.status_code == 200
    rows = {row["village"].code: row for row in response.context["rows"]}
    assert set(rows) == {"VA", "VB", "VC"}
    a, b, c = rows["VA"]["village"], rows["VB"]["village"], rows["VC"]["village"]
    assert (a.household_count, a.resident_count) == (2, 4)
    assert (a.elderly_count, a.student_count, a.key_group_count, a.finance_staff_count) == (2, 1, 1, 0)
    assert (b.household_count, b.resident_count, b.finance_staff_count) == (1, 1, 1)
    assert (c.household_count, c.resident_count, c.elderly_count) == (0, 0, 0)
    assert response.context["totals"]["household_count"] == 3
    assert response.context["totals"]["resident_count"] == 5
    assert "Key group for fraud risk" in response.text


def test_police_see_the_overview_too(client, police, overview_town):
    client.force_login(police)
    assert client.get(reverse("residents:village_overview")).status_code == 200


@pytest.mark.parametrize("fixture", ["grid_a", "head_a", "school", "outsider"])
def test_village_staff_and_others_get_404_for_the_overview(client, request, fixture, overview_town):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("residents:village_overview")).status_code == 404


def test_village_overview_queries_do_not_grow_with_villages(client, leader, town, django_assert_max_num_queries):
    for n in range(30):
        village = factories.VillageFactory(parent=town, code=f"V{n:02d}")
        factories.ResidentFactory(household=factories.HouseholdFactory(village=village))
    client.force_login(leader)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("residents:village_overview"))
    assert len(response.context["rows"]) == 30


def test_a_long_filtered_list_is_not_counted_past_the_cap(client, leader, village_a, grid_a1, monkeypatch):
    """Counts only for the rows shown: past the cap a filtered list says "more than" and stops paging there."""
    monkeypatch.setattr("core.pagination.LIST_COUNT_CAP", 30)
    _populate(village_a, grid_a1, 35)  # 70 residents, 35 of them students
    client.force_login(leader)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("residents:resident_list"), {"tag": "student"})
    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "residents_resident" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 31" in counts[0]
    assert response.context["page"].paginator.capped
    assert 'data-testid="result-count"' in response.text and "30" in response.text
    assert client.get(reverse("residents:resident_list"), {"tag": "student", "page": 3}).context["page"].number == 2


def test_the_unfiltered_lists_read_their_exact_totals_from_the_counters(
    client, leader, village_a, grid_a1, monkeypatch
):
    """No count over the scope's rows: the coverage counters know how many households and residents there are
    (and the few residents in no household are counted on their own), however long the lists."""
    monkeypatch.setattr("core.pagination.LIST_COUNT_CAP", 30)
    _populate(village_a, grid_a1, 20)  # 20 households, 40 residents
    factories.ResidentFactory(village=village_a, household=None)
    client.force_login(leader)
    for name, expected in (("residents:resident_list", 41), ("residents:household_list", 20)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(name))
        assert not [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "LIMIT" in q["sql"]]
        assert not response.context["page"].paginator.capped
        assert response.context["page"].paginator.count == expected
        assert response.context["page"].paginator.count == response.context["page"].paginator.object_list.count()
    response = client.get(reverse("residents:resident_list"), {"village": village_a.code, "has_household": "true"})
    assert response.context["page"].paginator.count == 40


def test_a_short_list_shows_its_exact_count(client, leader, village_a, grid_a1):
    _populate(village_a, grid_a1, 2)
    client.force_login(leader)
    response = client.get(reverse("residents:resident_list"))
    assert not response.context["page"].paginator.capped
    assert response.context["page"].paginator.count == 4
