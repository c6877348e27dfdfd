"""Default header aliases: which column headers mean which field.

Headers are compared after :func:`header_key`: half-width, lower-case,
without spaces, underscores, required-field marks and trailing colons
(``"手机号码*"``, ``"手机号码："``, ``" Mobile "`` all match).  A header with a
unit or remark in brackets (``"里程(km)"``, ``"金额（元）"``) matches
when the text before the bracket does.

Field names are the ones the import commands store:

=================  ===========================================================
field              meaning
=================  ===========================================================
name               customer name (车主 / 客户姓名)
mobile             main phone number
mobile2            second mobile (手机2; what ``crm customer export`` writes)
phone2             second phone number (used when a file has 手机 *and* 电话)
gender             男/女
birthday           date of birth
id_number          ID card number (personal data: store only if needed)
city, address      where the customer lives
company            employer / fleet owner
email, wechat      contact ids
card_number        loyalty card number
member_level       loyalty level
source             lead source (客户来源)
sales_advisor      salesperson
plate, vin         vehicle ids
brand, model       make, model / series
model_year         年款
colour             body colour
engine_number      engine number
mileage            odometer reading
delivery_date      purchase / delivery / invoice date
insurance_expiry   insurance expiry date
inspection_due     annual inspection due date
ro_number          repair-order number
date_in, date_out  workshop in / out (settlement) dates
visit_type         repair-order type (保养, 维修, 钣喷 …)
advisor            service advisor
amount             repair-order amount
notes, tags        free text, labels
classification     客户等级 VIP/A/B/C (``crm customer classify`` recomputes it)
ref                the dealer's own customer number (客户编号)
do_not_contact     免打扰 (是/否, 勿扰 …)
consent_<channel>  允许电话/短信/微信/邮件 (phone, sms, wechat, email)
specialist         responsible specialist (专员): a staff code or name
preferred_channel  首选联系方式; best_time: 方便联系时间
card_issued,       membership card issued / expires (发卡日期 / 卡到期日)
card_expires
=================  ===========================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from crm.values.text import strip_invisible

__all__ = [
    "CUSTOMER",
    "VEHICLE",
    "VISIT",
    "ALL",
    "OVERFLOW",
    "header_key",
    "alias_index",
]

CUSTOMER: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "客户姓名", "客户名", "车主", "车主姓名", "车主名称", "客户名称", "客户", "联系人", "name", "customer", "customer name", "owner", "owner name", "full name"),
    "mobile": ("手机", "手机号", "手机号码", "移动电话", "电话", "联系电话", "电话号码", "联系方式", "客户电话", "车主电话", "车主手机", "客户手机", "mobile", "mobile phone", "cell", "cellphone", "phone", "phone number", "tel", "telephone"),
    "phone2": ("座机", "固话", "固定电话", "办公电话", "家庭电话", "备用电话", "其他电话", "电话2", "联系电话2", "phone 2", "phone2", "landline", "other phone"),
    "mobile2": ("手机2", "手机号2", "手机号码2", "第二手机", "备用手机", "mobile2", "mobile 2", "second mobile"),
    "gender": ("性别", "称谓", "gender", "sex"),
    "birthday": ("生日", "出生日期", "出生年月日", "birthday", "date of birth", "dob", "birth date"),
    "id_number": ("身份证", "身份证号", "身份证号码", "证件号", "证件号码", "id number", "id card"),
    "city": ("城市", "所在城市", "所在地", "城市名称", "city"),
    "address": ("地址", "联系地址", "家庭地址", "住址", "通讯地址", "详细地址", "address"),
    "company": ("单位", "工作单位", "公司", "公司名称", "company", "employer"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "邮件", "email", "e-mail", "mail"),
    "wechat": ("微信", "微信号", "wechat", "wechat id", "weixin"),
    "card_number": ("会员卡号", "卡号", "会员号", "card number", "card no", "member card", "membership number"),
    "member_level": ("会员等级", "会员级别", "卡等级", "member level", "membership level", "tier"),
    "source": ("客户来源", "来源", "来源渠道", "信息来源", "source", "lead source", "channel"),
    "sales_advisor": ("销售顾问", "销售员", "销售", "sales", "sales advisor", "salesperson"),
    "notes": ("备注", "说明", "备注信息", "notes", "note", "remark", "remarks", "comment", "comments"),
    "tags": ("标签", "客户标签", "tags", "tag", "labels"),
    "classification": ("客户等级", "客户分级", "客户级别", "classification", "customer class"),
    "ref": ("客户编号", "客户编码", "客户代码", "档案编号", "ref", "customer ref", "customer no", "customer number"),
    "do_not_contact": ("免打扰", "勿扰", "请勿打扰", "拒绝联系", "do not contact", "dnc", "no contact"),
    "consent_phone": ("允许电话", "接受电话", "电话许可", "consent phone", "allow phone", "phone consent", "phone ok"),
    "consent_sms": ("允许短信", "接受短信", "短信许可", "consent sms", "allow sms", "sms consent", "sms ok"),
    "consent_wechat": ("允许微信", "接受微信", "微信许可", "consent wechat", "allow wechat", "wechat consent"),
    "consent_email": ("允许邮件", "允许邮箱", "接受邮件", "邮件许可", "consent email", "allow email", "email consent"),
    "specialist": ("专员", "负责专员", "责任专员", "客服专员", "档案专员", "specialist", "responsible"),
    "preferred_channel": ("首选联系方式", "偏好联系方式", "联系偏好", "preferred channel", "preferred contact"),
    "best_time": ("方便联系时间", "最佳联系时间", "联系时间", "best time", "best time to call", "contact time"),
    "card_issued": ("发卡日期", "开卡日期", "办卡日期", "card issued", "card issue date", "issued on"),
    "card_expires": ("卡到期日", "卡到期日期", "会员到期日", "会员卡到期", "card expires", "card expiry", "expires on"),
}

VEHICLE: dict[str, tuple[str, ...]] = {
    "plate": ("车牌", "车牌号", "车牌号码", "牌照", "牌照号", "号牌号码", "plate", "plate number", "licence plate", "license plate", "registration"),
    "vin": ("vin", "vin码", "vin号", "车架号", "车架号码", "底盘号", "车辆识别代号", "车辆识别号", "识别代号", "vin number", "chassis number"),
    "brand": ("品牌", "厂牌", "brand", "make"),
    "model": ("车型", "车系", "车型名称", "车辆型号", "model", "series", "vehicle model"),
    "model_year": ("年款", "车型年款", "model year", "year"),
    "colour": ("颜色", "车身颜色", "外观颜色", "车色", "colour", "color", "body colour", "body color"),
    "engine_number": ("发动机号", "发动机号码", "engine number", "engine no"),
    "mileage": ("里程", "行驶里程", "公里数", "里程数", "进厂里程", "表显里程", "mileage", "odometer", "km"),
    "delivery_date": ("购车日期", "交车日期", "开票日期", "购买日期", "销售日期", "提车日期", "delivery date", "purchase date", "invoice date", "sold date"),
    "insurance_expiry": ("保险到期", "保险到期日", "保险到期日期", "保险截止日期", "商业险到期", "交强险到期", "insurance expiry", "insurance due", "insurance expiry date"),
    "inspection_due": ("年检到期", "年检日期", "年审日期", "年审到期", "年检到期日", "inspection due", "inspection date", "annual inspection"),
}

VISIT: dict[str, tuple[str, ...]] = {
    "ro_number": ("工单号", "维修工单号", "委托书号", "工单编号", "委托书编号", "ro", "ro number", "ro no", "repair order", "repair order number", "work order"),
    "date_in": ("进厂日期", "进厂时间", "进站时间", "进站日期", "接车时间", "开单时间", "开单日期", "date in", "check-in", "check in", "arrival"),
    "date_out": ("出厂日期", "出厂时间", "交车时间", "结算日期", "结算时间", "完工日期", "date out", "check-out", "check out", "settlement date", "closed"),
    "visit_type": ("维修类型", "工单类型", "业务类型", "维修类别", "服务类型", "visit type", "repair type", "order type", "service type"),
    "advisor": ("服务顾问", "接待顾问", "接待", "服务专员", "接待人", "advisor", "service advisor", "sa"),
    "amount": ("金额", "结算金额", "工单金额", "总金额", "合计金额", "实收金额", "amount", "total", "total amount"),
}

#: Every field, for files that mix customers, vehicles and visits (the usual
#: dealer "客户档案" has customer and vehicle columns side by side).
ALL: dict[str, tuple[str, ...]] = {**CUSTOMER, **VEHICLE, **VISIT}

#: When two columns map to the same field, the column whose header is the
#: better (earlier-listed) alias keeps the field and the other one moves to
#: the overflow field; fields without an overflow make it an error.
OVERFLOW: dict[str, str] = {"mobile": "phone2"}

_STRIP = re.compile(r"[\s_*＊※]+")
_TRAIL = re.compile(r"[:：.。]+$")
_BRACKET = re.compile(r"\s*[(（\[【].*?[)）\]】]\s*")


def header_key(text: object) -> str:
    """Comparison key of a header cell.

    >>> header_key(" 手机号码* "), header_key("Ｍｏｂｉｌｅ："), header_key("*VIN码")
    ('手机号码', 'mobile', 'vin码')
    """
    if text is None:
        return ""
    s = strip_invisible(str(text)).lower()
    s = _STRIP.sub("", s)
    return _TRAIL.sub("", s)


def _bare(key: str) -> str:
    return _TRAIL.sub("", _BRACKET.sub("", key))


def alias_index(aliases: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, int]]:
    """``{header_key(alias): (field, rank)}``; rank is the alias position.

    A later field does not override an earlier one that claims the same
    alias.
    """
    index: dict[str, tuple[str, int]] = {}
    for field, names in aliases.items():
        for rank, alias in enumerate(names):
            index.setdefault(header_key(alias), (field, rank))
    return index


def lookup(index: Mapping[str, tuple[str, int]], header: object) -> tuple[str, int] | None:
    """Find a header in an :func:`alias_index`, also without a bracketed
    unit/remark (``里程(km)`` → ``里程``).

    >>> idx = alias_index(ALL)
    >>> lookup(idx, "里程（km）"), lookup(idx, "金额(元)")[0], lookup(idx, "随便")
    (('mileage', 0), 'amount', None)
    """
    key = header_key(header)
    if not key:
        return None
    hit = index.get(key)
    if hit is None and ("(" in key or "（" in key or "[" in key or "【" in key):
        bare = _bare(key)
        if bare:
            hit = index.get(bare)
    return hit
