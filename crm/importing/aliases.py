"""Header aliases: the shared table of :mod:`crm.io.aliases` when present, else a fallback.

The fallback is a copy of the common Chinese/English headers so that the import works
while the shared module is not merged yet; once it is, it is used as is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Mapping

try:  # the shared table (crm.io, the 'values' branch)
    from crm.io.aliases import ALL, OVERFLOW, header_key, lookup  # type: ignore

    _alias_index = __import__("crm.io.aliases", fromlist=["alias_index"]).alias_index
except Exception:  # pragma: no cover - exercised only before the merge
    from crm.values.text import strip_invisible

    ALL: dict[str, tuple[str, ...]] = {
        "name": ("姓名", "客户姓名", "客户名", "车主", "车主姓名", "客户名称", "客户", "联系人", "name",
                 "customer", "customer name", "owner", "full name"),
        "mobile": ("手机", "手机号", "手机号码", "移动电话", "电话", "联系电话", "电话号码", "联系方式", "客户电话",
                   "车主电话", "客户手机", "mobile", "mobile phone", "cell", "phone", "phone number", "tel"),
        "phone2": ("座机", "固话", "固定电话", "办公电话", "家庭电话", "备用电话", "其他电话", "电话2", "phone 2",
                   "phone2", "landline"),
        "gender": ("性别", "称谓", "gender", "sex"),
        "birthday": ("生日", "出生日期", "birthday", "date of birth", "dob"),
        "id_number": ("身份证", "身份证号", "身份证号码", "证件号码", "id number"),
        "city": ("城市", "所在城市", "所在地", "city"),
        "address": ("地址", "联系地址", "家庭地址", "住址", "通讯地址", "详细地址", "address"),
        "company": ("单位", "工作单位", "公司", "company"),
        "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail"),
        "wechat": ("微信", "微信号", "wechat"),
        "card_number": ("会员卡号", "卡号", "card number"),
        "member_level": ("会员等级", "会员级别", "member level"),
        "source": ("客户来源", "来源", "来源渠道", "source", "lead source"),
        "sales_advisor": ("销售顾问", "销售", "sales advisor"),
        "notes": ("备注", "说明", "notes", "remark", "remarks"),
        "tags": ("标签", "客户标签", "tags", "tag"),
        "plate": ("车牌", "车牌号", "车牌号码", "牌照", "号牌号码", "plate", "plate number", "license plate"),
        "vin": ("vin", "vin码", "车架号", "车架号码", "底盘号", "车辆识别代号", "vin number", "chassis number"),
        "brand": ("品牌", "厂牌", "brand", "make"),
        "model": ("车型", "车系", "车型名称", "model", "series"),
        "model_year": ("年款", "车型年款", "model year"),
        "colour": ("颜色", "车身颜色", "外观颜色", "colour", "color"),
        "engine_number": ("发动机号", "engine number"),
        "mileage": ("里程", "行驶里程", "公里数", "里程数", "进厂里程", "mileage", "odometer", "km"),
        "delivery_date": ("购车日期", "交车日期", "开票日期", "购买日期", "销售日期", "提车日期", "delivery date",
                          "purchase date"),
        "insurance_expiry": ("保险到期", "保险到期日", "保险到期日期", "insurance expiry"),
        "inspection_due": ("年检到期", "年检日期", "年审日期", "inspection due"),
        "ro_number": ("工单号", "维修工单号", "委托书号", "工单编号", "ro", "ro number", "repair order"),
        "date_in": ("进厂日期", "进厂时间", "进站时间", "接车时间", "开单日期", "date in", "check-in"),
        "date_out": ("出厂日期", "出厂时间", "交车时间", "结算日期", "完工日期", "date out", "check-out"),
        "visit_type": ("维修类型", "工单类型", "业务类型", "服务类型", "visit type", "repair type", "type"),
        "advisor": ("服务顾问", "接待顾问", "接待", "advisor", "service advisor", "sa"),
        "amount": ("金额", "结算金额", "工单金额", "总金额", "合计金额", "amount", "total"),
    }
    OVERFLOW = {"mobile": "phone2"}
    _STRIP = re.compile(r"[\s_*＊※]+")
    _TRAIL = re.compile(r"[:：.。]+$")
    _BRACKET = re.compile(r"\s*[(（\[【].*?[)）\]】]\s*")

    def header_key(text: object) -> str:
        if text is None:
            return ""
        s = strip_invisible(str(text)).lower()
        return _TRAIL.sub("", _STRIP.sub("", s))

    def _alias_index(table: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, int]]:
        out: dict[str, tuple[str, int]] = {}
        for fieldname, names in table.items():
            for rank, alias in enumerate(names):
                out.setdefault(header_key(alias), (fieldname, rank))
        return out

    def lookup(index, header):
        key = header_key(header)
        if not key:
            return None
        hit = index.get(key)
        if hit is None and any(b in key for b in "(（[【"):
            bare = _TRAIL.sub("", _BRACKET.sub("", key))
            hit = index.get(bare) if bare else None
        return hit

#: Items a dealer's visit list calls "items" (维修项目) that the shared table may lack.
EXTRA: dict[str, tuple[str, ...]] = {
    "items": ("维修项目", "项目", "维修内容", "工单项目", "items", "work items"),
}


@lru_cache(maxsize=1)
def index() -> dict[str, tuple[str, int]]:
    table = dict(ALL)
    for k, v in EXTRA.items():
        if v and k not in table:
            table[k] = v
    return _alias_index(table)


def first_alias(fieldname: str) -> str:
    """The Chinese header used on exports with --chinese-headers."""
    names = ALL.get(fieldname) or EXTRA.get(fieldname) or ()
    return names[0] if names else fieldname


__all__ = ["ALL", "OVERFLOW", "header_key", "lookup", "index", "first_alias"]
