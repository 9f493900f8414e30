"""The plan's rules for warnings and dissuasion (三(一)2), shown on the rules page."""

from django.utils.translation import gettext_lazy as _

from core.rules import RuleText, describe

SECTION = "三(一)2"

describe(
    RuleText(
        SECTION,
        "首次预警劝阻主要由派出所负责",
        _("The first dissuasion after a push is the police's; the village team's first in-person visit is kept apart."),
        order=10,
    ),
    RuleText(
        SECTION,
        "能快一秒是一秒",
        _("A push not acknowledged within %(value)s hours reminds the village team and the village head again."),
        setting="ACK_REMINDER_HOURS",
        order=11,
    ),
    RuleText(
        SECTION,
        "能快一秒是一秒",
        _("A push still not acknowledged after %(value)s hours reminds the police."),
        setting="ACK_POLICE_HOURS",
        order=12,
    ),
    RuleText(
        SECTION,
        "首次预警劝阻主要由派出所负责",
        _("A push with no police first dissuasion within %(value)s hours reminds the police station."),
        setting="FIRST_DISSUASION_HOURS",
        order=13,
    ),
    RuleText(
        SECTION,
        "每三天见面回访一次预警对象",
        _("The village team visits the warned person in person every %(value)s days."),
        setting="VISIT_INTERVAL_DAYS",
        order=14,
    ),
    RuleText(
        SECTION,
        "时间持续一个月",
        _(
            "The follow-up lasts %(value)s calendar month(s) from the push's date (the same day next month, or the "
            "month's last day), also after dissuasion is confirmed."
        ),
        setting="FOLLOW_UP_MONTHS",
        order=15,
    ),
    RuleText(
        SECTION,
        "每三天见面回访一次预警对象",
        _("A visit overdue by %(value)s day(s) reminds the village team."),
        setting="OVERDUE_TEAM_DAYS",
        order=16,
    ),
    RuleText(
        SECTION,
        "每三天见面回访一次预警对象",
        _("A visit overdue by %(value)s days is escalated to the village head."),
        setting="OVERDUE_HEAD_DAYS",
        order=17,
    ),
    RuleText(
        SECTION,
        "每三天见面回访一次预警对象",
        _("A visit overdue by %(value)s days is escalated to the police and the leadership group."),
        setting="OVERDUE_POLICE_DAYS",
        order=18,
    ),
    RuleText(
        SECTION,
        "如经反诈宣传劝阻队确认劝阻成功",
        _(
            "Only the village's dissuasion team and the village head confirm dissuasion, and only after an "
            "in-person visit by the team; confirming asks the police to release the stop-payment at once."
        ),
        order=19,
    ),
)
