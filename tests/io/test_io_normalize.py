import datetime as dt
from decimal import Decimal

from crm.io.normalize import Options, normalize_row, split_tags
from crm.io.readers import read_table


def test_customer_row():
    values, problems = normalize_row(
        {
            "name": "王小姐",
            "mobile": "1.38123E+10",
            "phone2": "88889999",
            "gender": None,
            "email": "Wang＠QQ。com",
            "wechat": "wx: wang_2025",
            "tags": "VIP/老客户",
            "city": " 深圳 ",
            "dms_id": "A001",
        },
        Options(default_area="0755"),
    )
    assert problems == [("mobile", "number mangled into scientific notation by Excel; digits lost")]
    assert values == {
        "name": "王小姐",
        "phone2": "0755-88889999",
        "gender": "F",
        "email": "wang@qq.com",
        "wechat": "wang_2025",
        "tags": ["VIP", "老客户"],
        "city": "深圳",
        "dms_id": "A001",
    }


def test_vehicle_and_visit_row():
    values, problems = normalize_row(
        {
            "plate": "A12345",
            "vin": "lbvnu79004sk12345",
            "mileage": 12345.0,
            "date_in": 45721.375,
            "date_out": "5/3/2025 17:00",  # dayfirst
            "amount": "￥1,234.5",
            "delivery_date": "",
        },
        Options(default_province="粤", dayfirst=True),
    )
    assert problems == []
    assert values == {
        "plate": "粤A12345",
        "vin": "LBVNU79004SK12345",
        "mileage": 12345,
        "date_in": dt.datetime(2025, 3, 5, 9, 0),
        "date_out": dt.datetime(2025, 3, 5, 17, 0),
        "amount": Decimal("1234.50"),
        "delivery_date": None,
    }


def test_problems_are_named():
    values, problems = normalize_row({"vin": "LBVNU79014SK12345", "gender": "?!", "plate": "X"})
    assert [f for f, _ in problems] == ["vin", "gender", "plate"]
    assert values == {}


def test_from_table(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("客户姓名,手机,性别,车牌\n张先生,138 1234 5678,,京A12345\n", encoding="gbk")
    with read_table(p) as t:
        (row,) = list(t)
    values, problems = normalize_row(row)
    assert problems == [] and values == {"name": "张先生", "mobile": "13812345678", "gender": "M", "plate": "京A12345"}


def test_split_tags():
    assert split_tags("a, b；c 、a") == ["a", "b", "c"]
    assert split_tags("—") == []


def test_birthday_and_gender_from_id_number():
    values, problems = normalize_row({"name": "张先生", "id_number": "11010519491231002x", "birthday": None, "gender": ""})
    assert problems == []
    assert values["id_number"] == "11010519491231002X"
    assert values["birthday"] == dt.date(1949, 12, 31)
    assert values["gender"] == "F"  # the ID number wins over the honorific
    values, _ = normalize_row({"id_number": "11010519491231002X", "birthday": "1950-01-01", "gender": "男"})
    assert values["birthday"] == dt.date(1950, 1, 1) and values["gender"] == "M"  # explicit cells win
