"""The layout of the exports: Chinese headers, field names, labels, clean cells.

One row of the customer export per vehicle; :func:`customer_rows` yields them
with plain strings in the order of :data:`CUSTOMER_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Iterator

from .generate import Generator
from .service import VISIT_TYPES

#: (Chinese header, record, field) of the customer/vehicle export, in column order.
CUSTOMER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("客户编号", "customer", "ref"),
    ("姓名", "customer", "name"),
    ("性别", "customer", "gender"),
    ("出生日期", "customer", "birthday"),
    ("手机", "customer", "mobile"),
    ("备用电话", "customer", "mobile2"),
    ("微信", "customer", "wechat"),
    ("邮箱", "customer", "email"),
    ("城市", "customer", "city"),
    ("地址", "customer", "address"),
    ("客户来源", "customer", "source"),
    ("会员卡号", "customer", "card_number"),
    ("会员等级", "customer", "card_level"),
    ("发卡日期", "customer", "card_issued"),
    ("卡到期日", "customer", "card_expires"),
    ("首选联系方式", "customer", "preferred_channel"),
    ("方便联系时间", "customer", "best_time"),
    ("允许电话", "customer", "consent_phone"),
    ("允许短信", "customer", "consent_sms"),
    ("允许微信", "customer", "consent_wechat"),
    ("允许邮件", "customer", "consent_email"),
    ("免打扰", "customer", "do_not_contact"),
    ("标签", "customer", "tags"),
    ("备注", "customer", "notes"),
    ("专员", "customer", "specialist"),
    ("车牌号", "vehicle", "plate"),
    ("车架号", "vehicle", "vin"),
    ("车型", "vehicle", "model"),
    ("年款", "vehicle", "model_year"),
    ("颜色", "vehicle", "colour"),
    ("购车日期", "vehicle", "delivery_date"),
    ("行驶里程", "vehicle", "mileage"),
    ("保险到期", "vehicle", "insurance_expires"),
    ("年检到期", "vehicle", "inspection_due"),
)
CUSTOMER_HEADERS: tuple[str, ...] = tuple(h for h, _, _ in CUSTOMER_COLUMNS)

#: (Chinese header, field) of the repair-order export.
VISIT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("工单号", "ro_number"),
    ("车架号", "vin"),
    ("客户编号", "customer_ref"),
    ("进厂时间", "date_in"),
    ("出厂时间", "date_out"),
    ("工单类型", "type"),
    ("服务顾问", "advisor"),
    ("进厂里程", "mileage"),
    ("结算金额", "amount"),
    ("维修项目", "items"),
)
VISIT_HEADERS: tuple[str, ...] = tuple(h for h, _ in VISIT_COLUMNS)

GENDER_LABELS = {"M": "男", "F": "女"}
CHANNEL_LABELS = {"phone": "电话", "sms": "短信", "wechat": "微信", "email": "邮件"}
BOOL_LABELS = {True: "是", False: "否"}
#: Separator of list values (tags, repair items) inside one cell.
LIST_SEPARATOR = ";"

#: Reasons of deliberately invalid values in messy files.
#: Column index of each field of the customer export.
COLUMN = {f: k for k, (_, _, f) in enumerate(CUSTOMER_COLUMNS)}
#: Fields of the customer export that hold dates.
DATE_FIELDS = ("birthday", "card_issued", "card_expires", "delivery_date",
               "insurance_expires", "inspection_due")


def _s(v) -> str:
    return "" if v is None else str(v)


def customer_cells(c: dict) -> list[str]:
    """The customer half of a clean export row (as strings)."""
    b = BOOL_LABELS
    return [
        c["ref"], c["name"], GENDER_LABELS[c["gender"]], c["birthday"], c["mobile"],
        _s(c["mobile2"]), _s(c["wechat"]), _s(c["email"]), c["city"], c["address"], c["source"],
        _s(c["card_number"]), _s(c["card_level"]), _s(c["card_issued"]), _s(c["card_expires"]),
        CHANNEL_LABELS[c["preferred_channel"]], c["best_time"],
        b[c["consent_phone"]], b[c["consent_sms"]], b[c["consent_wechat"]], b[c["consent_email"]],
        b[c["do_not_contact"]], LIST_SEPARATOR.join(c["tags"]), _s(c["notes"]), _s(c["specialist"]),
    ]


def vehicle_cells(v: dict) -> list[str]:
    """The vehicle half of a clean export row (as strings)."""
    return [
        v["plate"], v["vin"], v["model"], str(v["model_year"]), v["colour"], v["delivery_date"],
        str(v["mileage"]), v["insurance_expires"], v["inspection_due"],
    ]


def customer_rows(gen: Generator, n: int, start: int = 0) -> Iterator[tuple[str, list[str]]]:
    """``(ref, clean cells)`` of every export row of ``n`` customers (one per vehicle)."""
    for c, vs in gen.records(n, start):
        head = customer_cells(c)
        for v in vs:
            yield c["ref"], head + vehicle_cells(v)


def visit_cells(v: dict) -> list[str]:
    """A clean repair-order export row."""
    return [
        v["ro_number"], v["vin"], v["customer_ref"], v["date_in"].replace("T", " "),
        v["date_out"].replace("T", " "), VISIT_TYPES[v["type"]], v["advisor"], str(v["mileage"]),
        f"{v['amount']:.2f}", LIST_SEPARATOR.join(v["items"]),
    ]


