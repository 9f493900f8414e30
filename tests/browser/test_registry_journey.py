"""A grid worker on a phone finds a resident by exact ID number and adds a member to the household."""

import datetime

import pytest
from playwright.sync_api import expect

from core.validators import make_id_number
from organization.models import Unit
from residents import services
from residents.models import Resident
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

VILLAGE = "440605124001"  # 罗村社区, grid_a's village
GRID = "440605124001-01"
HEAD_ID = make_id_number("440605", datetime.date(1956, 4, 12), 101)
CHILD_ID = make_id_number("440605", datetime.date(2011, 9, 3), 202)


def _masked(id_number):
    return id_number[:6] + "********" + id_number[-4:]


@pytest.fixture
def household(demo_town):
    village = Unit.objects.get(code=VILLAGE)
    household = services.household_create(
        village=village, grid=Unit.objects.get(code=GRID), address="罗村大道88号", contact_phone="13912345678"
    )
    services.resident_create(name="陈伯", id_number=HEAD_ID, household=household, phone="13800138000", relation="户主")
    return household


def test_grid_worker_finds_a_resident_by_id_number_and_adds_a_member(live_server, page, household):
    login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/registry/residents/")

    page.get_by_test_id("search-input").fill(HEAD_ID)
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("exact-search")).to_be_visible()
    rows = page.get_by_test_id("resident-row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("resident-id")).to_have_text(_masked(HEAD_ID))
    assert HEAD_ID not in page.content()
    assert "/residents/residents/" == page.url.removeprefix(live_server.url)  # the number stays out of the URL

    rows.first.get_by_test_id("resident-household").click()
    expect(page.get_by_test_id("household-address")).to_have_text("罗村大道88号")
    page.get_by_test_id("add-member").click()

    expect(page.get_by_test_id("member-form")).to_be_visible()
    page.fill("#id_name", "陈小华")
    page.fill("#id_id_number", CHILD_ID)
    page.fill("#id_phone", "13600136000")
    page.fill("#id_relation", "孙女")
    page.check("input[name=tags][value=student]")
    page.get_by_test_id("member-submit").click()

    expect(page.get_by_test_id("household-address")).to_be_visible()
    members = page.get_by_test_id("member-list").get_by_test_id("resident-row")
    expect(members).to_have_count(2)
    new_member = members.filter(has_text="陈小华")
    expect(new_member.get_by_test_id("resident-id")).to_have_text(_masked(CHILD_ID))
    assert CHILD_ID not in page.content()
    assert Resident.objects.get(name="陈小华").household_id == household.pk

    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
