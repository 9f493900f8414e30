"""The printed materials of the door-knocking outreach: the letter, the police contact card and the pledge form.

The wording lives in :class:`PrintMaterial` rows that the town edits in the admin; the numbers on the card
and the letter in :class:`PoliceContact` rows. When a material has no row yet, :func:`material_for` creates
it from the default wording below (written in the spirit of section 三(一)1 of the plan), so a fresh
installation prints at once and no data migration is needed. The Chinese text here is data, not UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from .models import Material, PoliceContact, PrintMaterial

DEFAULT_WORDING: dict[str, dict[str, str]] = {
    Material.LETTER: {
        "title": "反电信网络诈骗致广大人民群众的一封信",
        "body": (
            "广大人民群众：\n\n"
            "当前，电信网络诈骗违法犯罪高发多发，犯罪分子冒充公检法、客服、领导熟人，以刷单返利、虚假投资理财、"
            "虚假网络贷款、网络游戏虚假交易、冒充电商物流客服、“杀猪盘”等手段骗取群众钱财，严重侵害人民群众财产"
            "安全。为守护好大家的“钱袋子”，罗村镇开展“敲门行动”，请您和家人牢记以下防骗要点：\n\n"
            "一、不轻信。不要轻信陌生人的电话、短信、网络信息，凡是自称公检法要求转账到“安全账户”的，都是诈骗；"
            "凡是网上刷单、先垫付后返利的，都是诈骗；凡是陌生人推荐的高回报投资理财，都是诈骗。\n\n"
            "二、不贪心。不要相信“天上掉馅饼”，不贪小便宜，不点击来历不明的链接，不扫描陌生二维码，不下载陌生"
            "人推荐的APP。\n\n"
            "三、不泄露。保管好个人身份信息、银行卡号、密码和短信验证码，任何人索要验证码都不要提供；不出租、"
            "出借、出售自己的银行卡和手机卡，以免沦为诈骗分子的“工具人”。\n\n"
            "四、不转账。遇到要求转账汇款的，先挂断电话，向家人核实，或拨打96110、110咨询；一旦被骗，立即报警，"
            "并保存好聊天记录、转账凭证等证据。\n\n"
            "五、装APP。请在手机上下载安装“国家反诈中心”APP，开启来电预警功能，让骗子无机可乘。\n\n"
            "请您把这封信的内容告诉家中的老人和孩子，提醒亲朋好友共同防范。全民反诈，人人有责！"
        ),
        "closing": "罗村镇防范治理电信网络新型违法犯罪工作领导小组\n罗村派出所",
    },
    Material.CONTACT_CARD: {
        "title": "警民联系卡",
        "body": (
            "不轻信、不透露、不转账。\n\n"
            "公检法不会电话办案，没有“安全账户”；刷单返利、高回报投资、网上贷款先交钱，都是诈骗。\n\n"
            "请安装“国家反诈中心”APP。遇到可疑情况，请拨打以下电话。"
        ),
        "closing": "罗村派出所 · 罗村镇防范治理电信网络新型违法犯罪工作领导小组",
    },
    Material.PLEDGE_FORM: {
        "title": "防范电信网络诈骗承诺书",
        "body": (
            "本人已阅读《反电信网络诈骗致广大人民群众的一封信》，已听取网格员讲解电信网络诈骗的种类、惯用手段"
            "和典型案例，了解电信网络诈骗的危害。本人郑重承诺：\n\n"
            "一、不轻信陌生人的电话、短信和网络信息，不相信“天上掉馅饼”，不贪小便宜。\n\n"
            "二、保管好个人资料、银行卡号、密码和验证码，不向他人透露。\n\n"
            "三、不出租、出借、出售本人的银行卡、手机卡和各类账户，不参与任何帮助诈骗分子转账洗钱的活动。\n\n"
            "四、下载并安装“国家反诈中心”APP，遇到可疑情况及时向家人核实或拨打96110、110咨询报警。\n\n"
            "五、主动向家人、亲友宣传防骗知识，共同守护“钱袋子”。"
        ),
        "closing": "本承诺书由户内成员签名后交网格员带回村（居）备案留存。",
    },
}


@dataclass(frozen=True)
class Contact:
    label: str
    phone: str


# Printed when the town has not entered its own numbers yet: national numbers, valid everywhere.
DEFAULT_CONTACTS = (Contact("报警电话", "110"), Contact("全国反诈专线", "96110"))


# A town's own wording (organization.TownSettings) over the installation's: {material: {field: setting name}}.
TOWN_WORDING = {
    Material.LETTER: {"title": "letter_title", "body": "letter_body", "closing": "letter_closing"},
    Material.CONTACT_CARD: {"closing": "card_closing"},
}


def _installation_material(kind: Material) -> PrintMaterial:
    material = PrintMaterial.objects.filter(kind=kind).first()
    if material is not None:
        return material
    try:
        with transaction.atomic():
            return PrintMaterial.objects.create(kind=kind, **DEFAULT_WORDING[kind])
    except IntegrityError:  # created meanwhile by another request
        return PrintMaterial.objects.get(kind=kind)


def material_for(kind: str, unit=None) -> PrintMaterial:
    """The material's current wording; created from :data:`DEFAULT_WORDING` on first use. With ``unit``, the
    wording of its town (then its county: ``TownSettings``) replaces the installation's where set (not saved)."""
    kind = Material(kind)
    material = _installation_material(kind)
    if unit is None or kind not in TOWN_WORDING:
        return material
    from organization.selectors import town_setting

    for attribute, name in TOWN_WORDING[kind].items():
        value = town_setting(unit, name)
        if value:
            setattr(material, attribute, value)
    return material


def parse_contacts(text: str) -> list[Contact]:
    """ "罗村派出所 0757-12345678" a line: who, then the number (the last word)."""
    found = []
    for line in text.replace("\r\n", "\n").split("\n"):
        label, _sep, phone = line.strip().rpartition(" ")
        if label.strip() and phone:
            found.append(Contact(label.strip(), phone))
    return found


def police_contacts(unit=None) -> list:
    """The numbers to print, in order: the town's own (``TownSettings``, then its county's) for ``unit``, else the
    installation's; the national numbers when none has been entered."""
    if unit is not None:
        from organization.selectors import town_setting

        own = parse_contacts(town_setting(unit, "police_contacts") or "")
        if own:
            return own
    contacts = list(PoliceContact.objects.all())
    return contacts or list(DEFAULT_CONTACTS)


def closing_lines(material: PrintMaterial) -> list[str]:
    return [line.strip() for line in material.closing.replace("\r\n", "\n").split("\n") if line.strip()]
