import datetime

import pytest

from core import periods
from core.periods import BadPeriod, parse_period


def local(text):
    return datetime.datetime.fromisoformat(text)


def contains(period, moment):
    return period.start <= moment < period.end


def test_a_month_runs_from_local_midnight_to_local_midnight():
    march = parse_period("2026-03")
    assert (march.kind, march.first_day, march.end_day) == (
        "month",
        datetime.date(2026, 3, 1),
        datetime.date(2026, 4, 1),
    )
    assert march.start == local("2026-03-01T00:00+08:00")
    assert march.end == local("2026-04-01T00:00+08:00")
    assert contains(march, local("2026-03-31T23:30+08:00"))
    assert not contains(march, local("2026-04-01T00:10+08:00"))
    # 2026-03-31T16:00Z is already April in Shanghai
    assert not contains(march, local("2026-03-31T16:00+00:00"))
    assert contains(parse_period("2026-04"), local("2026-03-31T16:00+00:00"))


def test_quarters_and_years():
    q1, q2 = parse_period("2026-Q1"), parse_period("2026-Q2")
    assert contains(q1, local("2026-03-31T23:30+08:00"))
    assert contains(q2, local("2026-04-01T00:10+08:00"))
    assert q2.first_day == datetime.date(2026, 4, 1) and q2.end_day == datetime.date(2026, 7, 1)
    assert parse_period("2026-Q4").end_day == datetime.date(2027, 1, 1)
    year = parse_period("2026")
    assert (year.first_day, year.end_day) == (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
    assert len(year.months()) == 12 and len(q1.months()) == 3
    assert [p.key for p in (parse_period("2026-01").previous(), q1.previous(), year.previous())] == [
        "2025-12",
        "2025-Q4",
        "2025",
    ]


@pytest.mark.parametrize("value", ["", "2026-13", "2026-00", "2026-Q5", "26-01", "2026-1", "2026/01", "abc", "1999"])
def test_bad_periods_are_refused_with_a_message(value):
    with pytest.raises(BadPeriod) as error:
        parse_period(value)
    assert str(error.value)


@pytest.mark.parametrize(
    ("kind", "day", "first", "last"),
    [
        ("month", datetime.date(2026, 2, 14), datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
        ("quarter", datetime.date(2026, 12, 31), datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        ("year", datetime.date(2024, 2, 29), datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)),
    ],
)
def test_the_period_containing_a_day(kind, day, first, last):
    found = periods.containing(kind, day)
    assert (found.first_day, found.last_day) == (first, last)
