"""Demo warnings (预警劝阻): cases in every state across the demo villages, so every page shows believable work.

Each case is a small script (push, the police's first dissuasion, acknowledge, visits, escalation, outcome)
played through ``services.py`` as the demo users, at the moment it happened: each service is given the step's
time (``now=``), and the rows the step wrote with the clock's time (audit events, history rows, the ``auto_now``
fields) are set back to it, so audit events, acknowledgement and release times, history rows and the visit clock
are those of a real case. As the plan has it, the police's first dissuasion is their own fact (sometimes after
the team's first visit), dissuaded cases are still visited until the month's window ends, one case is closed by
the window's end (the beat task's service) and one closed early by police with a reason. Days are counted back
from today, so a fresh seed always has visits due today and overdue; instruction numbers (``external_id``) are
fixed, so a re-run (even on a later day) creates nothing. The persons are residents of the registry
(``demo.residents``), chosen by a seeded ``random.Random`` from each village's residents in ``pk`` order.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from audit.models import AuditEvent
from demo.organization import TOWN, VILLAGES, demo_password
from demo.residents import GIVEN, MOBILE_PREFIXES, SURNAMES
from organization.models import Role, Unit, UnitKind, User, UserRole
from residents.models import Resident
from warnings_followup import services
from warnings_followup.models import (
    DissuasionMethod,
    EscalationContact,
    FollowUpVisit,
    StopPaymentAccount,
    WarningOrder,
)

EXTERNAL_ID_PREFIX = "YJ-DEMO-"
POLICE_USERNAME = "police"
TEAM_USERNAME = "team_{suffix}"  # created only for villages with no dissuasion team member yet
TEAM_NAMES = {"003": "梁志强", "004": "何丽芳", "005": "罗建华", "006": "麦敏仪", "007": "潘伟强", "008": "关燕"}
TEAM_ROLES = (Role.DISSUASION_TEAM, Role.GRID_WORKER)
AGES = {"elderly": (60, 85), "adult": (30, 59), "young": (18, 32), "student": (16, 22)}

# UnionPay card BINs (all start with 62) and card lengths; the last digit is a Luhn check digit.
BANKS = {
    "中国工商银行": ("622202", 19),
    "中国农业银行": ("622848", 19),
    "中国建设银行": ("621700", 19),
    "中国邮政储蓄银行": ("621799", 19),
    "招商银行": ("622588", 16),
    "佛山农商银行": ("623309", 19),
}

VISIT_NOTES_SAFE = (
    "上门面谈，结合同类案例讲解诈骗手法，本人表示已认清骗局。",
    "入户回访，本人情绪稳定，已删除对方联系方式，近期无转账。",
    "与家属一起面谈，确认近期未再接到可疑来电。",
    "回访时协助安装国家反诈中心APP并开启来电预警。",
    "上门回访，本人主动出示手机，已卸载可疑APP。",
)
VISIT_NOTES_AT_RISK = (
    "本人仍坚信对方能返还本金，拒绝卸载APP。",
    "本人称还在与对方联系，准备再借钱“解冻”账户。",
    "本人态度抵触，不愿透露近期转账情况，需家属配合。",
)
VISIT_NOTES_PHONE = (
    "电话回访，本人称在外务工，约定回村后面谈。",
    "电话联系本人，称近期未再接到可疑来电。",
    "电话回访，本人在家休息，家属表示会留意其手机使用。",
)


# --- The scripts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    ago: int  # days before today
    at: str | None  # local time "HH:MM"; None: drawn from the case's random sequence
    verb: str
    args: dict = field(default_factory=dict)


def ack(ago, at):
    return Step(ago, at, "acknowledge")


def first(ago, at, method, result):
    return Step(ago, at, "first_dissuasion", {"method": method, "result": result})


def visit(ago, at=None, *, phone=False, at_risk=False, notes="", with_head=False, **flags):
    return Step(ago, at, "visit", {"phone": phone, "at_risk": at_risk, "notes": notes, "with_head": with_head, **flags})


def visits(*agos):
    """Routine in-person visits that find no more risk."""
    return [visit(ago) for ago in agos]


def escalate(ago, at, relation, outcome, *, gender="male", kin=True):
    return Step(ago, at, "escalation", {"relation": relation, "outcome": outcome, "gender": gender, "kin": kin})


def dissuaded(ago, at, reason="连续回访无异常，本人已认清骗局，家属共同监督。"):
    return Step(ago, at, "confirm_dissuaded", {"reason": reason})


def release(ago, at, reason="经核实已劝阻成功，解除止付。"):
    return Step(ago, at, "confirm_release", {"reason": reason})


def defrauded(ago, at, *, loss, on_ago, reason, by="police"):
    return Step(ago, at, "report_defrauded", {"loss": loss, "on_ago": on_ago, "reason": reason, "by": by})


def close(ago, at, reason, close_reason):
    """Police close early: only with a reason from the list (``CloseReason``)."""
    return Step(ago, at, "close", {"reason": reason, "close_reason": close_reason})


def window_end():
    """The beat task's close when the window ends (the day after ``window_ends``, 00:30)."""
    return Step(0, None, "window_end")


@dataclass(frozen=True)
class Case:
    number: str  # "<village code suffix>-<nn>"
    profile: str  # a key of AGES
    fraud_type: str
    risk_level: str
    pushed: tuple[int, str]  # days ago, local time
    summary: str
    steps: tuple = ()
    banks: tuple[str, ...] = ()
    same_person_as: str = ""  # a new warning for a person warned before: a new case in the same file

    @property
    def external_id(self) -> str:
        return EXTERNAL_ID_PREFIX + self.number

    @property
    def suffix(self) -> str:
        return self.number.split("-")[0]


def _flat(*steps) -> tuple:
    out = []
    for step in steps:
        out.extend(step if isinstance(step, list) else [step])
    return tuple(out)


PHONE_FIRST = "电话劝阻，本人暂停转账，同意村居上门面谈。"
JOINT_FIRST = "民警与村居劝阻队上门联合劝阻，本人当面删除对方联系方式。"

# Each row: the case's number (village code suffix - nn), the person's age group, fraud type, risk level, when it
# was pushed (days ago, local time) and its summary; then its steps in order, its stop-payment banks, and the
# earlier case of the same person.
# fmt: off
CASES = [
    # 罗村社区 (grid_a's village): something to do today.
    Case("001-01", "adult", "impersonate_service", "high", (0, "08:40"),
         "接到自称客服电话，要求下载会议软件共享屏幕，称可办理“百万保障”退费。",
         banks=("中国工商银行",)),
    Case("001-02", "young", "rebate_task", "medium", (6, "09:20"),
         "在短视频平台看到兼职刷单广告，已按“派单员”要求垫付两笔共3000元。",
         _flat(
             first(6, "09:50", "phone", PHONE_FIRST), ack(6, "10:05"),
             visit(6, "15:30", at_risk=True, still_in_contact=True), visit(3, "10:00", understands_risk=True))),
    Case("001-03", "adult", "investment", "high", (10, "14:10"),
         "被拉入“股票交流群”，群内“老师”推荐虚假投资平台，已转账2万元并准备继续加仓。",
         _flat(
             ack(10, "14:25"), first(10, "14:40", "joint", JOINT_FIRST),
             visit(10, "17:00", at_risk=True, still_in_contact=True, with_head=True),
             visit(7, "10:30", at_risk=True, still_in_contact=True, new_transfer_attempts=True),
             escalate(7, "19:00", "女儿", "已电话告知女儿，女儿当晚回家陪同并保管银行卡。", gender="female"),
             escalate(7, "19:30", "配偶", "配偶表示会留意其手机和转账情况。", gender="female", kin=False),
             visit(4, "20:00", phone=True, at_risk=True))),
    Case("001-04", "young", "credit_report", "medium", (3, "16:45"),
         "接到电话称其征信有不良记录需“消除”，要求在多个平台贷款后转入指定账户。",
         _flat(
             ack(3, "17:10"), first(3, "18:00", "phone", PHONE_FIRST), visit(2, "11:00", phone=True))),
    Case("001-05", "elderly", "impersonate_police", "high", (15, "10:00"),
         "接到自称公安民警电话，称其涉嫌洗钱，要求将存款转入“安全账户”配合调查。",
         _flat(
             first(15, "10:20", "in_person", "民警上门劝阻，当场核实并说明公安机关不设“安全账户”。"), ack(15, "10:35"),
             visits(15, 12, 9, 6, 3), dissuaded(1, "16:00")),
         banks=("中国工商银行", "佛山农商银行")),
    Case("001-06", "adult", "dating", "high", (20, "11:30"),
         "网恋对象诱导其在博彩网站“投资”，已多次充值，对方称可带其稳赚。",
         _flat(
             first(20, "11:50", "phone", PHONE_FIRST), ack(20, "12:10"),
             visit(20, "16:00", at_risk=True, still_in_contact=True),
             visit(17, "15:00", at_risk=True, still_in_contact=True),
             escalate(17, "18:40", "兄弟", "哥哥答应劝说，但本人不愿与家人沟通。"),
             visit(12, "10:10", at_risk=True, new_transfer_attempts=True),
             defrauded(11, "09:30", loss="38600.00", on_ago=13, reason="本人瞒着家属继续按对方指示充值，已报案。")),
         banks=("中国农业银行",)),
    Case("001-07", "adult", "loan", "medium", (34, "09:00"),
         "在网上申请无抵押贷款，对方以“解冻费”“保证金”为由要求转账。",
         _flat(
             first(34, "09:30", "phone", PHONE_FIRST), ack(34, "09:45"), visits(34, 31, 28), dissuaded(27, "17:00"),
             release(26, "10:00"), visits(25, 22, 19, 16, 13, 10, 7), window_end()),
         banks=("中国建设银行",)),
    Case("001-08", "adult", "impersonate_leader", "medium", (2, "10:15"),
         "微信被陌生人以单位“领导”名义添加，要求代为垫付款项。",
         _flat(
             ack(2, "10:40"), first(2, "11:00", "phone", PHONE_FIRST),
             visit(2, "15:00", understands_risk=True, app_installed=True, with_head=True)),
         same_person_as="001-07"),
    # 联和村 (grid_b's village)
    Case("002-01", "student", "game_trading", "medium", (8, "10:00"),
         "在游戏平台出售账号，被诱导到第三方交易网站缴纳“保证金”和“解冻费”。",
         _flat(
             first(8, "10:30", "phone", PHONE_FIRST), ack(8, "11:00"), visits(8, 5), visit(1, "20:30", phone=True))),
    Case("002-02", "young", "rebate_task", "low", (12, "15:00"),
         "添加“点赞返利”群后被要求下载陌生APP做“任务”，尚未转账。",
         _flat(
             ack(12, "15:20"), first(12, "16:00", "phone", PHONE_FIRST), visits(12, 9, 6, 3), dissuaded(3, "17:00"))),
    Case("002-03", "adult", "impersonate_service", "high", (22, "09:40"),
         "接到自称快递客服电话，称包裹丢失理赔，诱导开通“备用金”并转账。",
         _flat(
             first(22, "10:00", "phone", PHONE_FIRST), ack(22, "10:20"), visits(22, 19, 16, 13), dissuaded(13, "16:30"),
             release(12, "11:00"), visits(10, 7, 4, 1)),
         banks=("招商银行",)),
    Case("002-04", "elderly", "investment", "high", (1, "21:30"),
         "参加“养老项目”推介会后被要求购买“养老公寓份额”，准备取出定期存款。",
         _flat(
             first(1, "21:50", "phone", "电话劝阻，本人答应暂不取款，但仍想去推介会“了解”。")),
         banks=("中国邮政储蓄银行",)),
    # 下柏村
    Case("003-01", "elderly", "other", "medium", (4, "09:10"),
         "接到自称医保局电话，称医保卡异常需要验证，诱导提供短信验证码。",
         _flat(
             ack(4, "09:30"), visit(4, "10:30"), first(4, "15:00", "phone", PHONE_FIRST), visits(1))),
    Case("003-02", "adult", "loan", "high", (9, "13:30"),
         "办理“低息贷款”时被要求先刷流水，已向对方账户转账5000元。",
         _flat(
             ack(9, "14:00"), first(9, "14:20", "phone", PHONE_FIRST), visits(9, 6, 3), dissuaded(2, "10:00")),
         banks=("中国农业银行",)),
    Case("003-03", "adult", "impersonate_leader", "low", (28, "11:00"),
         "接到冒充亲戚的QQ消息，称急需借钱周转。",
         _flat(
             ack(28, "11:30"), first(28, "12:00", "phone", PHONE_FIRST), visits(28, 25, 22), dissuaded(21, "16:00"),
             close(20, "09:00", "本人已随子女迁往广州长期居住，由当地派出所跟进。", "moved_away"))),
    # 上柏村
    Case("004-01", "adult", "investment", "high", (9, "10:20"),
         "被“投资导师”诱导在虚假外汇平台入金，已投入8万元，仍想追加“提现保证金”。",
         _flat(
             first(9, "10:40", "joint", JOINT_FIRST), ack(9, "10:50"),
             visit(9, "16:00", at_risk=True, still_in_contact=True),
             visit(6, "15:30", at_risk=True, still_in_contact=True),
             visit(3, "19:00", at_risk=True, new_transfer_attempts=True),
             escalate(3, "20:00", "配偶", "妻子已知情，答应保管其银行卡和手机支付密码。", gender="female", kin=False),
             escalate(3, "20:30", "儿子", "儿子明早从广州赶回，一起劝说。"))),
    Case("004-02", "elderly", "impersonate_police", "high", (30, "09:30"),
         "接到冒充公检法电话，称其名下银行卡涉案需“资金核查”。",
         _flat(
             first(30, "09:50", "in_person", "民警上门劝阻，本人当场挂断对方电话。"), ack(30, "10:10"),
             visits(30, 27, 24), dissuaded(24, "17:00"),
             defrauded(16, "15:00", loss="126500.00", on_ago=17,
                       reason="劝阻成功后再次被冒充公检法人员联系，通过网银转账被骗。"),
             close(5, "10:00", "已移交刑侦立案，事故材料归档。", "other"))),
    Case("004-03", "young", "rebate_task", "medium", (0, "09:05"),
         "被陌生人拉入“兼职群”，对方要求下载APP完成“抢单任务”。"),
    # 芦塘村
    Case("005-01", "adult", "dating", "high", (33, "10:00"),
         "交友软件结识“海外华人”，对方以回国见面为由索要“通关费”。",
         _flat(
             ack(33, "10:30"), first(33, "11:00", "phone", PHONE_FIRST),
             visit(33, "16:00", at_risk=True, still_in_contact=True), visits(30, 27, 24))),
    Case("005-02", "young", "credit_report", "low", (5, "14:00"),
         "接到冒充金融平台客服电话，称需注销“学生贷款”账户否则影响征信。",
         _flat(
             ack(5, "14:30"), first(5, "15:00", "phone", PHONE_FIRST), visits(5, 2))),
    Case("005-03", "elderly", "impersonate_police", "high", (25, "09:15"),
         "接到冒充检察院电话，要求下载“安全防护”APP并把存款转入“清查账户”。",
         _flat(
             first(25, "09:30", "in_person", "民警上门劝阻，协助卸载远程控制APP。"), ack(25, "09:40"),
             visits(25, 22, 19, 16), dissuaded(15, "16:00"), release(14, "10:00"), visits(13, 10, 7, 4, 1)),
         banks=("中国农业银行", "佛山农商银行")),
    # 沙坑村
    Case("006-01", "adult", "loan", "medium", (4, "11:00"),
         "在“急速放贷”网站填写资料后被要求缴纳“会员费”。",
         _flat(
             first(4, "11:30", "phone", "电话劝阻，本人称已明白，但未回复村居联系。"))),
    Case("006-02", "student", "game_trading", "low", (7, "18:00"),
         "在社交平台购买游戏皮肤，被引导到私下交易链接付款。",
         _flat(
             ack(7, "18:20"), first(7, "18:40", "phone", PHONE_FIRST), visits(7, 4), dissuaded(1, "11:00"))),
    # 北湖村
    Case("007-01", "elderly", "rebate_task", "high", (13, "10:00"),
         "在老年群被推荐“点赞赚钱”，已充值做“高级任务”，不听家人劝阻。",
         _flat(
             first(13, "10:20", "phone", PHONE_FIRST), ack(13, "10:40"),
             visit(13, "15:00", at_risk=True, still_in_contact=True),
             visit(10, "16:00", at_risk=True, new_transfer_attempts=True),
             escalate(10, "18:30", "女儿", "女儿已知情，每天电话提醒。", gender="female"),
             escalate(10, "19:00", "邻居", "邻居答应帮忙留意其外出去银行。", kin=False))),
    Case("007-02", "adult", "investment", "high", (18, "09:00"),
         "被诱导下载虚假“数字藏品”平台，已充值1.5万元。",
         _flat(
             ack(18, "09:20"), first(18, "09:50", "phone", PHONE_FIRST), visits(18, 15, 12, 9, 6),
             dissuaded(5, "15:00"), visits(2)),
         banks=("中国建设银行",)),
    Case("007-03", "adult", "impersonate_service", "medium", (31, "14:00"),
         "接到冒充电商客服电话，称商品质量问题可“双倍赔付”。",
         _flat(
             ack(31, "14:20"), first(31, "14:50", "phone", PHONE_FIRST), visits(31, 28, 25), dissuaded(24, "16:00"),
             release(23, "09:30"), visits(22, 19, 16, 13, 10, 7, 4)),
         banks=("中国工商银行",)),
    # 塱沙村
    Case("008-01", "adult", "impersonate_leader", "medium", (1, "15:00"),
         "接到冒充村委领导的短信，要求向“工程款”账户转账。",
         _flat(
             ack(1, "15:40"), first(1, "16:00", "phone", PHONE_FIRST), visit(1, "17:30"))),
    Case("008-02", "young", "other", "high", (16, "10:30"),
         "在二手平台交易时被诱导到虚假链接，已泄露银行卡和验证码。",
         _flat(
             first(16, "10:45", "phone", PHONE_FIRST), ack(16, "11:00"), visits(16, 13, 10, 7), dissuaded(7, "16:00"),
             release(6, "10:00"), visits(4, 1)),
         banks=("中国邮政储蓄银行", "招商银行")),
]
# fmt: on


# --- Helpers ---------------------------------------------------------------------------------------


def _backdate(warning_id: int, moment: datetime.datetime) -> None:
    """Set the rows of one warning written by a step with the clock's time back to the step's ``moment``.

    The steps of a case are played in order and every moment is in the past, so whatever is later than
    ``moment`` was written by this step: the warning's ``auto_now`` fields, its history rows, its visits'
    creation and its audit events.
    """
    WarningOrder.objects.filter(pk=warning_id, created_at__gt=moment).update(created_at=moment)
    WarningOrder.objects.filter(pk=warning_id, updated_at__gt=moment).update(updated_at=moment)
    WarningOrder.history.filter(id=warning_id, history_date__gt=moment).update(history_date=moment)
    FollowUpVisit.objects.filter(warning_id=warning_id, created_at__gt=moment).update(created_at=moment)
    AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(WarningOrder), object_id=str(warning_id), at__gt=moment
    ).update(at=moment)


def card_number(rng: random.Random, bank: str) -> str:
    """A UnionPay card number of ``bank`` with a valid Luhn check digit."""
    bin_, length = BANKS[bank]
    body = bin_ + "".join(str(rng.randrange(10)) for _ in range(length - len(bin_) - 1))
    return body + luhn.calc_check_digit(body)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _team_user(village: Unit, suffix: str) -> User:
    """The village's dissuasion team member who acts in the demo: an existing one, or ``team_<suffix>``."""
    existing = (
        User.objects.filter(is_active=True, unit__path__startswith=village.path, roles__role__in=TEAM_ROLES)
        .order_by("username")
        .first()
    )
    if existing is not None:
        return existing
    user, created = User.objects.get_or_create(
        username=TEAM_USERNAME.format(suffix=suffix),
        defaults={"full_name": TEAM_NAMES.get(suffix, f"{village.name}劝阻队员"), "unit": village},
    )
    if created:
        user.set_password(demo_password())
        user.save(update_fields=["password"])
    UserRole.objects.get_or_create(user=user, role=Role.DISSUASION_TEAM)
    return user


def _village_head(village: Unit) -> User | None:
    return User.objects.filter(is_active=True, unit=village, roles__role=Role.VILLAGE_HEAD).order_by("username").first()


class _People:
    """Picks each case's person among a village's registry residents, deterministically."""

    def __init__(self, village: Unit, today: datetime.date):
        rows = list(
            Resident.objects.filter(village=village, household__isnull=False)
            .exclude(phone_hash="")
            .order_by("pk")
            .values_list("pk", "birth_date")
        )
        random.Random(f"luocun-warnings-{village.code}").shuffle(rows)
        self.rows = [(pk, _age(birth, today)) for pk, birth in rows]
        self.used: set[int] = set()

    def pick(self, profile: str) -> int | None:
        low, high = AGES[profile]
        for pk, age in self.rows:
            if pk not in self.used and low <= age <= high:
                self.used.add(pk)
                return pk
        return None


# --- The runner ------------------------------------------------------------------------------------


class _Player:
    def __init__(self, case: Case, *, police: User, team: User, head: User | None, today, now):
        self.case, self.police, self.team, self.head = case, police, team, head
        self.today, self.now = today, now
        self.rng = random.Random(f"luocun-warnings-{case.external_id}")
        self.last: datetime.datetime | None = None

    def moment(self, ago: int, at: str | None) -> datetime.datetime:
        if at is None:
            at = self.rng.choice(("09:30", "10:15", "11:00", "15:40", "16:20", "19:10"))
        hour, minute = map(int, at.split(":"))
        day = self.today - datetime.timedelta(days=ago)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        if self.last is not None:
            moment = max(moment, self.last + datetime.timedelta(minutes=10))
        moment = min(moment, self.now)  # never in the future, whatever the hour of the seed
        self.last = moment
        return moment

    def push(self, person: Resident) -> WarningOrder:
        case = self.case
        accounts = [{"bank": bank, "account_number": card_number(self.rng, bank)} for bank in case.banks]
        pushed_at = self.moment(*case.pushed)
        warning = services.warning_push(
            actor=self.police,
            external_id=case.external_id,
            person_name=person.name,
            id_number=person.id_number,
            phone=person.phone,
            address=person.household.address if person.household_id else "",
            village=person.village,
            fraud_type=case.fraud_type,
            risk_level=case.risk_level,
            summary=case.summary,
            stop_payment_accounts=accounts,
            pushed_at=pushed_at,
            now=pushed_at,
        ).warning
        _backdate(warning.pk, pushed_at)
        return warning

    def play(self, warning: WarningOrder, step: Step) -> WarningOrder:
        if step.verb == "window_end":
            return self._window_end(warning)
        at = self.moment(step.ago, step.at)
        warning = self._act(warning, step, at) or warning
        _backdate(warning.pk, at)
        return warning

    def _act(self, warning: WarningOrder, step: Step, at: datetime.datetime) -> WarningOrder | None:
        args = step.args
        if step.verb == "acknowledge":
            return services.warning_acknowledge(warning=warning, actor=self.team, now=at)
        if step.verb == "first_dissuasion":
            method = DissuasionMethod(args["method"])
            return services.warning_record_first_dissuasion(
                warning=warning, actor=self.police, method=method, result=args["result"], now=at
            )
        if step.verb == "visit":
            return self._visit(warning, at, args)
        if step.verb == "escalation":
            return self._escalate(warning, at, args)
        if step.verb == "confirm_dissuaded":
            return services.warning_confirm_dissuaded(warning=warning, actor=self.team, reason=args["reason"], now=at)
        if step.verb == "confirm_release":
            return services.warning_confirm_release(warning=warning, actor=self.police, reason=args["reason"], now=at)
        if step.verb == "report_defrauded":
            return services.warning_report_defrauded(
                warning=warning,
                actor=self.team if args["by"] == "team" else self.police,
                loss_amount=args["loss"],
                defrauded_on=self.today - datetime.timedelta(days=args["on_ago"]),
                reason=args["reason"],
            )
        if step.verb == "close":
            return services.warning_close(
                warning=warning, actor=self.police, reason=args["reason"], close_reason=args["close_reason"], now=at
            )
        raise ValueError(step.verb)  # pragma: no cover - a typo in CASES

    def _window_end(self, warning: WarningOrder) -> WarningOrder:
        day = warning.window_ends + datetime.timedelta(days=1)
        at = min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 30))), self.now)
        self.last = at
        services.warning_close_at_window_end(warning_id=warning.pk, today=day, now=at)
        _backdate(warning.pk, at)
        return WarningOrder.objects.get(pk=warning.pk)

    def _visit(self, warning: WarningOrder, at: datetime.datetime, args: dict) -> None:
        flags = {key: args[key] for key in args if key not in ("phone", "at_risk", "notes", "with_head")}
        at_risk = args["at_risk"]
        pool = VISIT_NOTES_PHONE if args["phone"] else VISIT_NOTES_AT_RISK if at_risk else VISIT_NOTES_SAFE
        notes = args["notes"] or self.rng.choice(pool)
        if not at_risk and not args["phone"]:
            flags.setdefault("understands_risk", True)
            flags.setdefault("app_installed", self.rng.random() < 0.7)
            flags.setdefault("relatives_informed", self.rng.random() < 0.6)
        visitors = [self.team, self.head] if args["with_head"] and self.head else [self.team]
        services.warning_record_visit(
            warning=warning,
            actor=self.team,
            client_id=uuid.UUID(int=self.rng.getrandbits(128), version=4),
            visited_at=at,
            method="phone" if args["phone"] else "in_person",
            at_risk=at_risk,
            notes=notes,
            visitors=visitors,
            now=at,
            **flags,
        )

    def _escalate(self, warning: WarningOrder, at: datetime.datetime, args: dict) -> None:
        surname = warning.person.name[0] if args["kin"] else self.rng.choice(SURNAMES)
        gender = args["gender"]
        if args["relation"] == "配偶":
            gender = "female" if warning.person.gender == "male" else "male"
        chars = GIVEN["middle"][gender]
        services.warning_record_escalation(
            warning=warning,
            actor=self.team,
            name=surname + self.rng.choice(chars) + self.rng.choice(chars),
            relation=args["relation"],
            phone=_mobile(self.rng),
            contacted_at=at,
            outcome=args["outcome"],
        )


@transaction.atomic
def seed_warnings() -> dict[str, int]:
    """Add the demo warnings (idempotent by instruction number). Returns counts."""
    now = timezone.now()
    today = timezone.localdate(now)
    police = User.objects.filter(username=POLICE_USERNAME, is_active=True).first()
    villages = {
        unit.code: unit
        for unit in Unit.objects.filter(code__in=[TOWN[0] + row[0] for row in VILLAGES], kind=UnitKind.VILLAGE)
    }
    existing = set(
        WarningOrder.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX).values_list("external_id", flat=True)
    )
    created = 0
    people: dict[str, _People] = {}
    persons: dict[str, int] = {}
    actors: dict[str, tuple[User, User | None]] = {}
    for case in CASES:
        village = villages.get(TOWN[0] + case.suffix)
        if police is None or village is None:
            continue  # demo.organization.seed_organization runs first and creates them
        if case.suffix not in people:
            people[case.suffix] = _People(village, today)
        # Pick a person for every case, even an existing one, so that the choices never shift.
        person_pk = persons.get(case.same_person_as) or people[case.suffix].pick(case.profile)
        if person_pk is None:
            continue  # demo.residents.seed_registry runs first and fills the registry
        persons[case.number] = person_pk
        if case.external_id in existing:
            continue
        if case.suffix not in actors:
            actors[case.suffix] = (_team_user(village, case.suffix), _village_head(village))
        team, head = actors[case.suffix]
        player = _Player(case, police=police, team=team, head=head, today=today, now=now)
        person = Resident.objects.select_related("household", "village").get(pk=person_pk)
        warning = player.push(person)
        for step in case.steps:
            warning = player.play(warning, step)
        created += 1

    demo = WarningOrder.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX)
    return {
        "warnings": demo.count(),
        "visits": FollowUpVisit.objects.filter(warning__in=demo).count(),
        "escalation_contacts": EscalationContact.objects.filter(warning__in=demo).count(),
        "stop_payment_accounts": StopPaymentAccount.objects.filter(warning__in=demo).count(),
        "open": demo.open().count(),
        "created_warnings": created,
    }
