"""``crm sync run``: pull the streams, then flush the outbox; a summary either way."""

from __future__ import annotations

import time
from collections import Counter

from crm.errors import CrmError

from . import conflicts, outbox, settings
from .apply import apply_records


def _open_quarantine(store) -> int:
    return store.scalar("SELECT count(*) FROM portal_quarantine WHERE resolved_at IS NULL") or 0


def run(app, *, streams: list[str] | None = None, full: bool = False, send: bool = True,
        pull: bool = True, trace=None) -> dict:
    """Returns the summary dict; raises :class:`CrmError` (with ``.summary``) on failure."""
    from .client import PortalClient
    from .streams import pull as pull_stream

    started = time.monotonic()
    chosen = settings.streams(app, streams) if pull else []
    limit = settings.page_limit(app)
    cfg = settings.client_settings(app)

    def note(text: str) -> None:
        app.log.info(text)
        if trace:
            trace(text)

    cfg.on_request = (lambda text: app.log.debug(text)) if not trace else note
    client = PortalClient(cfg)
    summary: dict = {"status": "ok", "streams": {}, "outbox": {"sent": 0, "parked": 0, "replayed": 0}}
    current = None
    try:
        for stream in chosen:
            current = stream
            counts: Counter = pull_stream(app, client, stream, limit=limit, full=full, note=note)
            summary["streams"][stream] = {k: counts.get(k, 0) for k in ("applied", "deleted", "skipped", "pages")}
            summary["streams"][stream]["quarantined"] = counts.get("quarantined_new", 0)
            with app.transaction() as tx:
                tx.conn.execute("INSERT OR IGNORE INTO portal_streams (stream) VALUES (?)", (stream,))
                tx.conn.execute("UPDATE portal_streams SET last_run_at = ?, last_ok_at = ?, last_error = NULL"
                                " WHERE stream = ?", (tx.now, tx.now, stream))
        current = "outbox"
        if send:
            summary["outbox"] = outbox.flush(app, client, merge=apply_records, note=note)
    except CrmError as exc:
        summary["status"] = "failed"
        summary["error"] = exc.message
        summary["failed_at"] = current
        if current and current != "outbox":
            try:
                with app.transaction() as tx:
                    tx.conn.execute("INSERT OR IGNORE INTO portal_streams (stream) VALUES (?)", (current,))
                    tx.conn.execute("UPDATE portal_streams SET last_run_at = ?, last_error = ? WHERE stream = ?",
                                    (tx.now, exc.message[:500], current))
            except CrmError:
                pass
        _finish(app, summary, cfg, started)
        app.log.error(line(summary))
        exc.summary = summary  # type: ignore[attr-defined]
        raise
    finally:
        client.close()
    _finish(app, summary, cfg, started)
    app.log.info(line(summary))
    return summary


def _finish(app, summary: dict, cfg, started: float) -> None:
    summary["requests"] = cfg.stats["requests"]
    summary["retries"] = cfg.stats["retries"]
    summary["seconds"] = round(time.monotonic() - started, 3)
    summary["conflicts_open"] = conflicts.open_count(app.store)
    summary["quarantine_open"] = _open_quarantine(app.store)
    summary["quarantined_new"] = sum(s.get("quarantined", 0) for s in summary["streams"].values())
    counts = outbox.counts(app.store)
    summary["outbox_queued"], summary["outbox_parked"] = counts["queued"], counts["parked"]


def line(summary: dict) -> str:
    """The one-line summary (``-v``, the log file, and the error message on failure)."""
    parts = []
    for stream, c in summary["streams"].items():
        bits = f"{stream} +{c['applied']}"
        if c["deleted"]:
            bits += f" -{c['deleted']}"
        if c["quarantined"]:
            bits += f" ?{c['quarantined']}"
        parts.append(bits)
    o = summary["outbox"]
    text = f"sync {summary['status']}: " + (", ".join(parts) or "nothing pulled")
    text += f"; outbox sent {o['sent']}"
    if o.get("parked"):
        text += f", parked {o['parked']}"
    if summary.get("outbox_queued"):
        text += f", waiting {summary['outbox_queued']}"
    if summary.get("conflicts_open"):
        text += f"; {summary['conflicts_open']} conflict(s) to resolve ('crm sync conflicts')"
    if summary.get("outbox_parked"):
        text += f"; {summary['outbox_parked']} parked ('crm sync outbox')"
    if summary.get("quarantined_new"):
        text += f"; {summary['quarantined_new']} record(s) quarantined ('crm sync quarantine')"
    text += f"; {summary.get('requests', 0)} requests in {summary.get('seconds', 0):.1f} s"
    if summary.get("error"):
        text += f"; {summary['failed_at']} failed: {summary['error']}"
    return text


def needs_attention(summary: dict) -> bool:
    return bool(summary.get("conflicts_open") or summary.get("outbox_parked") or summary.get("quarantined_new"))


def status_rows(app) -> list[dict]:
    rows = []
    known = {r["stream"]: r for r in app.store.query("SELECT * FROM portal_streams")}
    quarantine = {r["stream"]: r["n"] for r in app.store.query(
        "SELECT stream, count(*) AS n FROM portal_quarantine WHERE resolved_at IS NULL GROUP BY stream")}
    records = {r["stream"]: r["n"] for r in app.store.query(
        "SELECT stream, count(*) AS n FROM portal_records WHERE deleted = 0 GROUP BY stream")}
    for stream in settings.STREAMS:
        r = known.get(stream, {})
        rows.append({
            "stream": stream, "bookmark": r.get("updated_since"), "paging": "yes" if r.get("cursor") else "",
            "last_run": r.get("last_run_at"), "last_ok": r.get("last_ok_at"), "records": records.get(stream, 0),
            "applied": r.get("applied", 0), "deleted": r.get("deleted", 0),
            "quarantine": quarantine.get(stream, 0), "error": r.get("last_error"),
        })
    return rows
