"""两卡 from application to card: `school` files an application for a student and approves it with the school's
seal, assigns an escort to the police check; `police` clear the student; `school` records the card opened.
The printed approval form's QR code points at the public verification page, which a bank counter opens
without signing in and which shows no personal data. At a phone's width and at a desktop's."""

import datetime

import pytest
from playwright.sync_api import expect

from core.validators import make_id_number
from organization.models import Unit, User
from schools import services
from schools.models import ApplicationStatus, CardApplication
from tests.browser.conftest import login
from tests.schools.factories import StudentFactory, checked_png

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
STUDENT_ID = make_id_number("440605", datetime.date(2011, 4, 9), 246)


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def middle_school_ready(demo_town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    school = Unit.objects.get(code="440605124S02")
    staff = User.objects.get(username="school")
    services.school_seal_set(actor=staff, school=school, image=checked_png())
    return StudentFactory(
        school=school, name="周小宇", grade="初二", class_name="3班", id_number=STUDENT_ID, guardian_name="周建华"
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_card_from_application_to_opening(live_server, middle_school_ready, make_page, viewport):
    student = middle_school_ready

    # The school files the application from the student's page.
    school = make_page(viewport=viewport)
    login(school, live_server, "school")
    school.goto(f"{live_server.url}/schools/students/?q=周小宇")
    school.get_by_test_id("student-row").filter(has_text="周小宇").click()
    expect(school.get_by_test_id("student-name")).to_have_text("周小宇")
    assert STUDENT_ID not in school.content()
    _no_horizontal_scroll(school)
    school.get_by_test_id("apply").click()
    form = school.get_by_test_id("application-form")
    form.locator("input[name=card_type][value=bank]").check()
    form.locator("#id_issuer").fill("中国农业银行")
    form.locator("#id_reason").fill("参加市级竞赛，需开户领取奖学金")
    form.locator("#id_guardian_consent").check()
    _no_horizontal_scroll(school)
    school.get_by_test_id("application-submit").click()
    expect(school.get_by_test_id("application-status")).to_have_attribute("data-status", "submitted")

    # The school approves with its seal, then assigns the escort and the appointment.
    school.locator("#id_school_approve-reason").fill("情况属实，同意")
    school.get_by_test_id("action-school_approve-submit").click()
    expect(school.get_by_test_id("application-status")).to_have_attribute("data-status", "school_approved")
    school.locator("#id_assign_escort-escort").select_option(label="刘老师")
    school.get_by_test_id("action-assign_escort-submit").click()
    expect(school.get_by_test_id("application-status")).to_have_attribute("data-status", "escort_assigned")
    expect(school.get_by_test_id("step-escort")).to_contain_text("刘老师")
    expect(school.get_by_test_id("action-police_clear-submit")).to_have_count(0)
    _no_horizontal_scroll(school)
    application = CardApplication.objects.get(student=student)

    # The police find the student in their queue and clear them.
    police = make_page(viewport=viewport)
    login(police, live_server, "police")
    police.goto(f"{live_server.url}/schools/")
    expect(police.get_by_test_id("tab-count-police")).to_have_text("1")
    police.get_by_test_id("application-row").filter(has_text="周小宇").click()
    _no_horizontal_scroll(police)
    expect(police.get_by_test_id("action-school_approve-submit")).to_have_count(0)
    police.locator("#id_police_clear-reason").fill("核查无涉卡犯罪风险")
    police.once("dialog", lambda dialog: dialog.accept())  # clearing asks first (static/js/confirm.js)
    police.get_by_test_id("action-police_clear-submit").click()
    expect(police.get_by_test_id("application-status")).to_have_attribute("data-status", "police_cleared")

    # The school records the card opened: it joins the student's cards.
    school.goto(f"{live_server.url}/schools/?tab=open")
    school.get_by_test_id("application-row").filter(has_text="周小宇").click()
    school.locator("#id_record_opened-last4").fill("8866")
    school.get_by_test_id("action-record_opened-submit").click()
    expect(school.get_by_test_id("application-status")).to_have_attribute("data-status", "opened")
    expect(school.get_by_test_id("step-opened")).to_contain_text("8866")
    events = school.get_by_test_id("timeline-event")
    expect(events).to_have_count(5)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.OPENED

    # The printed form: seal, QR code; its target opens the public verification page.
    school.get_by_test_id("print-link").click()
    expect(school.get_by_test_id("print-seal")).to_be_visible()
    expect(school.get_by_test_id("print-qr").locator("svg")).to_be_visible()
    _no_horizontal_scroll(school)
    target = school.get_by_test_id("qr-target").inner_text().strip()
    assert target.endswith(f"/verify/{application.verification_code}/")

    counter = make_page(viewport=viewport)
    counter.goto(target)
    expect(counter.get_by_test_id("verify-valid")).to_be_visible()
    expect(counter.get_by_test_id("verify-status")).to_have_attribute("data-status", "opened")
    expect(counter.get_by_test_id("verify-verdict")).to_have_attribute("data-verdict", "used")
    expect(counter.get_by_test_id("verify-school")).to_have_text("罗村中学")
    expect(counter.get_by_test_id("verify-number")).to_have_text(application.number)
    html = counter.content()
    for personal in ("周小宇", STUDENT_ID, "周建华", "8866"):
        assert personal not in html
    _no_horizontal_scroll(counter)
    counter.goto(f"{live_server.url}/verify/made-up-code/")
    expect(counter.get_by_test_id("verify-invalid")).to_be_visible()

    # The student's page lists the new card.
    school.goto(f"{live_server.url}/schools/students/{student.pk}/")
    expect(school.get_by_test_id("card-row").filter(has_text="8866")).to_have_count(1)
