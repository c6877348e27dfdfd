"""Satisfaction surveys (满意度调查): sales and service CSI, answers, low-score follow-up, stats, NPS.

The manufacturer's ``surveys`` stream lands in one survey per kind (``oem-sales_csi``,
``oem-service_csi``) whose questions use the same codes as the dealer's default
questionnaires (``recommend`` for the 0–10 recommendation score, ``comment`` for the
verbatim), so statistics grouped by kind and question code merge both sources.
"""

from __future__ import annotations

import datetime as dt
import json

from crm.api import log_interaction
from crm.errors import BadInput, NotFound

from .common import parse_date, settings

KINDS = ("sales_csi", "service_csi", "other")
TYPES = ("scale", "choice", "text", "nps")

DEFAULT_QUESTIONS = {
    "service_csi": [
        ("overall", "scale", "您对本次维修保养服务的总体满意度(0-10分)", None),
        ("reception", "scale", "您对服务顾问接待与解释的满意度(0-10分)", None),
        ("fixed", "choice", "车辆问题是否一次修复?", ["是", "否"]),
        ("recommend", "nps", "您向亲友推荐本店的可能性有多大(0-10分)?", None),
        ("comment", "text", "您对我们还有什么意见和建议?", None),
    ],
    "sales_csi": [
        ("overall", "scale", "您对本次购车经历的总体满意度(0-10分)", None),
        ("consultant", "scale", "您对销售顾问的满意度(0-10分)", None),
        ("delivery", "scale", "您对交车过程的满意度(0-10分)", None),
        ("recommend", "nps", "您向亲友推荐本店的可能性有多大(0-10分)?", None),
        ("comment", "text", "您对我们还有什么意见和建议?", None),
    ],
    "other": [
        ("recommend", "nps", "您向亲友推荐本店的可能性有多大(0-10分)?", None),
        ("comment", "text", "您的意见和建议", None),
    ],
}
OEM_QUESTIONS = [("recommend", "nps", "厂家满意度调查得分(0-10分)", None), ("comment", "text", "客户原话", None)]


def parse_question(text: str) -> tuple[str, str, str, list | None]:
    """``code:type:text[:choice1|choice2]`` → a question tuple."""
    parts = text.split(":", 3)
    if len(parts) < 3:
        raise BadInput(f"question {text!r}: write code:type:text (type scale, nps, choice or text;"
                       " choices after a 4th colon, separated by |)")
    code, qtype, qtext = parts[0].strip(), parts[1].strip(), parts[2].strip()
    if not code.isidentifier():
        raise BadInput(f"question code {code!r} must be letters, digits and _")
    if qtype not in TYPES:
        raise BadInput(f"question type {qtype!r} is not one of {', '.join(TYPES)}")
    choices = [c.strip() for c in parts[3].split("|") if c.strip()] if len(parts) == 4 else None
    if qtype == "choice" and not choices:
        raise BadInput(f"choice question {code!r} needs its choices, e.g. {code}:choice:text:是|否")
    return code, qtype, qtext, choices


def create_survey(tx, name: str, kind: str, channel: str, questions: list[tuple] | None = None,
                  source: str = "dealer") -> dict:
    name = " ".join((name or "").split())
    if not name or name.isdigit():
        raise BadInput("a survey needs a name that is not just digits")
    if kind not in KINDS:
        raise BadInput(f"survey kind {kind!r} is not one of {', '.join(KINDS)}")
    if channel not in ("phone", "sms", "wechat", "email", "portal"):
        raise BadInput(f"channel {channel!r} is not one of phone, sms, wechat, email")
    if tx.conn.execute("SELECT 1 FROM campaigns_surveys WHERE name = ?", (name,)).fetchone():
        raise BadInput(f"survey {name!r} already exists")
    questions = questions or DEFAULT_QUESTIONS[kind]
    codes = [q[0] for q in questions]
    if len(set(codes)) != len(codes):
        raise BadInput("two questions share a code")
    survey_id = tx.conn.execute("INSERT INTO campaigns_surveys (name, kind, channel, source, created_at)"
                                " VALUES (?, ?, ?, ?, ?)", (name, kind, channel, source, tx.now)).lastrowid
    for position, (code, qtype, text, choices) in enumerate(questions, 1):
        tx.conn.execute("INSERT INTO campaigns_survey_questions (survey_id, code, position, type, text, choices, nps)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (survey_id, code, position, "scale" if qtype == "nps" else qtype, text,
                         json.dumps(choices, ensure_ascii=False) if choices else None, 1 if qtype == "nps" else 0))
    tx.audit("create", "campaigns_survey", [survey_id])
    return get_survey(tx.store, survey_id)


def get_survey(store, key) -> dict:
    row = store.query_one("SELECT * FROM campaigns_surveys WHERE name = ?", (str(key),))
    if row is None and str(key).isdigit():
        row = store.query_one("SELECT * FROM campaigns_surveys WHERE id = ?", (int(key),))
    if row is None:
        raise NotFound(f"no survey {key!r}; see 'crm survey list'")
    row["questions"] = questions(store, row["id"])
    return row


def questions(store, survey_id: int) -> list[dict]:
    rows = store.query("SELECT * FROM campaigns_survey_questions WHERE survey_id = ? ORDER BY position", (survey_id,))
    for row in rows:
        row["choices"] = json.loads(row["choices"]) if row["choices"] else None
    return rows


def ensure_oem_survey(tx, kind: str) -> dict:
    name = f"oem-{kind}"
    existing = tx.store.query_one("SELECT id FROM campaigns_surveys WHERE name = ?", (name,))
    if existing:
        return get_survey(tx.store, existing["id"])
    return create_survey(tx, name, kind, "portal", OEM_QUESTIONS, source="portal")


def check_answer(question: dict, value) -> tuple[float | None, str | None]:
    """Validate one answer; returns ``(number, text)`` or raises ValueError with the reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if question["type"] == "scale":
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError("not a number from 0 to 10") from None
        if number != int(number) or not 0 <= number <= 10:
            raise ValueError("not a whole number from 0 to 10")
        return float(int(number)), None
    if question["type"] == "choice":
        text = str(value).strip()
        if text not in (question["choices"] or []):
            raise ValueError(f"not one of {'/'.join(question['choices'] or [])}")
        return None, text
    return None, str(value).strip()


def visit_for(store, customer_id: int | None, vehicle_id: int | None, answered_on: str, ro: str | None = None):
    """The visit a service survey is about: the RO given, else the latest closed visit of the
    vehicle (or customer) in the 60 days before the answer."""
    if ro:
        return store.query_one("SELECT id, advisor, vehicle_id, customer_id FROM visits WHERE ro_number = ?", (ro,))
    since = (dt.date.fromisoformat(answered_on[:10]) - dt.timedelta(days=60)).isoformat()
    column, key = ("vehicle_id", vehicle_id) if vehicle_id else ("customer_id", customer_id)
    if key is None:
        return None
    return store.query_one(
        f"SELECT id, advisor, vehicle_id, customer_id FROM visits WHERE {column} = ? AND status = 'closed'"
        " AND substr(coalesce(date_out, date_in), 1, 10) <= ? AND substr(coalesce(date_out, date_in), 1, 10) >= ?"
        " ORDER BY coalesce(date_out, date_in) DESC LIMIT 1", (key, answered_on[:10], since))


def store_response(tx, survey: dict, *, customer_id, vehicle_id, channel, source, source_ref, answered_at,
                   answers: dict, version: int = 1, ro: str | None = None) -> tuple[int | None, str]:
    """Insert or update one response (idempotent by ``source_ref``, newer versions only).

    ``answers`` maps question code → (number, text).  Returns (response id, what happened).
    """
    existing = tx.store.query_one("SELECT id, version FROM campaigns_survey_responses WHERE source_ref = ?",
                                  (source_ref,))
    if existing and existing["version"] >= version:
        return existing["id"], "unchanged"
    visit = visit_for(tx.store, customer_id, vehicle_id, answered_at, ro) if survey["kind"] != "sales_csi" else None
    advisor = visit["advisor"] if visit else None
    if visit and vehicle_id is None:
        vehicle_id = visit["vehicle_id"]
    if existing:
        response_id = existing["id"]
        tx.conn.execute("UPDATE campaigns_survey_responses SET customer_id = ?, vehicle_id = ?, visit_id = ?,"
                        " advisor = ?, channel = ?, version = ?, deleted = 0, answered_at = ?, updated_at = ?"
                        " WHERE id = ?", (customer_id, vehicle_id, visit["id"] if visit else None, advisor, channel,
                                          version, answered_at, tx.now, response_id))
        tx.conn.execute("DELETE FROM campaigns_survey_answers WHERE response_id = ?", (response_id,))
        what = "updated"
    else:
        response_id = tx.conn.execute(
            "INSERT INTO campaigns_survey_responses (survey_id, customer_id, vehicle_id, visit_id, advisor, channel,"
            " source, source_ref, version, answered_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (survey["id"], customer_id, vehicle_id, visit["id"] if visit else None, advisor, channel, source,
             source_ref, version, answered_at, tx.now, tx.now)).lastrowid
        what = "created"
    by_code = {q["code"]: q for q in survey["questions"]}
    for code, (number, text) in answers.items():
        if number is None and text is None:
            continue
        tx.conn.execute("INSERT INTO campaigns_survey_answers (response_id, question_id, value_num, value_text)"
                        " VALUES (?, ?, ?, ?)", (response_id, by_code[code]["id"], number, text))
    if customer_id is not None and what == "created":
        log_interaction(tx, {"customer_id": customer_id,
                             "channel": channel if channel in ("phone", "sms", "wechat", "email") else "portal",
                             "kind": "survey", "direction": "in", "summary": f"满意度调查: {survey['name']}",
                             "outcome": "answered", "ref": f"survey-response:{response_id}",
                             "at": answered_at}, audit=False)
    follow_up(tx, survey, response_id)
    return response_id, what


def follow_up(tx, survey: dict, response_id: int) -> str | None:
    """A low score puts a call on the queue; a very low one opens a complaint (once per response)."""
    response = tx.store.query_one("SELECT * FROM campaigns_survey_responses WHERE id = ?", (response_id,))
    if response["followup"] or response["deleted"]:
        return None
    scores = tx.store.query(
        "SELECT q.code, q.text, a.value_num FROM campaigns_survey_answers a JOIN campaigns_survey_questions q"
        " ON q.id = a.question_id WHERE a.response_id = ? AND q.type = 'scale' AND a.value_num IS NOT NULL",
        (response_id,))
    if not scores:
        return None
    cfg = settings(tx.app)
    worst = min(scores, key=lambda r: r["value_num"])
    if worst["value_num"] > cfg["low_score"]:
        return None
    if response["customer_id"] is None:
        tx.conn.execute("UPDATE campaigns_survey_responses SET followup = 'unmatched' WHERE id = ?", (response_id,))
        return "unmatched"
    comment = tx.store.scalar(
        "SELECT a.value_text FROM campaigns_survey_answers a JOIN campaigns_survey_questions q ON q.id = a.question_id"
        " WHERE a.response_id = ? AND q.type = 'text' AND a.value_text IS NOT NULL LIMIT 1", (response_id,))
    description = (f"满意度调查低分({survey['name']}): {worst['code']}={int(worst['value_num'])}"
                   + (f"; 客户意见: {comment}" if comment else ""))
    ref = f"survey-response:{response_id}"
    kind, result = None, None
    if worst["value_num"] <= cfg["complaint_score"]:
        result = tx.ask("open_complaint", request={
            "customer_id": response["customer_id"], "vehicle_id": response["vehicle_id"], "channel": "survey",
            "source": "campaigns.survey", "source_ref": ref, "category": "other", "severity": "normal",
            "description": description})
        kind = "complaint" if result is not None else None
    if kind is None:
        result = tx.ask("schedule_callback", request={
            "customer_id": response["customer_id"], "reason": "survey_low_score",
            "due_on": tx.app.calendar.add_workdays(tx.app.today(), 1).isoformat(), "rule": "campaigns.survey_low_score",
            "ref": ref, "note": description})
        kind = "callback"
    tx.conn.execute("UPDATE campaigns_survey_responses SET followup = ?, followup_ref = ? WHERE id = ?",
                    (kind if result is not None else f"{kind}:none", None if result is None else str(result),
                     response_id))
    return kind


def on_survey_record(tx, record: dict) -> str | None:
    if not isinstance(record, dict) or record.get("id") in (None, ""):
        return None
    source_ref = f"portal:{record['id']}"
    try:
        version = int(record.get("version") or 0)
    except (TypeError, ValueError):
        version = 0
    existing = tx.store.query_one("SELECT id, version FROM campaigns_survey_responses WHERE source_ref = ?",
                                  (source_ref,))
    if existing and existing["version"] >= version:
        return f"survey {record['id']}: version {version} is not newer; ignored"
    if record.get("deleted"):
        if existing:
            tx.conn.execute("UPDATE campaigns_survey_responses SET deleted = 1, version = ?, updated_at = ?"
                            " WHERE id = ?", (version, tx.now, existing["id"]))
            return f"survey {record['id']}: deleted"
        return None
    kind = record.get("kind")
    if kind not in ("sales_csi", "service_csi"):
        return None
    survey = ensure_oem_survey(tx, kind)
    by_code = {q["code"]: q for q in survey["questions"]}
    try:
        score = check_answer(by_code["recommend"], record.get("score"))
    except ValueError:
        return f"survey {record['id']}: score {record.get('score')!r} is not 0–10; ignored"
    vin = "".join(str(record.get("vin") or "").split()).upper()
    vehicle = tx.store.query_one("SELECT id, customer_id FROM vehicles WHERE vin = ?", (vin,)) if vin else None
    customer_id = vehicle["customer_id"] if vehicle else None
    if customer_id is None and record.get("phone"):
        found = tx.store.query("SELECT DISTINCT customer_id FROM customer_phones WHERE phone = ?",
                               (str(record["phone"]).strip(),))
        customer_id = found[0]["customer_id"] if len(found) == 1 else None
    answered = record.get("answered_at") or record.get("updated_at") or tx.now
    answered = _local_iso(tx.app, answered)
    _, what = store_response(tx, survey, customer_id=customer_id, vehicle_id=vehicle["id"] if vehicle else None,
                             channel="portal", source="portal", source_ref=source_ref, answered_at=answered,
                             answers={"recommend": score, "comment": (None, record.get("verbatim") or None)},
                             version=version)
    return f"survey {record['id']}: {what}"


def _local_iso(app, value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return app.timestamp()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.tz)
    return moment.astimezone(app.tz).isoformat(timespec="seconds")


def send(tx, survey: dict, segment_name: str, channel: str | None, template_name: str = "survey") -> dict:
    from . import messages, segments

    channel = channel or survey["channel"]
    if channel not in ("phone", "sms", "wechat", "email"):
        raise BadInput(f"channel {channel!r} is not one of phone, sms, wechat, email")
    seg = segments.get_segment(tx.store, segment_name)
    # a satisfaction survey asks about the customer's own service: purpose "service" (docs/privacy.md)
    ids = segments.member_ids(tx.store, {**seg["spec"], "channel": channel}, tx.app.today(), purpose="service")
    template = messages.Template(tx.app, template_name) if channel != "phone" else None
    nps_q = next((q for q in survey["questions"] if q["nps"]), survey["questions"][0])
    counts = {"sent": 0, "already": 0}
    for customer_id in tx.app.progress(ids, label="surveying"):
        cursor = tx.conn.execute("INSERT OR IGNORE INTO campaigns_survey_sends (survey_id, customer_id, channel, sent_at)"
                                 " VALUES (?, ?, ?, ?)", (survey["id"], customer_id, channel, tx.now))
        if cursor.rowcount == 0:
            counts["already"] += 1
            continue
        counts["sent"] += 1
        key = f"survey:{survey['id']}:{customer_id}"
        if channel == "phone":
            messages.schedule_call(tx, customer_id, reason="survey", due_on=tx.app.calendar.add_workdays(tx.app.today(), 0),
                                   rule="campaigns.survey", ref=key, note=survey["name"], purpose="service")
            continue
        customer = tx.store.query_one("SELECT * FROM customers WHERE id = ?", (customer_id,))
        context = {**messages.base_context(tx.app, tx.store, customer), "question": nps_q["text"],
                   "kind": {"sales_csi": "销售服务", "service_csi": "售后服务"}.get(survey["kind"], "服务"),
                   "survey": survey["name"]}
        messages.deliver(tx, customer, channel, template.render(context), campaign=f"survey:{survey['id']}",
                         key=key, ref=key)
    tx.audit("send", "campaigns_survey", [survey["id"]], count=counts["sent"], detail={"segment": seg["name"]})
    return counts


def net_promoter(promoters: int, detractors: int, n: int) -> float | None:
    """NPS: % promoters (9–10) minus % detractors (0–6) of ``n`` answers (one place); the store's
    report and the dealer group's (group.py) both use it."""
    return round((promoters - detractors) * 100 / n, 1) if n else None


def nps_of(scores: list[float]) -> dict:
    n = len(scores)
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return {"nps_n": n, "promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors,
            "nps": net_promoter(promoters, detractors, n)}


def _answers(store, *, survey_id=None, kind=None, since=None, until=None) -> list[dict]:
    sql = ("SELECT r.id AS response_id, r.advisor, r.source, s.kind, s.name AS survey, q.code, q.text, q.type, q.nps,"
           " q.choices, a.value_num, a.value_text, substr(r.answered_at, 1, 7) AS month"
           " FROM campaigns_survey_answers a JOIN campaigns_survey_responses r ON r.id = a.response_id"
           " JOIN campaigns_survey_questions q ON q.id = a.question_id JOIN campaigns_surveys s ON s.id = r.survey_id"
           " WHERE r.deleted = 0")
    params: list = []
    for clause, value in (("r.survey_id = ?", survey_id), ("s.kind = ?", kind),
                          ("substr(r.answered_at, 1, 10) >= ?", since), ("substr(r.answered_at, 1, 10) <= ?", until)):
        if value is not None:
            sql += f" AND {clause}"
            params.append(value)
    return store.query(sql, tuple(params))


def stats(app, *, survey_id=None, kind=None, since=None, until=None, by: str = "question") -> list[dict]:
    if by not in ("question", "advisor", "source", "month", "kind"):
        raise BadInput(f"--by {by!r} is not one of question, advisor, source, month, kind")
    since = parse_date(since, "from").isoformat() if since else None
    until = parse_date(until, "to").isoformat() if until else None
    rows = _answers(app.store, survey_id=survey_id, kind=kind, since=since, until=until)
    low = settings(app)["low_score"]
    groups: dict = {}
    for row in rows:
        if by == "question":
            key = (row["kind"], row["code"])
        else:
            key = (row[by] or "(none)",)
        groups.setdefault(key, []).append(row)
    out = []
    for key, items in sorted(groups.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        scale = [r["value_num"] for r in items if r["type"] == "scale" and r["value_num"] is not None]
        nps_scores = [r["value_num"] for r in items if r["nps"] and r["value_num"] is not None]
        entry: dict = {}
        if by == "question":
            first = items[0]
            entry.update({"kind": key[0], "question": key[1], "text": first["text"], "type": first["type"]})
        else:
            entry[by] = key[0]
        entry["responses"] = len({r["response_id"] for r in items})
        entry["average"] = round(sum(scale) / len(scale), 2) if scale else None
        entry["low_scores"] = sum(1 for s in scale if s <= low) if scale else None
        if by == "question" and items[0]["type"] == "choice":
            counts: dict = {}
            for r in items:
                counts[r["value_text"]] = counts.get(r["value_text"], 0) + 1
            entry["choices"] = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
        if by == "question" and items[0]["type"] == "text":
            entry["answers"] = sum(1 for r in items if r["value_text"])
        if nps_scores or by != "question":
            entry.update(nps_of(nps_scores))
        out.append(entry)
    return out


def overall_nps(app, *, kind=None, since=None, until=None) -> dict:
    rows = _answers(app.store, kind=kind, since=since, until=until)
    return nps_of([r["value_num"] for r in rows if r["nps"] and r["value_num"] is not None])
