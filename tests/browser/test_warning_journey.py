"""预警劝阻 over its month (罗办发〔2023〕12号, 三(一)2): police push a warning on a desktop; the village team
visits on a phone; the police record their own first dissuasion ("首次预警劝阻主要由派出所负责") after that
visit; the team visits every three days, confirms the person is dissuaded ("经反诈宣传劝阻队确认"), police
release the stop-payment at once, the visits go on ("时间持续一个月"), and when the month's window ends the
beat task closes the case. The case page and the person's file tell the whole story.

The browser cannot wait a month: the push is moved back 27 days right after it is made (as if made then),
and every visit is recorded with its own date in the form's "when" field; the window's end is the beat
task's function called for the day after the window.
"""

import datetime
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.rules import add_months
from core.validators import make_id_number
from tests.browser.conftest import login
from warnings_followup import services
from warnings_followup.models import FollowUpVisit, WarningOrder, WarningStatus, local_date
from warnings_followup.tasks import close_ended_windows

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


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _record_visit(page, *, notes, check, when):
    page.get_by_test_id("record-visit").click()
    form = page.get_by_test_id("visit-form")
    expect(form).to_be_visible()
    _no_horizontal_scroll(page)
    form.locator("#id_visited_at").fill(_local(when))
    form.locator("input[name=method][value=in_person]").check()
    form.locator("input[name=at_risk][value=no]").check()
    for name in check:
        form.locator(f"input[name={name}]").check()
    form.locator("#id_notes").fill(notes)
    page.get_by_test_id("visit-submit").click()
    expect(page.get_by_test_id("person-name")).to_have_text("梁阿婆")


def test_a_warning_over_its_month(live_server, demo_town, make_page):
    # Police push the warning from the desktop form.
    police = make_page(viewport=DESKTOP)
    login(police, live_server, "police")
    _push(police, live_server)
    warning = WarningOrder.objects.get()
    assert warning.village.code == "440605124001"
    assert PERSON_ID not in police.content()
    assert ACCOUNT not in police.content()
    # As if pushed 27 days ago, at 09:00 (the browser cannot wait a month).
    day0 = timezone.localdate() - datetime.timedelta(days=27)
    pushed = timezone.make_aware(datetime.datetime.combine(day0, datetime.time(9, 0)))
    WarningOrder.objects.filter(pk=warning.pk).update(
        pushed_at=pushed, window_ends=add_months(day0, 1), next_visit_due=day0 + datetime.timedelta(days=3)
    )
    warning.refresh_from_db()

    def on(days, hour):
        return pushed + datetime.timedelta(days=days, hours=hour - 9)

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

    # Acknowledge, and the team's first in-person visit the same afternoon.
    phone.locator("#id_acknowledge-reason").fill("已签收，今天上门")
    phone.get_by_test_id("action-acknowledge-submit").click()
    expect(phone.get_by_test_id("warning-status")).to_have_attribute("data-status", "following_up")
    _record_visit(phone, notes="第一次上门，老人表示会停止转账", check=["understands_risk"], when=on(0, 14))
    expect(phone.get_by_test_id("first-team-contact")).to_contain_text(_local(on(0, 14)).replace("T", " "))
    # The police's first dissuasion is theirs: the team's visit did not record it.
    expect(phone.get_by_test_id("first-dissuasion")).to_contain_text("尚未")

    # The police record their own first dissuasion, after the team's visit.
    police.goto(f"{live_server.url}/warnings/{warning.pk}/")
    expect(police.get_by_test_id("first-team-contact")).not_to_contain_text("尚未")
    police.locator("input[name=first_dissuasion-method][value=phone]").check()
    police.locator("#id_first_dissuasion-result").fill("电话劝阻，本人答应暂停转账")
    police.locator("#id_first_dissuasion-at").fill(_local(on(0, 16)))
    police.get_by_test_id("action-first_dissuasion-submit").click()
    expect(police.get_by_test_id("first-dissuasion")).to_contain_text("李警官")
    expect(police.get_by_test_id("action-first_dissuasion-submit")).to_have_count(0)
    warning.refresh_from_db()
    assert warning.first_dissuasion_at == on(0, 16) and warning.first_team_contact_at == on(0, 14)

    # Visits every three days.
    phone.reload()
    _record_visit(phone, notes="第二次上门，已安装国家反诈中心APP", check=["app_installed"], when=on(3, 10))
    _record_visit(phone, notes="第三次上门，家属已知情", check=["relatives_informed"], when=on(6, 10))
    expect(phone.get_by_test_id("visit-row")).to_have_count(3)

    # The team confirms the person is dissuaded: a release request goes to police at once.
    phone.locator("#id_confirm_dissuaded-reason").fill("三次回访均无风险，家属已知情")
    phone.once("dialog", lambda dialog: dialog.accept())  # it asks first (static/js/confirm.js)
    phone.get_by_test_id("action-confirm_dissuaded-submit").click()
    expect(phone.get_by_test_id("warning-status")).to_have_attribute("data-status", "release_requested")
    expect(phone.get_by_test_id("action-confirm_release-submit")).to_have_count(0)

    # Police find the request in the queue and confirm the release.
    police.goto(f"{live_server.url}/warnings/?tab=release")
    police.get_by_test_id("warning-link").filter(has_text="梁阿婆").click()
    police.locator("#id_confirm_release-reason").fill("核实无风险，解除止付")
    police.once("dialog", lambda dialog: dialog.accept())  # it asks first (static/js/confirm.js)
    police.get_by_test_id("action-confirm_release-submit").click()
    expect(police.get_by_test_id("warning-status")).to_have_attribute("data-status", "released")
    expect(police.get_by_test_id("account-released")).to_have_count(1)

    # The visits go on after the release, every three days, until the window ends.
    phone.reload()
    expect(phone.get_by_test_id("visits-continue")).to_be_visible()
    _record_visit(phone, notes="解除止付后继续回访，情况稳定", check=["understands_risk"], when=on(9, 10))
    expect(phone.get_by_test_id("next-visit-due")).to_contain_text((day0 + datetime.timedelta(days=12)).isoformat())
    grid_a = warning.acknowledged_by
    for days in (12, 15, 18, 21, 24, 27):
        if on(days, 10) < timezone.now():
            services.warning_record_visit(
                warning=warning,
                actor=grid_a,
                client_id=uuid.uuid4(),
                visited_at=on(days, 10),
                method="in_person",
                at_risk=False,
            )
    warning.refresh_from_db()
    assert warning.status == WarningStatus.RELEASED
    assert warning.next_visit_due > local_date(on(24, 10))
    assert FollowUpVisit.objects.filter(warning=warning).count() >= 9

    # The window ends: the beat task closes the case.
    assert close_ended_windows((warning.window_ends + datetime.timedelta(days=1)).isoformat()) == 1
    phone.reload()
    expect(phone.get_by_test_id("warning-status")).to_have_attribute("data-status", "closed")
    expect(phone.get_by_test_id("close-reason")).to_be_visible()
    expect(phone.get_by_test_id("record-visit")).to_have_count(0)
    events = phone.get_by_test_id("timeline-event")
    kinds = [events.nth(i).get_attribute("data-event") for i in range(events.count())]
    assert kinds[:3] == ["push", "acknowledge", "visit"]
    assert kinds.index("first_dissuasion") > kinds.index("visit")
    assert kinds.index("confirm_dissuaded") < kinds.index("confirm_release") < len(kinds) - 1
    assert kinds[-1] == "window_ended"
    expect(phone.get_by_test_id("timeline")).to_contain_text("核实无风险，解除止付")

    # The one-person-one-file page tells the same story.
    phone.get_by_test_id("person-file-link").click()
    expect(phone.get_by_test_id("person-name")).to_contain_text("梁阿婆")
    expect(phone.get_by_test_id("first-dissuasion")).to_contain_text("李警官")
    expect(phone.get_by_test_id("first-team-contact")).not_to_have_text("—")
    entries = phone.get_by_test_id("timeline-entry")
    expect(entries.and_(phone.locator("[data-kind=push]"))).to_have_count(1)
    expect(entries.and_(phone.locator("[data-kind=release]"))).to_have_count(1)
    expect(phone.get_by_test_id("timeline")).to_contain_text("三次回访均无风险，家属已知情")
    assert PERSON_ID not in phone.content()
    assert PHONE not in phone.content()
    _no_horizontal_scroll(phone)
