"""Writing an export: private (0600), atomic (temp file + os.replace), audit-logged."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Callable

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


def write_atomic(path: Path, produce: Callable[[IO], None], mode: str = "wb") -> None:
    """``produce(f)`` writes the content into ``f``, a 0600 temp file next to ``path`` that
    replaces ``path`` when done (the one checked writer, :func:`crm.io.writers.atomic_write`)."""
    from ..io.writers import atomic_write

    with atomic_write(path, mode, encoding="utf-8" if mode == "w" else None) as f:
        produce(f)


def export(app, report: dict, path: str) -> Path:
    """Write ``report`` to an .xlsx or .html file and record the export in the audit log."""
    p = target(path, (".xlsx", ".html", ".htm"))
    if p.suffix.lower() == ".xlsx":
        from . import xlsx

        write_atomic(p, lambda f: xlsx.write(report, f, app))
    else:
        from . import html

        write_atomic(p, lambda f: f.write(html.render(report, app)), mode="w")
    try:
        with app.transaction() as tx:
            tx.audit("export", "report", count=sum(len(s["rows"]) for s in report["sections"]),
                     detail={"kind": report["kind"], "period": report["period"]["label"], "staff": report["staff"],
                             "format": p.suffix.lower().lstrip("."), "file": p.name})
    except BaseException:
        p.unlink(missing_ok=True)
        raise
    return p
