"""学校防骗教育 on a phone: the middle school's staff log today's campus broadcast with one tap and tick the
return slips a class brought back; the compliance numbers on the school's page change with each. The central
school (罗村镇中心学校) reads the middle school's figures without its buttons, and its own page says what the
semester does not require of it without counting days "missed"."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from education.models import CalendarChange, ParentNotice, ReturnSlip, SupervisingSchool
from organization.models import Unit
from tests.browser.conftest import login
from tests.education.factories import CalendarChangeFactory, SemesterFactory, StudentFactory

pytestmark = pytest.mark.browser


def _counts(text: str) -> tuple[int, int]:
    done, total = re.search(r"(\d+) / (\d+)", text).groups()
    return int(done), int(total)


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_school_logs_the_broadcast_and_ticks_return_slips(live_server, demo_town, page):
    today = timezone.localdate()
    middle = Unit.objects.get(code="440605124S02")
    semester = SemesterFactory(
        name="本学期",
        starts_on=today - datetime.timedelta(days=14),
        ends_on=today + datetime.timedelta(days=90),
        student_education_schools=[middle],
    )
    # Whatever weekday the test runs on, today is a school day.
    CalendarChangeFactory(semester=semester, kind=CalendarChange.Kind.MAKEUP_DAY, starts_on=today, ends_on=today)
    students = [StudentFactory(school=middle, grade="初一", class_name="3班", name=f"学生{i}") for i in range(4)]
    notice = ParentNotice.objects.create(
        school=middle,
        semester=semester,
        grade="初一",
        class_name="3班",
        sent_on=today - datetime.timedelta(days=1),
        title="防范电信网络诈骗致家长的一封信",
    )
    ReturnSlip.objects.create(notice=notice, student=students[0], collected_on=today)

    login(page, live_server, "school")
    page.goto(f"{live_server.url}/education/")
    expect(page.get_by_role("heading", name="罗村中学")).to_be_visible()
    _no_horizontal_scroll(page)

    card = page.get_by_test_id("broadcast-card")
    logged, days = _counts(card.get_by_test_id("broadcast-count").inner_text())
    assert logged == 0
    page.get_by_test_id("broadcast-today").click()
    expect(page.get_by_test_id("broadcast-today-done")).to_be_visible()
    expect(page.get_by_test_id("broadcast-count").first).to_have_text(f"{logged + 1} / {days + 1}")

    slips = page.get_by_test_id("slips")
    expect(slips.get_by_test_id("slip-coverage")).to_contain_text("1 / 4")
    slips.locator('[data-testid=class-row][data-class="初一3班"] a').click()
    expect(page.get_by_test_id("notice-coverage")).to_contain_text("1 / 4")
    _no_horizontal_scroll(page)
    rows = page.get_by_test_id("slip-row")
    rows.nth(1).click()
    rows.nth(2).click()
    page.get_by_test_id("slip-submit").click()
    expect(page.get_by_test_id("notice-coverage")).to_contain_text("3 / 4")
    expect(page.get_by_test_id("missing-slips")).to_contain_text(students[3].name)

    page.get_by_role("link", name="罗村中学").first.click()
    expect(page.get_by_test_id("slips").get_by_test_id("slip-coverage")).to_contain_text("3 / 4 (75.0%)")
    assert ReturnSlip.objects.filter(notice=notice).count() == 3


def test_the_central_school_supervises_read_only_and_is_not_asked_to_broadcast(live_server, demo_town, page):
    """ "要督导各级各类学校": 罗村镇中心学校's staff see the town's schools; only 罗村中学 must broadcast daily."""
    today = timezone.localdate()
    middle = Unit.objects.get(code="440605124S02")
    centre = Unit.objects.get(code="440605124S01")
    SupervisingSchool.objects.create(school=centre)
    semester = SemesterFactory(
        name="本学期",
        starts_on=today - datetime.timedelta(days=14),
        ends_on=today + datetime.timedelta(days=90),
        student_education_schools=[middle],
    )
    CalendarChangeFactory(semester=semester, kind=CalendarChange.Kind.MAKEUP_DAY, starts_on=today, ends_on=today)

    login(page, live_server, "school_c")
    page.goto(f"{live_server.url}/education/")
    expect(page.get_by_test_id("supervising")).to_be_visible()
    middle_card = page.locator(f'[data-testid=school-card][data-school="{middle.code}"]')
    centre_card = page.locator(f'[data-testid=school-card][data-school="{centre.code}"]')
    expect(middle_card.get_by_test_id("broadcast-count")).to_contain_text("0 / ")
    expect(centre_card.get_by_test_id("broadcast-count")).to_have_text("不作要求")
    expect(centre_card.get_by_test_id("req-micro_class")).to_have_text("不作要求")
    _no_horizontal_scroll(page)

    middle_card.get_by_role("link", name="罗村中学").click()
    expect(page.get_by_role("heading", name="罗村中学")).to_be_visible()
    expect(page.get_by_test_id("figures-only")).to_be_visible()
    expect(page.get_by_test_id("missed-days")).to_be_visible()
    for testid in ("broadcast-today", "new-staff-session", "new-micro-class", "new-notice"):
        expect(page.get_by_test_id(testid)).to_have_count(0)

    page.goto(f"{live_server.url}/education/schools/{centre.pk}/")
    expect(page.get_by_test_id("broadcast-not-required")).to_be_visible()
    expect(page.get_by_test_id("missed-days")).to_have_count(0)
    expect(page.get_by_test_id("req-micro_class")).to_contain_text("不作要求")
    expect(page.get_by_test_id("new-staff-session")).to_be_visible()
    _no_horizontal_scroll(page)
