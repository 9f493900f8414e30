"""The dashboard's cached parts (issue 13): closed months of the cases' trend, the oversight block (accountability
items, overdue rectifications, callbacks, summons suggestions) and the schools' compliance are read from the cache
when nothing changed — the page runs a small, fixed number of queries — and every write that changes them makes
the next page count again (compared with a recount through the uncached functions)."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment import dashboard, indicators
from assessment.models import AccountabilityStatus
from core import periods
from tests.education.factories import EducationSessionFactory, SemesterFactory
from tests.factories import SchoolFactory, VillageFactory, WarningFactory

from .factories import AccountabilityItemFactory, CallbackFactory, FraudCaseFactory, InspectionFactory

# The whole context and the page's body are cached: the user, the epoch (the context's and the target's), the
# towns' count, the bell; the session and the first request's one-offs leave room.
WARM_QUERIES = 8


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own: the shared one (files or Redis) is also written by other test processes, whose
    writes bump the report versions and would make a warm count count again."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"warm-{uuid.uuid4().hex}",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }


def last_month():
    return periods.current_month(timezone.localdate()).previous()


def reported_in(period, day=5):
    return timezone.make_aware(datetime.datetime.combine(period.first_day.replace(day=day), datetime.time(10)))


def recount(user, period):
    """The dashboard's cached parts computed again without the cache."""
    today = timezone.localdate()
    months = periods.last_months(dashboard.TREND_MONTHS, min(period.last_day, today))
    trend = []
    for month in months:
        cases = indicators.cases_for(user).filter(reported_at__gte=month.start, reported_at__lt=month.end)
        trend.append({"month": month.key, "cases": cases.count(), "loss": float(sum(c.loss_amount for c in cases))})
    oversight = dashboard._oversight(user=user, today=today)
    return trend, oversight, dashboard.school_compliance(user=user, today=today)


def assert_matches_recount(user, period):
    context = dashboard.dashboard_context(user=user, period=period)
    trend, oversight, schools = recount(user, period)
    assert context["trend"] == trend
    assert context["item_counts"] == oversight["item_counts"]
    assert context["callbacks"] == oversight["callbacks"]
    assert [i.pk for i in context["open_items"]] == [i.pk for i in oversight["open_items"]]
    assert [i.pk for i in context["overdue_inspections"]] == [i.pk for i in oversight["overdue_inspections"]]
    assert [(s.village.pk, s.reasons) for s in context["suggestions"]] == [
        (s.village.pk, s.reasons) for s in oversight["suggestions"]
    ]
    assert [(s.school.pk, s.staff_sessions and s.staff_sessions.done) for s in context["schools"]] == [
        (s.school.pk, s.staff_sessions and s.staff_sessions.done) for s in schools
    ]
    return context


@pytest.fixture
def busy_town(town, village_a, village_b):
    month = last_month()
    FraudCaseFactory(village=village_a, reported_at=reported_in(month), loss_amount=Decimal("100"))
    FraudCaseFactory(village=village_b, reported_at=reported_in(month.previous()), loss_amount=Decimal("50"))
    WarningFactory(village=village_a)
    AccountabilityItemFactory(unit=village_a)
    InspectionFactory(unit=village_b, rectification_deadline=datetime.date(2020, 1, 1))
    return town


def test_a_warm_dashboard_runs_a_fixed_number_of_queries(client, leader, busy_town, django_assert_max_num_queries):
    client.force_login(leader)
    for key in (last_month().key, str(timezone.localdate().year)):
        client.get(f"/assessment/?period={key}")  # fills the caches
        for _index in range(3):  # more villages, cases and items change nothing in the count
            village = VillageFactory(parent=busy_town)
            FraudCaseFactory(village=village, reported_at=reported_in(last_month().previous()))
        client.get(f"/assessment/?period={key}")
        with django_assert_max_num_queries(WARM_QUERIES):
            assert client.get(f"/assessment/?period={key}").status_code == 200
        with django_assert_max_num_queries(WARM_QUERIES):
            assert client.get(f"/assessment/bulletin/?period={key}").status_code == 200


def test_a_case_in_a_closed_month_shows_in_the_trend(leader, busy_town, village_a):
    period = last_month()
    first = assert_matches_recount(leader, period)
    FraudCaseFactory(village=village_a, reported_at=reported_in(period, day=9), loss_amount=Decimal("7"))
    second = assert_matches_recount(leader, period)
    assert second["trend"][-1]["cases"] == first["trend"][-1]["cases"] + 1
    case = FraudCaseFactory(village=village_a, reported_at=reported_in(period.previous()))
    assert_matches_recount(leader, period)
    case.reported_at = reported_in(period)  # moved to another month: both months count again
    case.save()
    assert_matches_recount(leader, period)
    case.delete()
    assert_matches_recount(leader, period)


def test_the_open_month_is_counted_at_every_view(leader, busy_town, village_a):
    period = periods.current_month(timezone.localdate())
    first = assert_matches_recount(leader, period)
    FraudCaseFactory(village=village_a, reported_at=timezone.now())
    assert assert_matches_recount(leader, period)["trend"][-1]["cases"] == first["trend"][-1]["cases"] + 1


def test_accountability_inspections_and_callbacks_count_again_after_a_write(leader, busy_town, village_a):
    period = last_month()
    assert assert_matches_recount(leader, period)["item_counts"]["open"] == 1
    item = AccountabilityItemFactory(unit=village_a)
    assert assert_matches_recount(leader, period)["item_counts"]["open"] == 2
    item.status = AccountabilityStatus.CLOSED
    item.save()
    assert assert_matches_recount(leader, period)["item_counts"]["open"] == 1
    inspection = InspectionFactory(unit=village_a, rectification_deadline=datetime.date(2020, 2, 1))
    assert len(assert_matches_recount(leader, period)["overdue_inspections"]) == 2
    inspection.delete()
    assert len(assert_matches_recount(leader, period)["overdue_inspections"]) == 1
    CallbackFactory(case__village=village_a, village=village_a)
    assert assert_matches_recount(leader, period)["callbacks"]["pending"] >= 1


def test_the_schools_compliance_counts_again_after_an_education_write(leader, busy_town):
    today = timezone.localdate()
    school = SchoolFactory(parent=busy_town)
    semester = SemesterFactory(
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=90)
    )
    period = last_month()
    assert_matches_recount(leader, period)
    EducationSessionFactory(school=school, semester=semester, held_on=today - datetime.timedelta(days=1))
    context = assert_matches_recount(leader, period)
    assert [s.staff_sessions.done for s in context["schools"] if s.school.pk == school.pk] == [1]


def _number(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    assert found, testid
    return found.group(1).strip()


def test_the_warm_page_shows_every_write_at_once(client, leader, busy_town, village_a):
    """The context and the page's body are kept under the versions of what they read: a warning, a case, an
    accountability item, a door visit or a publicity activity written makes the next page count again."""
    from tests.campaigns.factories import DoorVisitFactory
    from tests.factories import HouseholdFactory
    from tests.publicity.factories import ActivityFactory

    month = periods.current_month(timezone.localdate())
    url = f"/assessment/?period={month.key}"
    client.force_login(leader)

    def page():
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode(), response.context["report"]

    household = HouseholdFactory(village=village_a)
    first, report = page()
    assert _number(page()[0], "pipeline-open") == _number(first, "pipeline-open")  # from the cache
    WarningFactory(village=village_a)
    second, _report = page()
    assert int(_number(second, "pipeline-open")) == int(_number(first, "pipeline-open")) + 1
    FraudCaseFactory(village=village_a, reported_at=timezone.now())
    third, report = page()
    assert int(_number(third, "total-cases")) == int(_number(second, "total-cases")) + 1
    AccountabilityItemFactory(unit=village_a)
    fourth, _report = page()
    assert int(_number(fourth, "open-items")) == int(_number(third, "open-items")) + 1

    row = next(r for r in report.rows if r.unit.pk == village_a.pk)
    DoorVisitFactory(household=household)
    _page, report = page()
    assert next(r for r in report.rows if r.unit.pk == village_a.pk).households_visited == row.households_visited + 1
    ActivityFactory(unit=village_a, held_on=timezone.localdate())
    _page, report = page()
    after = next(r for r in report.rows if r.unit.pk == village_a.pk)
    assert after.publicity_activities == row.publicity_activities + 1


def test_the_page_is_cached_per_language(client, leader, busy_town):
    client.force_login(leader)
    url = f"/assessment/?period={last_month().key}"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Print the bulletin" in english
    assert "Print the bulletin" not in chinese


def test_the_bulletin_sections_count_again_after_a_write(leader, busy_town, publicity_office, village_a):
    from assessment import bulletin
    from organization.models import UnitKind

    period = last_month()
    first = bulletin.sections(user=leader, period=period)
    assert bulletin.sections(user=leader, period=period)[UnitKind.DEPARTMENT].inspections == []  # cached
    InspectionFactory(unit=publicity_office, inspected_on=period.first_day.replace(day=3), score=Decimal("75"))
    AccountabilityItemFactory(unit=village_a, created_at=reported_in(period))
    second = bulletin.sections(user=leader, period=period)
    assert [i.score for i in second[UnitKind.DEPARTMENT].inspections] == [Decimal("75")]
    assert len(second[UnitKind.VILLAGE].items) == len(first[UnitKind.VILLAGE].items) + 1
