"""考评: police register a fraud case for a warned person; the leader sees the dashboard change, opens the
village and records a summons of its head (约谈)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import AccountabilityItem, AccountabilityStatus
from core.validators import make_id_number
from organization.models import Unit, User
from tests.browser.conftest import login
from warnings_followup.services import warning_push

pytestmark = pytest.mark.browser

VILLAGE_CODE = "440605124001"  # 罗村社区
VILLAGE_NAME = "罗村社区"
PERSON_ID = make_id_number("440605", datetime.date(1948, 3, 9), 517)
DESKTOP = {"width": 1280, "height": 900}


def test_a_case_after_a_warning_shows_on_the_dashboard_and_the_leader_summons_the_village(
    live_server, demo_town, make_page
):
    police = User.objects.get(username="police")
    warning_push(
        actor=police,
        external_id="YJ-ASSESS-1",
        person_name="黎阿姨",
        id_number=PERSON_ID,
        village=Unit.objects.get(code=VILLAGE_CODE),
        fraud_type="impersonate_police",
        risk_level="high",
        summary="冒充公检法来电",
        pushed_at=timezone.now() - datetime.timedelta(days=4),
    )

    # The leader's dashboard before: no cases this month (the dashboard opens on the last complete month).
    leader_page = make_page(viewport=DESKTOP)
    login(leader_page, live_server, "leader")
    leader_page.goto(f"{live_server.url}/assessment/?period={timezone.localdate():%Y-%m}")
    expect(leader_page.get_by_test_id("total-cases")).to_have_text("0")
    expect(leader_page.get_by_test_id("total-after-warning")).to_have_text("0")

    # Police register the case on a phone.
    police_page = make_page()
    login(police_page, live_server, "police")
    police_page.goto(f"{live_server.url}/cases/new/")
    form = police_page.get_by_test_id("case-form")
    form.locator("#id_case_number").fill("J4406051242026112899")
    form.locator("input[name=source][value='110']").check()
    form.locator("#id_fraud_type").select_option("impersonate_police")
    form.locator("#id_loss_amount").fill("88000")
    form.locator("#id_victim_name").fill("黎阿姨")
    form.locator("#id_id_number").fill(PERSON_ID)
    form.locator("#id_village").select_option(label=VILLAGE_NAME)
    police_page.get_by_test_id("case-submit").click()
    expect(police_page.get_by_test_id("defrauded-after-warning")).to_be_visible()

    # The dashboard has changed; the village's row shows it.
    leader_page.reload()
    expect(leader_page.get_by_test_id("total-cases")).to_have_text("1")
    expect(leader_page.get_by_test_id("total-after-warning")).to_have_text("1")
    expect(leader_page.get_by_test_id("pipeline-defrauded")).to_have_text("1")
    row = leader_page.locator(f"[data-testid=ranking-row][data-village='{VILLAGE_CODE}']")
    expect(row.get_by_test_id("after-warning")).to_have_text("1")
    expect(leader_page.locator("#assessment-chart-trend canvas")).to_have_count(1)
    # Hovering the chart shows its tooltip without breaking the CSP (drawn on the canvas, no inline styles).
    refused = []
    leader_page.on(
        "console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None
    )
    chart = leader_page.locator("#assessment-chart-trend canvas").bounding_box()
    leader_page.mouse.move(chart["x"] + chart["width"] / 2, chart["y"] + chart["height"] / 2)
    leader_page.wait_for_timeout(400)
    assert refused == []

    # Drill down to the village and record a summons of its head.
    row.get_by_test_id("village-link").click()
    expect(leader_page.get_by_test_id("village-name")).to_have_text(VILLAGE_NAME)
    expect(leader_page.get_by_test_id("village-after-warning")).to_have_text("1")
    expect(leader_page.get_by_test_id("village-case")).to_have_count(1)
    summons = leader_page.get_by_test_id("summons-form")
    summons.locator("#id_reason").fill("预警后仍被骗，跟进回访不到位")
    summons.locator("#id_people").fill("罗村社区书记、主任；镇反诈领导小组组长")
    summons.locator("#id_rectification_deadline").fill((timezone.localdate() + datetime.timedelta(days=15)).isoformat())
    leader_page.get_by_test_id("summons-submit").click()
    expect(leader_page.get_by_test_id("item-title")).to_contain_text(VILLAGE_NAME)
    expect(leader_page.get_by_test_id("item-status")).to_have_attribute("class", "badge fs-6 text-bg-warning")

    item = AccountabilityItem.objects.get(kind="summons")
    assert (item.unit.code, item.kind, item.status) == (VILLAGE_CODE, "summons", AccountabilityStatus.OPEN)
    assert item.held_on == timezone.localdate()
    # Warned 4 days before and defrauded: the registration opened the incident review (事故复盘) too.
    assert AccountabilityItem.objects.filter(kind="incident_review", unit__code=VILLAGE_CODE).count() == 1

    # The dashboard lists them among the open accountability items.
    leader_page.goto(f"{live_server.url}/assessment/?period={timezone.localdate():%Y-%m}")
    expect(leader_page.get_by_test_id("open-items")).to_have_text("2")
    expect(leader_page.get_by_test_id("open-item").first).to_contain_text(VILLAGE_NAME)


def test_the_leader_draws_the_month_and_a_not_educated_answer_opens_accountability(live_server, demo_town, page):
    from assessment.models import Callback
    from fraud_cases.services import fraud_case_register

    police = User.objects.get(username="police")
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    fraud_case_register(
        actor=police,
        case_number="J-CALLBACK-1",
        reported_at=timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(10))),
        victim_name="邝先生",
        id_number=make_id_number("440605", datetime.date(1960, 1, 2), 33),
        phone="",
        village=Unit.objects.get(code=VILLAGE_CODE),
        fraud_type="loan",
        loss_amount="3000",
        source="110",
    )
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/assessment/callbacks/")
    page.get_by_test_id("draw-panel").locator("summary").click()
    page.get_by_test_id("draw-submit").click()
    expect(page.get_by_test_id("draw-row")).to_have_count(1)
    page.get_by_test_id("callback-row").click()
    expect(page.get_by_test_id("education-record")).to_be_visible()
    form = page.get_by_test_id("callback-form")
    expect(form.locator("#div_id_educated")).to_be_hidden()
    form.locator("input[name=reached][value=yes]").check()
    expect(form.locator("#div_id_educated")).to_be_visible()
    expect(form.locator("#div_id_channels")).to_be_hidden()
    form.locator("input[name=educated][value=no]").check()
    form.locator("#id_notes").fill("称从未有人上门宣传")
    page.get_by_test_id("callback-submit").click()
    expect(page.get_by_test_id("callback-items").locator("li")).to_have_count(2)
    assert Callback.objects.get().is_not_educated
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_village_head_sees_the_villages_standing_in_the_town_and_no_other_village(live_server, demo_town, page):
    """四(三): the village head sees their own village's score, rank among all the town's villages and band."""
    from assessment.indicators import default_period, indicator_report

    last = default_period()
    town = indicator_report(user=User.objects.get(username="leader"), period=last)
    own = next(row for row in town.rows if row.unit.code == VILLAGE_CODE)
    others = [row.unit.name for row in town.rows if row.unit.code != VILLAGE_CODE]

    login(page, live_server, "head_a")
    page.goto(f"{live_server.url}/")
    panel = page.get_by_test_id("home-standing")
    expect(panel).to_contain_text(VILLAGE_NAME)
    expect(panel.get_by_test_id("band")).to_have_attribute("data-band", own.band)
    panel.get_by_test_id("home-standing-link").click()
    expect(page.get_by_test_id("standing-card")).to_have_count(1)
    expect(page.get_by_test_id("standing-score")).to_have_text(str(own.score) if own.score is not None else "—")
    expect(page.get_by_test_id("standing-rank")).to_contain_text(f"共 {town.ranked_of}")
    expect(page.locator("#period-select")).to_have_value(last.key)
    expect(page.get_by_test_id("ranking-row")).to_have_count(1)
    body = page.locator("body").inner_text()
    assert not any(name in body for name in others)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Another village's page is "not found", like one that does not exist.
    other = Unit.objects.filter(kind="village").exclude(code=VILLAGE_CODE).first()
    response = page.goto(f"{live_server.url}/assessment/villages/{other.pk}/")
    assert response.status == 404
