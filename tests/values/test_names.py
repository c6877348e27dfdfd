import pytest

from crm.values import Invalid, optional
from crm.values.email import normalize_email, normalize_wechat
from crm.values.names import gender_from_name, normalize_gender, normalize_name, pinyin_keys
from crm.values.phone import normalize_phone


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("张三", "张三"),
        (" 张 三 ", "张三"),
        ("张\u3000三", "张三"),
        ("张\u200b三", "张三"),
        ("欧阳 娜娜", "欧阳娜娜"),
        ("John  Smith", "John Smith"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith"),
        ("张三 John", "张三 John"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽 . 买买提", "阿依古丽·买买提"),
        ("迪丽热巴・迪力木拉提", "迪丽热巴·迪力木拉提"),
        ("张先生", "张先生"),
        ("北京某某科技有限公司", "北京某某科技有限公司"),
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize("raw, reason", [("", "empty"), ("无", "empty"), ("13812345678", "phone"), ("12345", "letters"), ("???", "letters")])
def test_invalid_name(raw, reason):
    with pytest.raises(Invalid, match=reason):
        normalize_name(raw)


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("张三", "zhangsan", "zs"),
        ("单田芳", "shantianfang", "stf"),
        ("曾小贤", "zengxiaoxian", "zxx"),
        ("解缙", "xiejin", "xj"),
        ("区志强", "ouzhiqiang", "ozq"),
        ("查良镛", "zhaliangyong", "zly"),
        ("仇英", "qiuying", "qy"),
        ("朴树", "piaoshu", "ps"),
        ("覃江", "qinjiang", "qj"),
        ("翟天临", "zhaitianlin", "ztl"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("吕布", "lvbu", "lb"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("John Smith", "johnsmith", "js"),
        ("张三 John", "zhangsanjohn", "zsj"),
        ("", "", ""),
    ],
)
def test_pinyin_keys(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


def test_pinyin_is_lazy():
    import subprocess
    import sys

    code = "import sys, crm.values.names, crm.values.phone, crm.values.dates; print(any(m in sys.modules for m in ('pypinyin', 'phonenumbers', 'dateutil')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("男", "M"), ("女", "F"), ("先生", "M"), ("女士", "F"), ("小姐", "F"), ("M", "M"), ("f", "F"),
        ("Male", "M"), ("female", "F"), ("1", "M"), ("2", "F"), (1, "M"), (2.0, "F"), ("男性", "M"),
        ("未知", None), ("保密", None), ("0", None),
    ],
)
def test_gender(raw, expected):
    assert normalize_gender(raw) == expected


def test_gender_invalid_and_from_name():
    with pytest.raises(Invalid):
        normalize_gender("abc")
    with pytest.raises(Invalid, match="empty"):
        normalize_gender("")
    assert gender_from_name("张先生") == "M"
    assert gender_from_name("李女士") == "F"
    assert gender_from_name("张三") is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("li@example.com", "li@example.com"),
        (" Li@Example.COM ", "li@example.com"),
        ("li＠qq。com", "li@qq.com"),
        ("li @ qq.com", "li@qq.com"),
        ("mailto:li@qq.com", "li@qq.com"),
        ("zhang.san+crm@mail.example.com.cn", "zhang.san+crm@mail.example.com.cn"),
    ],
)
def test_email(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["li@qq", "li", "@qq.com", "li@@qq.com", "李@qq.com", ""])
def test_email_invalid(raw):
    with pytest.raises(Invalid):
        normalize_email(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("zhangsan88", "zhangsan88"),
        ("Zhang_San-1", "Zhang_San-1"),
        ("wxid_abcd1234", "wxid_abcd1234"),
        ("微信：zhangsan88", "zhangsan88"),
        ("wx: zhangsan88", "zhangsan88"),
        ("wxzhang88", "wxzhang88"),
        ("138 1234 5678", "13812345678"),
        ("12345678", "12345678"),
    ],
)
def test_wechat(raw, expected):
    assert normalize_wechat(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1abcdef", "a" * 21, "zhang san", "li@qq.com", "张三"])
def test_wechat_invalid(raw):
    with pytest.raises(Invalid):
        normalize_wechat(raw)


def test_optional():
    assert optional(normalize_phone, "—") is None
    assert optional(normalize_phone, None) is None
    assert optional(normalize_phone, "88889999", default_area="010") == "010-88889999"
    with pytest.raises(Invalid):
        optional(normalize_phone, "abc")
