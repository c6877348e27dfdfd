"""Helpers of the dealer-group store tests: small sample stores, their exports read back."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

KEY = "the-group-key-of-the-tests-0123"
ENV = {"CRM_GROUP_KEY": KEY, "CRM_DEALER_CODE": "BJ001"}

STAFF = [("li", "李经理", "manager"), ("wangfang", "王芳", "callback"), ("liuyang", "刘洋", "archive"),
         ("it", "运维", "it")]


class Store:
    """One store's crm (its own database and config) in a test's folder."""

    def __init__(self, crm, folder: Path, dealer: str = "BJ001"):
        self.crm, self.folder = crm, folder
        folder.mkdir(parents=True, exist_ok=True)
        self.db_path = folder / "crm.db"
        self.config_path = folder / "config.toml"
        self.env = {**ENV, "CRM_DEALER_CODE": dealer, "CRM_DB": str(self.db_path),
                    "CRM_CONFIG": str(self.config_path)}
        for path in (self.db_path, self.config_path):
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))

    def __call__(self, *args, env=None, **kwargs):
        return self.crm(*args, env={**self.env, **(env or {})}, **kwargs)

    def li(self, *args, **kwargs):
        return self("--as", "li", *args, **kwargs)

    def sql(self, query, params=()):
        conn = sqlite3.connect(self.db_path)
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()

    def export(self, out: Path, *args, **kwargs) -> dict:
        result = self.li("group", "export", "--out", out, *args, "--format", "json", **kwargs)
        return json.loads(result.stdout)


def make_store(crm, folder: Path, *, customers: int = 40, seed: int = 1, enable: bool = True,
               dealer: str = "BJ001") -> Store:
    """A store with a small department and ``customers`` sample customers (and their cars)."""
    from crm.sampledata.files import write_customers_csv
    from crm.sampledata.generate import Generator

    store = Store(crm, folder, dealer)
    for code, name, role in STAFF:
        store(*(("--as", "li") if code != "li" else ()), "staff", "add", code, "--name", name, "--role", role)
    if enable:
        store.li("group", "enable")
    conn = sqlite3.connect(store.db_path)
    with conn:  # the sample file's specialists (专员) are staff of the store
        conn.executemany("INSERT OR IGNORE INTO staff (code, name, role, created_at, updated_at)"
                         " VALUES (?, ?, ?, 'x', 'x')",
                         [(s["code"], s["name"], s["role"]) for s in Generator(seed=seed).staff() if s["active"]])
    conn.close()
    if customers:
        path = folder / "customers.csv"
        write_customers_csv(path, customers, seed=seed)
        store.li("customer", "import", path)
    return store


def read(directory: Path) -> tuple[dict, dict[str, list[dict]]]:
    """An export folder: its manifest and each table's rows."""
    import pyarrow.parquet as pq

    manifest = json.loads((Path(directory) / "manifest.json").read_text(encoding="utf-8"))
    tables = {name: pq.read_table(Path(directory) / entry["file"]).to_pylist()
              for name, entry in manifest["tables"].items()}
    return manifest, tables


def all_values(tables: dict[str, list[dict]]) -> set:
    return {v for rows in tables.values() for row in rows for v in row.values() if v is not None}
