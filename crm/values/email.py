"""E-mail addresses and WeChat ids.

    >>> normalize_email(" Zhang.San＠QQ。com ")
    'zhang.san@qq.com'
    >>> normalize_wechat("wxid_abc123"), normalize_wechat("zhang-san_88")
    ('wxid_abc123', 'zhang-san_88')
"""

from __future__ import annotations

import re
from typing import Any

from crm.values import Invalid
from crm.values.text import clean

__all__ = ["normalize_email", "normalize_wechat"]

_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
)
_WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")
_WXID = re.compile(r"wxid_[a-z0-9]{4,30}", re.IGNORECASE)
_QQ = re.compile(r"[1-9]\d{4,10}")
_PREFIX = re.compile(r"^(?:微信号?\s*[:：]?|(?:wechat|wx|weixin)\s*[:：]|(?:wechat|weixin)\s+)\s*", re.IGNORECASE)


def normalize_email(value: Any) -> str:
    """Lower-cased, trimmed e-mail address; a few input-method slips are
    repaired (full-width ``＠``, ``。`` or ``，`` for the dot in the domain,
    spaces around ``@``).  Only ASCII addresses are accepted.

    >>> normalize_email("mailto:Li@Example.com.cn")
    'li@example.com.cn'
    >>> normalize_email("li@qq")
    Traceback (most recent call last):
    ...
    crm.values.Invalid: not an e-mail address
    """
    s = clean(value)
    if s is None:
        raise Invalid("empty")
    s = s.lower().replace(" ", "")
    if s.startswith("mailto:"):
        s = s[7:]
    if "@" in s:
        local, _, domain = s.rpartition("@")
        s = local + "@" + domain.replace("。", ".").replace("，", ".").replace(",", ".")
    if len(s) > 254 or not _EMAIL.fullmatch(s):
        raise Invalid("not an e-mail address")
    return s


def normalize_wechat(value: Any) -> str:
    """A WeChat id as a customer would give it.

    Accepted, case kept as typed:

    * a custom WeChat id: 6–20 characters, starting with a letter, then
      letters, digits, ``_`` or ``-``;
    * a system id ``wxid_…``;
    * a mobile number (WeChat finds people by their bound mobile) — returned
      in canonical mobile form;
    * a QQ number (5–11 digits; old accounts are reachable by it).

    A ``微信:``/``wx:`` prefix is dropped.

    >>> normalize_wechat("微信：138 1234 5678"), normalize_wechat("12345678")
    ('13812345678', '12345678')
    """
    s = clean(value)
    if s is None:
        raise Invalid("empty")
    s = _PREFIX.sub("", s)
    if _WXID.fullmatch(s):
        return s
    if _WECHAT_ID.fullmatch(s):
        return s
    compact = s.replace(" ", "").replace("-", "")
    if compact.isdigit():
        if len(compact) == 11 and compact.startswith("1"):
            from crm.values.phone import normalize_phone

            return normalize_phone(compact)
        if _QQ.fullmatch(compact):
            return compact
    if "@" in s:
        raise Invalid("an e-mail address, not a WeChat id")
    raise Invalid("not a WeChat id (6-20 letters, digits, _ or -, starting with a letter)")
