"""The plan's rules for accountability (四 考评机制, and 三(一)2's "事故"), shown on the rules page."""

from django.utils.translation import gettext_lazy as _

from core.rules import RuleText, describe

SECTION = "四"

describe(
    RuleText(
        "三(一)2",
        "要牢固树立“预警见面劝阻又被骗的就是事故”的理念",
        _(
            "A fraud case whose victim was warned within the %(value)s days before the report opens an incident "
            "review against the warning's village, with the warning's visit record, for the leadership group."
        ),
        setting="INCIDENT_LOOKBACK_DAYS",
        order=40,
    ),
    RuleText(
        SECTION,
        "对确未接受防骗宣传教育的，将倒查责任",
        _(
            "A callback answer “not educated” that the records contradict (a door visit with someone at home, a "
            "pledge or a school notice's return slip before the report) is “records disagree”: the leadership group "
            "decides between a sanction and the records standing."
        ),
        order=41,
    ),
    RuleText(
        SECTION,
        "由领导小组约谈各村居主要负责人，并通报批评",
        _(
            "Only a confirmed “not educated” opens the summons of the village head and the public criticism; "
            "both name the household's grid and the workers who covered it."
        ),
        order=42,
    ),
    RuleText(
        SECTION,
        "约谈该村居主要负责人",
        _("A village is summoned through its head, a department through its head: the kind of item must fit the unit."),
        order=43,
    ),
    RuleText(
        SECTION,
        "通报约谈",
        _(
            "The summoned unit's head submits the rectification report with evidence; the leadership group accepts "
            "it (the item closes) or returns it; an overdue rectification reminds the unit once per deadline and "
            "shows on its home page."
        ),
        order=44,
    ),
)

# 四(三): the rankings (assessment.indicators)
describe(
    RuleText(
        "四(三)",
        "作为衡量和检验防骗宣传成效的主要指标，纳入相关考评",
        _(
            "An indicator a village has no data for (no registered population or household, no visit due, no "
            "warning decided, no inspection, no callback that reached a victim) shows “—”, counts 0 in the score "
            "and is never the best value; the score is marked partial. An indicator no village has is left out."
        ),
        order=45,
    ),
    RuleText(
        "四(三)",
        "督导检查情况",
        _("A village whose door-knocking coverage is below %(value)s%% (or unknown) cannot be green: amber at best."),
        setting="GREEN_MIN_COVERAGE_PERCENT",
        order=46,
    ),
    RuleText(
        "四(三)",
        "纳入相关考评",
        _(
            "The dashboard, the indicators and the bulletin show the last complete month unless another period is "
            "chosen; every village is ranked among all the villages of the town."
        ),
        order=47,
    ),
    RuleText(
        "四(三)",
        "纳入相关考评",
        _(
            "The village head and the village's team see their own village's indicators, score, rank in the town "
            "and band (on the indicators page, their home page and the API), never another village's."
        ),
        order=48,
    ),
    RuleText(
        "二",
        "实现年内全镇电信犯罪发案数明显下降，人民群众财产损失明显减少",
        _(
            "The leadership group sets the year's target as a change of cases and of losses against the year "
            "before (e.g. −20 %); a month misses it when its cases or losses are above the same month a year "
            "earlier times that change (a month with none a year earlier: any case misses it)."
        ),
        order=49,
    ),
    RuleText(
        "四",
        "领导小组负责对各单位的防骗宣传落实情况进行督导检查",
        _(
            "Last month's report to the county is due on day %(value)s of the month; the leadership group is "
            "reminded once, two days before, until it marks the report submitted (the Word file is kept as sent)."
        ),
        setting="REPORT_DAY",
        order=50,
    ),
    RuleText(
        "四(二)",
        "随机抽查回访报警当事人接受防骗宣传教育的具体情况",
        _(
            "A callback not made %(value)s days after its draw reminds its caller (none assigned: the governance "
            "centre's staff), once per callback."
        ),
        setting="CALLBACK_DUE_DAYS",
        order=51,
    ),
    RuleText(
        "四(二)",
        "领导小组要严格落实“一案双查”要求",
        _(
            "A callback still not made %(value)s days after its caller was reminded reminds the leadership group, "
            "once per callback."
        ),
        setting="CALLBACK_ESCALATE_DAYS",
        order=52,
    ),
)
