"""Export directories written exactly as GROUP-CONTRACT.md says (pyarrow), for the loader's tests."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_export(out: Path, store: str, since: int, bookmark: int, tables: dict, *, fmt: int = 1,
                 manifest: bool = True) -> Path:
    """``tables``: {name: (key columns, [row dicts with _op/_version and the table's columns])}."""
    d = out / f"{store}.{since}-{bookmark}"
    d.mkdir(parents=True)
    listed = {}
    for name, (key, rows) in tables.items():
        columns = list(key)
        for r in rows:
            columns += [c for c in r if not c.startswith("_") and c not in columns]
        data = {c: [r.get(c) for r in rows] for c in columns}
        data["_store"] = [store] * len(rows)
        data["_op"] = [r.get("_op", "upsert") for r in rows]
        data["_version"] = pa.array([r.get("_version", 0) for r in rows], pa.int64())
        pq.write_table(pa.table(data), d / f"{name}.parquet")
        listed[name] = {"file": f"{name}.parquet", "rows": len(rows), "key": list(key), "columns": columns}
    if manifest:
        (d / "manifest.json").write_text(json.dumps(
            {"format": fmt, "store": store, "since": since, "bookmark": bookmark,
             "created_at": "2026-11-20T10:00:00+08:00", "full": since == 0, "tables": listed}), encoding="utf-8")
    return d
