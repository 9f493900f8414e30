"""Case analysis: the arithmetic against hand-counted figures (age groups at the case date, leap days, a year
earlier, relative change), the scope (a village head sees their village), the page, the workbook and the API."""

import datetime
import io
import zoneinfo
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from core.periods import parse_period
from core.validators import make_id_number
from fraud_cases import analysis
from fraud_cases.analysis import CaseFact, age_group, relative_change, year_earlier
from tests import factories
from tests.campaigns.factories import DoorVisitFactory
from tests.fraud_cases.factories import FraudCaseFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def victim(village, birth, sequence, **kwargs):
    """A resident born on ``birth``; an odd ``sequence`` gives a man, an even one a woman (GB 11643)."""
    return factories.ResidentFactory(village=village, id_number=make_id_number("440605", birth, sequence), **kwargs)


def case(village, reported_at, *, birth=datetime.date(1980, 6, 1), sequence=1, **kwargs):
    person = kwargs.pop("victim", None) or victim(village, birth, sequence)
    return FraudCaseFactory(village=village, victim=person, reported_at=reported_at, **kwargs)


def rows_by_key(rows):
    return {row.key: row for row in rows}


# --- pure arithmetic ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "group"),
    [
        (datetime.date(2008, 6, 1), datetime.date(2026, 5, 31), "under_18"),  # 17 the day before
        (datetime.date(2008, 6, 1), datetime.date(2026, 6, 1), "18_29"),  # 18 on the birthday
        # Born on 29 February: in a common year the birthday is reached on 1 March, not 28 February.
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28), "under_18"),
        (datetime.date(2008, 2, 29), datetime.date(2026, 3, 1), "18_29"),
        # A case on 29 February of a leap year, of someone born on 29 February: their birthday.
        (datetime.date(1996, 2, 29), datetime.date(2024, 2, 29), "18_29"),  # 28
        (datetime.date(1994, 2, 28), datetime.date(2024, 2, 29), "30_44"),  # 30 since the day before
        (datetime.date(1996, 3, 1), datetime.date(2026, 2, 28), "18_29"),  # 29, not yet 30
        (datetime.date(1981, 3, 1), datetime.date(2026, 3, 1), "45_59"),  # 45 on the day
        (datetime.date(1966, 3, 2), datetime.date(2026, 3, 1), "45_59"),  # 59, a day short of 60
        (datetime.date(1966, 3, 1), datetime.date(2026, 3, 1), "60_plus"),
        (None, datetime.date(2026, 3, 1), "unknown"),
    ],
)
def test_the_age_group_is_the_age_on_the_case_date(birth, day, group):
    assert age_group(birth, day) == group


def test_the_relative_change_is_null_when_there_was_nothing_before():
    assert relative_change(3, 2) == 0.5
    assert relative_change(0, 4) == -1.0
    assert relative_change(Decimal("1500.00"), Decimal("1000.00")) == 0.5
    assert relative_change(1, 3) == pytest.approx(-0.6667)
    assert relative_change(5, 0) is None
    assert relative_change(0, 0) is None


def test_a_year_earlier_is_the_same_months_of_the_year_before():
    assert year_earlier(parse_period("2024-02")).key == "2023-02"  # February of a leap year, to a common one
    assert year_earlier(parse_period("2024-02")).end_day == datetime.date(2023, 3, 1)
    assert year_earlier(parse_period("2026-Q1")).key == "2025-Q1"
    assert year_earlier(parse_period("2026")).key == "2025"


def test_hand_counted_facts_give_hand_counted_rows():
    def fact(day, fraud_type, loss):
        return CaseFact(
            day=day,
            fraud_type=fraud_type,
            loss=Decimal(loss),
            village_id=1,
            source="110",
            birth_date=None,
            gender="male",
        )

    now = [
        fact(datetime.date(2026, 3, 2), "investment", "1000"),
        fact(datetime.date(2026, 3, 9), "investment", "2000"),
        fact(datetime.date(2026, 3, 20), "investment", "3000"),
        fact(datetime.date(2026, 3, 31), "loan", "500"),
    ]
    before = [fact(datetime.date(2025, 3, 5), "investment", "4000"), fact(datetime.date(2025, 3, 6), "dating", "800")]
    keys = [("investment", "投资"), ("loan", "贷款"), ("dating", "交友")]
    rows = rows_by_key(analysis.compare(now, before, by="fraud_type", keys=keys))
    assert (rows["investment"].cases, rows["investment"].loss) == (3, Decimal("6000.00"))
    assert (rows["investment"].cases_prev, rows["investment"].loss_prev) == (1, Decimal("4000.00"))
    assert rows["investment"].cases_change == 2.0
    assert rows["investment"].loss_change == 0.5
    assert rows["loan"].cases_prev == 0 and rows["loan"].cases_change is None and rows["loan"].loss_change is None
    assert (rows["dating"].cases, rows["dating"].cases_change) == (0, -1.0)
    # Rising fastest: grew in number, most first; the new type counts, the type that fell does not.
    assert [row.key for row in analysis.rising_fastest(rows.values())] == ["investment", "loan"]
    month = rows_by_key(analysis.compare(now, before, by="month", keys=[("2026-03", "2026-03")]))["2026-03"]
    assert (month.cases, month.cases_prev, month.loss, month.loss_prev) == (
        4,
        2,
        Decimal("6500.00"),
        Decimal("4800.00"),
    )


# --- the selectors, over registered cases -----------------------------------------------------------------------


@pytest.fixture
def march(village_a, village_b):
    """March 2026 against March 2025, hand-counted:

    2026-03: VA investment 10,000 (woman born 2008-02-29: 18 on 1 March 2026 → 18–29, case on 2 March)
             VA investment 5,000 (man born 1966-03-01, case 2026-03-01 → 60+)
             VA loan 2,000 (man born 2008-03-31, case 2026-03-30 → under 18)
             VB investment 30,000 (woman born 1990-01-01 → 30–44), reported 31 March 23:30 Beijing (still March)
    2025-03: VA investment 4,000 (man born 1970-01-01 → 45–59)
    Outside: VA investment reported 2026-04-01 00:10 Beijing (April), VA loan 2025-02-28 (February).
    """
    case(
        village_a,
        at(2026, 3, 2),
        birth=datetime.date(2008, 2, 29),
        sequence=2,
        fraud_type="investment",
        loss_amount=Decimal("10000"),
    )
    case(
        village_a,
        at(2026, 3, 1),
        birth=datetime.date(1966, 3, 1),
        sequence=3,
        fraud_type="investment",
        loss_amount=Decimal("5000"),
        source="platform",
    )
    case(
        village_a,
        at(2026, 3, 30),
        birth=datetime.date(2008, 3, 31),
        sequence=5,
        fraud_type="loan",
        loss_amount=Decimal("2000"),
    )
    case(
        village_b,
        at(2026, 3, 31, 23),
        birth=datetime.date(1990, 1, 1),
        sequence=4,
        fraud_type="investment",
        loss_amount=Decimal("30000"),
    )
    case(
        village_a,
        at(2025, 3, 15),
        birth=datetime.date(1970, 1, 1),
        sequence=7,
        fraud_type="investment",
        loss_amount=Decimal("4000"),
    )
    case(village_a, datetime.datetime(2026, 4, 1, 0, 10, tzinfo=SHANGHAI), sequence=9, fraud_type="investment")
    case(village_a, at(2025, 2, 28), sequence=11, fraud_type="loan")


def test_the_town_analysis_matches_the_hand_count(leader, march, village_a, village_b):
    period = parse_period("2026-03")
    result = analysis.case_analysis(user=leader, period=period)
    assert result.previous.key == "2025-03"
    assert (result.totals.cases, result.totals.loss) == (4, Decimal("47000.00"))
    assert (result.totals.cases_prev, result.totals.loss_prev) == (1, Decimal("4000.00"))
    assert result.totals.cases_change == 3.0

    types = rows_by_key(result.tables["fraud_type"])
    assert (types["investment"].cases, types["investment"].loss) == (3, Decimal("45000.00"))
    assert types["investment"].cases_change == 2.0 and types["investment"].loss_change == 10.25
    assert (types["loan"].cases, types["loan"].cases_prev, types["loan"].cases_change) == (1, 0, None)
    assert types["dating"].cases == 0  # every type is listed, zeros included

    ages = rows_by_key(result.tables["age_group"])
    assert {key: row.cases for key, row in ages.items()} == {
        "under_18": 1,
        "18_29": 1,
        "30_44": 1,
        "45_59": 0,
        "60_plus": 1,
    }
    assert ages["45_59"].cases_prev == 1 and ages["45_59"].cases_change == -1.0
    assert ages["60_plus"].cases_prev == 0 and ages["60_plus"].cases_change is None

    sexes = rows_by_key(result.tables["sex"])
    assert (sexes["male"].cases, sexes["female"].cases) == (2, 2)
    villages = rows_by_key(result.tables["village"])
    assert (villages[str(village_a.pk)].cases, villages[str(village_b.pk)].cases) == (3, 1)
    assert villages[str(village_a.pk)].label == village_a.name
    sources = rows_by_key(result.tables["source"])
    assert (sources["110"].cases, sources["platform"].cases) == (3, 1)
    months = result.tables["month"]
    assert [(row.key, row.cases, row.cases_prev) for row in months] == [("2026-03", 4, 1)]
    assert [row.key for row in result.rising] == ["investment", "loan"]


def test_a_period_with_no_cases_a_year_earlier_has_null_changes(leader, march):
    rows = analysis.analysis_rows(user=leader, period=parse_period("2026-03"), by="village")
    assert all(row.cases_prev == 0 or row.cases_change is not None for row in rows)
    quarter = analysis.case_analysis(user=leader, period=parse_period("2026-Q2"))  # only the April case
    assert quarter.totals.cases == 1 and quarter.totals.cases_prev == 0
    assert quarter.totals.cases_change is None and quarter.totals.loss_change is None
    months = rows_by_key(quarter.tables["month"])
    assert list(months) == ["2026-04", "2026-05", "2026-06"]
    assert months["2026-04"].cases == 1 and months["2026-04"].cases_change is None


def test_a_village_head_sees_their_own_village_only(head_a, march, village_a, village_b):
    result = analysis.case_analysis(user=head_a, period=parse_period("2026-03"))
    assert result.totals.cases == 3
    assert [row.key for row in result.tables["village"]] == [str(village_a.pk)]


def test_victims_reached_by_door_knocking_before_their_case(leader, village_a, grid_a1):
    household = factories.HouseholdFactory(village=village_a, grid=grid_a1)
    reached = victim(village_a, datetime.date(1960, 1, 1), 21, household=household)
    DoorVisitFactory(household=household, visited_at=at(2026, 2, 1))
    later = factories.HouseholdFactory(village=village_a, grid=grid_a1)
    visited_after = victim(village_a, datetime.date(1961, 1, 1), 23, household=later)
    DoorVisitFactory(household=later, visited_at=at(2026, 3, 20))
    case(village_a, at(2026, 3, 10), victim=reached)
    case(village_a, at(2026, 3, 10), victim=visited_after)
    case(village_a, at(2026, 3, 11), sequence=25)  # no household at all
    result = analysis.case_analysis(user=leader, period=parse_period("2026-03"))
    assert (result.reach.victims, result.reach.reached, result.reach.share) == (3, 1, 0.3333)


# --- page, workbook, API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("user_fixture", ["leader", "police", "head_a"])
def test_leadership_police_and_village_heads_open_the_analysis(request, client, march, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(reverse("fraud_cases:analysis"), {"period": "2026-03"})
    assert response.status_code == 200
    assert "case-analysis-data" in response.content.decode()


def test_governance_opens_the_analysis(client, zongzhi, march):
    client.force_login(zongzhi)
    response = client.get(reverse("fraud_cases:analysis"), {"period": "2026-03"})
    assert response.status_code == 200
    assert response.context["result"].totals.cases == 4


@pytest.mark.parametrize("user_fixture", ["grid_a", "school", "department_staff", "outsider"])
def test_others_do_not_see_the_analysis(request, client, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("fraud_cases:analysis")).status_code == 404
    assert client.get(reverse("fraud_cases:analysis_export")).status_code == 404


def test_a_bad_period_on_the_page_says_so_and_shows_the_last_month(client, leader):
    client.force_login(leader)
    response = client.get(reverse("fraud_cases:analysis"), {"period": "2026-13"})
    assert response.status_code == 200
    assert response.context["period_error"]


def test_the_workbook_has_every_table(client, head_a, march, village_a):
    client.force_login(head_a)
    response = client.get(reverse("fraud_cases:analysis_export"), {"period": "2026-03"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 1 + len(analysis.DIMENSIONS)
    totals = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert totals[1][1:3] == (3, 17000)
    villages = [row[0] for row in list(workbook.worksheets[4].iter_rows(values_only=True))[1:]]
    assert villages == [village_a.name]


def test_the_api_answers_the_rows(api_as, leader, march):
    response = api_as(leader).get("/api/v1/case-analysis/", {"period": "2026-03", "by": "age_group"})
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["previous_period"], body["by"]) == ("2026-03", "2025-03", "age_group")
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows["60_plus"]) == {
        "key",
        "label",
        "cases",
        "loss",
        "cases_prev",
        "loss_prev",
        "cases_change",
        "loss_change",
    }
    assert rows["60_plus"]["cases"] == 1 and rows["60_plus"]["loss"] == "5000.00"
    assert rows["60_plus"]["cases_change"] is None
    assert rows["45_59"]["cases_prev"] == 1 and rows["45_59"]["cases_change"] == -1.0


def test_the_api_is_scoped(api_as, head_a, march, village_a):
    rows = api_as(head_a).get("/api/v1/case-analysis/", {"period": "2026-03", "by": "village"}).json()["rows"]
    assert [(row["key"], row["cases"]) for row in rows] == [(str(village_a.pk), 3)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "colour"}, "by"),
        ({"by": "source"}, "by"),
        ({"period": "2026-13"}, "period"),
        ({"period": "x"}, "period"),
    ],
)
def test_the_api_refuses_a_bad_dimension_or_period_with_a_translated_message(api_as, leader, params, field):
    response = api_as(leader).get("/api/v1/case-analysis/", params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_refuses_those_without_the_capability(api_as, grid_a):
    assert api_as(grid_a).get("/api/v1/case-analysis/").status_code == 403
