"""典型案例 on a phone: the police write a typical case and publish it; grid_a, recording a door visit, ticks the
fraud type being explained and the case appears in the form, with its warning signs and what to say."""

import pytest
from playwright.sync_api import expect

from fraud_cases.models import TypicalCase, TypicalCaseStatus
from organization.models import Unit
from tests.browser.conftest import login
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.browser

GRID = "440605124001-01"
TITLE = "“快递理赔”要你共享屏幕"


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_police_publish_a_typical_case_and_grid_a_sees_it_in_the_door_visit_form(live_server, demo_town, make_page):
    grid = Unit.objects.get(code=GRID)
    household = HouseholdFactory(village=grid.parent, grid=grid, address="罗村大道201号")

    police = make_page()
    login(police, live_server, "police")
    police.goto(f"{live_server.url}/cases/typical/new/")
    form = police.get_by_test_id("typical-case-form")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_fraud_type").select_option("impersonate_service")
    form.locator("#id_story").fill(
        "一名村民接到自称快递客服的电话，说包裹丢了要理赔，让他下载会议软件共享屏幕，卡里的钱被转走。"
    )
    form.locator("#id_warning_signs").fill("客服主动来电说要理赔\n要你共享屏幕\n要你说出验证码")
    form.locator("#id_script").fill("理赔只在官方 APP 里办。\n验证码谁要都不给。\n要共享屏幕的马上挂断。")
    _no_horizontal_scroll(police)
    police.get_by_test_id("typical-submit").click()
    expect(police.get_by_test_id("typical-title")).to_have_text(TITLE)
    police.get_by_test_id("typical-publish").click()
    expect(police.get_by_test_id("typical-publish")).to_have_count(0)
    expect(police.get_by_test_id("typical-retire")).to_be_visible()
    assert TypicalCase.objects.get(title=TITLE).status == TypicalCaseStatus.PUBLISHED

    phone = make_page()
    login(phone, live_server, "grid_a")
    phone.goto(f"{live_server.url}/outreach/households/{household.pk}/visit/")
    visit_form = phone.get_by_test_id("door-visit-form")
    case = visit_form.locator('[data-testid=typical-case][data-fraud-type="impersonate_service"]')
    # Nothing ticked yet: the case waits for its fraud type.
    expect(case).to_be_hidden()
    visit_form.locator("input[name=fraud_types][value=impersonate_service]").check()
    expect(case).to_be_visible()
    expect(case).to_contain_text(TITLE)
    case.locator("summary").click()
    expect(case.get_by_test_id("typical-script")).to_contain_text("验证码谁要都不给。")
    expect(case.get_by_test_id("typical-signs")).to_contain_text("要你共享屏幕")
    _no_horizontal_scroll(phone)
    # Another type ticked instead: the case goes away again.
    visit_form.locator("input[name=fraud_types][value=impersonate_service]").uncheck()
    visit_form.locator("input[name=fraud_types][value=loan]").check()
    expect(case).to_be_hidden()
