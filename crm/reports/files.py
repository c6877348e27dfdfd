"""Writing an export: private (0600), atomic (temp file + os.replace), audit-logged."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import BadInput


def target(path: str, suffixes: tuple[str, ...]) -> Path:
    p = Path(path).expanduser()
    if p.suffix.lower() not in suffixes:
        raise BadInput(f"--out {path}: the file name must end in {' or '.join(suffixes)}")
    if not p.parent.exists():
        raise BadInput(f"--out {path}: the folder {p.parent} does not exist")
    if p.is_dir():
        raise BadInput(f"--out {path}: is a folder")
    return p


def write_atomic(path: Path, produce: Callable[[Path], None]) -> None:
    """``produce(tmp)`` writes the content to a 0600 temp file next to ``path``; then it replaces ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, 0o600)
        produce(tmp_path)
        os.chmod(tmp_path, 0o600)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def export(app, report: dict, path: str) -> Path:
    """Write ``report`` to an .xlsx or .html file and record the export in the audit log."""
    p = target(path, (".xlsx", ".html", ".htm"))
    if p.suffix.lower() == ".xlsx":
        from . import xlsx

        write_atomic(p, lambda tmp: xlsx.write(report, tmp))
    else:
        from . import html

        write_atomic(p, lambda tmp: tmp.write_text(html.render(report), encoding="utf-8"))
    try:
        with app.transaction() as tx:
            tx.audit("export", "report", count=sum(len(s["rows"]) for s in report["sections"]),
                     detail={"kind": report["kind"], "period": report["period"]["label"], "staff": report["staff"],
                             "format": p.suffix.lower().lstrip("."), "file": p.name})
    except BaseException:
        p.unlink(missing_ok=True)
        raise
    return p
