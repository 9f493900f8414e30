"""罗办发〔2023〕12号 三(四), rule by rule: each story quotes the plan's sentence it checks.

The term is conftest's (September 2026, 22 school days; "today" is 16 September, 11 gone, 11 left). The semester
names 罗村中学 (``middle_school``) for the micro-classes and the daily broadcast; 罗村镇中心学校 (``centre_school``)
is not named, and supervises the town's schools when the ``supervising`` fixture says so.
"""

import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from education import reminders
from education.models import BroadcastDay, EducationSession, Semester, SessionKind, SupervisingSchool
from education.selectors import compliance_for_school, compliance_for_schools
from notifications.models import Notification

from .conftest import TODAY
from .factories import BroadcastDayFactory, EducationSessionFactory, ParentNoticeFactory, ReturnSlipFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def english(settings):
    """These stories check the English source wording (the default language, zh-hans, is tested elsewhere)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def supervising(centre_school):
    """罗村镇中心学校 supervises the town's schools (要督导各级各类学校)."""
    return SupervisingSchool.objects.create(school=centre_school)


def rows_by_school(*schools, today=TODAY):
    return {row.school.pk: row for row in compliance_for_schools(schools, today=today)}


# --- 教职员工: every school ----------------------------------------------------------------------------------


class TestStaffEducationAtEverySchool:
    def test_every_school_must_hold_two_staff_sessions_a_semester(self, semester, middle_school, centre_school):
        """ "抓好学校教职员工的防骗宣传教育,每学期至少组织开展两次防骗宣传活动": staff sessions are required at
        every school, whether or not the semester names it."""
        rows = rows_by_school(middle_school, centre_school)
        for school in (middle_school, centre_school):
            staff = rows[school.pk].staff_sessions
            assert (staff.applies, staff.required, staff.done, staff.behind) == (True, 2, 0, True)
            assert any(warning.startswith("Staff education sessions") for warning in rows[school.pk].warnings)

    def test_staff_sessions_need_images_kept_for_inspection(self, client, school_c, centre_school, semester, today):
        """ "并留存影像等资料备查": a staff session without a photo or video is refused."""
        client.force_login(school_c)
        response = client.post(
            reverse("education:session_create", args=[centre_school.pk]),
            {
                "client_id": "0b6c4f8e-3d52-4a4e-9f0b-0d6c1f3a9e21",
                "kind": SessionKind.STAFF,
                "held_on": "2026-09-15",
                "topic": "教职员工防骗宣传教育会",
                "audience": "全体教职员工",
                "audience_size": "64",
            },
        )
        assert response.status_code == 200 and "evidence" in response.context["form"].errors
        assert not EducationSession.objects.exists()

    def test_a_new_semester_starts_from_the_plans_figures(self, settings):
        """ "每学期至少组织开展两次": a new semester requires two of each unless the town changes the figure."""
        assert (Semester().required_staff_sessions, Semester().required_micro_classes) == (2, 2)
        settings.PLAN_RULES = {**settings.PLAN_RULES, "STAFF_SESSIONS_PER_SEMESTER": 3, "MICRO_CLASSES_PER_SEMESTER": 4}
        assert (Semester().required_staff_sessions, Semester().required_micro_classes) == (3, 4)


# --- 防骗微课堂 and 校园广播: the schools the semester names ---------------------------------------------------------


class TestMicroClassesAtTheNamedSchools:
    def test_the_named_school_must_hold_two_micro_classes(self, semester, middle_school):
        """ "要把开设防骗微课堂作为罗村中学安全课的重要内容,每学期至少组织开展两次防骗宣传教育"."""
        micro = compliance_for_school(middle_school, today=TODAY).micro_classes
        assert (micro.applies, micro.required, micro.expected_by_now, micro.behind) == (True, 2, 1, True)

    def test_a_school_the_semester_does_not_name_is_not_required_to(self, semester, centre_school):
        """The micro-classes are 罗村中学's: at a school the semester does not name they are "not required",
        never behind, never a warning; one held there anyway is still shown."""
        EducationSessionFactory(school=centre_school, semester=semester, kind=SessionKind.MICRO_CLASS)
        row = compliance_for_school(centre_school, today=D(2026, 9, 29))  # 2 school days left
        assert (row.micro_classes.applies, row.micro_classes.done, row.micro_classes.behind) == (False, 1, False)
        assert not any(warning.startswith("Anti-fraud micro-classes") for warning in row.warnings)

    def test_the_semester_names_the_schools(self, client, leader, semester, middle_school, centre_school, today):
        """Leadership names the schools in the semester's form; naming 罗村镇中心学校 makes its micro-classes and
        broadcast required, un-naming 罗村中学 releases it."""
        client.force_login(leader)
        response = client.post(
            reverse("education:semester_edit", args=[semester.pk]),
            {
                "name": semester.name,
                "starts_on": "2026-09-01",
                "ends_on": "2026-09-30",
                "required_staff_sessions": "2",
                "required_micro_classes": "2",
                "student_education_schools": [centre_school.pk],
                "broadcast_deadline": "10:00",
            },
        )
        assert response.status_code == 302
        rows = rows_by_school(middle_school, centre_school)
        assert rows[centre_school.pk].micro_classes.applies and rows[centre_school.pk].broadcast.required
        assert not rows[middle_school.pk].micro_classes.applies and not rows[middle_school.pk].broadcast.required


class TestDailyBroadcastAtTheNamedSchools:
    def test_the_named_school_logs_the_broadcast_every_school_day(self, semester, middle_school):
        """ "要组织罗村中学充分利用校园广播设施，每天定时播放防骗MP3": each past school day without a log is missed."""
        for day in (1, 2, 3, 4, 7, 8, 9, 10, 11, 14):
            BroadcastDayFactory(school=middle_school, semester=semester, day=D(2026, 9, day))
        broadcast = compliance_for_school(middle_school, today=TODAY).broadcast
        assert broadcast.required and broadcast.missed_days == [D(2026, 9, 15)] and broadcast.at_risk

    def test_a_school_not_named_misses_no_day(self, school, school_c, semester, centre_school):
        """A school the semester does not name is not required to broadcast: no missed days, no warning, no
        reminder — "not required" and "N days missed" never meet."""
        broadcast = compliance_for_school(centre_school, today=TODAY).broadcast
        assert (broadcast.required, broadcast.missed_days, broadcast.at_risk) == (False, [], False)
        eleven = datetime.datetime(2026, 9, 16, 11, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        assert reminders.broadcast_reminders_send(now=eleven) == 1
        assert [n.recipient for n in Notification.objects.filter(kind="education.broadcast")] == [school]


# --- the figures of "at risk" ----------------------------------------------------------------------------------


class TestAtRiskFigures:
    def test_a_requirement_with_few_school_days_left_is_at_risk(self, settings, semester, middle_school):
        """ "每学期至少组织开展两次": not met with FINAL_SCHOOL_DAYS school days or fewer left is at risk."""
        EducationSessionFactory(school=middle_school, semester=semester, kind=SessionKind.STAFF)  # 1 of 2, on pace
        assert not compliance_for_school(middle_school, today=TODAY).staff_sessions.behind  # 11 days left
        settings.PLAN_RULES = {**settings.PLAN_RULES, "FINAL_SCHOOL_DAYS": 11}
        assert compliance_for_school(middle_school, today=TODAY).staff_sessions.behind

    def test_return_slips_missing_after_the_grace_days(self, settings, semester, middle_school, classes):
        """ "在回执联签名由学生带回学校集中存档备查": slips still missing SLIP_GRACE_DAYS days on: at risk."""
        notice = ParentNoticeFactory(school=middle_school, semester=semester, sent_on=D(2026, 9, 14))
        ReturnSlipFactory(notice=notice, student=classes["1"][0])
        row = {c.label: c for c in compliance_for_school(middle_school, today=TODAY).classes}["初一1班"]
        assert not row.overdue  # 2 days after, within the default 7
        settings.PLAN_RULES = {**settings.PLAN_RULES, "SLIP_GRACE_DAYS": 1}
        row = {c.label: c for c in compliance_for_school(middle_school, today=TODAY).classes}["初一1班"]
        assert row.overdue

    def test_a_class_without_a_notice_late_in_the_semester(self, settings, semester, middle_school, classes):
        """ "组织在校学生把电信网络诈骗预警捎给家长阅知": no notice once NOTICE_LATE_PERCENT of the term is gone."""
        assert all(row.no_notice_late for row in compliance_for_school(middle_school, today=TODAY).classes)
        settings.PLAN_RULES = {**settings.PLAN_RULES, "NOTICE_LATE_PERCENT": 60}  # 11 of 22 is 50 %
        assert not any(row.no_notice_late for row in compliance_for_school(middle_school, today=TODAY).classes)


# --- 罗村镇中心学校 supervises (read only) ----------------------------------------------------------------------------


class TestTheCentralSchoolSupervises:
    def test_it_reads_the_compliance_of_the_towns_schools(
        self, client, api_client, school_c, supervising, middle_school, centre_school, semester, today
    ):
        """ "要督导各级各类学校组织在校学生把电信网络诈骗预警捎给家长阅知": 罗村镇中心学校's staff see the town's
        schools' compliance, on the overview and in the API."""
        client.force_login(school_c)
        response = client.get(reverse("education:overview"))
        assert response.status_code == 200
        assert [row.school for row in response.context["rows"]] == [centre_school, middle_school]  # by code
        assert 'data-testid="supervising"' in response.text
        assert client.get(reverse("education:school", args=[middle_school.pk])).status_code == 200
        api_client.force_authenticate(school_c)
        codes = [row["school_code"] for row in api_client.get("/api/v1/education/compliance/").json()]
        assert codes == [centre_school.code, middle_school.code]

    def test_it_reads_figures_not_records_or_students(
        self, client, school_c, supervising, middle_school, semester, classes, today
    ):
        """Supervision is of compliance: the other school's records and its students' personal data stay with
        that school's staff (404), and its page offers no buttons."""
        session = EducationSessionFactory(school=middle_school, semester=semester, topic="防骗微课堂：刷单返利")
        notice = ParentNoticeFactory(school=middle_school, semester=semester, title="致家长的一封信")
        ReturnSlipFactory(notice=notice, student=classes["1"][0])
        client.force_login(school_c)
        page = client.get(reverse("education:school", args=[middle_school.pk]))
        body = page.text
        assert page.context["figures_only"] and 'data-testid="figures-only"' in body
        assert page.context["c"].staff_sessions.done == 1  # the figure counts the session...
        assert "刷单返利" not in body and "致家长的一封信" not in body  # ...whose record it does not show
        assert classes["1"][0].name not in body
        for testid in ("broadcast-today", "new-staff-session", "new-micro-class", "new-notice"):
            assert f'data-testid="{testid}"' not in body
        assert reverse("education:notice_detail", args=[notice.pk]) not in body
        assert client.get(reverse("education:session_detail", args=[session.pk])).status_code == 404
        assert client.get(reverse("education:notice_detail", args=[notice.pk])).status_code == 404

    def test_it_cannot_record_the_other_schools_work(
        self, client, api_client, school_c, supervising, middle_school, semester, classes, today
    ):
        """Read only: logging the other school's broadcast or recording its sessions and notices answers 403."""
        client.force_login(school_c)
        assert client.post(reverse("education:broadcast_log", args=[middle_school.pk])).status_code == 403
        assert client.get(reverse("education:session_create", args=[middle_school.pk])).status_code == 403
        assert client.get(reverse("education:notice_create", args=[middle_school.pk])).status_code == 403
        api_client.force_authenticate(school_c)
        response = api_client.post("/api/v1/education/broadcasts/", {"school": middle_school.pk}, format="json")
        assert response.status_code == 403
        assert not BroadcastDay.objects.exists()

    def test_a_school_that_does_not_supervise_sees_only_itself(
        self, client, school, school_c, supervising, middle_school, centre_school, semester, today
    ):
        """罗村中学's staff do not supervise: 罗村镇中心学校's page answers 404 and they land on their own."""
        client.force_login(school)
        assert client.get(reverse("education:school", args=[centre_school.pk])).status_code == 404
        assert client.get(reverse("education:overview")).url == reverse("education:school", args=[middle_school.pk])

    def test_without_the_supervising_mark_the_central_school_sees_only_itself(
        self, client, school_c, middle_school, centre_school, semester, today
    ):
        client.force_login(school_c)
        assert client.get(reverse("education:school", args=[middle_school.pk])).status_code == 404

    def test_it_picks_the_schools_the_semester_names(self, client, school, school_c, supervising, middle_school, db):
        """The central school sets the town's semesters with leadership; other schools' staff cannot (404)."""
        client.force_login(school)
        assert client.get(reverse("education:semester_create")).status_code == 404
        client.force_login(school_c)
        response = client.post(
            reverse("education:semester_create"),
            {
                "name": "2026-2027学年第一学期",
                "starts_on": "2026-09-01",
                "ends_on": "2027-01-20",
                "required_staff_sessions": "2",
                "required_micro_classes": "2",
                "student_education_schools": [middle_school.pk],
                "broadcast_deadline": "10:00",
            },
        )
        assert response.status_code == 302
        assert list(Semester.objects.get().student_education_schools.all()) == [middle_school]

    def test_it_hears_each_week_which_schools_fall_behind(
        self, school, school_c, supervising, middle_school, centre_school, semester
    ):
        """督导: the weekly reminder lists the town's other schools at risk to the central school, once a week."""
        assert reminders.requirement_reminders_send(today=TODAY) >= 1
        assert reminders.requirement_reminders_send(today=TODAY) == 0
        digest = Notification.objects.get(kind="education.supervise")
        assert digest.recipient == school_c and middle_school.name in digest.title
        assert centre_school.name not in digest.title.split(":", 1)[1]


# --- the school page never contradicts itself --------------------------------------------------------------------


def school_cards(body: str) -> dict[str, str]:
    """The overview's cards, by school code (the table below them left out)."""
    cards = {}
    grid = body.split('data-testid="education-table"', 1)[0]
    for part in grid.split('data-testid="school-card"')[1:]:
        code = part.split('data-school="', 1)[1].split('"', 1)[0]
        cards[code] = part.split('data-testid="school-card"', 1)[0]
    return cards


MISSED = "without a logged broadcast"


class TestNotRequiredNeverWithDaysMissed:
    @pytest.mark.parametrize("who", ["school_c", "leader"])
    def test_the_page_of_a_school_not_named_says_not_required_and_no_days_missed(
        self, client, request, who, centre_school, semester, today
    ):
        """Nothing logged at 罗村镇中心学校 for 11 school days: its page says the broadcast and the micro-classes
        are not required, and never that days were missed."""
        client.force_login(request.getfixturevalue(who))
        body = client.get(reverse("education:school", args=[centre_school.pk])).text
        assert "not required" in body
        assert MISSED not in body and 'data-testid="missed-days"' not in body

    def test_the_page_of_the_named_school_shows_the_days_missed_and_never_not_required(
        self, client, school, middle_school, semester, today
    ):
        client.force_login(school)
        body = client.get(reverse("education:school", args=[middle_school.pk])).text
        assert MISSED in body and 'data-testid="missed-days"' in body
        assert "not required" not in body

    def test_the_overview_and_the_home_panel_agree(
        self, client, leader, school_c, middle_school, centre_school, semester, today
    ):
        client.force_login(leader)
        cards = school_cards(client.get(reverse("education:overview")).text)
        assert "not required" in cards[centre_school.code] and MISSED not in cards[centre_school.code]
        assert MISSED in cards[middle_school.code] and "not required" not in cards[middle_school.code]
        client.force_login(school_c)
        home = client.get(reverse("home")).text
        assert 'data-testid="education-home-panel"' in home
        panel = home.split('data-testid="education-home-panel"', 1)[1]
        assert "not required" in panel and MISSED not in panel


# --- existing data --------------------------------------------------------------------------------------------------


def test_existing_semesters_name_the_middle_school_and_the_centre_school_supervises(
    middle_school, centre_school, semester
):
    """The migration: a semester that named no school names 罗村中学 (the plan's school); 罗村镇中心学校, if the
    town has it, becomes the supervising school."""
    migration = importlib.import_module("education.migrations.0004_semester_named_schools_supervising_school")
    bare = Semester.objects.create(town=semester.town, name="旧学期", starts_on=D(2026, 2, 16), ends_on=D(2026, 7, 10))
    migration.name_the_schools(apps, None)
    assert list(bare.student_education_schools.all()) == [middle_school]
    assert list(semester.student_education_schools.all()) == [middle_school]  # untouched
    assert SupervisingSchool.objects.get().school == centre_school
    migration.name_the_schools(apps, None)  # twice: the same
    assert bare.student_education_schools.count() == 1 and SupervisingSchool.objects.count() == 1


def test_the_rules_page_quotes_the_plan_for_the_schools(client, school, settings):
    """Each rule of 三(四) is on /rules/ with the plan's words and the figure in force."""
    settings.PLAN_RULES = {**settings.PLAN_RULES, "SLIP_GRACE_DAYS": 5}
    client.force_login(school)
    page = client.get(reverse("plan_rules")).text
    assert "要组织罗村中学充分利用校园广播设施" in page and "要督导各级各类学校" in page
    assert "RULE_SLIP_GRACE_DAYS" in page and "still misses return slips 5 days" in page
