"""A starter set of typical cases (典型案例), one per fraud type, written for this project in plain Chinese.

They are composites of how these swindles commonly go, not real cases: no names, no numbers, no places beyond
"本镇". :func:`typical_cases_seed_starter` writes and publishes them through the services (idempotent by title in
the author's town), so the police or the governance centre can start from them and edit them.
"""

from __future__ import annotations

from django.db import transaction

from warnings_followup.models import FraudType

from .models import TypicalCase
from .services import typical_case_library_unit, typical_case_publish, typical_case_save

STARTER_CASES = [
    {
        "fraud_type": FraudType.REBATE_TASK,
        "title": "“动动手指就能赚钱”的刷单陷阱",
        "story": (
            "本镇一名在家带孩子的年轻妈妈，在短视频评论区看到“点赞关注就能领佣金”的广告，加了对方的聊天群。"
            "头几单点赞任务，对方很快返了几块钱、十几块钱，她觉得可靠。随后“导师”让她做“垫付任务”，"
            "先转钱买商品再连本带利返还，金额越来越大。等她转出几万元，对方说她“操作失误”，"
            "要再交钱“解冻账户”才能提现，她这才发现被骗。"
        ),
        "warning_signs": [
            "先让你尝到小甜头，小额返利很快到账",
            "要求下载陌生 APP 或进入陌生聊天群做任务",
            "要你先垫钱、再返本金和佣金",
            "说你“操作失误”“账户冻结”，要再交钱才能提现",
        ],
        "script": [
            "所有刷单都是诈骗，先垫钱的任务没有一个是真的。",
            "尝到的小甜头是诱饵，后面的大钱一分都拿不回来。",
            "现在就停止转账，退出那个群，卸载那个 APP。",
            "已经转了钱的，马上打 110 报警，保存好聊天记录和转账记录。",
        ],
    },
    {
        "fraud_type": FraudType.INVESTMENT,
        "title": "“老师带你炒股”的投资群",
        "story": (
            "一名退休职工被陌生人拉进一个“股票交流群”，群里每天有“老师”讲课，还有很多“群友”晒收益截图。"
            "在“老师”推荐下，他下载了一个投资平台，先投几千元，账面很快显示赚了钱，还能提现一小笔。"
            "他于是把积蓄陆续投进去，账面收益越来越高。想全部取出时，平台说要先交“个人所得税”和“保证金”，"
            "交了之后平台就打不开了，群也解散了。"
        ),
        "warning_signs": [
            "陌生人拉你进“炒股群”“理财群”，有“老师”喊单",
            "群里很多人晒收益截图，气氛火热",
            "要你下载不在正规应用商店的投资平台",
            "取钱时要先交税、保证金、解冻费",
        ],
        "script": [
            "正规投资不会在聊天群里拉人，群里的“群友”多半是骗子演的。",
            "账面上的收益是假的数字，平台是骗子自己做的。",
            "取钱前要先交钱的，百分之百是诈骗，一分钱都不要再交。",
            "不懂的投资不碰，有疑问先问家里人，或者打 96110 咨询。",
        ],
    },
    {
        "fraud_type": FraudType.LOAN,
        "title": "“无抵押、秒到账”的网贷",
        "story": (
            "一名做小生意的村民急需周转，接到电话说可以“无抵押、低利息、当天放款”。"
            "对方让他下载一个贷款 APP，填完资料后，APP 显示“银行卡号填错，资金被冻结”，"
            "要他先交“解冻费”；交了之后又说要交“保证金”“刷流水”。前后交了好几次钱，贷款一分没拿到。"
        ),
        "warning_signs": [
            "贷款不看征信、不要抵押、秒到账",
            "放款前先要交手续费、保证金、解冻费",
            "说你“填错资料”“账户冻结”，要交钱解冻",
            "要你下载陌生 APP，而不是去银行办理",
        ],
        "script": [
            "正规贷款在放款前不会收任何费用。",
            "说你卡号填错、资金冻结的，都是骗你交钱的借口。",
            "需要借钱，请到银行网点或者正规金融机构办理。",
            "已经交了钱的，不要再交，马上打 110 报警。",
        ],
    },
    {
        "fraud_type": FraudType.IMPERSONATE_POLICE,
        "title": "“你涉嫌洗钱”的假警察电话",
        "story": (
            "一位独居老人接到电话，对方自称外地公安局民警，说老人的银行卡涉嫌洗钱，马上要被冻结。"
            "对方还在视频里穿着警服，出示“通缉令”，要求老人“配合调查”、不许告诉任何人，"
            "把存款转到所谓的“安全账户”核查。幸好老人去银行转账时，柜员发现异常及时报警，才没有受骗。"
        ),
        "warning_signs": [
            "电话或视频里自称公安、检察院、法院的人说你涉案",
            "出示“通缉令”“逮捕令”等文件图片",
            "要求你保密，不许告诉家人",
            "要你把钱转到“安全账户”",
        ],
        "script": [
            "公安机关不会通过电话、视频办案，更不会发“通缉令”给你看。",
            "世界上没有“安全账户”，让你转钱的都是骗子。",
            "接到这种电话马上挂断，告诉家人，或者到派出所当面问清楚。",
            "不要按对方要求下载任何软件，不要开启屏幕共享。",
        ],
    },
    {
        "fraud_type": FraudType.IMPERSONATE_SERVICE,
        "title": "“快递丢了要理赔”的假客服",
        "story": (
            "一名在外打工的年轻人接到电话，对方准确说出他网购的商品和收货地址，自称快递客服，"
            "说包裹丢了要“双倍理赔”。对方引导他下载会议软件、开启屏幕共享，说是“教他操作退款”。"
            "在对方指挥下，他输入了银行卡验证码，卡里的钱很快被转走。"
        ),
        "warning_signs": [
            "自称客服主动打电话说要理赔、退款",
            "能说出你的购物信息，显得很可信",
            "要你下载会议软件、开启屏幕共享",
            "要你提供验证码，或者在“备用金”“借款平台”借钱",
        ],
        "script": [
            "理赔、退款请在购物平台的官方 APP 里办理，不要听来电的“客服”。",
            "验证码就是你的钱包钥匙，谁要都不能给。",
            "要你开屏幕共享的，马上挂电话。",
            "不放心就自己打平台官方客服电话核实。",
        ],
    },
    {
        "fraud_type": FraudType.IMPERSONATE_LEADER,
        "title": "“我是你领导，先帮我转笔钱”",
        "story": (
            "一家小企业的会计收到一个微信好友申请，头像和名字都是公司老板。"
            "“老板”把她拉进一个工作群，群里还有几个“同事”。随后“老板”说急着给客户付款，"
            "让她先转一笔钱到指定账户，还说“回头再补手续”。她照做后打电话向老板核实，才知道被骗。"
        ),
        "warning_signs": [
            "领导、熟人换了新微信或新号码来加你",
            "对方说正在开会、不方便接电话",
            "急着要你转账，还让你先别声张",
            "收款账户是陌生人的",
        ],
        "script": [
            "凡是网上让你转钱的“领导”“熟人”，先打电话或当面核实。",
            "对方说不方便接电话，就更要小心。",
            "单位付款要按财务制度走，不要私下转账。",
            "已经转了钱的，马上报警并联系银行止付。",
        ],
    },
    {
        "fraud_type": FraudType.GAME_TRADING,
        "title": "低价买游戏装备的学生",
        "story": (
            "一名初中生在游戏里看到有人低价出售皮肤和装备，加了对方的聊天软件。"
            "对方让他在一个“交易平台”下单，付款后平台说“账号异常，需要交保证金解冻”，"
            "他用家长的手机又转了几次钱，直到家长发现银行卡余额变少。"
        ),
        "warning_signs": [
            "游戏装备、账号价格低得离谱",
            "要你离开游戏官方平台，到私下的“交易网站”交易",
            "付款后说账号冻结、要交保证金",
            "要你用家长的手机或银行卡付款",
        ],
        "script": [
            "游戏交易只在官方平台做，私下交易都不安全。",
            "说要交保证金、解冻费的，都是骗子。",
            "孩子们：用钱之前先和爸爸妈妈商量。",
            "家长：管好支付密码，开通消费提醒。",
        ],
    },
    {
        "fraud_type": FraudType.DATING,
        "title": "网上认识的“完美对象”",
        "story": (
            "一名离异的中年人在交友软件上认识了一个“成功人士”，对方嘘寒问暖，很快以恋人相称，"
            "但总是以各种理由不肯见面。一段时间后，对方说发现一个网站有漏洞可以稳赚，"
            "带着他一起“投资”，他越投越多，最后网站无法提现，对方也消失了。"
        ),
        "warning_signs": [
            "网上认识，对方条件很好，很快就谈感情",
            "一直不肯视频、不肯见面",
            "聊着聊着说起投资、博彩、“内部消息”",
            "以急用、生病、路费等理由借钱",
        ],
        "script": [
            "没见过面的网友，一谈钱就是骗。",
            "他带你“投资”的网站是骗子自己做的。",
            "先停止转账，和家人朋友说一说。",
            "保存聊天记录和转账记录，马上报警。",
        ],
    },
    {
        "fraud_type": FraudType.CREDIT_REPORT,
        "title": "“注销校园贷，否则影响征信”",
        "story": (
            "一名刚参加工作的年轻人接到电话，对方称他上学时开通过“校园贷”账户，现在必须注销，"
            "否则会影响个人征信。对方让他在几个借款平台上把额度借出来，再转到指定账户“清空额度”。"
            "他照做后，才发现欠下了几笔真实的贷款。"
        ),
        "warning_signs": [
            "说你有校园贷、网贷账户要注销",
            "说不注销就会影响征信",
            "要你在借款平台借钱再转出去",
            "要你开启屏幕共享、提供验证码",
        ],
        "script": [
            "个人征信不能靠电话“修复”，也没有“注销账户”这回事。",
            "让你借钱再转走的，就是诈骗。",
            "查征信请到人民银行或者银行网点办理。",
            "马上挂断电话，不要按对方说的操作。",
        ],
    },
    {
        "fraud_type": FraudType.OTHER,
        "title": "“恭喜中奖，先交手续费”",
        "story": (
            "一位老年人收到短信，说她在一个节目抽奖中了大奖，要先交“手续费”“公证费”才能领奖。"
            "她按短信里的链接填写了个人信息，又转了手续费。对方又以“个人所得税”为由再次要钱，"
            "她的家人知道后及时劝阻，才没有继续转账。"
        ),
        "warning_signs": [
            "莫名其妙“中大奖”，自己并没有参加抽奖",
            "领奖前要先交手续费、税费、公证费",
            "短信、链接要你填写银行卡和身份证信息",
        ],
        "script": [
            "天上不会掉馅饼，没参加的抽奖不会中奖。",
            "真的中奖不需要先交钱。",
            "陌生短信里的链接不要点，个人信息不要填。",
            "拿不准的事先问家里人，或者打 96110 咨询。",
        ],
    },
]


def typical_cases_seed_starter(*, actor) -> dict:
    """Write and publish the starter set in ``actor``'s town (skipping titles already there). Returns counts."""
    unit = typical_case_library_unit(actor)
    existing = set(TypicalCase.objects.filter(unit=unit).values_list("title", flat=True))
    created = 0
    for item in STARTER_CASES:
        if item["title"] in existing:
            continue
        with transaction.atomic():
            case = typical_case_save(actor=actor, **item)
            typical_case_publish(actor=actor, case=case, reason="starter set")
        created += 1
    return {"typical_cases": TypicalCase.objects.filter(unit=unit).count(), "created_typical_cases": created}
