"""敲门行动 on a phone: grid_a opens the households still to visit, records a visit, the resident signs the
pledge with a finger on the phone, and the grid's coverage goes up; leadership sees the villages ranked."""

import pytest
from playwright.sync_api import expect

from campaigns.models import DoorVisit, Pledge, PledgeMethod
from organization.models import Unit
from tests.browser.conftest import login
from tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.browser

VILLAGE = "440605124001"
GRID = "440605124001-01"


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _grid_visited(page, live_server) -> str:
    page.goto(f"{live_server.url}/outreach/coverage/?unit={VILLAGE}")
    cell = page.locator(f'tr[data-unit="{GRID}"] td[data-field="households_visited"]').first
    expect(cell).to_be_visible()
    return cell.inner_text().strip()


def _draw_signature(page):
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(x + step * 18, y + (12 if step % 2 else -12), steps=3)
    page.mouse.up()


def test_grid_a_visits_a_household_and_the_resident_signs_the_pledge(live_server, demo_town, make_page):
    grid = Unit.objects.get(code=GRID)
    households = [HouseholdFactory(village=grid.parent, grid=grid, address=f"罗村大道{n}号") for n in (101, 102, 103)]
    ResidentFactory(household=households[0], name="黄阿姨", relation="户主")
    ResidentFactory(household=households[0], name="黄小明", relation="子")

    phone = make_page()
    login(phone, live_server, "grid_a")
    before = _grid_visited(phone, live_server)
    assert before == "0"
    # The coverage page's not-yet-visited list: a full-size button to record a visit, for a thumb.
    assert phone.get_by_test_id("not-visited-record").first.bounding_box()["height"] >= 38

    # The to-visit list opens on grid_a's grid.
    phone.goto(f"{live_server.url}/outreach/households/")
    rows = phone.get_by_test_id("outreach-household")
    expect(rows).to_have_count(3)
    expect(phone.get_by_test_id("todo-badge")).to_have_count(3)
    _no_horizontal_scroll(phone)
    rows.filter(has_text="罗村大道101号").click()

    # Record the visit: someone at home, materials, fraud types explained, the app installed.
    phone.get_by_test_id("record-visit").click()
    form = phone.get_by_test_id("door-visit-form")
    expect(form).to_be_visible()
    _no_horizontal_scroll(phone)
    form.locator("input[name=someone_home][value=yes]").check()
    for material in ("letter", "contact_card", "pledge_form"):
        form.locator(f"input[name=materials][value={material}]").check()
    form.locator("input[name=fraud_types][value=rebate_task]").check()
    form.locator("input[name=fraud_types][value=impersonate_police]").check()
    form.locator("input[name=app_installed]").check()
    form.locator("#id_notes").fill("讲解了刷单返利和冒充公检法，已装国家反诈中心APP")
    phone.get_by_test_id("visit-submit").click()
    expect(phone.get_by_test_id("household-status")).to_have_attribute("data-visited", "true")
    visit = DoorVisit.objects.get()
    assert visit.someone_home and visit.app_installed and visit.recorded_by.username == "grid_a"

    # The resident signs on the phone with a finger.
    member = phone.get_by_test_id("member").filter(has_text="黄阿姨")
    member.get_by_test_id("sign-pledge").click()
    expect(phone.get_by_test_id("pledge-form")).to_be_visible()
    _no_horizontal_scroll(phone)
    phone.locator("input[name=resident]").first.check()
    _draw_signature(phone)
    phone.get_by_test_id("pledge-submit").click()
    expect(phone.get_by_test_id("member").filter(has_text="黄阿姨").get_by_test_id("pledge-signed")).to_be_visible()
    pledge = Pledge.objects.get()
    assert pledge.visit == visit and pledge.method == PledgeMethod.SIGNED_ON_PHONE
    assert pledge.resident.name == "黄阿姨" and pledge.image.name.endswith(".png")

    # The pledge is on file, with its signature image.
    phone.get_by_test_id("pledge-signed").click()
    image = phone.get_by_test_id("pledge-image")
    expect(image).to_be_visible()
    assert phone.evaluate("document.querySelector('[data-testid=pledge-image]').naturalWidth") > 0

    # The household left the to-visit list, and the grid's coverage went up.
    phone.goto(f"{live_server.url}/outreach/households/")
    expect(phone.get_by_test_id("outreach-household")).to_have_count(2)
    assert _grid_visited(phone, live_server) == "1"

    # Leadership sees the villages ranked.
    desk = make_page()
    login(desk, live_server, "leader")
    desk.goto(f"{live_server.url}/outreach/coverage/")
    ranking = desk.locator("table#village-ranking")
    expect(ranking).to_be_visible()
    expect(ranking.locator(f'tr[data-unit="{VILLAGE}"] td[data-field="households_visited"]')).to_have_text("1")


def test_a_signature_drawn_before_a_form_error_is_kept(live_server, demo_town, make_page):
    """The worker forgot to tick who signs: the page comes back with the error and the drawn signature, so the
    resident does not sign twice, and the next submit keeps the pledge on file."""
    grid = Unit.objects.get(code=GRID)
    household = HouseholdFactory(village=grid.parent, grid=grid, address="罗村大道201号")
    ResidentFactory(household=household, name="梁伯", relation="户主")

    phone = make_page()
    login(phone, live_server, "grid_a")
    phone.goto(f"{live_server.url}/outreach/households/{household.pk}/pledge/")
    _draw_signature(phone)
    phone.get_by_test_id("pledge-submit").click()
    expect(phone.locator("#div_id_resident .invalid-feedback, #div_id_resident .is-invalid").first).to_be_visible()
    assert not Pledge.objects.exists()
    phone.wait_for_function("() => document.querySelector('[data-signature-status]').hidden === false")

    phone.locator("input[name=resident]").first.check()
    phone.get_by_test_id("pledge-submit").click()
    expect(phone.get_by_test_id("member").filter(has_text="梁伯").get_by_test_id("pledge-signed")).to_be_visible()
    pledge = Pledge.objects.get()
    assert pledge.method == PledgeMethod.SIGNED_ON_PHONE and pledge.image.name.endswith(".png")
