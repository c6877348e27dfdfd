"""The importer's fast paths give exactly what the plain paths give."""

from __future__ import annotations

import json
import random

import pytest

from conftest import Crm

HEADER = "姓名,手机,车架号,会员卡号,会员等级\n"


def _import(crm, path):
    out = crm("customer", "import", path, "--format", "json", "--skip-invalid", expect=None)
    assert out.exit_code in (0, 3), out.stdout + out.stderr
    return json.loads(out.stdout)["summary"]


def test_bulk_card_issue_equals_one_call_per_card(tmp_path, monkeypatch):
    """New customers' cards are written by the archive's bulk writer: the card rows are those
    of ``issue_card`` called once per card (duplicate numbers, a number already in the
    archive, a number that cleans to another text, default level), and the import writes
    one audit row naming them instead of one per card."""
    from crm.archive import bulk
    from crm.archive.cards import issue_card

    def one_by_one(tx, cards):
        ids = []
        for cid, number, level, issued, expires in cards:
            if tx.conn.execute("SELECT 1 FROM membership_cards WHERE number = ?", (number,)).fetchone():
                continue
            fields = {"customer_id": cid, "number": number, "level": level or "standard"}
            fields.update({k: v for k, v in (("issued_on", issued), ("expires_on", expires)) if v})
            ids.append(issue_card(tx, fields)["id"])
        return ids

    first = "姓名,手机,会员卡号\n老客户,13500000000,VIP0001\n"
    rows = HEADER + "".join(f"客户{i},1380000{i:04d},,VIP{i:04d},{'金卡' if i % 2 else ''}\n" for i in range(1, 40))
    rows += "重复卡,13900000001,,VIP0005,\n老卡号,13900000002,,VIP0001,\n小写卡,13900000003,,vip 777,银卡\n"
    tables, audits = {}, {}
    for mode in ("bulk", "plain"):
        base = tmp_path / mode
        base.mkdir()
        monkeypatch.setenv("CRM_DB", str(base / "crm.db"))
        crm = Crm(base)
        (base / "old.csv").write_text(first, encoding="utf-8")
        (base / "a.csv").write_text(rows, encoding="utf-8")
        with monkeypatch.context() as m:
            if mode == "plain":
                m.setattr(bulk, "issue_cards", one_by_one)
            _import(crm, base / "old.csv")
            _import(crm, base / "a.csv")
        tables[mode] = crm.sql("SELECT * FROM membership_cards ORDER BY id")
        audits[mode] = (crm.sql("SELECT count(*) FROM audit_log WHERE entity = 'card'")[0][0],
                        [json.loads(d) for (d,) in crm.sql("SELECT detail FROM audit_log WHERE action = 'import'"
                                                           " AND entity = 'customer' ORDER BY id")])
    assert len(tables["bulk"]) == 40 and tables["bulk"] == tables["plain"]
    assert audits["plain"][0] == 40 and audits["bulk"][0] == 0
    assert [d.get("cards_issued") for d in audits["bulk"][1]] == [1, 39]
    assert audits["bulk"][1][1]["card_ids"] == [2, 40]


def test_bulk_cards_with_dates_equal_clean_card_of_the_whole_card(staffed):
    """issue_cards cleans a card's (level, issue date) and its expiry apart, once per value a
    file repeats: the cards written, and the error of a card expiring before it is issued (or
    of a bad date), are those of clean_card on the whole card."""
    from crm.archive import bulk
    from crm.archive.validate import clean_card
    from crm.context import App
    from crm.errors import BadInput

    staffed("customer", "add", "--name", "张三", "--mobile", "13800000001")
    staffed("customer", "add", "--name", "李四", "--mobile", "13800000002")
    app = App(environ={"CRM_DB": str(staffed.db_path), "CRM_CONFIG": str(staffed.config_path),
                       "CRM_NOW": "2026-11-20T10:00:00", "CRM_USER": "liuyang"})
    cid = staffed.sql("SELECT min(id) FROM customers")[0][0]
    cards = [(cid, "C1", "gold", "2025-01-01", "2027-01-01"), (cid + 1, "C2", None, "2025-01-01", "2026-06-30"),
             (cid, "C3", "gold", "2024-05-05", "2027-01-01"), (cid + 1, "C4", "silver", None, "2028-02-02"),
             (cid, "C5", None, "2026-01-02", None)]
    with app.transaction() as tx:
        bulk.issue_cards(tx, cards)
    got = staffed.sql("SELECT customer_id, number, level, issued_on, expires_on, status FROM membership_cards"
                      " ORDER BY id")
    expected_dates = []
    for card in cards:
        raw = {"customer_id": card[0], "number": card[1], "level": card[2] or "standard",
               "issued_on": card[3] or "2026-11-20"}
        if card[4]:
            raw["expires_on"] = card[4]
        clean, problems = clean_card(raw)
        assert not problems
        expected_dates.append((clean["level"], clean["issued_on"], clean.get("expires_on")))
    assert [g[2:4] for g in got] == [e[:2] for e in expected_dates]
    assert [g[4] for g in got][:4] == [e[2] for e in expected_dates][:4]
    assert [g[5] for g in got] == ["cancelled", "cancelled", "cancelled", "active", "active"]
    for bad in ((cid, "C9", "gold", "2025-01-01", "2024-12-31"), (cid, "C9", "gold", "2025-01-01", "2025-02-30")):
        whole = clean_card({"customer_id": 1, "number": "X", "level": bad[2], "issued_on": bad[3],
                            "expires_on": bad[4]})[1]
        assert whole
        with pytest.raises(BadInput) as err, app.transaction() as tx:
            bulk.issue_cards(tx, [bad])
        assert whole[0].reason in str(err.value)
    assert staffed.sql("SELECT count(*) FROM membership_cards") == [(5,)]


def test_per_character_pinyin_equals_pypinyin():
    """The per-character table answers only when pypinyin would read each character alone."""
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PINYIN_DICT

    from crm.values.names import _char_syllables, pinyin_keys

    chars = [chr(c) for c in sorted(PINYIN_DICT) if 0x4E00 <= c <= 0x9FFF]
    rnd = random.Random(4)
    runs = ["建国", "长江", "重庆", "银行", "行长", "朝阳", "乐乐", "单田芳", "曾小贤", "解放", "茜茜", "䶮"]
    runs += ["".join(rnd.choice(chars) for _ in range(rnd.randint(1, 4))) for _ in range(5000)]
    answered = 0
    for run in runs:
        fast = _char_syllables(run)
        if fast is not None:
            answered += 1
            assert fast == lazy_pinyin(run, style=Style.NORMAL), run
    assert answered > 4000
    assert pinyin_keys("单田芳") == ("shantianfang", "stf")
    assert pinyin_keys("银行行长") == ("".join(lazy_pinyin("银行行长", style=Style.NORMAL)), "yhhz")


def _outcome(fn, value):
    from crm.importing.rowclean import FieldError

    try:
        return ("ok", fn(value))
    except FieldError as exc:
        return ("error", exc.reason)


@pytest.mark.parametrize("messy", [False, True])
def test_row_cleaner_fast_paths_equal_shared_validation(tmp_path, messy):
    """Every field's fast path (stored-form regexes, value cache) answers exactly what the
    shared validation answers for the same cell, on the sample sheets and on edge cells."""
    import csv

    from crm.importing.rowclean import (CUSTOMER_FIELDS, VEHICLE_FIELDS, CustomerRowCleaner, _customer_field,
                                        _vehicle_field)
    from crm.importing.source import open_table
    from crm.importing.customers import KNOWN_FIELDS
    from crm.sampledata.files import write_customers_csv

    path = tmp_path / "c.csv"
    write_customers_csv(path, 1500, messy=messy)
    table = open_table(path, known_fields=KNOWN_FIELDS, required_any=("name", "mobile", "vin", "plate"))
    cleaner = CustomerRowCleaner(table.fields)
    edge = ["0000-00-00", "00000000", "wxid_abc123", "Wxid_ABC123", "zhang-san_88", "wx:zhang_san", "微信：abc_def1",
            "li@qq.com", "Li@QQ.com", "mailto:li@qq.com", "li @qq.com", "VIP 123", "vip123", "  金卡 ", "金卡",
            "ＡＢＣ１２３４５", "a\u200bbcdef", "N/A", "-", "无", "12345", "13812345678", "abcde", "x" * 41]
    values: dict[str, set] = {}
    for _line, cells in table.rows:
        for f, v in cells.items():
            if v is not None:
                values.setdefault(f, set()).add(v)
    checked = 0
    for step in cleaner.plan:
        field = step[0]
        fast = step[4]
        if field not in CUSTOMER_FIELDS and field not in VEHICLE_FIELDS:
            continue  # consent_* and specialist: no fast path (the shared rule behind a memo)
        shared = (_customer_field(CUSTOMER_FIELDS[field]) if field in CUSTOMER_FIELDS
                  else _vehicle_field(VEHICLE_FIELDS[field]))
        for v in sorted(values.get(field, set()), key=str)[:3000] + edge:
            want = _outcome(shared, v)
            got = _outcome(fast, v)
            if field == "plate" and got[0] == "ok" and want[0] == "ok":
                assert got[1] == want[1], (field, v)
            else:
                assert got == want, (field, v)
            checked += 1
    assert checked > 5000


def test_bulk_mode_keeps_every_index_a_trigger_looks_up(crm):
    """Bulk imports drop secondary indexes; one a trigger relies on makes every insert a full
    scan (an import of 20k customers took 221 s instead of 9 s). Keep those."""
    import re

    from crm.archive.bulk import BULK_TABLES, KEEP_INDEXES

    crm("db", "migrate")
    triggers = " ".join(sql for (sql,) in crm.sql("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
    needed = []
    for table in BULK_TABLES:
        for (index,) in crm.sql("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                                " AND tbl_name = ?", (table,)):
            first = crm.sql(f'PRAGMA index_info("{index}")')[0][2]
            if re.search(rf"\b{table}\b[^;]*?\b{first}\s*=", triggers, re.S) and index not in KEEP_INDEXES:
                needed.append(index)
    assert needed == []


def test_bulk_mode_recounts_completeness_and_restores_its_triggers(crm, monkeypatch):
    """A bulk import runs without the completeness-count triggers and recounts at the end:
    the counts equal a recount from the archive, the triggers are back unchanged, and the
    next plain write keeps counting."""
    from crm.archive import bulk
    from crm.schema import fact_mask_sql

    crm("db", "migrate")
    crm("staff", "add", "s01", "--name", "专员一", "--role", "archive")
    crm("customer", "add", "--name", "老客户", "--mobile", "13500000000", "--city", "北京")
    before = crm.sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    rows = "姓名,手机,城市,车架号,车牌号,专员\n" + "".join(
        f"客户{i},1380000{i:04d},{'上海' if i % 3 else ''},,{'京A' + str(10000 + i) if i % 2 else ''},"
        f"{'s01' if i % 4 else ''}\n" for i in range(1, 300))
    rows += "老客户,13500000000,,,京B12345,s01\n"  # an update of an existing customer, plate only
    path = crm.tmp_path / "many.csv"
    path.write_text(rows, encoding="utf-8")
    monkeypatch.setattr(bulk, "BULK_MIN_ROWS", 10)
    dropped = []
    real = bulk.bulk_load

    import contextlib

    @contextlib.contextmanager
    def watching(tx, **kw):
        with real(tx, **kw):
            dropped.append(tx.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                                            " AND name LIKE 'archive_facts_%'").fetchone()[0])
            yield

    monkeypatch.setattr(bulk, "bulk_load", watching)
    out = _import(crm, path)
    assert out["inserted"] == 299 and dropped == [0]

    def counts():
        return sorted(crm.sql("SELECT sid, mask, n FROM archive_fact_counts WHERE n > 0"))

    def recount():
        return sorted(crm.sql(f"SELECT coalesce(c.specialist_id, -1), {fact_mask_sql('c')}, count(*)"
                              " FROM customers c WHERE c.forgotten_at IS NULL GROUP BY 1, 2"))

    assert counts() == recount() and sum(n for _, _, n in counts()) == 300
    assert crm.sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name") == before
    crm("customer", "edit", "1", "--email", "lao@example.com")
    assert counts() == recount()
