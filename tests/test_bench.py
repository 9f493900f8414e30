"""The benchmark harness (``bench/``) still runs: its floor, its pages, its reminder scan and its reports.

No timing is asserted here (speed is the benchmark's business, ``make bench``); these tests only keep the
harness from breaking silently when the pages, the scans or the API change.
"""

import datetime

import pytest
from django.utils import timezone

from bench import exports, pages, reminders, visit_posters, world
from tests.factories import FollowUpVisitFactory, HouseholdFactory, ResidentFactory, WarningFactory
from warnings_followup.models import WarningStatus


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    pages._chosen.clear()
    yield
    pages._chosen.clear()


@pytest.fixture
def followed_case(village_a, grid_a1):
    person = ResidentFactory(household=HouseholdFactory(village=village_a, grid=grid_a1))
    warning = WarningFactory(
        village=village_a,
        person=person,
        status=WarningStatus.FOLLOWING_UP,
        pushed_at=timezone.now() - datetime.timedelta(days=20),
        next_visit_due=timezone.localdate() - datetime.timedelta(days=5),
    )
    FollowUpVisitFactory(warning=warning, visited_at=timezone.now() - datetime.timedelta(days=19))
    return warning


def test_the_floor_is_a_logged_in_page_outside_the_products_urls(client, bench_urls, leader, settings):
    from django.urls import Resolver404, resolve

    assert client.get("/__floor__/").status_code == 302  # to the login page
    client.force_login(leader)
    response = client.get("/__floor__/")
    assert response.status_code == 200
    assert b"floor" in response.content
    settings.ROOT_URLCONF = "luocun_antifraud.urls"
    with pytest.raises(Resolver404):
        resolve("/__floor__/")


def test_one_round_of_every_roles_pages(bench_urls, leader, police, head_a, grid_a, followed_case):
    rows = pages.measure_users([leader, police, head_a, grid_a], rounds=1)

    assert set(rows) == {"leader", "police", "head_a", "grid_a"}
    names = {row["page"] for row in rows["leader"]}
    assert {"home", "person file", "registry: posted ID search", "dashboard: year", "indicators API: year"} <= names
    timed = [row for role_rows in rows.values() for row in role_rows if "ratio" in row]
    assert timed, "no page answered 200"
    assert all(row["status"] == 200 and row["page_ms"] > 0 and row["floor_ms"] > 0 for row in timed)
    person_file = next(row for row in rows["head_a"] if row["page"] == "person file")
    assert person_file["path"] == f"/warnings/people/{followed_case.person_id}/"
    assert person_file["status"] == 200
    coverage = {row["page"]: row["status"] for row in rows["leader"] if row["page"].startswith("coverage")}
    assert coverage == {"coverage: grid": 200, "coverage: village": 200, "coverage: town": 200}

    results = {"scales": {"town": {"rounds": 1, "roles": rows}, "300000": {"rounds": 1, "roles": rows}}}
    assert any("person file" in line for line in pages.report(results))
    assert set(pages.goals(results)) == {
        "every page ≤ 3× the floor at 300,000 residents",
        "every page ≤ 1.3× its town-scale time (floor-normalised)",
    }


def test_the_reminder_scan_runs_eagerly_and_counts_what_it_claimed(followed_case):
    first = reminders._scan()
    again = reminders._scan()

    assert first["reminders_claimed"] >= 1
    assert again["reminders_claimed"] == 0
    assert first["queries"] > 0
    results = {
        "scales": {
            "300000": {
                "overdue_warnings": 1,
                "raw_count_ms": 1.0,
                "first_scan": first,
                "rescan_ms": 1.0,
                "rescan_queries": again["queries"],
            }
        }
    }
    assert len(reminders.report(results)) == 4
    assert len(reminders.goals(results)) == 2


def test_the_posters_get_tokens_and_a_share_of_their_villages_cases(followed_case):
    posters = visit_posters.make_posters(3)

    assert len(posters) == 3
    assert all(poster["token"] and poster["warnings"] == [followed_case.pk] for poster in posters)
    assert len({poster["username"] for poster in posters}) == 3


def test_the_reports_read_the_results_they_are_given():
    run = {"posters": 50, "pace_s": 1.0, "requests": 10, "errors": 0, "per_second": 5.0, "p50_ms": 10.0}
    posters = {
        "scales": {
            "300000": {
                "workers": 4,
                "single": {**run, "posters": 1, "pace_s": 0.0, "p95_ms": 20.0},
                "concurrent": {**run, "p95_ms": 60.0, "p95_over_single": 3.0},
                "paced": {**run, "p95_ms": 30.0, "p95_over_single": 1.5},
            }
        }
    }
    assert all(visit_posters.goals(posters).values())
    assert len(visit_posters.report(posters)) == 6

    web = {"status": 200, "content_type": "x", "seconds": 1.0, "rss_before_mb": 100.0, "peak_rss_mb": 150.0}
    export = {"scales": {"300000": {"rows": 300_000, "web": web, "seconds_per_700k": 2.3}}}
    assert all(exports.goals(export).values())
    assert len(exports.report(export)) == 4


def test_the_world_is_sized_from_the_environment(monkeypatch):
    monkeypatch.delenv("BENCH_RESIDENTS", raising=False)
    monkeypatch.delenv("BENCH_TOWNS", raising=False)
    assert world.default_residents() == 300_000
    assert world.default_towns(300_000) == 2
    assert world.default_towns(2_000_000) == 12
    monkeypatch.setenv("BENCH_TOWNS", "20")
    assert world.default_towns(2_000_000) == 20
    assert world.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95) == 10
    assert world.label("town") == "town" and world.label("300000") == "300k"
    parser = world.parser_for([pages, reminders, exports, visit_posters], "bench", "")
    options = parser.parse_args(["--rounds", "1"])
    assert options.rounds == 1 and options.posters == 50 and options.export_user == "admin"
