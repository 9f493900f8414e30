"""Each town keeps its own school calendar (issue 18): a semester belongs to one town.

The first town (T1, 罗村镇, tests/conftest.py) and a second town (T2, 九江镇, tests/organization/county.py) under one
county: each town's leadership lists and edits its own semesters only (another town's answers 404), names only its
own schools, and its schools are measured against its own semester; the county's leadership sets either town's.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from education import reminders, services
from education.models import EducationSession, ParentNotice, Semester
from education.selectors import compliance_for_schools, current_semester
from notifications.models import Notification
from organization.models import Role
from tests import factories
from tests.organization.county import *  # noqa: F403 (the county's fixtures)

from .conftest import TODAY
from .factories import EducationSessionFactory, ParentNoticeFactory, SemesterFactory, StudentFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def school2(town2):
    return factories.SchoolFactory(code="SCH3", name="九江中学", parent=town2)


@pytest.fixture
def school2_staff(school2):
    return factories.UserFactory(username="school2", unit=school2, roles=[Role.SCHOOL_STAFF])


@pytest.fixture
def term2(town2, school2):
    """九江镇's own semester: it starts a week later than 罗村镇's and names its middle school."""
    return SemesterFactory(
        town=town2, name="2026年9月测试学期", starts_on=D(2026, 9, 7), ends_on=D(2026, 9, 30),
        student_education_schools=[school2],
    )  # fmt: skip


def _semester_form(**extra):
    return {
        "name": "2027年春季学期",
        "starts_on": "2027-02-20",
        "ends_on": "2027-07-10",
        "required_staff_sessions": "3",
        "required_micro_classes": "2",
        "broadcast_deadline": "10:00",
        **extra,
    }


# --- lists and edits: each town its own ---------------------------------------------------------------------------


def test_a_towns_leadership_lists_and_edits_only_its_own_semesters(client, leader, leader2, semester, term2):
    client.force_login(leader2)
    page = client.get(reverse("education:semester_list")).text
    assert reverse("education:semester_edit", args=[term2.pk]) in page
    assert reverse("education:semester_edit", args=[semester.pk]) not in page
    assert client.get(reverse("education:semester_edit", args=[semester.pk])).status_code == 404
    response = client.post(reverse("education:semester_edit", args=[semester.pk]), _semester_form())
    assert response.status_code == 404
    semester.refresh_from_db()
    assert semester.name == "2026年9月测试学期"  # untouched
    client.force_login(leader)
    assert client.get(reverse("education:semester_edit", args=[term2.pk])).status_code == 404
    assert client.get(reverse("education:semester_edit", args=[semester.pk])).status_code == 200


def test_a_new_semester_is_the_leaders_own_towns_whatever_the_form_says(client, leader2, town, town2):
    client.force_login(leader2)
    response = client.post(reverse("education:semester_create"), _semester_form(town=town.pk))
    assert response.status_code == 302
    assert Semester.objects.get().town == town2


def test_two_towns_may_name_their_semesters_alike_but_one_town_only_once(client, leader, leader2, town, town2):
    client.force_login(leader2)
    assert client.post(reverse("education:semester_create"), _semester_form()).status_code == 302
    client.force_login(leader)
    assert client.post(reverse("education:semester_create"), _semester_form()).status_code == 302  # other town
    assert Semester.objects.filter(name="2027年春季学期").count() == 2
    response = client.post(
        reverse("education:semester_create"), _semester_form(starts_on="2027-08-01", ends_on="2027-12-31")
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):  # the page's language
        assert (
            translation.gettext("The town already has a semester of this name.")
            in response.context["form"].errors["name"]
        )
    assert Semester.objects.filter(name="2027年春季学期").count() == 2  # nothing twice


def test_dates_overlap_only_within_one_town(leader, town, town2, semester):
    clash = Semester(town=town2, name="九江", starts_on=semester.starts_on, ends_on=semester.ends_on)
    clash.full_clean()  # another town's calendar: no clash
    same_town = Semester(town=town, name="重叠", starts_on=semester.starts_on, ends_on=semester.ends_on)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            same_town.full_clean()
        assert "These dates overlap another semester." in refused.value.messages


def test_a_semester_names_only_its_own_towns_schools(client, leader2, middle_school, school2):
    client.force_login(leader2)
    form = client.get(reverse("education:semester_create")).context["form"]
    assert list(form.fields["student_education_schools"].queryset) == [school2]
    response = client.post(
        reverse("education:semester_create"), _semester_form(student_education_schools=[middle_school.pk])
    )
    assert response.status_code == 200 and not Semester.objects.exists()


def test_the_county_sets_either_towns_semester_and_names_only_that_towns_schools(
    client, county, town, town2, middle_school, school2
):
    client.force_login(county)
    form = client.get(reverse("education:semester_create")).context["form"]
    assert set(form.fields["town"].queryset) == {town, town2}
    assert set(form.fields["student_education_schools"].queryset) == {middle_school, school2}
    response = client.post(
        reverse("education:semester_create"),
        _semester_form(town=town2.pk, student_education_schools=[middle_school.pk]),
    )
    assert response.status_code == 200
    with translation.override("zh-hans"):  # the page's language
        expected = translation.gettext("Only the town's own schools can be named: %(schools)s are not.") % {
            "schools": "罗村中学"
        }
    assert response.context["form"].errors["student_education_schools"] == [expected]
    response = client.post(
        reverse("education:semester_create"), _semester_form(town=town2.pk, student_education_schools=[school2.pk])
    )
    assert response.status_code == 302
    semester = Semester.objects.get()
    assert semester.town == town2 and list(semester.student_education_schools.all()) == [school2]
    page = client.get(reverse("education:semester_list")).text
    assert 'data-testid="semester-town"' in page and "九江镇" in page


def test_the_supervising_schools_staff_set_their_own_towns_semesters_only(
    client, school_c, centre_school, semester, term2
):
    from education.models import SupervisingSchool

    SupervisingSchool.objects.create(school=centre_school)
    client.force_login(school_c)
    assert client.get(reverse("education:semester_edit", args=[semester.pk])).status_code == 200
    assert client.get(reverse("education:semester_edit", args=[term2.pk])).status_code == 404


# --- each school measured in its own town's semester -----------------------------------------------------------------


def test_each_school_is_measured_in_its_own_towns_semester(middle_school, school2, semester, term2):
    middle_school.refresh_from_db()  # placed in the county since (its path changed)
    rows = {row.school.pk: row for row in compliance_for_schools([middle_school, school2], today=TODAY)}
    assert rows[middle_school.pk].semester == semester
    assert rows[school2.pk].semester == term2
    # 九江镇's semester began a week later: fewer of its school days have passed on the same day
    assert rows[school2.pk].elapsed_school_days < rows[middle_school.pk].elapsed_school_days
    assert current_semester(middle_school.parent, TODAY) == semester
    assert current_semester(school2.parent, TODAY) == term2
    assert current_semester(None, TODAY) is None


def test_a_town_without_a_semester_shows_none_even_when_another_town_has_one(school2, semester):
    (row,) = compliance_for_schools([school2], today=TODAY)
    assert row.semester is None and not row.warnings


def test_a_record_takes_its_schools_town_semester(school2, school2_staff, semester, term2, today):
    StudentFactory(school=school2, grade="初一", class_name="1班")
    notice = services.notice_send(
        actor=school2_staff, school=school2, grade="初一", class_name="1班", sent_on=TODAY, title="致家长的一封信"
    ).record
    assert notice.semester == term2
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        # 1–6 September: only 罗村镇's semester has begun
        services.broadcast_log(actor=school2_staff, school=school2, day=D(2026, 9, 3))
    assert refused.value.message_dict["day"] == ["No semester contains 2026-09-03: the town has not set it yet."]


def test_the_county_overview_names_each_schools_semester(
    client, county, middle_school, school2, semester, term2, today
):
    client.force_login(county)
    page = client.get(reverse("education:overview")).text
    assert page.count('data-testid="school-semester"') == 2
    assert "罗村镇 · 2026年9月测试学期" in page and "九江镇 · 2026年9月测试学期" in page


def test_reminders_follow_each_towns_semester(middle_school, school2, school, school2_staff, semester, term2):
    """Each town's named schools hear of a missing broadcast by their own town's deadline."""
    term2.broadcast_deadline = datetime.time(15, 0)
    term2.save()
    from django.utils import timezone

    ten_past_ten = timezone.make_aware(datetime.datetime(2026, 9, 16, 10, 10))
    assert reminders.broadcast_reminders_send(now=ten_past_ten) == 1  # 罗村中学 only (九江 waits until 15:00)
    assert Notification.objects.get(kind="education.broadcast").recipient == school
    three_pm = timezone.make_aware(datetime.datetime(2026, 9, 16, 15, 5))
    assert reminders.broadcast_reminders_send(now=three_pm) == 1  # now 九江中学; 罗村中学's went out already
    assert Notification.objects.filter(kind="education.broadcast", recipient=school2_staff).count() == 1


# --- the migration: existing semesters get a town --------------------------------------------------------------------


def test_existing_semesters_go_to_the_town_of_their_schools_and_are_split_between_towns(
    town, town2, middle_school, school2, semester
):
    """0007: the semester names 九江中学, so it is 九江镇's; 罗村中学's records in it move to a copy for 罗村镇."""
    migration = importlib.import_module("education.migrations.0007_semester_town_assign")
    semester.student_education_schools.set([school2])
    here = EducationSessionFactory(school=middle_school, semester=semester)
    there = ParentNoticeFactory(school=school2, semester=semester)
    migration.assign_towns(apps, None)
    semester.refresh_from_db()
    assert semester.town == town2
    copy = Semester.objects.get(town=town)
    assert (copy.name, copy.starts_on, copy.ends_on) == (semester.name, semester.starts_on, semester.ends_on)
    assert copy.calendar_changes.count() == semester.calendar_changes.count() == 2
    assert EducationSession.objects.get(pk=here.pk).semester == copy
    assert ParentNotice.objects.get(pk=there.pk).semester == semester
    assert list(copy.student_education_schools.all()) == []
    migration.assign_towns(apps, None)  # twice: the same
    assert Semester.objects.count() == 2


def test_an_existing_semester_without_schools_goes_to_the_first_town(town, town2):
    migration = importlib.import_module("education.migrations.0007_semester_town_assign")
    lonely = SemesterFactory(town=town2, name="无校学期")
    migration.assign_towns(apps, None)
    lonely.refresh_from_db()
    assert lonely.town == town  # the first town (by id)


# --- the demo: each demo town its own semester -----------------------------------------------------------------------


def test_the_demo_seeds_each_towns_semester_once(db):
    from demo import education as demo_education
    from demo import second_town
    from demo.organization import TOWN, seed_organization

    seed_organization()
    for _ in range(2):  # idempotent
        second_town.seed()
        demo_education.seed()
    towns = {semester.town.code: semester for semester in Semester.objects.select_related("town")}
    assert set(towns) == {TOWN[0], second_town.SECOND_TOWN[0]}
    assert towns[TOWN[0]].name == towns[second_town.SECOND_TOWN[0]].name  # the same school year, two calendars
    assert not towns[second_town.SECOND_TOWN[0]].student_education_schools.exists()  # 九江镇 has no school yet
    leader2 = factories.UserFactory(unit=towns[second_town.SECOND_TOWN[0]].town, roles=[Role.LEADERSHIP_LEADER])
    from education.selectors import semesters_for_user

    assert list(semesters_for_user(leader2)) == [towns[second_town.SECOND_TOWN[0]]]
