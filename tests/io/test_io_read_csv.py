import codecs
import csv
import tracemalloc

import pytest

from crm.io import FileProblem
from crm.io.readers import read_table

ROWS = "客户姓名,手机号码,车牌号\n张三,138 1234 5678,京A12345\n李四,+86 139 8765 4321,沪B54321\n"


def write(tmp_path, name, data, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return p


def rows(path, **kw):
    with read_table(path, **kw) as t:
        return t, list(t)


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_encodings(tmp_path, encoding, expected):
    p = write(tmp_path, "c.csv", ROWS, encoding)
    t, rs = rows(p)
    assert t.encoding == expected
    assert [r.values["name"] for r in rs] == ["张三", "李四"]
    assert rs[0].values == {"name": "张三", "mobile": "138 1234 5678", "plate": "京A12345"}
    assert [r.line for r in rs] == [2, 3]


def test_bom_does_not_leak_into_first_header(tmp_path):
    p = write(tmp_path, "c.csv", codecs.BOM_UTF8 + "姓名,手机\n张三,13812345678\n".encode())
    t, rs = rows(p)
    assert t.headers[0] == "姓名" and t.mapping == {"姓名": "name", "手机": "mobile"}


def test_gb18030_four_byte_characters(tmp_path):
    # 𠀾 (U+2003E) is not in GBK; GB18030 encodes it in four bytes.
    p = write(tmp_path, "c.csv", "姓名,手机\n王𠀾,13812345678\n", "gb18030")
    _, rs = rows(p)
    assert rs[0]["name"] == "王𠀾"


def test_traditional_characters_in_gbk(tmp_path):
    p = write(tmp_path, "c.csv", "姓名,手機,地址\n張三,13812345678,臺北市信義區\n", "gbk")
    t, rs = rows(p, mapping={"手機": "mobile"})
    assert t.encoding == "gb18030" and rs[0]["address"] == "臺北市信義區"


def test_utf16_tab_separated_unicode_text(tmp_path):
    # What Excel writes for "Unicode Text (*.txt)".
    p = write(tmp_path, "c.txt", ROWS.replace(",", "\t"), "utf-16")
    t, rs = rows(p)
    assert t.delimiter == "\t" and len(rs) == 2


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiters(tmp_path, delim):
    text = "XX宝马4S店客户档案\n" + ROWS.replace(",", delim).replace("138 1234 5678", '"138,1234;5678"')
    p = write(tmp_path, "c.csv", text)
    t, rs = rows(p)
    assert t.delimiter == delim
    assert rs[1]["plate"] == "沪B54321"


def test_title_rows_blank_rows_and_row_numbers(tmp_path):
    text = (
        "XX宝马4S店客户档案 2025年,,\n"
        "导出时间：2025-03-05,,\n"
        ",,\n"
        "\n"
        "客户姓名,手机号码,车牌号\n"
        "张三,13812345678,京A12345\n"
        ",,\n"
        "\n"
        "李四,13987654321,沪B54321\n"
    )
    p = write(tmp_path, "c.csv", text)
    t, rs = rows(p)
    assert t.header_row == 5
    assert [(r.line, r["name"]) for r in rs] == [(6, "张三"), (9, "李四")]


def test_multiline_quoted_field_counts_as_one_row(tmp_path):
    p = write(tmp_path, "c.csv", '姓名,备注\n张三,"第一行\n第二行"\n李四,x\n')
    _, rs = rows(p)
    assert [(r.line, r["name"]) for r in rs] == [(2, "张三"), (3, "李四")]
    assert rs[0]["notes"] == "第一行\n第二行"


def test_header_cleaning(tmp_path):
    text = " 客户姓名* ,手机号码：,Ｍｏｂｉｌｅ ２,里程(km),金额（元）,*VIN码\n张三,13812345678,,12000,99.5,LBVNU79004SK12345\n"
    text = text.replace("Ｍｏｂｉｌｅ ２", "座机")
    p = write(tmp_path, "c.csv", text)
    t, rs = rows(p)
    assert t.fields == ["name", "mobile", "phone2", "mileage", "amount", "vin"]
    assert rs[0]["mileage"] == "12000" and rs[0]["vin"] == "LBVNU79004SK12345"


def test_english_headers(tmp_path):
    p = write(tmp_path, "c.csv", "Name,Mobile,Plate Number,VIN,Date In,RO Number\nZhang,13812345678,京A12345,x,2025-03-05,RO1\n")
    t, _ = rows(p)
    assert t.fields == ["name", "mobile", "plate", "vin", "date_in", "ro_number"]


def test_unmapped_columns_and_empty_headers(tmp_path):
    p = write(tmp_path, "c.csv", "姓名,爱好,手机,,爱好\n张三,高尔夫,13812345678,额外,钓鱼\n李四,,13900000000,,\n")
    t, rs = rows(p)
    assert t.unmapped == ["爱好", "爱好"]
    assert rs[0].extra == {"爱好": "高尔夫", "column D": "额外", "爱好 (2)": "钓鱼"}
    assert rs[1].extra == {}
    assert t.columns == {"name": "A", "mobile": "C"}


def test_cells_beyond_the_header(tmp_path):
    p = write(tmp_path, "c.csv", "姓名,手机\n张三,13812345678,多出来的\n")
    _, rs = rows(p)
    assert rs[0].extra == {"column C": "多出来的"}


def test_short_rows_get_none(tmp_path):
    p = write(tmp_path, "c.csv", "姓名,手机,车牌\n张三\n")
    _, rs = rows(p)
    assert rs[0].values == {"name": "张三", "mobile": None, "plate": None}
    assert rs[0].get("mobile", "?") == "?"


def test_mapping_overrides_and_extends(tmp_path):
    p = write(tmp_path, "c.csv", "客户名,客户来源渠道,电话,内部编号\n张三,车展,13812345678,A001\n")
    t, rs = rows(p, mapping={"客户来源渠道": "source", "内部编号": "dms_id", "电话": "phone2", "不存在": "x"})
    assert t.mapping == {"客户名": "name", "客户来源渠道": "source", "电话": "phone2", "内部编号": "dms_id"}
    assert rs[0].values == {"name": "张三", "source": "车展", "phone2": "13812345678", "dms_id": "A001"}
    assert t.unused_mapping == ["不存在"]


def test_mapping_alone_finds_the_header(tmp_path):
    p = write(tmp_path, "c.csv", "标题\nfoo,bar\n1,2\n")
    t, rs = rows(p, header_aliases={}, mapping={"FOO": "a", "bar": "b"})
    assert t.header_row == 2 and rs[0].values == {"a": "1", "b": "2"}


def test_mapping_none_ignores_a_column(tmp_path):
    p = write(tmp_path, "c.csv", "客户姓名,车主姓名,手机\n张三,李四,13812345678\n")
    with pytest.raises(FileProblem, match="both map to 'name'"):
        read_table(p)
    t, rs = rows(p, mapping={"车主姓名": None})
    assert rs[0].values == {"name": "张三", "mobile": "13812345678"} and rs[0].extra == {}


def test_second_phone_column_overflows(tmp_path):
    p = write(tmp_path, "c.csv", "姓名,电话,手机\n张三,010-12345678,13812345678\n")
    t, rs = rows(p)
    # 手机 is the better alias for "mobile"; 电话 moves to phone2.
    assert t.mapping == {"姓名": "name", "电话": "phone2", "手机": "mobile"}


def test_three_phone_columns_is_an_error(tmp_path):
    p = write(tmp_path, "c.csv", "姓名,电话,手机,联系电话\n张三,1,2,3\n")
    with pytest.raises(FileProblem) as e:
        read_table(p)
    msg = str(e.value)
    assert "c.csv, row 1:" in msg and "'mobile'" in msg and "column B" in msg and "\n" not in msg


def test_repeated_header_rows_skipped(tmp_path):
    p = write(tmp_path, "c.csv", "姓名,手机\n张三,13812345678\n姓名,手机\n李四,13900000000\n")
    _, rs = rows(p)
    assert [(r.line, r["name"]) for r in rs] == [(2, "张三"), (4, "李四")]


def test_single_column_file(tmp_path):
    p = write(tmp_path, "c.csv", "手机号\n13812345678\n13900000000\n")
    t, rs = rows(p)
    assert t.fields == ["mobile"] and len(rs) == 2


def test_no_header_found(tmp_path):
    p = write(tmp_path, "c.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(FileProblem, match="no header row found.*姓名") as e:
        read_table(p)
    assert str(e.value).startswith(str(p))


def test_header_beyond_scan_window(tmp_path):
    p = write(tmp_path, "c.csv", "请勿修改本表\n" * 25 + "姓名,手机\n张三,1\n")
    with pytest.raises(FileProblem, match="first 20 rows"):
        read_table(p)


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n  \n", b",,,\n,,\n"])
def test_empty_files(tmp_path, data):
    p = write(tmp_path, "c.csv", data)
    with pytest.raises(FileProblem, match="empty|no data"):
        read_table(p)


@pytest.mark.parametrize("encoding", ["big5", "shift_jis", "euc-kr"])
def test_unknown_encoding(tmp_path, encoding):
    text = "姓名,手机号码,地址,备注\n張三,13812345678,臺北市信義區松高路,老客戶轉介紹\n" * 3
    p = write(tmp_path, "c.csv", text.encode(encoding, errors="replace"))
    with pytest.raises(FileProblem, match="unknown text encoding"):
        read_table(p)


def test_explicit_encoding(tmp_path):
    text = "姓名,手机,地址\n張三,13812345678,臺北市\n"
    p = write(tmp_path, "c.csv", text.encode("big5"))
    t, rs = rows(p, encoding="big5")
    assert rs[0]["address"] == "臺北市"


def test_decoding_error_names_the_row(tmp_path):
    body = "姓名,手机\n" + "张三,13812345678\n" * 3
    p = write(tmp_path, "c.csv", body.encode() + "李四,1\n".encode("gbk"))
    with pytest.raises(FileProblem, match=r"row 5: the file is not valid utf-8 text: byte 0x"):
        list(read_table(p, encoding="utf-8"))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileProblem, match="no such file"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(FileProblem, match="directory"):
        read_table(tmp_path)


def test_iterate_once_and_close(tmp_path):
    p = write(tmp_path, "c.csv", ROWS)
    t = read_table(p)
    assert len(list(t)) == 2 and t.rows_read == 2
    with pytest.raises(RuntimeError):
        list(t)
    t.close()
    t.close()


def test_streaming_memory_is_flat(tmp_path):
    p = tmp_path / "big.csv"
    with open(p, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["客户姓名", "手机号码", "车牌号", "地址", "备注"])
        for i in range(20_000):
            w.writerow([f"客户{i}", f"138{i:08d}", f"京A{i % 100000:05d}", "北京市朝阳区建国路88号" * 4, "备注" * 40])
    assert p.stat().st_size > 5_000_000
    tracemalloc.start()
    try:
        n = 0
        with read_table(p) as t:
            for row in t:
                n += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == 20_000
    assert peak < 2_000_000, peak  # the file is > 5 MB; rows must not accumulate
