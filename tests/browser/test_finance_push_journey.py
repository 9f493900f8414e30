"""The finance push on a phone (三(七)): 财审中心 sends a push to two villages' finance staff; one of them confirms
reading from the personal link in their text message (no login, one tap); the activity shows 1 of 3 read."""

import re

import pytest
from playwright.sync_api import expect

from notifications.channels import LocmemSMSBackend
from organization.models import Unit
from publicity.models import Duty, FinanceStaff, UnitDuty
from tests.browser.conftest import login

pytestmark = pytest.mark.browser
LINK = re.compile(r"https?://\S+/publicity/read/[^\s/]+/")


@pytest.fixture
def roster(demo_town, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    centre = Unit.objects.get(code="440605124D05")
    UnitDuty.objects.create(unit=centre, duty=Duty.FINANCE_AUDIT)
    community, lianhe = Unit.objects.get(code="440605124001"), Unit.objects.get(code="440605124002")
    for unit, name, mobile in (
        (community, "黄会计", "13902570001"),
        (lianhe, "林出纳", "13902570002"),
        (lianhe, "何会计", "13902570003"),
    ):
        staff = FinanceStaff(keeper=centre, unit=unit, name=name)
        staff.set_mobile(mobile)
        staff.save()
    yield {"community": community, "lianhe": lianhe}
    LocmemSMSBackend.outbox.clear()


def test_the_finance_centre_pushes_and_a_recipient_confirms_from_the_link(live_server, roster, make_page):
    page = make_page()
    login(page, live_server, "caishen")
    page.goto(f"{live_server.url}/publicity/")
    page.get_by_test_id("finance-push-link").click()
    form = page.get_by_test_id("finance-push-form")
    form.locator("#id_title").fill("警惕冒充领导要求转账")
    form.locator("#id_message").fill("凡是自称领导要求转账的，一律电话核实！")
    form.get_by_label("罗村社区").check()
    form.get_by_label("联和村").check()
    page.get_by_test_id("finance-push-send").click()
    rate = page.get_by_test_id("push-read-rate")
    expect(rate).to_have_attribute("data-read", "0")
    expect(rate).to_have_attribute("data-total", "3")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # 林出纳's text message: the knowledge and a personal link, never anyone's full number but her own recipient's.
    texts = dict(LocmemSMSBackend.outbox)
    assert set(texts) == {"13902570001", "13902570002", "13902570003"}
    link = LINK.search(texts["13902570002"]).group()
    phone = make_page()  # her own phone: no login
    phone.goto(link)
    expect(phone.get_by_test_id("read-message")).to_contain_text("一律电话核实")
    phone.get_by_test_id("read-confirm").click()
    expect(phone.get_by_test_id("read-confirmed")).to_be_visible()

    page.reload()
    expect(rate).to_have_attribute("data-read", "1")
    expect(rate).to_have_attribute("data-total", "3")
    lianhe = page.get_by_test_id("unit-read-rate").filter(has_text="联和村")
    expect(lianhe).to_have_attribute("data-read", "1")
    expect(lianhe).to_have_attribute("data-total", "2")
