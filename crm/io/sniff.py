"""Recognise what a file really is, and which encoding/delimiter a text file uses.

The extension is only a hint: dealers' systems export ``.xls`` files that
are really tab-separated text or HTML, and people rename ``.xlsx`` files to
``.csv``.  The first bytes decide.

    >>> sniff_kind(b"PK\\x03\\x04...."), sniff_kind(b"\\xd0\\xcf\\x11\\xe0\\xa1\\xb1\\x1a\\xe1"), sniff_kind("姓名,手机".encode())
    ('xlsx', 'xls', 'text')
    >>> detect_encoding("姓名,手机\\n".encode("gbk"))
    'gb18030'
    >>> detect_delimiter("姓名;手机;车牌\\n张三;138;京A12345\\n")
    ';'
"""

from __future__ import annotations

import codecs

__all__ = ["sniff_kind", "detect_encoding", "detect_delimiter", "UnknownEncoding", "SAMPLE_SIZE"]

SAMPLE_SIZE = 64 * 1024

_MAGIC = [
    (b"PK\x03\x04", "xlsx"),  # any OOXML/zip; calamine also reads .ods
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),  # OLE2 compound file (BIFF8)
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"),
]


class UnknownEncoding(ValueError):
    """The bytes are not UTF-8, UTF-16 or GB18030 text."""


def sniff_kind(head: bytes) -> str:
    """``xlsx``, ``xls``, ``html``, ``text``, ``empty`` or another binary kind
    (``pdf``, ``png``, …, ``binary``) from the first bytes of a file."""
    if not head:
        return "empty"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] in (b"\x09\x04\x06\x00", b"\x09\x02\x06\x00", b"\x09\x00\x04\x00"):
        return "xls"  # bare BIFF2-5 stream
    probe = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        return "html"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "text"
    sample = head[:4096]
    if b"\x00" in sample:
        # UTF-16 without BOM has a NUL in every other byte for ASCII text.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) > len(sample) // 4 and min(even, odd) < len(sample) // 50 + 1:
            return "text"
        return "binary"
    return "text"


def _is_gb_text(text: str) -> bool:
    """Plausibility of a GB18030 decoding: real Chinese text is mostly made of
    characters from GB2312's 6,763 common hanzi; Big5, EUC-KR or random
    bytes decoded as GB18030 give private-use code points, Shift-JIS gives
    almost only rare characters."""
    hanzi = rare = 0
    for ch in text:
        if ch < "\u0080":
            continue
        if "\ue000" <= ch <= "\uf8ff" or "\ud800" <= ch <= "\udfff":
            return False
        if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
            hanzi += 1
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                rare += 1
    # Traditional characters written in GBK are rare in GB2312 terms too
    # (~40 %); Shift-JIS read as GB18030 gives ~100 % rare characters.
    return rare * 3 <= hanzi * 2 or rare < 4


def _has_control_chars(text: str) -> bool:
    bad = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\x0c")
    return bad > max(2, len(text) // 200)


def detect_encoding(head: bytes) -> str:
    """Encoding of a text sample: ``utf-8-sig`` (BOM), ``utf-16`` (BOM),
    ``utf-16-le``/``-be`` (no BOM), ``utf-8`` or ``gb18030`` (superset of GBK
    and GB2312).  Raises :class:`UnknownEncoding` otherwise.

    The sample may end in the middle of a multi-byte character.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:SAMPLE_SIZE]
    if b"\x00" in sample[:4096]:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        return "utf-16-le" if odd > even else "utf-16-be"
    for enc in ("utf-8", "gb18030"):
        dec = codecs.getincrementaldecoder(enc)("strict")
        try:
            text = dec.decode(sample, final=len(head) <= SAMPLE_SIZE)
        except UnicodeDecodeError:
            continue
        if _has_control_chars(text):
            break
        if enc == "utf-8" or _is_gb_text(text):
            return enc
    raise UnknownEncoding("not UTF-8, UTF-16 or GB18030/GBK text")


def detect_delimiter(text: str, candidates: str = ",\t;|") -> str:
    """Pick the delimiter that splits the sample's lines most consistently.

    Title lines without delimiters (``XX宝马4S店客户档案``) don't count
    against a candidate; ties go to the order of *candidates*.  Quoted
    fields are skipped roughly (a delimiter inside quotes is ignored).
    """
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = candidates[0], (0, 0)
    for delim in candidates:
        counts = []
        for ln in lines:
            n, quoted = 0, False
            for ch in ln:
                if ch == '"':
                    quoted = not quoted
                elif ch == delim and not quoted:
                    n += 1
            if n:
                counts.append(n)
        if not counts:
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score
    return best
