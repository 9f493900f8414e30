"""The plan's rules in one place: every interval and threshold the workflows apply.

The values live in ``settings.PLAN_RULES`` (each can be set from the environment, ``RULE_<NAME>``); code
reads them through :func:`rule`, never through a constant of its own, so a town that changes a figure
changes it once and the rules page (``/rules/``) shows what is in force.

Each app describes its own rules (one sentence of the plan, the setting it reads) in ``<app>/rules.py``
with :func:`describe`; ``core`` collects those modules when the project starts, so an app that adds a
rule touches only itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings

DEFAULTS: dict[str, int] = {
    # 三(一)2 预警劝阻
    "VISIT_INTERVAL_DAYS": 3,  # 每三天见面回访一次
    "FOLLOW_UP_MONTHS": 1,  # 时间持续一个月 (a calendar month, not 30 days)
    "ACK_REMINDER_HOURS": 2,  # a push not acknowledged: the team and the village head again
    "ACK_POLICE_HOURS": 4,  # ...and then the police
    "FIRST_DISSUASION_HOURS": 24,  # no police first dissuasion yet: the police station
    "OVERDUE_TEAM_DAYS": 1,  # a visit overdue this many days: the village team
    "OVERDUE_HEAD_DAYS": 2,  # ...the village head
    "OVERDUE_POLICE_DAYS": 3,  # ...police and leadership
    # 三(四) 学校
    "STAFF_SESSIONS_PER_SEMESTER": 2,  # 每学期至少组织开展两次防骗宣传活动 (教职员工; a new semester's default)
    "MICRO_CLASSES_PER_SEMESTER": 2,  # 防骗微课堂 每学期至少组织开展两次 (a new semester's default)
    "FINAL_SCHOOL_DAYS": 10,  # a requirement not met with this many school days left is at risk
    "SLIP_GRACE_DAYS": 7,  # 回执联 still missing this many days after the notice: at risk
    "NOTICE_LATE_PERCENT": 50,  # a class with no parent notice yet once this share of school days is gone
    # 四 考评机制
    "INCIDENT_LOOKBACK_DAYS": 90,  # 预后被骗: warned within this many days before the report
    "GREEN_MIN_COVERAGE_PERCENT": 50,  # below this door-knocking coverage a village cannot be green
    "REPORT_DAY": 5,  # 报送: last month's report to the county is due on this day of the month
    "CALLBACK_DUE_DAYS": 10,  # 一案双查: a callback not made this many days after its draw reminds the caller
    "CALLBACK_ESCALATE_DAYS": 3,  # ...and, this many days later still not made, the leadership group
}


def rule(name: str) -> int:
    """The value in force of the plan rule ``name`` (a key of :data:`DEFAULTS`)."""
    configured = getattr(settings, "PLAN_RULES", {})
    if name in configured:
        return configured[name]
    return DEFAULTS[name]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the end of a shorter month (01-31 + 1 month = 02-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class RuleText:
    """One rule as the plan states it, for the rules page and the README."""

    section: str  # the plan's section, e.g. "三(一)2"
    quote: str  # the plan's own words (Chinese, as printed)
    text: str  # our sentence (translatable, lazy); ``%(value)s`` is replaced by the setting's value
    setting: str | None = None  # the key of DEFAULTS it reads, if any
    order: int = 100


_TEXTS: list[RuleText] = []


def describe(*texts: RuleText) -> None:
    """Called by each app's ``rules.py`` at import time."""
    for text in texts:
        if text.setting is not None and text.setting not in DEFAULTS:
            raise KeyError(f"unknown plan rule setting {text.setting!r}")
        if text not in _TEXTS:
            _TEXTS.append(text)


def described() -> list[dict]:
    """Every described rule with the value in force, ordered by the plan's sections."""
    rows = []
    for text in sorted(_TEXTS, key=lambda item: (item.order, item.section)):
        value = rule(text.setting) if text.setting else None
        sentence = str(text.text) % {"value": value} if text.setting else str(text.text)
        rows.append(
            {
                "section": text.section,
                "quote": text.quote,
                "sentence": sentence,
                "setting": text.setting,
                "value": value,
            }
        )
    return rows
