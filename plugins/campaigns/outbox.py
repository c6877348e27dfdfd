"""The built-in message sender: an outbox of CSV files for the SMS/WeChat platform.

``send_message`` (this plugin's own implementation, ``trylast`` so a dealer's sender
plugin wins) only queues the message in ``campaigns_outbox`` inside the running
transaction.  After the command commits, :func:`flush` writes every pending row to one
file per channel and run: ``<outbox_dir>/<channel>-<YYYYmmdd-HHMMSS>-<first id>.csv``
with the columns ``phone,content`` (``email,content`` for e-mail), UTF-8, CRLF, mode
0600, written atomically.  A failed write leaves the rows pending for the next flush.
"""

from __future__ import annotations

from crm.api import neutralise_formula

from .common import outbox_dir, write_private


def queue(tx, message: dict) -> str | None:
    if message.get("channel") not in ("sms", "wechat", "email") or not message.get("to"):
        return None
    outbox_id = tx.conn.execute(
        "INSERT INTO campaigns_outbox (message_id, channel, to_addr, text, created_at) VALUES (?, ?, ?, ?, ?)",
        (message.get("message_id"), message["channel"], message["to"], message.get("text") or "", tx.now),
    ).lastrowid
    return f"outbox:{outbox_id}"


def flush(app) -> list[dict]:
    """Write pending outbox rows to files; returns ``[{"channel", "file", "messages"}]``."""
    import csv
    import io

    written = []
    with app.transaction() as tx:
        rows = tx.store.query("SELECT id, channel, to_addr, text FROM campaigns_outbox WHERE written_at IS NULL"
                              " ORDER BY id")
        if not rows:
            return []
        stamp = app.now().strftime("%Y%m%d-%H%M%S")
        folder = outbox_dir(app)
        for channel in sorted({r["channel"] for r in rows}):
            batch = [r for r in rows if r["channel"] == channel]
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow(["email" if channel == "email" else "phone", "content"])
            for row in batch:
                writer.writerow([neutralise_formula(row["to_addr"] or ""), neutralise_formula(row["text"] or "")])
            path = folder / f"{channel}-{stamp}-{batch[0]['id']}.csv"
            write_private(path, buffer.getvalue().encode("utf-8"))
            tx.conn.executemany("UPDATE campaigns_outbox SET written_at = ?, file = ? WHERE id = ?",
                                [(tx.now, path.name, r["id"]) for r in batch])
            written.append({"channel": channel, "file": str(path), "messages": len(batch)})
        tx.audit("export", "campaigns_outbox", [r["id"] for r in rows],
                 detail={"files": [w["file"].rsplit("/", 1)[-1] for w in written]})
    return written


def flush_quietly(app) -> None:
    """Flush after a sending command; report the files on stderr (silent with --quiet)."""
    for item in flush(app):
        app.info(f"outbox: {item['messages']} {item['channel']} message(s) in {item['file']}")
