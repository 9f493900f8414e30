"""Indicator arithmetic against hand-computed figures, periods across month and quarter ends, scope, queries; and
the plan's 四(三) rankings: a missing indicator is missing, not perfect; a village below the door-knocking coverage
of the rules is not green; the last complete month by default; a village sees its own standing in the town."""

import datetime
from decimal import Decimal

import pytest

from assessment import figures, indicators
from core.periods import parse_period
from tests.factories import VillageFactory, WarningFactory
from warnings_followup.models import WarningStatus

from .factories import CallbackFactory, FraudCaseFactory, IndicatorWeightsFactory, InspectionFactory


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def town_cases(town, village_a, village_b):
    """VA (20,000 people): 2 cases in March (one of a warned victim), the last at 23:30 on 31 March, and one
    ten minutes into April. VB (5,000): one case in March. VC (30,000): no cases."""
    village_a.population, village_b.population = 20_000, 5_000
    village_a.save(), village_b.save()
    village_c = VillageFactory(code="VC", name="无案村", parent=town, population=30_000)
    warning = WarningFactory(village=village_a, pushed_at=at("2026-03-01T09:00+08:00"), status=WarningStatus.DISSUADED)
    FraudCaseFactory(
        village=village_a, reported_at=at("2026-03-05T10:00+08:00"), loss_amount=Decimal("1000"), warning=warning
    )
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-31T23:30+08:00"), loss_amount=Decimal("3000"))
    FraudCaseFactory(village=village_a, reported_at=at("2026-04-01T00:10+08:00"), loss_amount=Decimal("200"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-15T12:00+08:00"), loss_amount=Decimal("500"))
    InspectionFactory(unit=village_a, inspected_on=datetime.date(2026, 3, 20), score=Decimal("90"))
    return village_a, village_b, village_c


def by_code(report):
    return {row.unit.code: row for row in report.rows}


def test_cases_per_10k_has_two_decimals():
    assert indicators.per_10k(1, 30_000) == Decimal("0.33")
    assert indicators.per_10k(2, 30_000) == Decimal("0.67")
    assert indicators.per_10k(0, 8_000) == Decimal("0.00")
    assert indicators.per_10k(3, None) is None


def test_march_figures_and_the_case_at_2330_on_the_31st(leader, town_cases):
    IndicatorWeightsFactory(on_time_rate=Decimal("0"))  # the on-time rule is the warnings' (tested there)
    rows = by_code(
        indicators.indicator_report(user=leader, period=parse_period("2026-03"), today=datetime.date(2026, 5, 1))
    )
    a, b, c = rows["VA"], rows["VB"], rows["VC"]
    assert (a.cases, a.loss, a.cases_per_10k, a.defrauded_after_warning) == (2, Decimal("4000"), Decimal("1.00"), 1)
    assert (b.cases, b.loss, b.cases_per_10k, b.defrauded_after_warning) == (1, Decimal("500"), Decimal("2.00"), 0)
    assert (c.cases, c.loss, c.cases_per_10k, c.defrauded_after_warning) == (0, Decimal("0"), Decimal("0.00"), 0)
    assert a.inspection_score == Decimal("90.0") and b.inspection_score is None
    assert (a.dissuaded, a.decided, a.dissuasion_rate) == (1, 1, 1.0)
    assert b.dissuasion_rate is None
    # Scored: cases per 10,000, loss, defrauded after warning, dissuasion rate, inspection score (door-visit
    # coverage and callbacks: no village has them, left out). A missing indicator counts 0:
    # VA (0.5 + 0 + 0 + 1 + 0.9) / 5 = 48.0; VB (0 + 0.875 + 1 + 0 + 0) / 5 = 37.5; VC (1 + 1 + 1 + 0 + 0) / 5 = 60.
    assert (a.score, b.score, c.score) == (Decimal("48.0"), Decimal("37.5"), Decimal("60.0"))
    assert (c.rank, a.rank, b.rank) == (1, 2, 3)
    assert (a.band, b.band, c.band) == ("red", "red", "amber")
    assert a.missing == [] and b.missing == c.missing == ["dissuasion_rate", "inspection_score"]


def test_april_and_the_quarters(leader, town_cases):
    today = datetime.date(2026, 7, 1)
    april = by_code(indicators.indicator_report(user=leader, period=parse_period("2026-04"), today=today))
    assert (april["VA"].cases, april["VA"].loss, april["VA"].cases_per_10k) == (1, Decimal("200"), Decimal("0.50"))
    assert april["VB"].cases == 0
    q1 = by_code(indicators.indicator_report(user=leader, period=parse_period("2026-Q1"), today=today))
    q2 = by_code(indicators.indicator_report(user=leader, period=parse_period("2026-Q2"), today=today))
    assert (q1["VA"].cases, q2["VA"].cases) == (2, 1)
    year = by_code(indicators.indicator_report(user=leader, period=parse_period("2026"), today=today))
    assert (year["VA"].cases, year["VA"].loss, year["VA"].cases_per_10k) == (3, Decimal("4200"), Decimal("1.50"))


def test_weights_change_the_score(leader, town_cases):
    IndicatorWeightsFactory(
        cases_per_10k=Decimal("2"),
        loss=Decimal("0"),
        defrauded_after_warning=Decimal("0"),
        not_educated=Decimal("0"),
        inspection_score=Decimal("0"),
        dissuasion_rate=Decimal("0"),
        on_time_rate=Decimal("0"),
    )
    rows = by_code(indicators.indicator_report(user=leader, period=parse_period("2026-03")))
    # only cases per 10,000 counts: VA 1 − 1/2 = 0.5, VB 0, VC 1
    assert (rows["VA"].score, rows["VB"].score, rows["VC"].score) == (Decimal("50.0"), Decimal("0.0"), Decimal("100.0"))


def test_not_educated_callbacks_count_in_their_draw_month(leader, town_cases, village_b):
    CallbackFactory(case=FraudCaseFactory(village=village_b), status="done", reached=True, educated=False)
    CallbackFactory(case=FraudCaseFactory(village=village_b), status="done", reached=True, educated=True)
    rows = by_code(indicators.indicator_report(user=leader, period=parse_period("2026-03")))
    assert (rows["VA"].not_educated, rows["VB"].not_educated) == (0, 1)
    assert by_code(indicators.indicator_report(user=leader, period=parse_period("2026-04")))["VB"].not_educated == 0


def test_a_village_head_sees_only_their_village_ranked_among_all_the_towns(head_a, grid_a, leader, town_cases):
    IndicatorWeightsFactory(on_time_rate=Decimal("0"))
    town = by_code(indicators.indicator_report(user=leader, period=parse_period("2026-03")))
    for user in (head_a, grid_a):
        report = indicators.indicator_report(user=user, period=parse_period("2026-03"))
        assert [row.unit.code for row in report.rows] == ["VA"]
        own = report.rows[0]
        assert (own.score, own.rank, own.ranked_of, own.band) == (town["VA"].score, 2, 3, "red")
        assert report.ranked_of == 3
        assert report.total_cases == 2  # the totals are their own village's


def test_the_report_runs_a_bounded_number_of_queries(leader, town, django_assert_max_num_queries):
    for n in range(12):
        village = VillageFactory(code=f"VX{n:02d}", parent=town, population=1000 + n)
        for day in range(1, 4):
            FraudCaseFactory(village=village, reported_at=at(f"2026-03-{day:02d}T10:00+08:00"))
        WarningFactory(village=village, pushed_at=at("2026-03-02T10:00+08:00"))
        InspectionFactory(unit=village, inspected_on=datetime.date(2026, 3, 3))
    figures.epoch()  # the database's report cache token exists (created by the first report ever)
    with django_assert_max_num_queries(14):  # 13, and the villages' own publicity activities (one grouped query)
        report = indicators.indicator_report(user=leader, period=parse_period("2026-03"))
    assert len(report.rows) == 12 and all(row.cases == 3 for row in report.rows)
    with django_assert_max_num_queries(9):  # the month's figures and the coverage come from the cache
        again = indicators.indicator_report(user=leader, period=parse_period("2026-03"))
    assert [(row.unit.code, row.cases, row.score) for row in again.rows] == [
        (row.unit.code, row.cases, row.score) for row in report.rows
    ]


def test_a_village_heads_standing_runs_a_bounded_number_of_queries(
    head_a, town, village_a, django_assert_max_num_queries
):
    for n in range(12):
        village = VillageFactory(code=f"VX{n:02d}", parent=town, population=1000 + n)
        FraudCaseFactory(village=village, reported_at=at("2026-03-02T10:00+08:00"))
        WarningFactory(village=village, pushed_at=at("2026-03-02T10:00+08:00"))
    figures.epoch()
    with django_assert_max_num_queries(15):  # 14, and the villages' own publicity activities
        report = indicators.indicator_report(user=head_a, period=parse_period("2026-03"))
    assert [row.unit.code for row in report.rows] == ["VA"] and report.ranked_of == 13


def test_worker_nominations_count_on_time_visits_and_dissuasions(leader, grid_a, grid_b, village_a, village_b):
    from assessment.selectors import worker_nominations
    from audit.models import AuditEvent
    from audit.services import audit_event_record
    from tests.factories import FollowUpVisitFactory

    warning = WarningFactory(village=village_a, pushed_at=at("2026-03-01T09:00+08:00"))
    FollowUpVisitFactory(warning=warning, visited_at=at("2026-03-04T10:00+08:00"), recorded_by=grid_a)  # on time
    FollowUpVisitFactory(warning=warning, visited_at=at("2026-03-09T10:00+08:00"), recorded_by=grid_a)  # late
    other = WarningFactory(village=village_b, pushed_at=at("2026-03-01T09:00+08:00"))
    FollowUpVisitFactory(warning=other, visited_at=at("2026-03-02T10:00+08:00"), recorded_by=grid_b)
    audit_event_record(actor=grid_b, subject=other, event="confirm_dissuaded")
    AuditEvent.objects.update(at=at("2026-03-02T11:00+08:00"))
    workers = {w.user_id: w for w in worker_nominations(user=leader, period=parse_period("2026"))}
    assert (workers[grid_a.pk].visits_on_time, workers[grid_a.pk].visits_due, workers[grid_a.pk].dissuasions) == (
        1,
        2,
        0,
    )
    assert (workers[grid_b.pk].visits_on_time, workers[grid_b.pk].dissuasions) == (1, 1)
    earlier = {w.user_id: w for w in worker_nominations(user=leader, period=parse_period("2020"))}
    assert earlier == {}


def test_the_monthly_trend_and_the_year_end_follow_shanghai_time(leader, village_a, village_b):
    from core.periods import last_months

    FraudCaseFactory(village=village_a, reported_at=at("2025-12-31T23:30+08:00"), loss_amount=Decimal("100"))
    FraudCaseFactory(village=village_a, reported_at=at("2026-01-01T00:10+08:00"), loss_amount=Decimal("20"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-31T23:30+08:00"), loss_amount=Decimal("3"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-04-01T00:10+08:00"), loss_amount=Decimal("4"))
    months = last_months(5, datetime.date(2026, 4, 15))
    trend = indicators.monthly_trend(user=leader, months=months)
    assert [(row["month"], row["cases"], row["loss"]) for row in trend] == [
        ("2025-12", 1, 100.0),
        ("2026-01", 1, 20.0),
        ("2026-02", 0, 0.0),
        ("2026-03", 1, 3.0),
        ("2026-04", 1, 4.0),
    ]
    per_village = indicators.monthly_rates(user=leader, months=months, villages=[village_a, village_b])
    assert per_village[village_b.pk] == {datetime.date(2026, 3, 1): 1, datetime.date(2026, 4, 1): 1}
    assert by_code(indicators.indicator_report(user=leader, period=parse_period("2025")))["VA"].cases == 1
    assert by_code(indicators.indicator_report(user=leader, period=parse_period("2025-Q4")))["VA"].cases == 1
    assert by_code(indicators.indicator_report(user=leader, period=parse_period("2026-Q1")))["VA"].cases == 1


def test_villages_with_the_same_score_share_a_rank(leader, town, village_a, village_b):
    village_a.population = village_b.population = 10_000
    village_a.save(), village_b.save()
    VillageFactory(code="VC", parent=town, population=10_000)
    VillageFactory(code="VD", parent=town, population=10_000)
    for _index in range(2):
        FraudCaseFactory(village=village_a, reported_at=at("2026-03-10T10:00+08:00"), loss_amount=Decimal("10"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-10T10:00+08:00"), loss_amount=Decimal("5"))
    rows = by_code(indicators.indicator_report(user=leader, period=parse_period("2026-03")))
    # VC and VD (no cases) tie for first; VB next is third, VA fourth.
    assert [rows[code].rank for code in ("VC", "VD", "VB", "VA")] == [1, 1, 3, 4]


# --- 四(三): "作为衡量和检验防骗宣传成效的主要指标，纳入相关考评" — rankings that mean something -------------------


@pytest.fixture
def two_quiet_villages(village_a, village_b):
    """Two villages of 10,000 people with no case in March 2026: only what they have differs."""
    village_a.population = village_b.population = 10_000
    village_a.save(), village_b.save()
    IndicatorWeightsFactory(on_time_rate=Decimal("0"), dissuasion_rate=Decimal("0"))
    return village_a, village_b


def march(user):
    return by_code(indicators.indicator_report(user=user, period=parse_period("2026-03")))


def test_a_village_without_an_inspection_is_missing_it_not_perfect(leader, two_quiet_villages):
    village_a, _village_b = two_quiet_villages
    InspectionFactory(unit=village_a, inspected_on=datetime.date(2026, 3, 20), score=Decimal("100"))
    rows = march(leader)
    assert rows["VB"].inspection_score is None and rows["VB"].missing == ["inspection_score"]
    assert rows["VB"].partial and not rows["VA"].partial
    assert rows["VA"].score == Decimal("100.0")
    assert rows["VB"].score == Decimal("75.0")  # (1 + 1 + 1 + 0) / 4: the missing inspection earns nothing
    assert (rows["VA"].rank, rows["VB"].rank) == (1, 2)


def test_a_village_no_callback_reached_is_missing_not_educated_not_perfect(leader, two_quiet_villages):
    village_a, village_b = two_quiet_villages
    CallbackFactory(
        case=FraudCaseFactory(village=village_a, reported_at=at("2026-02-10T10:00+08:00")),
        status="done",
        reached=True,
        educated=True,
    )
    CallbackFactory(case=FraudCaseFactory(village=village_b, reported_at=at("2026-02-11T10:00+08:00")))  # pending
    rows = march(leader)
    assert (rows["VA"].not_educated_known, rows["VB"].not_educated_known) == (0, None)
    assert rows["VB"].missing == ["not_educated"]
    assert rows["VA"].rank == 1 and rows["VB"].rank == 2 and rows["VB"].score < rows["VA"].score


def test_a_village_with_no_registered_household_is_missing_coverage_and_not_green(leader, two_quiet_villages):
    from tests.campaigns.factories import DoorVisitFactory
    from tests.factories import HouseholdFactory

    village_a, _village_b = two_quiet_villages
    for _index in range(2):
        DoorVisitFactory(household=HouseholdFactory(village=village_a), visited_at=at("2026-03-05T10:00+08:00"))
    rows = march(leader)
    assert (rows["VA"].coverage_rate, rows["VB"].coverage_rate) == (1.0, None)
    assert rows["VB"].missing == ["coverage_rate"] and rows["VB"].score == Decimal("75.0")
    assert (rows["VA"].band, rows["VB"].band, rows["VB"].capped) == ("green", "amber", False)


def test_an_indicator_no_village_has_is_left_out_for_all(leader, two_quiet_villages):
    rows = march(leader)  # no inspection, household, warning or callback anywhere: cases, loss, after warning
    assert rows["VA"].score == rows["VB"].score == Decimal("100.0")
    assert rows["VA"].missing == rows["VB"].missing == []


def test_a_village_without_population_is_missing_cases_per_10000(leader, two_quiet_villages):
    _village_a, village_b = two_quiet_villages
    village_b.population = None
    village_b.save()
    rows = march(leader)
    assert rows["VB"].cases_per_10k is None and rows["VB"].missing == ["cases_per_10k"]
    assert rows["VB"].rank == 2


@pytest.fixture
def covered(two_quiet_villages):
    """VA: 10 households of which ``visited`` had someone at home in March; VB: 10 households, all visited."""
    from tests.campaigns.factories import DoorVisitFactory
    from tests.factories import HouseholdFactory

    village_a, village_b = two_quiet_villages

    def make(visited: int):
        for village, n in ((village_a, visited), (village_b, 10)):
            for index in range(10):
                household = HouseholdFactory(village=village)
                if index < n:
                    DoorVisitFactory(household=household, visited_at=at("2026-03-05T10:00+08:00"))

    return make


def test_a_village_below_half_door_knocking_coverage_cannot_be_green(leader, covered):
    covered(4)
    rows = march(leader)
    assert rows["VA"].coverage_rate == 0.4
    # (1 + 1 + 1 + 0.4) / 4 = 85: green by the score, amber by the coverage
    assert rows["VA"].score == Decimal("85.0") and (rows["VA"].band, rows["VA"].capped) == ("amber", True)
    assert rows["VB"].band == "green"


def test_at_exactly_half_coverage_a_village_can_be_green(leader, covered):
    covered(5)
    rows = march(leader)
    assert rows["VA"].score == Decimal("87.5") and rows["VA"].band == "green"


def test_the_coverage_for_green_is_a_setting(leader, covered, settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "GREEN_MIN_COVERAGE_PERCENT": 30}
    covered(4)
    assert march(leader)["VA"].band == "green"
    settings.PLAN_RULES = {**settings.PLAN_RULES, "GREEN_MIN_COVERAGE_PERCENT": 90}
    assert march(leader)["VA"].band == "amber"


def test_a_low_score_stays_red_or_amber_whatever_the_coverage(leader, covered):
    IndicatorWeightsFactory(green_from=Decimal("99"), amber_from=Decimal("95"))  # the newest weights are used
    covered(4)
    assert march(leader)["VA"].band == "red"


@pytest.mark.parametrize(
    "today, expected",
    [
        (datetime.date(2026, 12, 5), "2026-11"),
        (datetime.date(2026, 12, 31), "2026-11"),
        (datetime.date(2027, 1, 1), "2026-12"),
        (datetime.date(2026, 3, 1), "2026-02"),
    ],
)
def test_the_default_period_is_the_last_complete_month(today, expected):
    assert indicators.default_period(today).key == expected


def test_the_rules_page_states_the_ranking_rules_with_the_setting_in_force(settings):
    from core.rules import described

    settings.PLAN_RULES = {**settings.PLAN_RULES, "GREEN_MIN_COVERAGE_PERCENT": 60}
    ours = [row for row in described() if row["section"] == "四(三)"]
    assert len(ours) == 4
    (coverage,) = [row for row in ours if row["setting"] == "GREEN_MIN_COVERAGE_PERCENT"]
    assert coverage["value"] == 60 and "60%" in coverage["sentence"]
