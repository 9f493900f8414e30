"""问责 (plan 四, 三(一)2): a warned person defrauded opens an incident review; 罗村社区's head answers it on a
phone with a rectification report and a photo, the leader returns it once and then accepts it; a callback
whose answer the records contradict waits for the leader's decision before any summons."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from assessment.models import AccountabilityItem, Callback
from core.validators import make_id_number
from fraud_cases.services import fraud_case_register
from organization.models import Unit, User
from tests.browser.conftest import login
from warnings_followup.services import warning_push

pytestmark = pytest.mark.browser

VILLAGE_CODE = "440605124001"  # 罗村社区, head: head_a
PERSON_ID = make_id_number("440605", datetime.date(1951, 7, 3), 228)
DESKTOP = {"width": 1280, "height": 900}


def _photo(tmp_path):
    path = tmp_path / "整改照片.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_an_incident_review_is_answered_by_the_village_and_accepted_by_the_leader(
    live_server, demo_town, make_page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    police = User.objects.get(username="police")
    village = Unit.objects.get(code=VILLAGE_CODE)
    warning_push(
        actor=police,
        external_id="YJ-INCIDENT-1",
        person_name="陈阿伯",
        id_number=PERSON_ID,
        village=village,
        fraud_type="investment",
        risk_level="high",
        summary="疑似虚假投资理财",
        pushed_at=timezone.now() - datetime.timedelta(days=12),
    )
    fraud_case_register(
        actor=police,
        case_number="J-INCIDENT-1",
        reported_at=timezone.now() - datetime.timedelta(hours=3),
        victim_name="陈阿伯",
        id_number=PERSON_ID,
        village=village,
        fraud_type="investment",
        loss_amount="52000",
        source="110",
    )
    item = AccountabilityItem.objects.get(kind="incident_review")

    # The village head, on a phone: the home page shows what the village owes; the review shows the warning.
    head = make_page()
    login(head, live_server, "head_a")
    expect(head.get_by_test_id("home-accountability")).to_be_visible()
    head.get_by_test_id("home-owed-item").click()
    expect(head.get_by_test_id("item-title")).to_contain_text("事故复盘")
    expect(head.get_by_test_id("item-warning")).to_contain_text("YJ-INCIDENT-1")
    form = head.get_by_test_id("rectification-form")
    form.locator("textarea[name=text]").fill("已召开复盘会，劝阻队改为每三天见面回访")
    form.locator("input[name=files]").set_input_files(_photo(tmp_path))
    head.get_by_test_id("rectification-submit").click()
    expect(head.get_by_test_id("item-rectification")).to_have_text("整改报告待审核")
    expect(head.get_by_test_id("report")).to_have_count(1)
    expect(head.get_by_test_id("report").locator("img")).to_have_count(1)
    assert head.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The leader returns it with a note; the head submits again; the leader accepts: the item is closed.
    leader = make_page(viewport=DESKTOP)
    login(leader, live_server, "leader")
    leader.goto(f"{live_server.url}/assessment/accountability/{item.pk}/")
    decision = leader.get_by_test_id("rectification-decision")
    decision.locator("textarea[name=note]").fill("缺少回访记录照片")
    leader.get_by_test_id("rectification-return").click()
    expect(leader.get_by_test_id("item-rectification")).to_have_text("整改报告已退回")
    head.reload()
    head.get_by_test_id("rectification-form").locator("textarea[name=text]").fill("补充回访记录照片")
    head.get_by_test_id("rectification-submit").click()
    expect(head.get_by_test_id("report")).to_have_count(2)
    leader.reload()
    leader.get_by_test_id("rectification-accept").click()
    expect(leader.get_by_test_id("item-status")).to_have_text("已结案")
    item.refresh_from_db()
    assert item.status == "closed" and item.rectification_status == "accepted"


def test_a_not_educated_answer_the_records_contradict_waits_for_the_leader(live_server, demo_town, page):
    from assessment.services import callback_draw_month
    from campaigns.models import DoorVisit
    from residents.models import Household

    police = User.objects.get(username="police")
    village = Unit.objects.get(code=VILLAGE_CODE)
    household = Household.objects.create(village=village, address="罗村大道 8 号")
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=12)
    reported = timezone.make_aware(datetime.datetime.combine(last_month, datetime.time(10)))
    case, _created = fraud_case_register(
        actor=police,
        case_number="J-DISAGREE-1",
        reported_at=reported,
        victim_name="邓女士",
        id_number=make_id_number("440605", datetime.date(1970, 5, 6), 91),
        village=village,
        fraud_type="rebate_task",
        loss_amount="6000",
        source="110",
    )
    case.victim.household = household
    case.victim.save(update_fields=["household"])
    DoorVisit.objects.create(household=household, visited_at=reported - datetime.timedelta(days=20), someone_home=True)
    leader_user = User.objects.get(username="leader")
    callback_draw_month(month=last_month, actor=leader_user, seed=1, per_village=1)

    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/assessment/callbacks/{Callback.objects.get().pk}/")
    form = page.get_by_test_id("callback-form")
    form.locator("input[name=reached][value=yes]").check()
    form.locator("input[name=educated][value=no]").check()
    page.get_by_test_id("callback-submit").click()
    expect(page.get_by_test_id("callback-review-status")).to_have_text("记录不符")
    expect(page.get_by_test_id("callback-records").locator("li")).to_have_count(1)
    expect(page.get_by_test_id("callback-items")).to_have_count(0)
    decision = page.get_by_test_id("callback-decision-form")
    decision.locator("input[name=decision][value=sanction]").check()
    decision.locator("textarea[name=note]").fill("核实该次走访未见本人")
    page.get_by_test_id("callback-decide").click()
    expect(page.get_by_test_id("callback-review-status")).to_have_text("确未接受教育")
    expect(page.get_by_test_id("callback-items").locator("li")).to_have_count(2)
