"""Segments: filters, consent and do-not-contact, export."""

import json
import os

from campaigns_helpers import VINS, fake, set_consent, world, write_sql  # noqa: F401


def ids(crm, name):
    return [r["id"] for r in crm.json("--as", "li", "segment", "members", name)]


def test_vehicle_city_and_tag_filters(world):
    crm = world
    i = crm.ids
    crm("segment", "save", "x5", "--model", "x5")
    assert ids(crm, "x5") == [i["zhang"], i["wang"]]
    crm("segment", "save", "x5-bj-new", "--model", "X5", "--city", "北京", "--delivered-from", "2023-01-01")
    assert ids(crm, "x5-bj-new") == [i["zhang"]]
    crm("segment", "save", "old", "--delivered-to", "2021-12-31")
    assert ids(crm, "old") == [i["wang"], i["zhao"]]
    crm("segment", "save", "vip", "--tag", "VIP", "--tag", "fleet")
    assert ids(crm, "vip") == [i["zhang"], i["wang"]]
    crm("segment", "save", "no-fleet", "--city", "北京", "--exclude-tag", "fleet")
    assert ids(crm, "no-fleet") == [i["zhang"], i["zhao"]]
    crm("segment", "save", "vins", "--vin", VINS[1].lower(), "--vin", VINS[3])
    assert ids(crm, "vins") == [i["li"], i["zhao"]]
    assert crm("segment", "count", "--city", "上海").stdout.strip() == "1"
    assert crm("segment", "count", "x5").stdout.strip() == "2"


def test_vin_file_level_classification_and_visits(world, tmp_path):
    crm = world
    i = crm.ids
    vin_file = tmp_path / "vins.csv"
    vin_file.write_text(f"vin,note\n{VINS[0]},a\n{VINS[2]},b\n", encoding="utf-8")
    crm("segment", "save", "from-file", "--vin-file", vin_file)
    assert ids(crm, "from-file") == [i["zhang"], i["wang"]]
    write_sql(crm, "INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, created_at,"
                   " updated_at) VALUES (?, 'M0001', '金卡', '2025-01-01', '2027-01-01', 'x', 'x')", (i["li"],))
    write_sql(crm, "INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, created_at,"
                   " updated_at) VALUES (?, 'M0002', '金卡', '2020-01-01', '2021-01-01', 'x', 'x')", (i["zhao"],))
    write_sql(crm, "UPDATE customers SET classification = 'A' WHERE id IN (?, ?)", (i["zhang"], i["li"]))
    crm("segment", "save", "gold", "--level", "金卡")
    assert ids(crm, "gold") == [i["li"]]  # zhao's card has expired
    crm("segment", "save", "class-a", "--classification", "A")
    assert ids(crm, "class-a") == [i["zhang"], i["li"]]
    crm("visit", "add", "--ro", "RO1", "--vin", VINS[0], "--in", "2026-10-01", "--out", "2026-10-01")
    crm("visit", "add", "--ro", "RO2", "--vin", VINS[1], "--in", "2025-01-05", "--out", "2025-01-05")
    crm("segment", "save", "recent", "--last-visit-after", "2026-01-01")
    assert ids(crm, "recent") == [i["zhang"]]
    crm("segment", "save", "lapsed", "--last-visit-before", "2026-01-01")
    assert ids(crm, "lapsed") == [i["li"]]
    crm("segment", "save", "never", "--never-visited")
    assert ids(crm, "never") == [i["wang"], i["zhao"]]
    crm("segment", "save", "churned", "--churned-months", "12")  # no visit since 2025-11-20
    assert ids(crm, "churned") == [i["li"], i["wang"], i["zhao"]]


def test_consent_and_do_not_contact_are_always_respected(world):
    crm = world
    i = crm.ids
    set_consent(crm, i["li"], "sms", False)
    write_sql(crm, "UPDATE customers SET do_not_contact = 1 WHERE id = ?", (i["wang"],))
    write_sql(crm, "UPDATE customers SET email = 'zhao@example.com' WHERE id = ?", (i["zhao"],))
    crm("segment", "save", "all-sms", "--channel", "sms", "--delivered-from", "2000-01-01")
    assert ids(crm, "all-sms") == [i["zhang"], i["zhao"]]
    crm("segment", "save", "all", "--delivered-from", "2000-01-01")
    assert ids(crm, "all") == [i["zhang"], i["li"], i["zhao"]]  # do-not-contact never appears
    crm("segment", "save", "mail", "--channel", "email", "--delivered-from", "2000-01-01")
    assert ids(crm, "mail") == [i["zhao"]]  # only one has an address
    crm("segment", "save", "by-id", "--customer", i["wang"], "--customer", i["li"])
    assert ids(crm, "by-id") == [i["li"]]


def test_user_values_are_parameters_not_sql(world):
    crm = world
    nasty = "北京') OR 1=1; DROP TABLE customers; --"
    crm("segment", "save", "nasty", "--city", nasty, "--tag", "x' OR '1'='1")
    assert crm("segment", "count", "nasty").stdout.strip() == "0"
    assert crm.sql("SELECT count(*) FROM customers")[0][0] == 4


def test_bad_input_and_show_list(world):
    crm = world
    r = crm("segment", "save", "bad", "--delivered-from", "2024-13-01", expect=2)
    assert "not a date" in r.stderr
    crm("segment", "save", "nothing", expect=2)
    crm("segment", "save", "v", "--vin", "WBA8E3105JA12345I", expect=2)
    crm("segment", "show", "missing", expect=2)
    crm("segment", "save", "x5", "--model", "X5")
    crm("segment", "save", "x5", "--model", "X3", expect=2)
    crm("segment", "save", "x5", "--model", "X3", "--replace")
    shown = crm.json("segment", "show", "x5")
    assert shown["spec"] == {"model": ["X3"]} and shown["members"] == 0
    listed = crm.json("segment", "list")
    assert [s["name"] for s in listed] == ["x5"]
    crm("segment", "delete", "x5")
    assert crm.json("segment", "list") == []
    assert crm.sql("SELECT count(*) FROM campaigns_segments")[0][0] == 0


def test_export_is_private_audited_masked_and_formula_safe(world, tmp_path):
    crm = world
    write_sql(crm, "UPDATE customers SET name = '=HYPERLINK(1)' WHERE id = ?", (crm.ids["zhao"],))
    crm("segment", "save", "bj", "--city", "北京")
    out = tmp_path / "bj.csv"
    crm("--as", "li", "segment", "export", "bj", "--out", out)
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    text = out.read_text(encoding="utf-8-sig")
    assert "13812345678" in text and "'=HYPERLINK(1)" in text
    masked = tmp_path / "masked.csv"
    crm("--as", "sunwei", "segment", "export", "bj", "--out", masked)  # an advisor sees masked phones
    assert "138****5678" in masked.read_text(encoding="utf-8-sig")
    audit = crm.sql("SELECT action, entity, count, detail FROM audit_log WHERE action = 'export'")
    assert len(audit) == 2 and audit[0][2] == 3 and json.loads(audit[1][3])["masked"] is True
    xlsx = tmp_path / "bj.xlsx"
    crm("--as", "li", "segment", "export", "bj", "--out", xlsx)
    from openpyxl import load_workbook

    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[0][0] == "id" and len(rows) == 4
    crm("segment", "export", "bj", "--out", tmp_path / "bj.txt", expect=2)
