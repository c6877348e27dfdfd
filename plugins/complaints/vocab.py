"""The department's words: channels, categories, departments, severities, with their labels.

Codes are stable (they go into the database, the portal and JSON output); the Chinese labels
are what tables, the XLSX and the timeline show.
"""

from __future__ import annotations

from crm.errors import BadInput

CHANNELS = {
    "walk_in": "到店",
    "phone": "电话",
    "hotline_400": "厂家热线",
    "app": "厂家App",
    "regulator_12315": "监管部门(12315)",
    "social_media": "社交媒体",
    "callback": "回访发现",
    "other": "其他",
}

#: How a complaint's channel, or a confirmation's, is written in the customer's interaction
#: log (the archive's vocabulary, crm.archive.validate.LOG_CHANNELS).
LOG_CHANNELS = {
    "walk_in": "visit", "phone": "phone", "hotline_400": "portal", "app": "portal", "regulator_12315": "other",
    "social_media": "other", "callback": "phone", "other": "other",
    "signature": "visit", "in_person": "visit", "wechat": "wechat", "sms": "sms", "email": "email",
}

CATEGORIES = {
    "repair_quality": "维修质量",
    "service_attitude": "服务态度",
    "sales_promise": "销售承诺",
    "parts_delay": "配件延误",
    "pricing": "价格收费",
    "product_quality": "产品质量",
    "waiting_time": "等待时间",
    "other": "其他",
}

DEPARTMENTS = {
    "workshop": "售后车间",
    "service": "服务前台",
    "sales": "销售部",
    "parts": "配件部",
    "finance": "财务部",
    "customer_relations": "客户关系部",
    "manufacturer": "厂家",
    "other": "其他",
}

#: the department a category usually points at (a suggestion shown when investigating)
CATEGORY_DEPT = {
    "repair_quality": "workshop",
    "service_attitude": "service",
    "sales_promise": "sales",
    "parts_delay": "parts",
    "pricing": "finance",
    "product_quality": "manufacturer",
    "waiting_time": "workshop",
    "other": "customer_relations",
}

SEVERITIES = {"normal": "一般", "urgent": "紧急", "critical": "重大"}
SEVERITY_PRIORITY = {"critical": 1, "urgent": 2, "normal": 3}

CONFIRM_VIA = {"phone": "电话", "signature": "签字", "wechat": "微信", "sms": "短信", "in_person": "当面", "email": "邮件"}
PAUSE_REASONS = {"customer": "等待顾客", "parts": "等待配件", "manufacturer": "等待厂家", "other": "其他"}
FOLLOWUP_RESULTS = {"satisfied": "满意", "neutral": "一般", "unsatisfied": "仍不满意", "unreachable": "未接通"}

#: common spellings people and other plugins use for the same codes
ALIASES = {
    "walk-in": "walk_in", "walkin": "walk_in", "到店": "walk_in", "来店": "walk_in",
    "电话": "phone", "tel": "phone", "hotline": "hotline_400", "400": "hotline_400", "厂家热线": "hotline_400",
    "12315": "regulator_12315", "regulator": "regulator_12315", "social": "social_media",
    "weibo": "social_media", "douyin": "social_media", "回访": "callback",
    "repair": "repair_quality", "quality": "repair_quality", "attitude": "service_attitude",
    "reception": "service_attitude", "sales": "sales_promise", "parts": "parts_delay",
    "配件": "parts_delay", "缺件": "parts_delay", "等配件": "parts_delay",
    "price": "pricing", "explanation": "service_attitude", "waiting": "waiting_time",
    "product": "product_quality", "cleanliness": "repair_quality",
    "一般": "normal", "紧急": "urgent", "重大": "critical", "high": "urgent", "low": "normal",
    "signed": "signature", "签字": "signature", "in-person": "in_person",
    "unhappy": "unsatisfied", "dissatisfied": "unsatisfied",
}


def _labels_to_codes(vocab: dict) -> dict:
    return {label: code for code, label in vocab.items()}


def code(value: str | None, vocab: dict, what: str, *, default: str | None = None, strict: bool = True) -> str | None:
    """The code for ``value`` (a code, a Chinese label or an alias); BadInput if unknown and strict."""
    if value is None or str(value).strip() == "":
        return default
    text = str(value).strip()
    key = text.lower().replace("-", "_").replace(" ", "_")
    if key in vocab:
        return key
    if text in _labels_to_codes(vocab):
        return _labels_to_codes(vocab)[text]
    alias = ALIASES.get(text.lower()) or ALIASES.get(text)
    if alias in vocab:
        return alias
    if not strict:
        return default
    raise BadInput(f"unknown {what} {text!r}; use one of: {', '.join(vocab)}")


def label(code_: str | None, vocab: dict) -> str:
    if code_ is None:
        return ""
    return vocab.get(code_, code_)
