"""crm customer search: every kind, ranking, masking."""

import pytest

VIN = "WBA8E3105JA123456"
VIN2 = "LBVNU79004SK12345"


@pytest.fixture
def archive(staffed):
    def add(*args):
        return int(staffed("customer", "add", *args).stdout.strip())

    ids = {
        "zhangsan": add("--name", "张三", "--mobile", "13812345678", "--landline", "010-87654321"),
        "zhangsanfeng": add("--name", "张三丰", "--mobile", "13900005678"),
        "lisan": add("--name", "李三", "--mobile", "13700001111"),
        "wangxiaoming": add("--name", "王小明", "--mobile", "13600002222"),
    }
    staffed("vehicle", "add", "--vin", VIN, "--customer", str(ids["zhangsan"]), "--plate", "京A12345")
    staffed("vehicle", "add", "--vin", VIN2, "--customer", str(ids["lisan"]), "--plate", "沪AD12345")
    staffed("card", "issue", "--customer", str(ids["wangxiaoming"]), "--number", "BMW20260001", "--level", "金卡")
    staffed.ids = ids
    return staffed


def search(crm, q, *extra, user="wangfang"):
    return crm.json("customer", "search", q, *extra, env={"CRM_USER": user})


def test_full_mobile_and_tail(archive):
    ids = archive.ids
    hits = search(archive, "138 1234 5678")
    assert [h["id"] for h in hits] == [ids["zhangsan"]] and hits[0]["field"] == "phone" and hits[0]["match"] == "exact"
    assert search(archive, "+86 13812345678")[0]["id"] == ids["zhangsan"]
    tail = search(archive, "5678")
    assert {h["id"] for h in tail} == {ids["zhangsan"], ids["zhangsanfeng"]}
    assert all(h["field"] == "tail4" for h in tail)
    assert search(archive, "010-87654321")[0]["id"] == ids["zhangsan"]


def test_plate_with_or_without_province(archive):
    ids = archive.ids
    for q in ("京A12345", "京a 12345", "A12345", "a12345"):
        hit = search(archive, q)[0]
        assert hit["id"] == ids["zhangsan"] and hit["field"] == "plate" and hit["match"] == "exact", q
    assert search(archive, "沪AD12345")[0]["id"] == ids["lisan"]
    assert search(archive, "AD12345")[0]["id"] == ids["lisan"]


def test_vin_full_and_tail(archive):
    ids = archive.ids
    assert search(archive, VIN.lower())[0]["id"] == ids["zhangsan"]
    for n in (6, 7, 8):
        hit = search(archive, VIN2[-n:])[0]
        assert hit["id"] == ids["lisan"] and hit["field"] == "vin" and hit["match"] == "tail"


def test_card_number(archive):
    hit = search(archive, "bmw20260001")[0]
    assert hit["id"] == archive.ids["wangxiaoming"] and hit["field"] == "card" and hit["match"] == "exact"


def test_name_exact_beats_prefix_beats_suffix(archive):
    ids = archive.ids
    hits = search(archive, "张三")
    assert [h["id"] for h in hits] == [ids["zhangsan"], ids["zhangsanfeng"]]
    assert [h["match"] for h in hits] == ["exact", "prefix"]
    hits = search(archive, "三")
    assert [h["id"] for h in hits] == [ids["lisan"], ids["zhangsan"]] and hits[0]["match"] == "suffix"
    assert search(archive, "小")  == []
    deep = search(archive, "小", "--deep")
    assert [h["id"] for h in deep] == [ids["wangxiaoming"]] and deep[0]["match"] == "substring"


def test_pinyin_full_and_initials(archive):
    ids = archive.ids
    hits = search(archive, "zhangsan")
    assert hits[0]["id"] == ids["zhangsan"] and hits[0]["field"] == "pinyin" and hits[0]["match"] == "exact"
    assert hits[1]["id"] == ids["zhangsanfeng"] and hits[1]["match"] == "prefix"
    hits = search(archive, "zs")
    assert hits[0]["id"] == ids["zhangsan"] and hits[0]["field"] == "initials"
    assert search(archive, "ZSF")[0]["id"] == ids["zhangsanfeng"]


def test_masked_for_advisors_and_limit(archive):
    hits = search(archive, "5678", user="sunwei")
    assert all("****" in h["mobile"] and "****" in h["value"] for h in hits)
    assert len(search(archive, "5678", "--limit", "1")) == 1
    archive("customer", "search", "   ", expect=2)
    table = archive("customer", "search", "nothing-here-xyz").stdout
    assert "nothing found" in table
