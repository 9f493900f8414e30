"""The coverage counters: every kind of write keeps them equal to a full recount, and a visit costs eight statements.

Each story step goes through the services (as the pages, the API and the import do) and then asks
``coverage_recount(check=True)`` whether any counter differs from counting the rows again.
"""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import services
from campaigns.counters import coverage_recount, week_of
from campaigns.coverage import coverage_by_unit, coverage_for, weekly_series
from campaigns.models import CoverageWeek, GridCoverage, PledgeMethod
from core.uploads import signature_png
from core.validators import make_id_number
from residents import services as registry
from residents.importing import residents_import
from tests.campaigns.test_api import body
from tests.factories import GridFactory
from tests.residents.test_import import csv_sheet, person

from .factories import signature_data_url

pytestmark = pytest.mark.django_db
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(context) -> list[str]:
    """The SQL a request ran, transaction control (BEGIN/COMMIT, the test's savepoints) aside."""
    return [query["sql"] for query in context.captured_queries if not query["sql"].startswith(TRANSACTION_CONTROL)]


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement counters and the one-query caller are PostgreSQL's (SQLite takes a few more)")


def assert_counters_match():
    difference = coverage_recount(check=True)
    assert not difference, difference.describe()


def signature():
    return signature_png(signature_data_url())


def id_number(n):
    return make_id_number("440605", datetime.date(1980, 1, 1) + datetime.timedelta(days=n), n % 1000)


def visit(actor, household, *, home=True, installed=False, at=None):
    return services.door_visit_record(
        actor=actor,
        household=household,
        client_id=uuid.uuid4(),
        visited_at=at or timezone.now(),
        someone_home=home,
        app_installed=installed,
    ).visit


@pytest.fixture
def grid_a2(village_a):
    return GridFactory(code="VA-02", parent=village_a)


def test_every_kind_of_write_keeps_the_counters_equal_to_a_recount(grid_a, village_a, grid_a1, grid_a2):
    home = registry.household_create(village=village_a, grid=grid_a1, address="东街1号", user=grid_a)
    assert_counters_match()
    chen = registry.resident_create(name="陈大文", id_number=id_number(1), household=home, user=grid_a)
    wife = registry.resident_create(name="李小红", id_number=id_number(2), household=home, user=grid_a)
    registry.resident_create(name="无户口", id_number=id_number(3), village=village_a, user=grid_a)
    assert_counters_match()
    figures = coverage_for(grid_a1)
    assert (figures.households, figures.residents, figures.households_visited) == (1, 2, 0)

    visit(grid_a, home, home=False)  # nobody at home: a visit this week, the household still to visit
    assert_counters_match()
    assert (coverage_for(grid_a1).households_visited, coverage_for(grid_a1).visits_this_week) == (0, 1)

    reached = visit(grid_a, home, home=True)
    visit(grid_a, home, home=True, installed=True)  # a second visit: counted once, but the app was installed
    assert_counters_match()
    figures = coverage_for(grid_a1)
    assert (figures.households_visited, figures.app_installs, figures.visits_this_week) == (1, 1, 3)

    services.pledge_record(
        actor=grid_a,
        resident=chen,
        client_id=uuid.uuid4(),
        image=signature(),
        method=PledgeMethod.SIGNED_ON_PHONE,
        visit=reached,
    )
    assert_counters_match()
    assert coverage_for(grid_a1).residents_pledged == 1

    # Recorded late: a visit three weeks ago that found them at home moves the week the household was reached.
    visit(grid_a, home, home=True, at=timezone.now() - datetime.timedelta(weeks=3))
    assert_counters_match()

    new_home = registry.household_create(village=village_a, grid=grid_a2, address="西街9号", user=grid_a)
    registry.resident_update(resident=chen, household=new_home, user=grid_a)  # moves with the pledge
    assert_counters_match()
    assert (coverage_for(grid_a1).residents_pledged, coverage_for(grid_a2).residents_pledged) == (0, 1)

    registry.household_update(household=home, grid=grid_a2, user=grid_a)  # the whole household changes grid
    assert_counters_match()
    assert coverage_for(grid_a1).households == 0
    assert coverage_for(grid_a2).households_visited == 1

    registry.household_update(household=home, grid=None, user=grid_a)  # back to the village, without a grid
    registry.resident_update(resident=wife, household=None, user=grid_a)
    assert_counters_match()
    assert coverage_for(village_a).households == 2


def test_an_import_recounts_the_villages_it_touched(leader, village_a, village_b, grid_a1, grid_b1):
    rows = [person(n) for n in range(6)] + [person(n, village="VB", grid="VB-01") for n in range(6, 9)]
    outcome = residents_import(data=csv_sheet(rows), user=leader, dry_run=False)
    assert outcome.ok, outcome.errors
    assert_counters_match()
    assert coverage_for(grid_a1).residents == 6
    # Moved to the other village by a second sheet: both villages recounted.
    outcome = residents_import(
        data=csv_sheet([person(0, village="VB", grid="VB-01", address="新村1号")]), user=leader, dry_run=False
    )
    assert outcome.ok, outcome.errors
    assert_counters_match()
    assert (coverage_for(grid_a1).residents, coverage_for(grid_b1).residents) == (5, 4)


def test_recount_coverage_check_fails_on_a_wrong_counter_and_the_plain_run_corrects_it(grid_a, village_a, grid_a1):
    home = registry.household_create(village=village_a, grid=grid_a1, address="东街1号", user=grid_a)
    visit(grid_a, home)
    call_command("recount_coverage", "--check", stdout=io.StringIO())  # all equal: exits normally
    GridCoverage.objects.filter(unit=grid_a1).update(households_visited=5)
    CoverageWeek.objects.filter(unit=grid_a1).delete()
    with pytest.raises(SystemExit) as exit_info:
        call_command("recount_coverage", "--check", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 1
    out = io.StringIO()
    call_command("recount_coverage", stdout=out)
    assert "Corrected 1 grid and 1 weekly counters" in out.getvalue()
    call_command("recount_coverage", "--check", stdout=io.StringIO())
    assert CoverageWeek.objects.get(unit=grid_a1, week=week_of(timezone.now())).households_reached == 1


def test_a_door_visit_post_runs_at_most_eight_statements_counters_included(api_as, grid_a, household_a):
    postgresql_only()
    client = api_as(grid_a)
    client.post("/api/v1/door-visits/", body(household_a), format="json")  # warm caches (content types)
    with CaptureQueriesContext(connection) as context:
        response = client.post("/api/v1/door-visits/", body(household_a), format="json")
    assert response.status_code == 201
    assert response.json()["visitors"] == [grid_a.username]
    # token, caller, household (locked), client id, visit, visitor, counters, audit event
    assert len(statements(context)) <= 8, statements(context)
    assert_counters_match()


def test_the_same_post_with_the_django_fixture(api_as, grid_a, household_a, django_assert_max_num_queries):
    postgresql_only()
    client = api_as(grid_a)
    client.post("/api/v1/door-visits/", body(household_a), format="json")
    with django_assert_max_num_queries(8 + 2):  # the eight statements, and the savepoint pair of the test's transaction
        assert client.post("/api/v1/door-visits/", body(household_a), format="json").status_code == 201


def test_coverage_now_reads_the_counters_in_three_queries_whatever_the_units(
    town, village_a, grid_a1, household_a, grid_a, django_assert_max_num_queries
):
    visit(grid_a, household_a)
    with django_assert_max_num_queries(3):
        figures = coverage_by_unit([town, village_a, grid_a1])
    assert figures[town.pk].households_visited == figures[grid_a1.pk].households_visited == 1
    assert figures[town.pk].as_dict() == coverage_for(town, as_of=timezone.now()).as_dict()
    with django_assert_max_num_queries(1):
        series = weekly_series(town)
    assert series.households_visited[-1] == 1
    assert series.visits[-1] == 1


def test_the_registers_count_their_pages_from_the_counters(
    grid_a, police, household_a, household_b, django_assert_max_num_queries
):
    from campaigns import selectors
    from campaigns.models import DoorVisit, Pledge
    from tests.factories import ResidentFactory

    from .factories import DoorVisitFactory, PledgeFactory

    visit(grid_a, household_a, home=False)
    reached = visit(grid_a, household_a)
    DoorVisitFactory(household=household_b)
    PledgeFactory(visit=reached, resident=household_a.members.first())
    PledgeFactory(resident=ResidentFactory(village=household_a.village))  # no household: counted apart
    for user in (grid_a, police):
        DoorVisit.objects.for_user(user).exists()  # the user's scope, looked up once per request
        with django_assert_max_num_queries(2):
            counts = (selectors.visits_count(user=user), selectors.pledges_count(user=user))
        assert counts == (DoorVisit.objects.for_user(user).count(), Pledge.objects.for_user(user).count())
    assert selectors.visits_count(user=police, params={"someone_home": "true"}) is None
