import pytest

from crm.values.text import clean, clean_or_empty, is_empty, strip_invisible, to_halfwidth


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("１２３ＡＢＣａｂｃ", "123ABCabc"),
        ("（注）：", "(注):"),
        ("全角　空格", "全角 空格"),
        ("￥１００", "¥100"),
        ("中文，标点。", "中文,标点。"),  # full-width comma has an ASCII twin, 。 has not
    ],
)
def test_to_halfwidth(raw, expected):
    assert to_halfwidth(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  张三  ", "张三"),
        ("\u200b张\u200d三\ufeff", "张三"),
        ("\u00a0李四\u00a0", "李四"),
        ("a \t\n b", "a b"),
        ("hello     world", "hello world"),
        ("\u3000王五\u3000", "王五"),
        (123, "123"),
        (123.0, "123"),
        (1.5, "1.5"),
        ("0", "0"),
    ],
)
def test_clean(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize(
    "raw", [None, "", "   ", "-", "—", "/", "无", "N/A", "n/a", "null", "NULL", "Ｎ／Ａ", "——", "nan", "\u200b"]
)
def test_empty_markers(raw):
    assert clean(raw) is None
    assert is_empty(raw)
    assert clean_or_empty(raw) == ""


def test_not_empty():
    assert not is_empty("无锡")  # starts with 无 but is a city
    assert clean("-5") == "-5"


def test_strip_invisible_keeps_spaces():
    assert strip_invisible("a\u00a0\u00a0b") == "a  b"
