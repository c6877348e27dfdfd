"""The ``[callbacks]`` config section, with its defaults (documented in docs/callbacks.md)."""

from __future__ import annotations

import copy
from typing import Any

from crm.errors import ConfigError

RESULTS = ("satisfied", "neutral", "dissatisfied", "unreachable")
RESULT_TITLES = {"satisfied": "满意", "neutral": "一般", "dissatisfied": "不满意", "unreachable": "未接通"}
#: reached, and the customer asked to be called back at a time of theirs (最好与客户在电话中再约一个方便的时间)
CALL_BACK, CALL_BACK_TITLE = "call_back", "约定回电"
#: aspects a neutral/dissatisfied customer names (the script: 哪方面不满意)
ASPECTS = {
    "reception": "接待",
    "repair_quality": "维修质量",
    "waiting_time": "等待时间",
    "price": "价格",
    "cleanliness": "车辆清洁",
    "explanation": "工作说明",
    "parts": "配件",
    "appointment": "预约",
    "other": "其他",
}

DEFAULTS: dict[str, Any] = {
    "specialist_roles": ["callback"],
    "caller_roles": ["callback", "satisfaction", "manager"],
    "lookback_days": 15,
    "max_attempts": 3,
    "retry_slots": ["09:30", "14:30", "18:30"],
    "missing_consent": "allow",
    # 会员客户100%回访: a member who refused phone calls is called back on the first of these
    # the contact policy allows (their preferred channel first), with this text
    "member_channels": ["sms", "wechat", "email"],
    "member_message": "{name}您好！感谢您对我们的信任（{reason}）。请问您对我们的服务满意吗？"
                      "如有任何意见或建议，请直接回复本消息或致电我们，我们将及时为您处理。",
    "rules": {
        "service_visit": {"enabled": True, "window_days": 3, "expire_days": 15,
                          "visit_types": ["maintenance", "repair", "warranty", "bodypaint"]},
        "delivery": {"enabled": True, "days": [1, 7, 30], "window_days": 2, "expire_days": 10},
        "first_maintenance": {"enabled": True, "months_after_delivery": 6, "lead_days": 14,
                              "window_days": 5, "expire_days": 14},
        # every interval of the model's schedule: months or km, whichever comes first
        "maintenance": {"enabled": True, "every_months": 6, "every_km": 10000, "lead_days": 14,
                        "window_days": 5, "expire_days": 14, "models": {}},
        "card_expiry": {"enabled": True, "lead_days": 30, "window_days": 5, "expire_days": 20},
        "insurance": {"enabled": True, "lead_days": 30, "window_days": 5, "expire_days": 20},
        "inspection": {"enabled": True, "lead_days": 30, "window_days": 5, "expire_days": 20},
        "birthday": {"enabled": True, "window_days": 1, "expire_days": 3, "audience": "all"},
        "anniversary": {"enabled": True, "window_days": 2, "expire_days": 5, "audience": "all"},
        "holiday": {"enabled": True, "holidays": ["Spring Festival", "Mid-autumn Festival", "National Day"],
                    "lead_workdays": 2, "window_days": 2, "expire_days": 2, "audience": "members"},
    },
}


def _merge(base: dict, override: dict) -> dict:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def load(config) -> dict[str, Any]:
    """The effective settings: defaults overlaid with the config's ``[callbacks]`` table."""
    data = _merge(copy.deepcopy(DEFAULTS), config.section("callbacks"))
    for key in ("lookback_days", "max_attempts"):
        if not isinstance(data[key], int) or data[key] < 1:
            raise ConfigError(f"callbacks.{key} must be a whole number ≥ 1 (is {data[key]!r})")
    channels = data["member_channels"]
    if not isinstance(channels, list) or any(c not in ("sms", "wechat", "email") for c in channels):
        raise ConfigError(f"callbacks.member_channels must be a list of sms, wechat, email (is {channels!r})")
    try:
        data["member_message"].format(name="", reason="")
    except (AttributeError, KeyError, IndexError, ValueError):
        raise ConfigError("callbacks.member_message must be a text with only {name} and {reason} in braces"
                          f" (is {data['member_message']!r})") from None
    if data["missing_consent"] not in ("allow", "deny"):
        raise ConfigError("callbacks.missing_consent must be 'allow' or 'deny'")
    for name, rule in data["rules"].items():
        if not isinstance(rule, dict):
            raise ConfigError(f"callbacks.rules.{name} must be a table")
        for key in ("window_days", "expire_days"):
            if key in rule and (not isinstance(rule[key], int) or rule[key] < 0):
                raise ConfigError(f"callbacks.rules.{name}.{key} must be a whole number ≥ 0")
    return data
