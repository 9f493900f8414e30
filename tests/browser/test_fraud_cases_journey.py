"""预后被骗 on a phone: police register, through the form, a fraud case for a person warned a few days
before; the case page marks it "defrauded after warning" and the warning has moved to defrauded."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.validators import make_id_number
from fraud_cases.models import FraudCase
from organization.models import Unit, User
from tests.browser.conftest import login
from warnings_followup.models import WarningStatus
from warnings_followup.services import warning_push

pytestmark = pytest.mark.browser

VILLAGE_CODE = "440605124001"  # 罗村社区
VILLAGE_NAME = "罗村社区"
PERSON_ID = make_id_number("440605", datetime.date(1950, 5, 20), 612)


def test_police_register_a_case_for_a_warned_person_on_a_phone(live_server, demo_town, page):
    police = User.objects.get(username="police")
    warning = warning_push(
        actor=police,
        external_id="YJ-JOURNEY-1",
        person_name="区阿伯",
        id_number=PERSON_ID,
        village=Unit.objects.get(code=VILLAGE_CODE),
        fraud_type="investment",
        risk_level="high",
        summary="接触虚假投资理财平台",
        pushed_at=timezone.now() - datetime.timedelta(days=6),
    ).warning

    login(page, live_server, "police")
    page.goto(f"{live_server.url}/cases/new/")
    form = page.get_by_test_id("case-form")
    form.locator("#id_case_number").fill("J4406051242026112801")
    form.locator("input[name=source][value='110']").check()
    form.locator("#id_fraud_type").select_option("investment")
    form.locator("#id_loss_amount").fill("46000")
    form.locator("#id_victim_name").fill("区阿伯")
    form.locator("#id_id_number").fill(PERSON_ID)
    form.locator("#id_village").select_option(label=VILLAGE_NAME)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_test_id("case-submit").click()

    expect(page.get_by_test_id("victim-name")).to_have_text("区阿伯")
    expect(page.get_by_test_id("defrauded-after-warning")).to_have_text("预后被骗")
    expect(page.get_by_test_id("case-warning")).to_contain_text("YJ-JOURNEY-1")
    assert PERSON_ID not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    case = FraudCase.objects.get()
    assert case.warning == warning
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DEFRAUDED

    # The case is on the accountability list of defrauded-after-warning cases.
    page.goto(f"{live_server.url}/cases/accountability/")
    expect(page.get_by_test_id("accountability-case")).to_have_count(1)
    expect(page.get_by_test_id("no-visits")).to_be_visible()
