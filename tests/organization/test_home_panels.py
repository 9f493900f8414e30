"""Each role's home page shows its job, one tap from each main task, in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from schools.models import ApplicationStatus
from tests import factories
from tests.education.factories import ParentNoticeFactory, SemesterFactory
from tests.education.factories import StudentFactory as ClassStudentFactory
from tests.publicity.factories import WorkPlanFactory, WorkTaskFactory
from tests.schools.factories import CardApplicationFactory, StudentFactory
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db


def home(client, user):
    client.force_login(user)
    client.get(reverse("home"))  # the first request writes the session's idle stamp
    return client.get(reverse("home"))


def templates_of(response) -> list[str]:
    return [panel["template"] for panel in response.context["today_panels"]]


def pushed(village, *, days_ago=0, **fields):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return factories.WarningFactory(village=village, pushed_at=at, **fields)


# --- leadership ------------------------------------------------------------------------------------------------


def test_leadership_gets_the_dashboards_headline_figures_and_its_links(client, leader, village_a):
    pushed(village_a, status=WarningStatus.FOLLOWING_UP, days_ago=10)
    response = home(client, leader)
    html = response.text
    assert templates_of(response)[0] == "assessment/home_leadership.html"
    for testid in ("home-total-cases", "home-total-loss", "home-after-warning", "home-coverage"):
        assert f'data-testid="{testid}"' in html
    assert 'data-testid="home-open-warnings">1<' in html and 'data-testid="home-overdue-warnings">1<' in html
    assert f'href="{reverse("assessment:dashboard")}"' in html
    assert reverse("assessment:bulletin") in html and reverse("assessment:report_list") in html


def test_one_task_handed_to_every_unit_shows_once_on_leaderships_home(client, leader, town):
    late = timezone.localdate() - datetime.timedelta(days=3)
    units = [factories.VillageFactory(code=f"V{n}", parent=town) for n in range(5)]
    for unit in units:
        WorkTaskFactory(plan=WorkPlanFactory(unit=unit), title="完成本季度防骗宣传活动", due_on=late)
    response = home(client, leader)
    panel = next(p for p in response.context["today_panels"] if p["template"] == "publicity/_home_panel.html")
    assert [(row["title"], row["units"]) for row in panel["tasks"]] == [("完成本季度防骗宣传活动", 5)]
    assert response.text.count("完成本季度防骗宣传活动") == 1


def test_leaderships_home_runs_the_same_queries_whatever_the_data(
    client, leader, village_a, django_assert_max_num_queries
):
    home(client, leader)
    for n in range(10):
        pushed(village_a, status=WarningStatus.FOLLOWING_UP, days_ago=n)
        WorkTaskFactory(plan=WorkPlanFactory(unit=village_a), due_on=timezone.localdate() - datetime.timedelta(n + 1))
    client.get(reverse("home"))  # the figures' caches fill again after the writes
    with django_assert_max_num_queries(16):
        client.get(reverse("home"))


# --- police ----------------------------------------------------------------------------------------------------


def test_the_police_push_work_their_queue_and_read_todays_reminders_from_home(client, police, village_a, middle_school):
    pushed(village_a)  # awaiting acknowledgement
    pushed(village_a, status=WarningStatus.FOLLOWING_UP, days_ago=10)  # overdue
    pushed(village_a, status=WarningStatus.RELEASE_REQUESTED, days_ago=2)
    Notification.objects.create(recipient=police, kind="warning", title="新预警待签收", dedupe_key="a")
    old = Notification.objects.create(recipient=police, kind="warning", title="昨天的提醒", dedupe_key="b")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    CardApplicationFactory(student=StudentFactory(school=middle_school), status=ApplicationStatus.ESCORT_ASSIGNED)
    response = home(client, police)
    html = response.text
    assert f'href="{reverse("warnings_followup:push")}"' in html
    queue = reverse("warnings_followup:queue")
    for tab in ("pushed", "overdue", "release"):
        assert f'href="{queue}?tab={tab}"' in html
        assert f'data-testid="home-queue-{tab}-count">1<' in html
    assert "新预警待签收" in html and "昨天的提醒" not in html
    assert 'data-testid="home-police-check-count">1<' in html
    assert f'href="{reverse("schools:queue")}?tab=police"' in html
    assert "warnings_followup/_today_panel.html" not in templates_of(response)


def test_the_polices_home_runs_the_same_queries_whatever_the_data(client, police, village_a, middle_school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(police)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(8):
        pushed(village_a, status=WarningStatus.FOLLOWING_UP, days_ago=n)
        Notification.objects.create(recipient=police, kind="warning", title=f"提醒{n}", dedupe_key=f"k{n}")
        CardApplicationFactory(student=StudentFactory(school=middle_school), status=ApplicationStatus.ESCORT_ASSIGNED)
    client.get(reverse("home"))  # the figures' caches fill again after the writes
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many.captured_queries) == len(few.captured_queries) <= 12


# --- school staff ----------------------------------------------------------------------------------------------


def test_school_staff_see_the_applications_waiting_for_each_of_their_steps(client, school, middle_school):
    for status in (ApplicationStatus.SUBMITTED, ApplicationStatus.SUBMITTED, ApplicationStatus.POLICE_CLEARED):
        CardApplicationFactory(student=StudentFactory(school=middle_school), status=status)
    html = home(client, school).text
    assert 'data-testid="home-applications-review-count">2<' in html
    assert 'data-testid="home-applications-escort-count">0<' in html
    assert 'data-testid="home-applications-open-count">1<' in html
    assert f'href="{reverse("schools:queue")}?tab=review"' in html


def test_school_staff_see_the_notices_still_missing_return_slips(client, school, middle_school, travel_to):
    travel_to(datetime.datetime(2026, 9, 16, 9, tzinfo=datetime.UTC))
    semester = SemesterFactory(name="测试学期", starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2026, 9, 30))
    for n in range(3):
        ClassStudentFactory(school=middle_school, grade="初一", class_name="1班", name=f"学生{n}")
    notice = ParentNoticeFactory(school=middle_school, semester=semester, sent_on=datetime.date(2026, 9, 10))
    html = home(client, school).text
    assert 'data-testid="home-slips-missing"' in html
    assert reverse("education:notice_detail", args=[notice.pk]) in html


def test_school_staffs_home_runs_the_same_queries_whatever_the_data(client, school, middle_school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(school)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _n in range(8):
        CardApplicationFactory(student=StudentFactory(school=middle_school))
    client.get(reverse("home"))  # the figures' caches fill again after the writes
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the village ----------------------------------------------------------------------------------------------


def test_a_grid_worker_sees_todays_visits_and_the_households_left_to_visit(client, grid_a, grid_a1, village_a):
    for n in range(3):
        factories.HouseholdFactory(village=village_a, grid=grid_a1, address=f"幸福路{n}号")
    pushed(village_a, status=WarningStatus.FOLLOWING_UP, days_ago=3)
    response = home(client, grid_a)
    html = response.text
    assert 'data-testid="today-warnings"' in html
    assert 'data-testid="home-to-visit-count">3<' in html
    assert f"{reverse('campaigns:households')}?visited=false&amp;grid={grid_a1.code}" in html


def test_the_village_head_sees_the_overdue_visits_and_the_villages_standing(client, head_a, village_a):
    pushed(village_a, status=WarningStatus.FOLLOWING_UP, days_ago=10)
    response = home(client, head_a)
    templates = templates_of(response)
    assert "warnings_followup/_today_panel.html" in templates
    assert "assessment/_home_standing.html" in templates
    assert 'data-testid="overdue-badge"' in response.text or "text-danger" in response.text


def test_the_village_heads_home_runs_the_same_queries_whatever_the_data(client, head_a, village_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(head_a)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(8):
        pushed(village_a, status=WarningStatus.FOLLOWING_UP, days_ago=n)
        factories.HouseholdFactory(village=village_a)
    client.get(reverse("home"))  # the figures' caches fill again after the writes
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many.captured_queries) == len(few.captured_queries)
