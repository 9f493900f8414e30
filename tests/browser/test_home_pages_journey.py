"""Each role's home page on a 390×844 phone: every main task within two taps; the team calls the warned person in
one tap (the number revealed, logged, and a tel: link); irreversible steps ask first."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organization.models import Unit
from tests import factories
from tests.browser.conftest import login
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.browser

VILLAGE = "440605124001"  # 罗村社区: grid_a's and head_a's village
PHONE = "13812345678"


def _warning(name: str, *, days_ago: int, **fields):
    village = Unit.objects.get(code=VILLAGE)
    person = factories.ResidentFactory(village=village, name=name, raw_phone=PHONE)
    pushed_at = timezone.now() - datetime.timedelta(days=days_ago)
    return factories.WarningFactory(
        village=village, person=person, status=WarningStatus.FOLLOWING_UP, pushed_at=pushed_at, **fields
    )


def _home(page, live_server, username):
    login(page, live_server, username)
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _tap_and_back(page, live_server, testid: str, url_part: str):
    """One tap from home reaches ``url_part``; back home for the next."""
    page.get_by_test_id(testid).first.click()
    expect(page).to_have_url(f"{live_server.url}{url_part}")
    page.goto(f"{live_server.url}/")


def test_each_role_reaches_its_main_tasks_from_home(live_server, demo_town, make_page):
    _warning("梁阿婆", days_ago=4)
    grid_unit = Unit.objects.get(code=f"{VILLAGE}-01")
    for number in (5, 43):
        factories.HouseholdFactory(village=grid_unit.parent, grid=grid_unit, address=f"幸福路{number}号")

    leader = make_page()
    _home(leader, live_server, "leader")
    expect(leader.get_by_test_id("home-leadership")).to_be_visible()
    _tap_and_back(leader, live_server, "home-dashboard-link", "/assessment/")
    _tap_and_back(leader, live_server, "home-reports-link", "/assessment/reports/")

    police = make_page()
    _home(police, live_server, "police")
    expect(police.get_by_test_id("home-queue-overdue-count")).to_have_text("1")
    _tap_and_back(police, live_server, "home-push", "/warnings/push/")
    _tap_and_back(police, live_server, "home-queue-overdue", "/warnings/?tab=overdue")
    _tap_and_back(police, live_server, "home-police-check-link", "/schools/?tab=police")

    school = make_page()
    _home(school, live_server, "school")
    _tap_and_back(school, live_server, "home-applications-review", "/schools/?tab=review")
    _tap_and_back(school, live_server, "home-applications-open", "/schools/?tab=open")

    head = make_page()
    _home(head, live_server, "head_a")
    head.get_by_test_id("warning-card").filter(has_text="梁阿婆").click()  # tap 1: the overdue visit
    head.get_by_test_id("record-visit").click()  # tap 2: the visit form
    expect(head.locator("form")).not_to_have_count(0)
    assert "/visits/new/" in head.url

    grid = make_page()
    _home(grid, live_server, "grid_a")
    expect(grid.get_by_test_id("today-warnings")).to_contain_text("梁阿婆")
    _tap_and_back(grid, live_server, "home-to-visit", "/campaigns/households/?visited=false&grid=440605124001-01")


def test_the_team_calls_the_warned_person_in_one_tap_and_the_reveal_is_logged(live_server, demo_town, make_page):
    from audit.models import AccessAction, AccessLog

    warning = _warning("梁阿婆", days_ago=4)
    page = make_page()
    _home(page, live_server, "grid_a")
    page.get_by_test_id("warning-card").filter(has_text="梁阿婆").click()
    expect(page.get_by_test_id("person-phone")).to_contain_text("138****5678")
    assert PHONE not in page.content()

    page.get_by_test_id("call-person").get_by_role("button").click()  # the one tap
    link = page.get_by_test_id("call-link")
    expect(link).to_have_attribute("href", f"tel:{PHONE}")
    expect(link).to_have_attribute("data-dialled", "1")  # followed at once by static/js/dial.js
    log = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (log.user.username, log.object_id, log.fields) == ("grid_a", str(warning.person.pk), "phone")

    # A grid worker who is not on the dissuasion team has no button.
    other = make_page()
    _home(other, live_server, "volunteer_a")
    other.goto(f"{live_server.url}/warnings/{warning.pk}/")
    expect(other.get_by_test_id("call-person")).to_have_count(0)


def test_confirming_dissuasion_asks_first_on_the_page(live_server, demo_town, make_page):
    warning = _warning("梁阿婆", days_ago=1, first_team_contact_at=timezone.now())
    factories.FollowUpVisitFactory(warning=warning, at_risk=True)
    page = make_page()
    _home(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/warnings/{warning.pk}/")
    expect(page.get_by_test_id("latest-visit-at-risk")).to_be_visible()
    expect(page.get_by_test_id("record-visit")).to_have_attribute("data-primary", "")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.locator("#id_confirm_dissuaded-reason").fill("家属已知情")
    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_test_id("action-confirm_dissuaded-submit").click()
    expect(page.get_by_test_id("warning-status")).to_have_attribute("data-status", "following_up")
    assert len(questions) == 1 and questions[0]
    warning.refresh_from_db()
    assert warning.status == WarningStatus.FOLLOWING_UP  # nothing sent

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_test_id("action-confirm_dissuaded-submit").click()
    expect(page.get_by_test_id("warning-status")).to_have_attribute("data-status", "dissuaded")  # no account stopped
    assert len(questions) == 2
