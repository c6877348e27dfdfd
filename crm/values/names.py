"""Person names, pinyin search keys and gender.

    >>> normalize_name(" 张　三 ")
    '张三'
    >>> normalize_name("John   Smith")
    'John Smith'
    >>> normalize_name("阿依古丽•买买提")
    '阿依古丽·买买提'
    >>> pinyin_keys("单田芳")
    ('shantianfang', 'stf')
    >>> normalize_gender("女士"), normalize_gender("M"), normalize_gender("保密") is None
    ('F', 'M', True)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from crm.values import Invalid
from crm.values.text import clean

__all__ = [
    "normalize_name",
    "pinyin_keys",
    "normalize_gender",
    "gender_from_name",
    "SURNAME_READINGS",
]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_DOTS = re.compile(r"\s*[·•・‧.･﹒∙⋅]\s*")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z0-9]+")
_PHONEISH = re.compile(r"\+?\d[\d\s\-]{6,}")

#: Surnames whose reading differs from the characters' everyday reading.
#: Compound surnames are matched first.  Values are tuples of syllables.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "澹台": ("tan", "tai"),
    "乐正": ("yue", "zheng"),
    "令狐": ("ling", "hu"),
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "区": ("ou",),
    "查": ("zha",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "繁": ("po",),
    "覃": ("qin",),
    "乐": ("yue",),
    "盖": ("ge",),
    "华": ("hua",),
    "纪": ("ji",),
    "缪": ("miao",),
    "翟": ("zhai",),
    "召": ("shao",),
    "折": ("she",),
    "员": ("yun",),
    "种": ("chong",),
    "秘": ("bi",),
    "句": ("gou",),
    "宓": ("mi",),
    "都": ("du",),
    "重": ("chong",),
    "过": ("guo",),
    "贲": ("ben",),
    "卜": ("bu",),
    "薄": ("bo",),
    "柏": ("bai",),
    "藏": ("zang",),
    "褚": ("chu",),
    "黑": ("he",),
    "能": ("nai",),
    "燕": ("yan",),
    "祭": ("zhai",),
    "隗": ("wei",),
    "尉": ("wei",),
    "蔚": ("yu",),
    "长": ("chang",),
    "曲": ("qu",),
    "莘": ("shen",),
    "谌": ("chen",),
    "宿": ("su",),
    "阚": ("kan",),
    "於": ("yu",),
    "佘": ("she",),
    "粘": ("nian",),
    "牟": ("mou",),
    "沈": ("shen",),
    "石": ("shi",),
    "车": ("che",),
    "洗": ("xian",),
    "冼": ("xian",),
    "眭": ("sui",),
    "訾": ("zi",),
    "鲜": ("xian",),
    "朝": ("chao",),
    "厍": ("she",),
    "相": ("xiang",),
    "应": ("ying",),
    "剧": ("ju",),
    "费": ("fei",),
    "叶": ("ye",),
    "占": ("zhan",),
    "和": ("he",),
    "盛": ("sheng",),
    "传": ("chuan",),
    "角": ("jue",),
    "给": ("ji",),
    "率": ("shuai",),
    "殷": ("yin",),
    "哈": ("ha",),
    "阿": ("a",),
    "枞": ("zong",),
    "参": ("can",),
    "郇": ("huan",),
}

_MALE = {"男", "男性", "男士", "先生", "m", "male", "man", "1", "♂", "boy", "mr", "mr."}
_FEMALE = {"女", "女性", "女士", "小姐", "太太", "夫人", "f", "female", "woman", "2", "♀", "girl", "ms", "ms.", "mrs", "mrs.", "miss"}
_UNKNOWN = {"未知", "保密", "不详", "不明", "其他", "0", "9", "u", "unknown", "x", "?", "？"}


def normalize_name(value: Any) -> str:
    """Clean a person's (or a company's) name.

    * full-width → half-width, invisible characters dropped, spaces collapsed;
    * a name written in Chinese characters only loses its internal spaces
      (``张 三`` → ``张三``); names with Latin letters keep single spaces and
      their case;
    * the dots of transcribed minority and foreign names (``•``, ``・``,
      ``.``) become the standard middle dot ``·`` between Chinese characters;
    * empty cells, digit-only values and phone numbers are rejected.

    >>> normalize_name("Ｌｉ Ｍｉｎｇ"), normalize_name("北京 某某 科技有限公司")
    ('Li Ming', '北京某某科技有限公司')
    """
    s = clean(value)
    if s is None:
        raise Invalid("empty")
    if _CJK.search(s):
        if "·" in s or _DOTS.search(s):
            parts = _DOTS.split(s)
            if all(_CJK.match(p[:1]) and _CJK.match(p[-1:]) for p in parts if p):
                s = "·".join(p for p in parts if p)
        if not _LATIN.search(s):
            s = s.replace(" ", "")
    if len(s) > 100:
        raise Invalid("too long for a name")
    if _PHONEISH.fullmatch(s):
        raise Invalid("looks like a phone number, not a name")
    if not any(c.isalpha() for c in s):
        raise Invalid("a name needs letters or Chinese characters")
    return s


#: character -> its toneless pypinyin reading (filled lazily, one pypinyin call per character)
_CHAR_READING: dict[str, str] = {}
_PYPINYIN = None  # (phrase dict, character dict, reader), on first use


def _char_syllables(run: str) -> list[str] | None:
    """``lazy_pinyin(run, style=NORMAL)`` as a dict lookup per character, or None when
    pypinyin could answer differently: when some part of ``run`` (2+ characters) is in its
    phrase dictionary (the only case where it reads a character otherwise than alone), or
    a character has no reading at all (pypinyin then groups such characters)."""
    global _PYPINYIN
    if _PYPINYIN is None:
        from pypinyin import Style, lazy_pinyin
        from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

        _PYPINYIN = (PHRASES_DICT, PINYIN_DICT, lambda ch: lazy_pinyin(ch, style=Style.NORMAL)[0])
    PHRASES_DICT, PINYIN_DICT, read = _PYPINYIN
    n = len(run)
    for i in range(n - 1):
        for j in range(i + 2, n + 1):
            if run[i:j] in PHRASES_DICT:
                return None
    out = []
    for ch in run:
        reading = _CHAR_READING.get(ch)
        if reading is None:
            if ord(ch) not in PINYIN_DICT:
                return None
            reading = _CHAR_READING[ch] = read(ch)
        out.append(reading)
    return out


def _cjk_syllables(run: str, first: bool) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # lazy: ~100 ms and 20 MB of dictionaries

    head: list[str] = []
    if first:
        for n in (2, 1):
            reading = SURNAME_READINGS.get(run[:n])
            if reading:
                head, run = list(reading), run[n:]
                break
    if not run:
        return head
    fast = _char_syllables(run)
    return head + (fast if fast is not None else lazy_pinyin(run, style=Style.NORMAL))


@lru_cache(maxsize=16384)  # a miss costs ~10 µs (per-character table); memory stays flat
def _keys(name: str) -> tuple[str, str]:
    units: list[str] = []  # syllables and Latin words, in order
    pos = 0
    for m in _CJK_RUN.finditer(name):
        units.extend(w.lower() for w in _WORD.findall(name[pos : m.start()]))
        units.extend(_cjk_syllables(m.group(), first=(m.start() == 0)))
        pos = m.end()
    units.extend(w.lower() for w in _WORD.findall(name[pos:]))
    full = "".join(units)
    initials = "".join(u[0] for u in units if u)
    return full, initials


def pinyin_keys(name: Any) -> tuple[str, str]:
    """Search keys for a name: (full pinyin without tones, initials).

    Polyphonic surnames use their surname reading (单 shan, 曾 zeng, 解 xie,
    区 ou, 查 zha, 仇 qiu, 朴 piao, 覃 qin, 翟 zhai, 尉迟 yuchi …, see
    :data:`SURNAME_READINGS`); pypinyin has no surname mode, so the first
    character (or two, for compound surnames) is looked up in that table and
    the rest goes through pypinyin's phrase dictionary.  ü is written ``v``
    (吕 → ``lv``), as on Chinese keyboards.  Latin words are kept, lower-case.
    Results are cached.

    >>> pinyin_keys("曾小贤"), pinyin_keys("吕布"), pinyin_keys("Tom 张")
    (('zengxiaoxian', 'zxx'), ('lvbu', 'lb'), ('tomzhang', 'tz'))
    """
    s = clean(name)
    if s is None:
        return "", ""
    return _keys(s)


def normalize_gender(value: Any) -> str | None:
    """``"M"`` or ``"F"`` from 男/女/先生/女士/小姐/M/F/male/female/1/2
    (1 and 2 as in GB/T 2261.1); ``None`` for explicit unknowns
    (未知/保密/0/9/U); anything else raises ``Invalid``.

    >>> [normalize_gender(v) for v in ("男", "Female", "先生", 2)]
    ['M', 'F', 'M', 'F']
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    s = clean(value)
    if s is None:
        raise Invalid("empty")
    k = s.lower()
    if k in _MALE:
        return "M"
    if k in _FEMALE:
        return "F"
    if k in _UNKNOWN:
        return None
    raise Invalid("not a gender (男/女, M/F)")


def gender_from_name(name: Any) -> str | None:
    """Gender implied by an honorific in the name, else None.

    >>> gender_from_name("张先生"), gender_from_name("王小姐"), gender_from_name("张三")
    ('M', 'F', None)
    """
    s = clean(name)
    if not s:
        return None
    if s.endswith("先生"):
        return "M"
    if s.endswith(("女士", "小姐", "太太", "夫人")):
        return "F"
    return None
