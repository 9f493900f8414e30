"""The plan's rules live in one place: settings.PLAN_RULES read through core.rules, shown on /rules/."""

import datetime

import pytest
from django.urls import reverse

from core.rules import DEFAULTS, add_months, described, rule


def test_the_plans_figures_are_the_defaults():
    assert rule("VISIT_INTERVAL_DAYS") == 3  # 每三天见面回访一次
    assert rule("FOLLOW_UP_MONTHS") == 1  # 时间持续一个月
    assert set(DEFAULTS) >= {"ACK_REMINDER_HOURS", "ACK_POLICE_HOURS", "FIRST_DISSUASION_HOURS"}


def test_a_setting_overrides_a_rule(settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "VISIT_INTERVAL_DAYS": 5}
    assert rule("VISIT_INTERVAL_DAYS") == 5


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 3, 15), datetime.date(2026, 4, 15)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), datetime.date(2028, 2, 29)),
        (datetime.date(2026, 12, 20), datetime.date(2027, 1, 20)),
        (datetime.date(2026, 5, 31), datetime.date(2026, 6, 30)),
    ],
)
def test_one_month_is_the_same_day_next_month_clamped_to_its_end(day, expected):
    assert add_months(day, 1) == expected


def test_every_described_rule_names_a_known_setting_and_shows_its_value(settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "VISIT_INTERVAL_DAYS": 4}
    rows = described()
    assert rows
    visit = next(row for row in rows if row["setting"] == "VISIT_INTERVAL_DAYS")
    assert visit["value"] == 4 and "4" in visit["sentence"]


@pytest.mark.django_db
def test_the_rules_page_shows_the_figures_in_force_to_any_signed_in_user(client, grid_a, settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "ACK_REMINDER_HOURS": 3}
    assert client.get(reverse("plan_rules")).status_code == 302  # anonymous: to the login page
    client.force_login(grid_a)
    page = client.get(reverse("plan_rules")).text
    assert "RULE_ACK_REMINDER_HOURS" in page and "每三天见面回访一次预警对象" in page


@pytest.mark.django_db
def test_the_home_page_links_to_the_rules(client, grid_a):
    client.force_login(grid_a)
    assert reverse("plan_rules") in client.get(reverse("home")).text


def test_the_docs_state_every_rule_with_its_setting():
    from pathlib import Path

    from django.conf import settings

    rules_page = (Path(settings.BASE_DIR) / "docs" / "rules.md").read_text(encoding="utf-8")
    assert [name for name in DEFAULTS if f"`RULE_{name}`" not in rules_page] == []
