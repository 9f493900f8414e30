"""department_activity_summary: activities done by category against the targets, per unit, in the database."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from publicity.models import Category, TargetPeriod
from publicity.selectors import department_activity_summary, required_in_range

from .factories import ActivityFactory, ActivityTargetFactory, InspectionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


class TestProration:
    @pytest.mark.parametrize(
        ("required", "period", "start", "end", "expected"),
        [
            (2, TargetPeriod.MONTH, D(2026, 1, 1), D(2026, 1, 31), 2),  # one whole month
            (2, TargetPeriod.MONTH, D(2026, 1, 1), D(2026, 3, 31), 6),  # a quarter of monthly targets
            (2, TargetPeriod.MONTH, D(2026, 2, 1), D(2026, 2, 14), 1),  # half of February
            (1, TargetPeriod.QUARTER, D(2026, 1, 1), D(2026, 12, 31), 4),
            (12, TargetPeriod.YEAR, D(2026, 1, 1), D(2026, 1, 31), 1),
            (3, TargetPeriod.QUARTER, D(2026, 3, 1), D(2026, 4, 30), 2),  # a month of Q1 and a month of Q2
            (2, TargetPeriod.MONTH, D(2026, 2, 1), D(2026, 1, 1), 0),  # empty range
        ],
    )
    def test_targets_are_prorated_over_the_range(self, required, period, start, end, expected):
        assert required_in_range(required, period, start, end) == expected


class TestSummary:
    def test_done_vs_required_per_unit_and_category(
        self, publicity_office, finance_centre, economic_office, middle_school, django_assert_num_queries
    ):
        ActivityTargetFactory(unit=publicity_office, category=Category.TALK, required=2)
        ActivityTargetFactory(unit=publicity_office, category=Category.COLUMN_POST, required=1)
        ActivityTargetFactory(unit=finance_centre, category=Category.FINANCE_PUSH, required=2)
        ActivityTargetFactory(unit=economic_office, category=Category.JOINT_INSPECTION, required=1)
        ActivityFactory(unit=publicity_office, category=Category.TALK, held_on=D(2026, 11, 3))
        ActivityFactory(unit=publicity_office, category=Category.TALK, held_on=D(2026, 11, 20))
        ActivityFactory(unit=publicity_office, category=Category.TALK, held_on=D(2026, 10, 31))  # before the range
        ActivityFactory(unit=publicity_office, category=Category.MICRO_FILM, held_on=D(2026, 11, 5))  # no target
        ActivityFactory(unit=finance_centre, category=Category.FINANCE_PUSH, held_on=D(2026, 11, 30))
        InspectionFactory(venue__unit=economic_office, inspected_on=D(2026, 11, 12))
        InspectionFactory(venue__unit=economic_office, inspected_on=D(2026, 11, 13))

        with django_assert_num_queries(5):
            rows = department_activity_summary(D(2026, 11, 1), D(2026, 11, 30))
        by_unit = {row.unit.name: row for row in rows}
        publicity = by_unit["宣传办"]
        assert [(c.category, c.done, c.required) for c in publicity.categories] == [
            ("column_post", 0, 1),
            ("micro_film", 1, 0),
            ("talk", 2, 2),
        ]
        assert (publicity.done, publicity.required, publicity.done_of_required) == (3, 3, 2)
        assert publicity.is_weak and publicity.completion == pytest.approx(2 / 3)
        assert not by_unit["经发办"].is_weak
        assert by_unit["经发办"].categories[0].done == 2
        assert by_unit["财审中心"].is_weak
        school = by_unit["罗村中学"]
        assert (school.categories, school.completion, school.is_weak) == ([], None, False)
        assert publicity.as_dict()["categories"][2] == {"category": "talk", "done": 2, "required": 2, "met": True}

    def test_a_schools_staff_education_is_counted_once_from_its_education_sessions(self, middle_school, school):
        """三(四) "抓好学校教职员工的防骗宣传教育,每学期至少组织开展两次防骗宣传活动": the school records each staff
        session once (education); the summary counts those sessions, and no longer a second publicity record."""
        from education.models import SessionKind
        from tests.education.factories import EducationSessionFactory, SemesterFactory

        term = SemesterFactory(starts_on=D(2026, 9, 1), ends_on=D(2027, 1, 20))
        ActivityTargetFactory(unit=middle_school, category=Category.STAFF_EDUCATION, required=1)  # monthly
        EducationSessionFactory(school=middle_school, semester=term, kind=SessionKind.STAFF, held_on=D(2026, 11, 4))
        EducationSessionFactory(school=middle_school, semester=term, kind=SessionKind.STAFF, held_on=D(2026, 11, 25))
        EducationSessionFactory(school=middle_school, semester=term, kind=SessionKind.STAFF, held_on=D(2026, 10, 9))
        EducationSessionFactory(
            school=middle_school, semester=term, kind=SessionKind.MICRO_CLASS, held_on=D(2026, 11, 5)
        )  # students, not staff
        # The same session also logged the old way, as a publicity activity: not counted a second time.
        ActivityFactory(unit=middle_school, category=Category.STAFF_EDUCATION, held_on=D(2026, 11, 4))
        [row] = department_activity_summary(D(2026, 11, 1), D(2026, 11, 30), units=[middle_school])
        assert [(c.category, c.done, c.required) for c in row.categories] == [("staff_education", 2, 1)]
        assert not row.is_weak

    def test_the_summary_page_shows_the_schools_staff_sessions(self, client, school, middle_school):
        from education.models import SessionKind
        from tests.education.factories import EducationSessionFactory, SemesterFactory

        today = timezone.localdate()
        term = SemesterFactory(
            starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=90)
        )
        EducationSessionFactory(school=middle_school, semester=term, kind=SessionKind.STAFF, held_on=today)
        client.force_login(school)
        response = client.get(reverse("publicity:summary"), {"period": "month"})
        [row] = response.context["rows"]
        assert [(c.category, c.done) for c in row.categories] == [("staff_education", 1)]

    def test_units_can_be_chosen(self, publicity_office, finance_centre):
        rows = department_activity_summary(D(2026, 11, 1), D(2026, 11, 30), units=[finance_centre])
        assert [row.unit for row in rows] == [finance_centre]

    def test_the_summary_page_shows_a_unit_its_own_row(
        self, client, department_staff, publicity_office, finance_centre
    ):
        ActivityTargetFactory(unit=publicity_office, category=Category.TALK, required=2)
        client.force_login(department_staff)
        response = client.get(reverse("publicity:summary"), {"period": "quarter"})
        assert [row.unit for row in response.context["rows"]] == [publicity_office]
        assert "weak" in response.content.decode()
