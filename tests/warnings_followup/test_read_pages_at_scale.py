"""The warning pages a town's police and village teams open every day stay cheap as the town grows (issue 13):
the same number of queries whatever the number of warnings, and only the rows shown are read.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from warnings_followup.models import WarningStatus
from warnings_followup.views import TODAY_LATER_SHOWN, TODAY_PAGE_SIZE

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def open_warnings(village, count, *, due: bool):
    """``count`` warnings being followed up: their visit due (pushed 4 days ago) or not yet (pushed today)."""
    return factories.WarningFactory.create_batch(
        count, village=village, status=WarningStatus.FOLLOWING_UP, pushed_at=days_ago(4 if due else 0)
    )


def test_police_today_lists_a_page_of_due_visits_and_the_first_other_open_cases(client, police, village_a):
    open_warnings(village_a, TODAY_PAGE_SIZE + 2, due=True)
    open_warnings(village_a, TODAY_LATER_SHOWN + 3, due=False)
    client.force_login(police)

    response = client.get(reverse("warnings_followup:today"))

    due_part, later_part = response.text.split('data-testid="later-list"')
    assert due_part.count('data-testid="warning-card"') == TODAY_PAGE_SIZE
    assert response.context["due_count"] == TODAY_PAGE_SIZE + 2
    assert later_part.count('data-testid="warning-card"') == TODAY_LATER_SHOWN
    assert response.context["later_count"] == TODAY_LATER_SHOWN + 3
    assert 'data-testid="later-more"' in response.text
    assert reverse("warnings_followup:queue") in later_part


def test_a_village_team_sees_all_its_other_open_cases_without_a_link(client, grid_a, village_a):
    open_warnings(village_a, 3, due=False)
    client.force_login(grid_a)

    response = client.get(reverse("warnings_followup:today"))

    assert response.context["later_count"] == 3
    assert 'data-testid="later-more"' not in response.text


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("police", "warnings_followup:queue"),
        ("police", "warnings_followup:today"),
        ("police", "warnings_followup:kpi"),
        ("head_a", "warnings_followup:queue"),
        ("head_a", "warnings_followup:today"),
        ("head_a", "warnings_followup:kpi"),
    ],
)
def test_the_daily_pages_run_the_same_queries_for_ten_or_a_hundred_warnings(
    request, client, user, url, village_a, django_assert_max_num_queries
):
    def make(count):
        open_warnings(village_a, count, due=True)
        open_warnings(village_a, count, due=False)
        factories.WarningFactory.create_batch(count, village=village_a, status=WarningStatus.CLOSED)

    make(4)
    client.force_login(request.getfixturevalue(user))
    client.get(reverse(url))  # the scope's unit ids and the cached reports from the first request on
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(url))
    make(30)
    client.get(reverse(url))
    with django_assert_max_num_queries(30) as many:
        assert client.get(reverse(url)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_kpi_page_shows_a_new_warning_at_once(client, police, village_a):
    """The KPIs are cached, until a warning or a visit is written."""
    open_warnings(village_a, 2, due=False)
    client.force_login(police)
    before = client.get(reverse("warnings_followup:kpi")).context["report"].total.not_closed

    open_warnings(village_a, 1, due=False)

    assert client.get(reverse("warnings_followup:kpi")).context["report"].total.not_closed == before + 1


def test_police_today_is_a_few_light_queries_whatever_the_number_of_open_cases(client, police, village_a):
    """A page of due visits (counted), the first other open cases and their count: the rows are chosen on the
    warnings alone and only the rows shown are joined to their people."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def today():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("warnings_followup:today"))
        assert response.status_code == 200
        return response, [q["sql"] for q in queries]

    open_warnings(village_a, 2, due=True)
    open_warnings(village_a, 2, due=False)
    client.force_login(police)
    today()
    _response, few = today()
    open_warnings(village_a, TODAY_PAGE_SIZE + 5, due=True)
    open_warnings(village_a, TODAY_LATER_SHOWN + 7, due=False)
    response, many = today()

    assert len(many) == len(few) <= 6
    rows = [sql for sql in many if "residents_resident" in sql and "warnings_followup_warningorder" in sql]
    assert len(rows) == 2 and all(" IN (SELECT " in sql and "LIMIT" in sql for sql in rows)
    assert response.context["due_count"] == TODAY_PAGE_SIZE + 7
    assert len(response.context["later"]) == TODAY_LATER_SHOWN
    assert response.context["later_count"] == TODAY_LATER_SHOWN + 9
    second = client.get(reverse("warnings_followup:today"), {"page": 2})
    assert len(second.context["due"]) == 7 and second.context["later"] == []
    shown = [w.pk for w in response.context["due"]] + [w.pk for w in second.context["due"]]
    assert len(set(shown)) == TODAY_PAGE_SIZE + 7
