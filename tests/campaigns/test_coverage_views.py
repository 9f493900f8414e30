"""The coverage page: each user lands on their own level, sees only their scope, and the page costs the same."""

import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLog
from tests.factories import GridFactory, HouseholdFactory, ResidentFactory

from .factories import DoorVisitFactory, PledgeFactory

pytestmark = pytest.mark.django_db
URL = reverse("campaigns:coverage")


@pytest.fixture
def outreach(village_a, village_b, grid_a1, grid_b1):
    """VA-01: 2 households, one visited with a pledge; VA-02: 1 household, visited; VB-01: 2 households, none."""
    grid_a2 = GridFactory(code="VA-02", parent=village_a)
    a1 = HouseholdFactory(village=village_a, grid=grid_a1, address="东街1号")
    HouseholdFactory(village=village_a, grid=grid_a1, address="东街2号")
    a2 = HouseholdFactory(village=village_a, grid=grid_a2, address="西街1号")
    HouseholdFactory(village=village_b, grid=grid_b1, address="南街1号")
    HouseholdFactory(village=village_b, grid=grid_b1, address="南街2号")
    visit = DoorVisitFactory(household=a1, app_installed=True)
    PledgeFactory(visit=visit, resident=ResidentFactory(household=a1))
    DoorVisitFactory(household=a2)
    return {"grid_a2": grid_a2}


def page_of(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def row_html(page, code, table=None):
    if table:
        page = re.search(rf'<table[^>]*id="{table}".*?</table>', page, re.S).group(0)
    (row,) = re.findall(rf'<tr[^>]*data-unit="{re.escape(code)}"[^>]*>(.*?)</tr>', page, re.S)
    return row


def cell(page, code, field):
    (value,) = re.findall(rf'<td[^>]*data-field="{field}"[^>]*>(.*?)</td>', row_html(page, code), re.S)
    return value.strip()


def row_codes(page, table=None):
    if table:
        page = re.search(rf'<table[^>]*id="{table}".*?</table>', page, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    return re.findall(r'<tr data-unit="([^"]+)"', body)


def unit_name(page):
    return re.search(r'data-testid="coverage-unit">([^<]*)<', page).group(1)


def not_visited(page):
    block = re.search(r'data-testid="not-visited-list">(.*?)</ul>', page, re.S).group(1)
    return re.findall(r'<li[^>]*data-household="\d+"[^>]*>\s*<div>\s*<a[^>]*>([^<]*)</a>', block)


def test_a_grid_worker_lands_on_their_grid(client, grid_a, outreach):
    tree = page_of(client, grid_a)
    assert unit_name(tree) == grid_a.unit.name
    assert cell(tree, "VA-01", "households") == "2"
    assert cell(tree, "VA-01", "households_visited") == "1"
    assert cell(tree, "VA-01", "residents_pledged") == "1"
    assert cell(tree, "VA-01", "residents") == "1"
    assert cell(tree, "VA-01", "app_installs") == "1"
    assert cell(tree, "VA-01", "visits_this_week") == "1"
    assert cell(tree, "VA-01", "coverage_rate") == "50.0%"
    # The to-do list: the household not yet visited, with a link to print its pledge form.
    assert not_visited(tree) == ["东街2号"]
    assert 'id="village-ranking"' not in tree


def test_a_grid_worker_may_open_their_village_but_not_another(client, grid_a, outreach, village_a, grid_b1):
    tree = page_of(client, grid_a, unit=village_a.code)
    assert row_codes(tree) == ["VA-01", "VA-02"]
    assert cell(tree, "VA", "households") == "3"
    assert cell(tree, "VA", "households_visited") == "2"
    client.force_login(grid_a)
    assert client.get(URL, {"unit": "VB"}).status_code == 404
    assert client.get(URL, {"unit": grid_b1.code}).status_code == 404
    assert client.get(URL, {"unit": "NOPE"}).status_code == 404


def test_a_village_head_lands_on_their_village(client, head_a, outreach):
    tree = page_of(client, head_a)
    assert unit_name(tree) == head_a.unit.name
    assert cell(tree, "VA-02", "households_visited") == "1"


def test_leadership_sees_the_villages_ranked(client, leader, outreach, town):
    tree = page_of(client, leader)
    assert row_codes(tree, table="village-ranking") == ["VA", "VB"]
    assert cell(tree, "VA", "rank") == "1"
    assert cell(tree, "VB", "coverage_rate") == "0.0%"
    assert cell(tree, town.code, "households") == "5"
    assert '<script id="coverage-data" type="application/json">' in tree


def test_other_kinds_of_unit_and_users_without_access_get_404(client, leader, school, outreach, police_station):
    client.force_login(leader)
    assert client.get(URL, {"unit": police_station.code}).status_code == 404
    client.force_login(school)
    assert client.get(URL).status_code == 404


def test_the_page_costs_the_same_whatever_the_number_of_households(client, leader, outreach, village_a, grid_a1):
    client.force_login(leader)
    client.get(URL)  # warm caches (content types, sessions)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context.captured_queries)

    before = queries()
    for number in range(40):
        household = HouseholdFactory(village=village_a, grid=grid_a1, address=f"新村{number}号")
        ResidentFactory(household=household)
        if number % 3:
            DoorVisitFactory(household=household, visited_at=timezone.now())
    assert queries() == before
    assert before <= 30


def test_the_not_yet_visited_list_is_paginated(client, grid_a, outreach, village_a, grid_a1):
    for number in range(25):
        HouseholdFactory(village=village_a, grid=grid_a1, address=f"北街{number:02d}号")
    tree = page_of(client, grid_a)
    assert len(not_visited(tree)) == 20
    tree = page_of(client, grid_a, page=2)
    assert len(not_visited(tree)) == 6


def test_leadership_exports_the_coverage_table(client, leader, outreach, town):
    client.force_login(leader)
    response = client.get(reverse("campaigns:coverage_export"), {"unit": town.code})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["VA", "VB", town.code]
    assert rows[1][2:5] == (3, 2, "66.7%")
    assert AccessLog.objects.filter(user=leader, action=AccessAction.EXPORT).exists()


def test_grid_workers_cannot_export(client, grid_a, outreach):
    client.force_login(grid_a)
    assert client.get(reverse("campaigns:coverage_export")).status_code == 404


def test_police_and_administrators_land_on_the_town(client, police, admin_user, outreach, town):
    for user in (police, admin_user):
        page = page_of(client, user)
        assert unit_name(page) == town.name
        assert row_codes(page, table="village-ranking") == ["VA", "VB"]


def test_leadership_reaches_the_visit_register_and_its_export_from_the_coverage_page(
    client, leader, outreach, village_a
):
    """The menu's door-knocking list is for the village teams: leadership opens the visits from the coverage."""
    client.force_login(leader)
    html = client.get(URL, {"unit": village_a.code}).content.decode()
    link = reverse("campaigns:visit_list") + f"?village={village_a.code}"
    assert f'href="{link}"' in html
    register = client.get(link).content.decode()
    assert reverse("campaigns:visit_export") in register
