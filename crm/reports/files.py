"""Writing an export through the one checked private atomic writer (:mod:`crm.io.writers`), audit-logged."""

from __future__ import annotations

from pathlib import Path

from ..io.writers import atomic_write, check_target

SUFFIXES = (".xlsx", ".html", ".htm")


def _masked(report: dict) -> dict:
    from ..masking import mask_row

    return {**report, "sections": [{**s, "rows": [mask_row(r) if isinstance(r, dict) else r for r in s["rows"]]}
                                   for s in report["sections"]]}


def export(app, report: dict, path: str) -> Path:
    """Write ``report`` to an .xlsx or .html file and record the export in the audit log."""
    p = check_target(Path(path).expanduser(), SUFFIXES)
    fmt = "html" if p.suffix.lower() in (".html", ".htm") else "xlsx"
    if not app.unmasked_file("report", filters={"kind": report["kind"], "period": report["period"]["label"],
                                                "staff": report["staff"]}, fmt=fmt):
        report = _masked(report)  # the screen may show phones to the role; a file only to the manager
    if p.suffix.lower() == ".xlsx":
        from . import xlsx

        with atomic_write(p, "wb", suffixes=SUFFIXES) as f:
            xlsx.write(report, f, app)
    else:
        from . import html

        with atomic_write(p, "w", suffixes=SUFFIXES, encoding="utf-8") as f:
            f.write(html.render(report, app))
    try:
        with app.transaction() as tx:
            tx.audit("export", "report", count=sum(len(s["rows"]) for s in report["sections"]),
                     detail={"kind": report["kind"], "period": report["period"]["label"], "staff": report["staff"],
                             "format": p.suffix.lower().lstrip("."), "file": p.name})
    except BaseException:
        p.unlink(missing_ok=True)
        raise
    return p
