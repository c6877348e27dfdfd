"""The default path (each field of a batch cleaned as one column,
``CustomerRowCleaner.clean_columns``), the columnar path (stored-form cells recognised per
batch with polars, crm/importing/columnar.py) and the row-by-row path
(``CRM_IMPORT_ENGINE=rows``) give the same archive, table by table and row for row, the same summaries and the same reject
reports — for the messy samples (CSV, GB18030 CSV, XLSX) and a generated file; and every
cell the columnar path accepts is one the shared rules keep as it is."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import Crm
from importing_helpers import seed_sample_staff

#: every table an import writes, every column (timestamps are CRM_NOW's)
TABLES = ("customers", "customer_phones", "customer_tags", "customer_consents", "membership_cards", "vehicles",
          "vehicle_owners", "archive_fact_counts")


def _dump(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}
        out["audit_log"] = conn.execute("SELECT action, entity, record_ids, count, detail FROM audit_log"
                                        " WHERE action != 'add' ORDER BY id").fetchall()
        return out
    finally:
        conn.close()


def _import_both(tmp_path, monkeypatch, path: Path, *, columns_env: str = "columns") -> dict:
    results = {}
    for engine in ("rows", columns_env):
        base = tmp_path / f"engine-{engine or 'default'}"
        base.mkdir()
        monkeypatch.setenv("CRM_DB", str(base / "crm.db"))
        monkeypatch.setenv("CRM_IMPORT_ENGINE", engine)
        crm = Crm(base)
        seed_sample_staff(crm)
        runs = []
        for _ in range(2):  # the second run: every row matches
            out = crm("customer", "import", path, "--skip-invalid", "--format", "json",
                      "--report", base / "rejects.csv", expect=None)
            assert out.exit_code in (0, 3), out.stderr
            summary = json.loads(out.stdout)["summary"]
            summary.pop("seconds")
            runs.append((summary, (base / "rejects.csv").read_text(encoding="utf-8-sig")))
        results[engine] = runs, _dump(base / "crm.db")
    return results


@pytest.mark.parametrize("engine", ["", "columns"])
@pytest.mark.parametrize("kind", ["csv", "gb18030", "xlsx"])
def test_messy_samples_same_through_both_engines(tmp_path, monkeypatch, kind, engine):
    """``engine`` "" is the default (a field of a batch at a time), "columns" the polars path."""
    if engine:
        pytest.importorskip("polars", reason="the columnar engine needs polars (a dependency of crm)")
    from crm.sampledata.files import write_customers_csv, write_customers_xlsx

    path = tmp_path / f"messy.{'xlsx' if kind == 'xlsx' else 'csv'}"
    if kind == "xlsx":
        write_customers_xlsx(path, 1500, messy=True)
    else:
        write_customers_csv(path, 1500, messy=True, encoding="gb18030" if kind == "gb18030" else "utf-8")
    results = _import_both(tmp_path, monkeypatch, path, columns_env=engine)
    assert results["rows"] == results[engine]
    (first, report), (second, _) = results[engine][0]
    assert first["inserted"] > 1000 and first["rejected"] > 0 and report.count("\n") > first["rejected"]
    assert second["inserted"] == 0


def test_generated_file_same_through_both_engines(tmp_path, monkeypatch):
    """20,000 customers (about 23,800 rows: a cleaning worker) through the default path and
    row by row; 200,000 by hand: CRM_PARITY_ROWS=200000."""
    import os

    from crm.sampledata.files import write_customers_csv

    n = int(os.environ.get("CRM_PARITY_ROWS", "20000"))
    path = tmp_path / "generated.csv"
    write_customers_csv(path, n)
    results = _import_both(tmp_path, monkeypatch, path, columns_env="")
    assert results["rows"] == results[""]
    (first, _), (second, _) = results[""][0]
    assert first["inserted"] == n and second["inserted"] == second["updated"] == 0


def test_every_accepted_cell_is_kept_as_is_by_the_shared_rules():
    """The acceptor's expressions accept only cells the row cleaner (and so the shared
    validation) keeps unchanged; it accepts most cells of a clean file."""
    pytest.importorskip("polars")
    import tempfile

    from crm.importing.columnar import ColumnAcceptor
    from crm.importing.customers import KNOWN_FIELDS
    from crm.importing.rowclean import _PLAIN_TEXT_FIELDS, _TEXT_LIMITS, PHONE_FIELDS, CustomerRowCleaner
    from crm.importing.source import open_table
    from crm.sampledata.files import write_customers_csv

    for messy in (True, False):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "c.csv"
            write_customers_csv(path, 3000, messy=messy, seed=7)
            t = open_table(path, known_fields=KNOWN_FIELDS, required_any=("name", "mobile", "vin"))
            rows = list(t.rows)
        acceptor = ColumnAcceptor(t.fields, {f: _TEXT_LIMITS.get(f, 200) for f in _PLAIN_TEXT_FIELDS}, PHONE_FIELDS)
        accepted = acceptor.accept(rows)
        plain = CustomerRowCleaner(t.fields, [])
        with_pre = CustomerRowCleaner(t.fields, [], columnar=True)
        assert with_pre.clean_batch(rows) == [(n, *plain.clean(cells)) for n, cells in rows]
        kept = 0
        for field, column in accepted.items():
            for (rownum, cells), value in zip(rows, column):
                if value is not None:
                    assert value == cells[field], (field, rownum)
                    kept += 1
        total = sum(1 for f in accepted for _, cells in rows if cells.get(f))
        assert kept > (0.3 if messy else 0.6) * total, (kept, total)  # short texts (北京) go to the per-field cache


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_batch_cleaned_by_columns_equals_each_row_cleaned_alone(tmp_path, kind):
    """``clean_columns`` (the default) gives, row for row, what ``clean`` gives: the same
    records and the same errors in the same order — messy and clean files, text cells (CSV)
    and typed ones (XLSX numbers and dates), in batches small enough that the per-field
    caches fill up and switch off along the way."""
    import sqlite3  # noqa: F401 - staff rows below are plain tuples

    from crm.importing.customers import KNOWN_FIELDS
    from crm.importing.pipeline import _batches
    from crm.importing.rowclean import CustomerRowCleaner
    from crm.importing.source import open_table
    from crm.sampledata.files import write_customers_csv, write_customers_xlsx

    staff = [(1, "S001", "王明"), (2, "S002", "李娜"), (3, "S003", "李娜")]
    for messy in (True, False):
        path = tmp_path / f"c{messy}.{kind}"
        (write_customers_xlsx if kind == "xlsx" else write_customers_csv)(path, 3000, messy=messy, seed=11)
        t = open_table(path, known_fields=KNOWN_FIELDS, required_any=("name", "mobile", "vin"))
        rows = list(t.rows)
        by_rows = CustomerRowCleaner(t.fields, staff)
        by_columns = CustomerRowCleaner(t.fields, staff)
        expected = [(n, *by_rows.clean(cells)) for n, cells in rows]
        got = [r for batch in _batches(iter(rows), None, 500, by_columns.clean_batch) for r in batch]
        assert got == expected
        assert [list(r[1]) for r in got] == [list(r[1]) for r in expected]  # same key order
        if messy:
            assert sum(1 for r in got if r[3]) > 50  # rejected cells were compared too


def test_plain_pattern_spells_out_pythons_white_space():
    import re

    from crm.importing.columnar import PY_SPACE

    assert PY_SPACE == {chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))}


def test_polars_columns_opt_in_and_rows_only_when_asked(monkeypatch):
    """The polars path measured no faster (docs/import-export.md): off unless asked; the
    row-by-row reference only with CRM_IMPORT_ENGINE=rows (the default cleans by columns)."""
    from crm.importing import columnar

    monkeypatch.delenv("CRM_IMPORT_ENGINE", raising=False)
    assert not columnar.row_by_row()
    monkeypatch.setenv("CRM_IMPORT_ENGINE", "rows")
    assert columnar.row_by_row()

    for choice in ("rows", "", "anything"):
        monkeypatch.setenv("CRM_IMPORT_ENGINE", choice)
        assert not columnar.wanted(10**6, True)
    monkeypatch.delenv("CRM_IMPORT_ENGINE")
    assert not columnar.wanted(10**6, True)
    monkeypatch.setenv("CRM_IMPORT_ENGINE", "columns")
    assert columnar.wanted(100, False)


def test_a_mobile_is_accepted_only_as_the_rows_one_phone():
    """With a second phone (mobile2 or phone2, text or an XLSX number) the row cleaner
    decides: the mobile is not accepted by the columnar path."""
    pytest.importorskip("polars")
    from crm.importing.columnar import ColumnAcceptor

    from crm.importing.rowclean import PHONE_FIELDS

    acceptor = ColumnAcceptor(["name", "mobile", "mobile2", "phone2"], {}, PHONE_FIELDS)
    rows = [(2, {"mobile": "13800000001"}), (3, {"mobile": "13800000002", "mobile2": "13900000002"}),
            (4, {"mobile": "13800000003", "phone2": 13900000003}), (5, {"mobile": "13800000004", "phone2": ""}),
            (6, {"mobile": "138 0000 0005"})]
    assert acceptor.accept(rows)["mobile"] == ["13800000001", None, None, "13800000004", None]
