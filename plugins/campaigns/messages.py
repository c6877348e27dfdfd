"""Messages: Jinja2 templates, the send_message service with quiet hours, call tasks.

Every message this plugin sends has a dedupe key (``campaigns_messages.dedupe_key``,
UNIQUE): the same key is never sent twice, whatever cron does.  Outside the quiet-hours
window a message is *held* and goes out with the next run after the window opens
(``crm campaigns outbox release`` or any sending command).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm.api import contact_address, log_interaction
from crm.errors import BadInput

from .common import settings

BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "templates"


# ----------------------------------------------------------------------------- templates
def _environment(app, extra_dir: Path | None = None):
    import jinja2

    dirs = []
    if extra_dir is not None:
        dirs.append(str(extra_dir))
    configured = settings(app).get("templates_dir")
    if configured:
        dirs.append(str(Path(configured).expanduser()))
    dirs.append(str(BUILTIN_TEMPLATES))
    return jinja2.Environment(loader=jinja2.FileSystemLoader(dirs), undefined=jinja2.StrictUndefined,
                              autoescape=False, keep_trailing_newline=False)


def _resolve(name: str) -> tuple[str, Path | None]:
    """``event_invite`` → a built-in (or templates_dir) name; a path → its folder and file."""
    path = Path(name).expanduser()
    if "/" in name or path.suffix == ".j2" and path.exists():
        if not path.is_file():
            raise BadInput(f"template {name}: no such file")
        return path.name, path.resolve().parent
    return (name if name.endswith(".j2") else f"{name}.j2"), None


class Template:
    """A loaded template; :meth:`render` raises BadInput naming the template and line."""

    def __init__(self, app, name: str):
        import jinja2

        self.name = name
        file_name, folder = _resolve(name)
        env = _environment(app, folder)
        try:
            self.template = env.get_template(file_name)
        except jinja2.TemplateNotFound:
            raise BadInput(f"template {name!r} not found (built-in names: "
                           f"{', '.join(sorted(p.stem for p in BUILTIN_TEMPLATES.glob('*.j2')))};"
                           " or give a path to a .j2 file)") from None
        except jinja2.TemplateSyntaxError as exc:
            raise BadInput(f"template {name}, line {exc.lineno}: {exc.message}") from None

    def render(self, context: dict) -> str:
        import jinja2

        try:
            text = self.template.render(**context)
        except jinja2.TemplateError as exc:
            raise BadInput(f"template {self.name}, line {_template_line(exc, self.template.filename)}: "
                           f"{exc.message if hasattr(exc, 'message') else exc}") from None
        text = " ".join(text.split())
        if not text:
            raise BadInput(f"template {self.name} rendered an empty message")
        return text


def _template_line(exc: BaseException, filename: str | None) -> str:
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if filename and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return str(line) if line else "?"


def salutation(customer: dict) -> str:
    name = (customer.get("name") or "").strip()
    if not name:
        return "尊敬的客户"
    if all("\u4e00" <= ch <= "\u9fff" for ch in name) and 2 <= len(name) <= 4:
        title = {"M": "先生", "F": "女士"}.get(customer.get("gender") or "")
        if title:
            return name[0] + title
    return name


def base_context(app, store, customer: dict) -> dict:
    car = store.query_one(
        "SELECT model, plate, vin FROM vehicles WHERE customer_id = ? ORDER BY delivery_date DESC, id DESC LIMIT 1",
        (customer["id"],))
    car_text = None
    if car:
        car_text = " ".join(p for p in (car["model"], car["plate"]) if p) or None
    return {"customer": {"name": customer.get("name"), "id": customer["id"]}, "name": customer.get("name") or "",
            "salutation": salutation(customer), "car": car_text, "dealer": settings(app)["signature"],
            "today": app.today().isoformat()}


# ------------------------------------------------------------------------------ sending
def deliver(tx, customer: dict, channel: str, text: str, *, campaign: str, key: str, ref: str | None = None) -> str:
    """Send (or hold) one message; returns 'sent', 'held', 'no_sender' or 'duplicate'."""
    if tx.conn.execute("SELECT 1 FROM campaigns_messages WHERE dedupe_key = ?", (key,)).fetchone():
        return "duplicate"
    from crm.api import QuietHours

    app = tx.app
    now = app.now()
    to = contact_address(customer, channel)
    quiet = QuietHours.from_config(app.config)
    if not quiet.allows(now):
        tx.conn.execute(
            "INSERT INTO campaigns_messages (dedupe_key, customer_id, channel, to_addr, text, campaign, ref, status,"
            " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'held', ?, ?)",
            (key, customer["id"], channel, to, text, campaign, ref,
             quiet.next_allowed(now).isoformat(timespec="seconds"), tx.now))
        return "held"
    message_id = tx.conn.execute(
        "INSERT INTO campaigns_messages (dedupe_key, customer_id, channel, to_addr, text, campaign, ref, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'no_sender', ?)",
        (key, customer["id"], channel, to, text, campaign, ref, tx.now)).lastrowid
    return _send(tx, message_id)


def _send(tx, message_id: int) -> str:
    row = tx.store.query_one("SELECT * FROM campaigns_messages WHERE id = ?", (message_id,))
    result = tx.ask("send_message", message={
        "customer_id": row["customer_id"], "channel": row["channel"], "to": row["to_addr"], "text": row["text"],
        "campaign": row["campaign"], "ref": row["ref"] or row["dedupe_key"], "message_id": message_id})
    status = "sent" if result is not None else "no_sender"
    tx.conn.execute("UPDATE campaigns_messages SET status = ?, sent_at = ?, delivery_ref = ?, not_before = NULL"
                    " WHERE id = ?", (status, tx.now, None if result is None else str(result), message_id))
    if status == "sent":
        log_interaction(tx, {"customer_id": row["customer_id"], "channel": row["channel"], "kind": "campaign_message",
                             "summary": row["text"][:200], "outcome": "sent",
                             "ref": row["ref"] or row["dedupe_key"]}, audit=False)
    return status


def release_due(tx) -> int:
    """Send held messages whose time has come (inside the allowed window); returns how many."""
    from crm.api import QuietHours

    now = tx.app.now()
    if not QuietHours.from_config(tx.app.config).allows(now):
        return 0
    ids = [r[0] for r in tx.conn.execute(
        "SELECT id FROM campaigns_messages WHERE status = 'held' AND not_before <= ? ORDER BY id",
        (now.isoformat(timespec="seconds"),))]
    for message_id in ids:
        _send(tx, message_id)
    return len(ids)


def schedule_call(tx, customer_id: int, *, reason: str, due_on: dt.date, rule: str, ref: str,
                  note: str | None = None, purpose: str = "marketing"):
    """A phone task through the callbacks service (None when no plugin provides it, or when the
    contact policy refuses the call for ``purpose``)."""
    return tx.ask("schedule_callback", request={"customer_id": customer_id, "reason": reason,
                                                "due_on": due_on.isoformat(), "rule": rule, "ref": ref,
                                                "note": note, "purpose": purpose})
