"""The indicators page and ``GET /api/v1/indicators/`` read the report from the cache when nothing changed (issue
13): a fixed number of queries however many villages and cases, and every write that changes a figure makes the
next answer count again (compared with the report computed without the cache)."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment import indicators
from core import periods
from tests.factories import VillageFactory, WarningFactory

from .factories import FraudCaseFactory, InspectionFactory

pytestmark = pytest.mark.django_db
WARM_QUERIES = {"page": 6, "api": 4}  # the user, the epoch (report, departments), the bell; the session


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


def this_year():
    return periods.parse_period(str(timezone.localdate().year))


def reported(day=None):
    return timezone.make_aware(datetime.datetime.combine(day or timezone.localdate(), datetime.time(10)))


def fresh(user, period):
    """The report computed again, without the cache."""
    return indicators._indicator_report(user=user, period=period, today=timezone.localdate(), villages=None)


def figures_of(report):
    return [
        (r.unit.pk, r.cases, r.loss, r.inspections, r.dissuaded, r.decided, r.due, r.score, r.rank, r.band)
        for r in report.rows
    ]


@pytest.mark.parametrize("url", ["/assessment/indicators/?period={year}", "/api/v1/indicators/?period={year}"])
def test_a_warm_report_runs_a_fixed_number_of_queries(
    client, leader, town, village_a, village_b, url, django_assert_max_num_queries
):
    url = url.format(year=this_year().key)
    client.force_login(leader)
    FraudCaseFactory(village=village_a, reported_at=reported())
    client.get(url)
    for _index in range(3):  # more villages and cases change nothing in the count
        village = VillageFactory(parent=town)
        FraudCaseFactory(village=village, reported_at=reported())
        InspectionFactory(unit=village, score=Decimal("80"))
    client.get(url)
    with django_assert_max_num_queries(WARM_QUERIES["api" if "api" in url else "page"]):
        assert client.get(url).status_code == 200


def test_the_cached_report_follows_every_write(leader, town, village_a, village_b):
    period = this_year()
    first = indicators.indicator_report(user=leader, period=period)
    assert figures_of(first) == figures_of(fresh(leader, period))
    FraudCaseFactory(village=village_a, reported_at=reported(), loss_amount=Decimal("300"))
    second = indicators.indicator_report(user=leader, period=period)
    assert figures_of(second) == figures_of(fresh(leader, period))
    assert second.total_cases == first.total_cases + 1
    InspectionFactory(unit=village_b, score=Decimal("40"))
    WarningFactory(village=village_b)
    third = indicators.indicator_report(user=leader, period=period)
    assert figures_of(third) == figures_of(fresh(leader, period))
    village_b.population = 12345  # a unit written (cases per 10,000 change)
    village_b.save()
    fourth = indicators.indicator_report(user=leader, period=period)
    assert next(r for r in fourth.rows if r.unit.pk == village_b.pk).population == 12345


def test_the_village_head_reads_their_own_row_from_their_own_entry(leader, head_a, town, village_a, village_b):
    period = this_year()
    FraudCaseFactory(village=village_b, reported_at=reported())
    assert len(indicators.indicator_report(user=leader, period=period).rows) >= 2
    rows = indicators.indicator_report(user=head_a, period=period).rows
    assert [r.unit.pk for r in rows] == [village_a.pk]
