"""预警劝阻 from push to release: police push a warning on a desktop, the village team follows up on a
phone, the team confirms the person is dissuaded, police release the stop-payment, and the case page and
the person's file tell the whole story."""

import datetime

import pytest
from playwright.sync_api import expect

from core.validators import make_id_number
from tests.browser.conftest import login
from warnings_followup.models import FollowUpVisit, Warning, WarningStatus

pytestmark = pytest.mark.browser

VILLAGE_NAME = "罗村社区"  # 440605124001, grid_a's village
PERSON_ID = make_id_number("440605", datetime.date(1951, 8, 17), 345)
PHONE = "13812345678"
ACCOUNT = "6228480402564890018"
DESKTOP = {"width": 1280, "height": 900}


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _push(page, live_server):
    page.goto(f"{live_server.url}/warnings/push/")
    form = page.get_by_test_id("push-form")
    form.locator("#id_person_name").fill("梁阿婆")
    form.locator("#id_id_number").fill(PERSON_ID)
    form.locator("#id_phone").fill(PHONE)
    form.locator("#id_village").select_option(label=VILLAGE_NAME)
    form.locator("#id_address").fill("罗村大道18号")
    form.locator("#id_fraud_type").select_option("investment")
    form.locator("input[name=risk_level][value=high]").check()
    form.locator("#id_summary").fill("接触虚假投资理财平台，已转账两次")
    form.locator("#id_bank_1").fill("中国农业银行")
    form.locator("#id_account_number_1").fill(ACCOUNT)
    page.get_by_test_id("push-submit").click()
    expect(page.get_by_test_id("person-name")).to_have_text("梁阿婆")
    expect(page.get_by_test_id("warning-status")).to_have_attribute("data-status", "pushed")


def _record_visit(page, *, notes, check):
    page.get_by_test_id("record-visit").click()
    form = page.get_by_test_id("visit-form")
    expect(form).to_be_visible()
    _no_horizontal_scroll(page)
    form.locator("input[name=method][value=in_person]").check()
    form.locator("input[name=at_risk][value=no]").check()
    for name in check:
        form.locator(f"input[name={name}]").check()
    form.locator("#id_notes").fill(notes)
    page.get_by_test_id("visit-submit").click()
    expect(page.get_by_test_id("person-name")).to_have_text("梁阿婆")


def test_a_warning_from_push_to_release(live_server, demo_town, make_page):
    # Police push the warning from the desktop form.
    police = make_page(viewport=DESKTOP)
    login(police, live_server, "police")
    _push(police, live_server)
    warning = Warning.objects.get()
    assert warning.village.code == "440605124001"
    assert PERSON_ID not in police.content()
    assert ACCOUNT not in police.content()

    # grid_a, on a phone, finds it on "today" and opens the case.
    phone = make_page()
    login(phone, live_server, "grid_a")
    phone.goto(f"{live_server.url}/warnings/today/")
    card = phone.get_by_test_id("warning-card").filter(has_text="梁阿婆")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("card-phone")).to_have_text("138****5678")
    expect(card.get_by_test_id("risk-badge")).to_have_attribute("data-risk", "high")
    _no_horizontal_scroll(phone)
    card.click()
    expect(phone.get_by_test_id("person-name")).to_have_text("梁阿婆")
    _no_horizontal_scroll(phone)

    # Acknowledge, then two in-person visits.
    phone.locator("#id_acknowledge-reason").fill("已签收，今天上门")
    phone.get_by_test_id("action-acknowledge-submit").click()
    expect(phone.get_by_test_id("warning-status")).to_have_attribute("data-status", "following_up")
    _record_visit(phone, notes="第一次上门，老人表示会停止转账", check=["understands_risk", "relatives_informed"])
    expect(phone.get_by_test_id("visit-row")).to_have_count(1)
    _record_visit(phone, notes="第二次上门，已安装国家反诈中心APP", check=["understands_risk", "app_installed"])
    expect(phone.get_by_test_id("visit-row")).to_have_count(2)
    assert FollowUpVisit.objects.filter(warning=warning).count() == 2

    # The team confirms the person is dissuaded: a release request goes to police.
    phone.locator("#id_confirm_dissuaded-reason").fill("两次回访均无风险，家属已知情")
    phone.get_by_test_id("action-confirm_dissuaded-submit").click()
    expect(phone.get_by_test_id("warning-status")).to_have_attribute("data-status", "release_requested")
    expect(phone.get_by_test_id("action-confirm_release-submit")).to_have_count(0)

    # Police find the request in the queue and confirm the release.
    police.goto(f"{live_server.url}/warnings/?tab=release")
    police.get_by_test_id("warning-link").filter(has_text="梁阿婆").click()
    police.locator("#id_confirm_release-reason").fill("核实无风险，解除止付")
    police.get_by_test_id("action-confirm_release-submit").click()
    expect(police.get_by_test_id("warning-status")).to_have_attribute("data-status", "released")
    expect(police.get_by_test_id("account-released")).to_have_count(1)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.RELEASED

    # The case page's timeline, on the phone.
    phone.reload()
    events = phone.get_by_test_id("timeline-event")
    expect(events).to_have_count(6)
    assert [events.nth(i).get_attribute("data-event") for i in range(6)] == [
        "push",
        "acknowledge",
        "visit",
        "visit",
        "confirm_dissuaded",
        "confirm_release",
    ]
    expect(phone.get_by_test_id("timeline")).to_contain_text("核实无风险，解除止付")

    # The one-person-one-file page tells the same story.
    phone.get_by_test_id("person-file-link").click()
    expect(phone.get_by_test_id("person-name")).to_contain_text("梁阿婆")
    entries = phone.get_by_test_id("timeline-entry")
    expect(entries.and_(phone.locator("[data-kind=push]"))).to_have_count(1)
    expect(entries.and_(phone.locator("[data-kind=visit]"))).to_have_count(2)
    expect(entries.and_(phone.locator("[data-kind=release]"))).to_have_count(1)
    expect(phone.get_by_test_id("timeline")).to_contain_text("两次回访均无风险，家属已知情")
    assert PERSON_ID not in phone.content()
    assert PHONE not in phone.content()
    _no_horizontal_scroll(phone)
