"""The KPI page: hand-computed figures for a small town, who may see them, and what it costs.

Today is 2026-03-20 (Shanghai). Village A (联和村) and village B (下柏村):

====  ===  =======================  ===========  =============  =========================================
case  vil  pushed (local)           acknowledged police first  state, in-person visits (due → visited)
                                                 dissuasion
====  ===  =======================  ===========  =============  =========================================
W1    A    03-01 09:00              +30 min      +1 h           following up; 03-04→03-04 on time,
                                                                03-07→03-08 late, (phone 03-09),
                                                                03-11→03-11 on time; due 03-14: overdue
W2    A    03-02 08:00              +2 h         +3 h           closed after dissuasion; 03-05→03-06 00:10
                                                                late (on time if dates were taken in UTC)
W3    B    03-03 20:00              +12 h        +2 h           defrauded 03-10, ¥50,000; 03-06→03-07 late
W4    B    03-05 10:00              +5 min       —              release requested
W5    A    03-19 12:00              —            —              pushed; due 03-22 (not yet)
W6    A    01-01 09:00              +10 min      +5 h           following up, window ended 01-31;
                                                                01-04→01-22 late, 01-25→01-30 late,
                                                                (02-02 is after the window: 02-05 not counted)
W7    B    02-10 09:00              —            —              closed after fraud on 02-20, ¥1,000.50
W8    other town (out of every fixture user's scope): pushed, +1 min, visits that would count
====  ===  =======================  ===========  =============  =========================================

The team's first in-person contact: W1 at 03-04 15:00 (+3 d 6 h), W3 at 03-07 08:00 (+3 d 12 h).
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessment import figures
from tests import factories
from warnings_followup import kpis
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 3, 20)
URL = reverse("warnings_followup:kpi")
S = WarningStatus


def at(month, day, hour=9, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def minutes(n):
    return datetime.timedelta(minutes=n)


def make_warning(village, pushed, *, ack=None, contact=None, team=None, status=S.FOLLOWING_UP, next_due=None, **fields):
    return factories.WarningFactory(
        village=village,
        pushed_at=pushed,
        acknowledged_at=pushed + ack if ack is not None else None,
        first_dissuasion_at=pushed + contact if contact is not None else None,
        first_team_contact_at=team,
        status=status,
        next_visit_due=next_due,
        **fields,
    )


def visits(warning, *moments, method="in_person"):
    for moment in moments:
        factories.FollowUpVisitFactory(warning=warning, visited_at=moment, method=method)


@pytest.fixture
def town_cases(village_a, village_b):
    w1 = make_warning(
        village_a,
        at(3, 1),
        ack=minutes(30),
        contact=minutes(60),
        team=at(3, 4, 15),
        next_due=datetime.date(2026, 3, 14),
    )
    visits(w1, at(3, 4, 15), at(3, 8, 10), at(3, 11, 23, 30))
    visits(w1, at(3, 9, 10), method="phone")
    w2 = make_warning(
        village_a, at(3, 2, 8), ack=minutes(120), contact=minutes(180), status=S.CLOSED, dissuaded_at=at(3, 6)
    )
    visits(w2, at(3, 6, 0, 10))  # 16:10 UTC on the 5th: late by the local date
    w3 = make_warning(
        village_b,
        at(3, 3, 20),
        ack=minutes(720),
        contact=minutes(120),
        team=at(3, 7, 8),
        status=S.DEFRAUDED,
        defrauded_on=datetime.date(2026, 3, 10),
        loss_amount=Decimal("50000"),
    )
    visits(w3, at(3, 7, 8))
    make_warning(village_b, at(3, 5, 10), ack=minutes(5), status=S.RELEASE_REQUESTED, dissuaded_at=at(3, 8))
    make_warning(village_a, at(3, 19, 12), status=S.PUSHED, next_due=datetime.date(2026, 3, 22))
    w6 = make_warning(village_a, at(1, 1), ack=minutes(10), contact=minutes(300), next_due=datetime.date(2026, 2, 8))
    visits(w6, at(1, 22), at(1, 30), at(2, 5))
    make_warning(
        village_b,
        at(2, 10),
        status=S.CLOSED,
        defrauded_on=datetime.date(2026, 2, 20),
        loss_amount=Decimal("1000.50"),
    )
    other_village = factories.VillageFactory(code="XV", parent=factories.TownFactory(code="T2"))
    w8 = make_warning(other_village, at(3, 1), ack=minutes(1), contact=minutes(1), next_due=datetime.date(2026, 3, 1))
    visits(w8, at(3, 2), at(3, 3))


def by_code(report):
    return {row.village.code: row for row in report.villages}


# --- The figures ----------------------------------------------------------------------------------


def test_cases_not_yet_closed_are_counted_by_village_and_state(police, town_cases):
    rows = by_code(kpis.kpi_report(user=police, today=TODAY))
    assert set(rows) == {"VA", "VB"}
    assert rows["VA"].by_status == {
        S.PUSHED: 1,
        S.FOLLOWING_UP: 2,
        S.DISSUADED: 0,
        S.RELEASE_REQUESTED: 0,
        S.RELEASED: 0,
        S.DEFRAUDED: 0,
    }
    assert rows["VA"].not_closed == 3 and rows["VA"].closed == 1
    assert rows["VA"].overdue == 1  # W1
    assert rows["VA"].window_ended == 1  # W6
    assert rows["VB"].by_status[S.DEFRAUDED] == 1 and rows["VB"].by_status[S.RELEASE_REQUESTED] == 1
    assert rows["VB"].not_closed == 2 and rows["VB"].closed == 1


def test_push_to_acknowledge_and_police_first_dissuasion_median_and_90th_percentile(police, town_cases):
    report = kpis.kpi_report(user=police, today=TODAY)
    rows = by_code(report)
    # All: acknowledged after 300, 600, 1800, 7200, 43200 s; police first dissuasion after 3600, 7200, 10800, 18000 s.
    assert report.total.acknowledge == kpis.DurationStats(count=5, median=1800, p90=28800)
    assert report.total.first_dissuasion == kpis.DurationStats(count=4, median=9000, p90=15840)
    # Village A: 600, 1800, 7200 and 3600, 10800, 18000. Village B: 300, 43200 and 7200.
    assert rows["VA"].acknowledge == kpis.DurationStats(count=3, median=1800, p90=6120)
    assert rows["VA"].first_dissuasion == kpis.DurationStats(count=3, median=10800, p90=16560)
    assert rows["VB"].acknowledge == kpis.DurationStats(count=2, median=21750, p90=38910)
    assert rows["VB"].first_dissuasion == kpis.DurationStats(count=1, median=7200, p90=7200)


def test_push_to_the_teams_first_in_person_contact_is_its_own_figure(police, town_cases):
    report = kpis.kpi_report(user=police, today=TODAY)
    rows = by_code(report)
    # W1 after 280800 s (3 d 6 h), W3 after 302400 s (3 d 12 h).
    assert report.total.team_contact == kpis.DurationStats(count=2, median=291600, p90=300240)
    assert rows["VA"].team_contact == kpis.DurationStats(count=1, median=280800, p90=280800)
    assert rows["VB"].team_contact == kpis.DurationStats(count=1, median=302400, p90=302400)


def test_speed_acknowledged_within_the_reminder_hours_and_police_within_a_day(police, town_cases):
    """ "能快一秒是一秒": the shares in time, over the pushes that can be judged (done, or the time is up)."""
    report = kpis.kpi_report(user=police, today=TODAY, now=at(3, 20, 12))
    # Acknowledged within 2 h: W1 (30 min), W2 (2 h exactly), W4, W6; judged: those 5 acknowledged + W5, W7.
    assert (report.total.acknowledged_in_time, report.total.acknowledged_in_time_of) == (4, 7)
    # Police first dissuasion within 24 h: W1, W2, W3, W6; judged: those 4 + W4, W5 (24 h exactly), W7.
    assert (report.total.dissuaded_in_time, report.total.dissuaded_in_time_of) == (4, 7)
    assert report.total.dissuaded_in_time_rate == pytest.approx(4 / 7)


def test_the_speed_hours_are_settings(police, town_cases, settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "ACK_REMINDER_HOURS": 1}
    report = kpis.kpi_report(user=police, today=TODAY, now=at(3, 20, 12))
    assert report.total.acknowledged_in_time == 3  # W2 (2 h) is now late


def test_on_time_visit_rate_follows_the_three_day_clock(police, town_cases):
    report = kpis.kpi_report(user=police, today=TODAY)
    rows = by_code(report)
    # A: W1 3 due (2 on time) + its overdue 03-14; W2 1 (late); W6 2 (late), 02-05 after the window.
    assert (rows["VA"].visits_due, rows["VA"].visits_on_time, rows["VA"].missed_now) == (6, 2, 1)
    assert rows["VA"].on_time_rate == pytest.approx(2 / 7)
    # B: W3 visited a day late.
    assert (rows["VB"].visits_due, rows["VB"].visits_on_time, rows["VB"].missed_now) == (1, 0, 0)
    assert rows["VB"].on_time_rate == 0
    assert report.total.on_time_rate == pytest.approx(2 / 8)


def test_dissuasion_rate_defrauded_count_and_pending_releases(police, town_cases):
    report = kpis.kpi_report(user=police, today=TODAY)
    rows = by_code(report)
    # Decided: W2 (closed after dissuasion), W3 (defrauded), W4 (release requested), W7 (closed after fraud).
    assert (report.total.decided, report.total.dissuaded) == (4, 2)
    assert report.total.dissuasion_rate == 0.5
    assert rows["VA"].dissuasion_rate == 1
    assert rows["VB"].dissuasion_rate == pytest.approx(1 / 3)
    assert report.total.defrauded == 2 and rows["VB"].defrauded == 2
    assert report.total.loss == Decimal("51000.50")
    assert report.total.pending_releases == 1


def test_a_period_counts_only_the_warnings_pushed_in_it(police, town_cases):
    report = kpis.kpi_report(user=police, today=TODAY, since=datetime.date(2026, 3, 1))
    assert report.total.acknowledge == kpis.DurationStats(count=4, median=4500, p90=32400)
    assert report.total.decided == 3  # W7 falls outside


def test_no_warnings_gives_empty_figures_not_errors(police, village_a):
    report = kpis.kpi_report(user=police, today=TODAY)
    assert report.total.acknowledge == kpis.DurationStats()
    assert report.total.on_time_rate is None and report.total.dissuasion_rate is None
    assert [row.village.code for row in report.villages] == ["VA"]


def test_a_village_team_scope_sees_only_its_village(head_a, town_cases):
    report = kpis.kpi_report(user=head_a, today=TODAY)
    assert [row.village.code for row in report.villages] == ["VA"]
    assert report.total.acknowledge.count == 3


def test_postgresql_and_the_portable_path_agree(police, town_cases, monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("percentile_cont runs on PostgreSQL only")
    native = kpis.kpi_report(user=police, today=TODAY)
    monkeypatch.setattr(connection, "vendor", "portable")
    portable = kpis.kpi_report(user=police, today=TODAY)
    assert native.total.acknowledge == portable.total.acknowledge
    assert native.total.first_dissuasion == portable.total.first_dissuasion
    assert native.total.team_contact == portable.total.team_contact
    assert [row.acknowledge for row in native.villages] == [row.acknowledge for row in portable.villages]


# --- The page -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def on_today(travel_to):
    travel_to(TODAY)


@pytest.mark.parametrize("who", ["police", "leader", "zongzhi"])
def test_police_leadership_and_governance_see_the_kpis(client, request, who, town_cases, village_b):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    assert [row.village.code for row in response.context["report"].villages] == ["VA", "VB"]
    assert b'id="kpi-data"' in response.content and b"echarts.charts.min.js" in response.content


@pytest.mark.parametrize("who", ["grid_a", "head_a"])
def test_a_village_head_and_team_see_their_own_village_only(client, request, who, town_cases):
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    assert [row.village.code for row in response.context["report"].villages] == ["VA"]
    assert response.context["report"].total.not_closed == 3
    html = response.content.decode()
    assert "下柏村" not in html and 'data-village="VB"' not in html
    assert reverse("plan_rules") in html  # the figures' rules, explained


@pytest.mark.parametrize("who", ["school", "outsider"])
def test_others_get_not_found(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_chart_data_and_tables_carry_the_same_numbers(client, police, town_cases, on_today):
    client.force_login(police)
    response = client.get(URL)
    data = response.context["kpi_data"]
    assert data["villages"] == ["联和村", "下柏村"]
    assert data["open_by_status"][0]["values"] == [1, 0]  # pushed
    assert data["on_time_rate"] == [28.6, 0.0]
    html = response.content.decode()
    assert 'data-testid="kpi-total-dissuasion-rate">50.0%' in html
    assert 'data-testid="kpi-total-defrauded">2<' in html
    assert "<script>" not in html  # CSP: no inline script, only the JSON block


def test_the_period_filter_narrows_the_page(client, police, town_cases, on_today):
    client.force_login(police)
    response = client.get(URL, {"period": "30"})
    assert response.context["report"].since == datetime.date(2026, 2, 18)
    assert response.context["report"].total.decided == 3
    assert client.get(URL, {"period": "nonsense"}).context["report"].since is None


def _town_of(town, villages, warnings):
    for index in range(villages):
        village = factories.VillageFactory(code=f"V{villages}-{index}", parent=town)
        for _ in range(warnings):
            warning = make_warning(village, at(3, 1), ack=minutes(5), contact=minutes(50))
            visits(warning, at(3, 3), at(3, 6))


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_runs_a_bounded_number_of_queries(client, leader, town, django_assert_max_num_queries):
    _town_of(town, villages=1, warnings=1)
    client.force_login(leader)
    client.get("/")  # the session's first request writes its idle stamp; later ones read it from the cache
    client.get(URL)  # the first report creates the database's report epoch (once)
    figures.bump_live()  # the KPIs are cached until a warning or a visit is written: as if one were
    with django_assert_max_num_queries(16):
        few = _queries(client, URL)
    _town_of(town, villages=6, warnings=4)
    client.get(URL)  # new villages: the scope's unit ids are worked out again, once
    figures.bump_live()
    assert _queries(client, URL) == few
    assert len(client.get(URL).context["report"].villages) == 7


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (0, "0 min"),
        (1800, "30 min"),
        (3600, "1 h"),
        (6120, "1 h 42 min"),
        (86400, "1 d"),
        (97200, "1 d 3 h"),
    ],
)
def test_durations_read_as_days_hours_and_minutes(seconds, shown):
    from warnings_followup.kpi_views import format_duration

    assert format_duration(seconds) == shown


def test_the_page_shows_times_in_words(client, police, town_cases, on_today):
    client.force_login(police)
    html = client.get(URL).content.decode()
    assert 'data-testid="kpi-total-acknowledge-median">30 min<' in html
    assert 'data-testid="kpi-total-first-dissuasion-median">2 h 30 min<' in html
    assert 'data-testid="kpi-total-team-contact-median">3 d 9 h<' in html
