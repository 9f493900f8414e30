"""The offline field mode, as a grid worker uses it in a village without signal (issue 16).

grid_a opens /field/ on a phone, loses the signal, reloads the page (it comes from the service worker's cache with
the due list), reads the dissuasion script of the warning's fraud type, records a follow-up visit and a door visit
with a photo (over the server's limit as taken: the phone shrinks it) and a pledge signed on the screen, closes the
page and opens it again (the queue is kept), and gets the signal back: the records are sent, each exactly once,
and sending them again creates nothing.
"""

import io
import json
import os

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from campaigns.models import DoorVisit, Pledge, PledgeMethod
from campaigns.visit_photo_api import PHOTO_MAX_BYTES
from fraud_cases.models import TypicalCaseStatus
from organization.models import User
from tests.browser.conftest import login, new_context
from tests.factories import HouseholdFactory, ResidentFactory, WarningFactory
from tests.fraud_cases.factories import TypicalCaseFactory
from warnings_followup.models import FollowUpVisit, WarningStatus

pytestmark = pytest.mark.browser

PENDING = "[data-sync-pending]"
# Resolves once the service worker controls the page (page.wait_for_function would need eval, which the CSP forbids).
CONTROLLED = """() => navigator.serviceWorker.controller ? true : new Promise((resolve) =>
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true)))"""


@pytest.fixture
def field_world(demo_town):
    grid_a = User.objects.get(username="grid_a")
    grid = grid_a.unit
    household = HouseholdFactory(village=grid.parent, grid=grid, address="幸福路8号")
    head = ResidentFactory(household=household, name="陈大文", relation="户主")
    ResidentFactory(household=household, name="陈小文", relation="子")
    person = ResidentFactory(village=grid.parent, name="王秀英")
    warning = WarningFactory(
        village=grid.parent,
        person=person,
        address="幸福路9号",
        status=WarningStatus.FOLLOWING_UP,
        next_visit_due=timezone.localdate(),
    )
    TypicalCaseFactory(
        unit=grid.parent.parent,
        fraud_type=warning.fraud_type,
        status=TypicalCaseStatus.PUBLISHED,
        script=["先别转账，钱一转就追不回来。", "拨打96110核实。"],
    )
    return {"household": household, "head": head, "warning": warning}


def camera_photo() -> bytes:
    """A photo as a phone camera takes it: 3000×2000 of noise, over the server's 2 MB limit until shrunk."""
    image = Image.frombytes("RGB", (3000, 2000), os.urandom(3000 * 2000 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    assert buffer.tell() > PHOTO_MAX_BYTES
    return buffer.getvalue()


def pending(page) -> str:
    return page.locator(PENDING).inner_text()


def draw_signature(page):
    canvas = page.locator("canvas[data-signature]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 20, y + (15 if step % 2 else -15), steps=3)
    page.mouse.up()


def test_visits_and_a_pledge_recorded_offline_are_synced_exactly_once(browser, live_server, field_world):
    warning, household, head = field_world["warning"], field_world["household"], field_world["head"]
    context = new_context(browser)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        login(page, live_server, "grid_a")
        page.goto(f"{live_server.url}/field/")
        page.wait_for_selector("body[data-synced=true]")
        visit_button = f'[data-action="record-visit"][data-warning-id="{warning.pk}"]'
        door_button = f'[data-action="record-door-visit"][data-household-id="{household.pk}"]'
        page.wait_for_selector(visit_button)
        page.evaluate(CONTROLLED)
        assert pending(page) == "0"

        # No signal: the page comes back from the cache, with the due list.
        context.set_offline(True)
        response = page.reload()
        assert response.from_service_worker
        page.wait_for_selector(visit_button)
        assert page.locator("[data-connection]").get_attribute("data-state") == "offline"

        # A follow-up visit, with the dissuasion script of the warning's fraud type at hand (folded).
        page.click(visit_button)
        form = page.locator('form[data-form="visit"]')
        scripts = form.locator("[data-scripts]")
        expect(scripts).to_be_visible()
        scripts.locator("summary").first.click()
        expect(scripts).to_contain_text("拨打96110核实。")
        form.locator('input[name="method"][value="in_person"]').check()
        form.locator('input[name="at_risk"]').check()
        form.locator('textarea[name="notes"]').fill("离线回访：已再次提醒")
        form.locator("button[type=submit]").click()
        expect(page.locator(PENDING)).to_have_text("1")

        # A door visit, with the household head's pledge signed on the screen.
        page.click(door_button)
        form = page.locator('form[data-form="door-visit"]')
        form.locator('input[name="someone_home"][value="true"]').check()
        form.locator('input[name="materials"][value="letter"]').check()
        form.locator('input[name="materials"][value="pledge_form"]').check()
        form.locator('input[name="app_installed"]').check()
        form.locator('textarea[name="notes"]').fill("讲解了冒充客服诈骗")
        form.locator('select[name="resident"]').select_option(str(head.pk))
        draw_signature(page)
        photo = {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}
        form.locator('input[name="photos"]').set_input_files([photo])
        form.locator("button[type=submit]").click()
        expect(page.locator(PENDING)).to_have_text("4", timeout=30_000)  # the photo is shrunk first
        recorded_before = timezone.now()

        # The browser tab is closed and opened again, still without signal: the queue is still there.
        page.close()
        page = context.new_page()
        assert page.goto(f"{live_server.url}/field/").from_service_worker
        page.wait_for_selector(visit_button)
        expect(page.locator(PENDING)).to_have_text("4")
        assert not DoorVisit.objects.exists() and not FollowUpVisit.objects.filter(warning=warning).exists()

        # The signal returns: everything is sent, oldest first, and the count goes to 0.
        posted = []
        page.on(
            "request",
            lambda request: posted.append(request) if request.method == "POST" and "/api/v1/" in request.url else None,
        )
        context.set_offline(False)
        expect(page.locator(PENDING)).to_have_text("0", timeout=20_000)

        door_visit = DoorVisit.objects.get(household=household)
        assert [request.url.removeprefix(live_server.url) for request in posted] == [
            f"/api/v1/warnings/{warning.pk}/visits/",
            "/api/v1/door-visits/",
            "/api/v1/pledges/",
            f"/api/v1/door-visits/{door_visit.client_id}/photos/",
        ]
        visit = FollowUpVisit.objects.get(warning=warning)
        assert visit.at_risk and visit.notes == "离线回访：已再次提醒"
        assert visit.visited_at < recorded_before  # the moment of recording, not of the sync
        assert door_visit.gave_letter and door_visit.gave_pledge_form and door_visit.app_installed
        assert door_visit.visited_at < recorded_before
        pledge = Pledge.objects.get(resident=head)
        assert pledge.method == PledgeMethod.SIGNED_ON_PHONE and pledge.visit == door_visit
        (stored,) = door_visit.attachments.all()
        assert stored.kind == "image" and stored.size <= PHOTO_MAX_BYTES
        with stored.file.open("rb") as handle:
            assert max(Image.open(handle).size) == 1600  # shrunk on the phone before it was queued

        # Replaying the sync (the same requests again) creates nothing.
        for request in posted[:3]:
            answer = context.request.post(
                request.url,
                data=request.post_data,
                headers={"Content-Type": "application/json", "X-CSRFToken": request.headers["x-csrftoken"]},
            )
            assert answer.status == 200, answer.text()
        with stored.file.open("rb") as handle:  # the photo again, as the phone sent it (shrunk)
            again = {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": handle.read()}
        answer = context.request.post(
            posted[3].url,
            multipart={"client_id": stored.original_name.split(".")[0], "photo": again},
            headers={"X-CSRFToken": posted[3].headers["x-csrftoken"]},
        )
        assert answer.status == 200, answer.text()
        assert door_visit.attachments.count() == 1
        assert FollowUpVisit.objects.filter(warning=warning).count() == 1
        assert DoorVisit.objects.filter(household=household).count() == 1
        assert Pledge.objects.filter(resident=head).count() == 1
        # The visited household left the to-visit list at the sync.
        page.wait_for_selector(door_button, state="detached")
        assert json.loads(posted[2].post_data)["visit_client_id"] == str(door_visit.client_id)
    finally:
        context.close()


def test_the_field_page_weighs_at_most_250_kib_on_first_load(browser, live_server, field_world):
    context = new_context(browser)
    try:
        page = context.new_page()
        login(page, live_server, "grid_a")
        sizes = []
        page.on("requestfinished", lambda request: sizes.append(request.sizes()))
        page.goto(f"{live_server.url}/field/")
        page.wait_for_selector("body[data-synced=true]")
        page.wait_for_load_state("networkidle")
        transferred = sum(size["responseBodySize"] + size["responseHeadersSize"] for size in sizes)
        assert sizes and transferred <= 250 * 1024, f"{transferred / 1024:.0f} KiB"
    finally:
        context.close()
