"""The plan's rules for the schools' education work (三(四)), shown on the rules page."""

from django.utils.translation import gettext_lazy as _

from core.rules import RuleText, describe

SECTION = "三(四)"

describe(
    RuleText(
        SECTION,
        "抓好学校教职员工的防骗宣传教育,每学期至少组织开展两次防骗宣传活动",
        _(
            "Every school holds at least %(value)s anti-fraud education sessions for its staff each semester "
            "(the figure a new semester starts with; the town sets it per semester)."
        ),
        setting="STAFF_SESSIONS_PER_SEMESTER",
        order=40,
    ),
    RuleText(
        SECTION,
        "要把开设防骗微课堂作为罗村中学安全课的重要内容,每学期至少组织开展两次防骗宣传教育",
        _(
            "The schools the semester names (罗村中学) hold at least %(value)s anti-fraud micro-classes each "
            "semester; at the other schools micro-classes are not required."
        ),
        setting="MICRO_CLASSES_PER_SEMESTER",
        order=41,
    ),
    RuleText(
        SECTION,
        "并留存影像等资料备查",
        _("A staff session or micro-class is recorded with at least one photo or video as evidence."),
        order=42,
    ),
    RuleText(
        SECTION,
        "要组织罗村中学充分利用校园广播设施，每天定时播放防骗MP3",
        _(
            "The schools the semester names log the anti-fraud MP3 broadcast every school day; each past school "
            "day without a log is a missed day. A school not named is not required to broadcast and misses no day."
        ),
        order=43,
    ),
    RuleText(
        SECTION,
        "每学期至少组织开展两次",
        _(
            "A session requirement not yet met is at risk when fewer have been held than its share of the school "
            "days gone, or when %(value)s school days or fewer remain."
        ),
        setting="FINAL_SCHOOL_DAYS",
        order=44,
    ),
    RuleText(
        SECTION,
        "在回执联签名由学生带回学校集中存档备查",
        _("A class whose parent notice still misses return slips %(value)s days after it was sent is at risk."),
        setting="SLIP_GRACE_DAYS",
        order=45,
    ),
    RuleText(
        SECTION,
        "组织在校学生把电信网络诈骗预警捎给家长阅知",
        _("A class with no parent notice yet once %(value)s%% of the semester's school days are gone is at risk."),
        setting="NOTICE_LATE_PERCENT",
        order=46,
    ),
    RuleText(
        SECTION,
        "要督导各级各类学校",
        _(
            "The supervising school (罗村镇中心学校) reads the compliance of the town's other schools; it cannot "
            "record their work or read their students' personal data."
        ),
        order=47,
    ),
    RuleText(
        SECTION,
        "确保教职员工接受防骗宣传教育全覆盖",
        _(
            "Staff education is recorded once, as a staff session of the school's education work; the publicity "
            "summary counts those sessions as the school's staff education."
        ),
        order=48,
    ),
)
