"""What the campaigns plugin adds to a customer's page, to reports and to the agenda.

Imported by `crm customer show`: keep it free of heavy imports (no jinja2, openpyxl).
"""

from __future__ import annotations

import datetime as dt


def _table_exists(store) -> bool:
    return bool(store.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'campaigns_events'"))


def customer_sections(app, customer: dict) -> list[dict]:
    store = app.store
    cid = customer["id"]
    sections = []
    events = store.query(
        "SELECT e.id AS event, e.title, substr(e.starts_at, 1, 16) AS starts, i.channel, i.reply,"
        " i.checked_in_at AS checked_in FROM campaigns_invitations i JOIN campaigns_events e ON e.id = i.event_id"
        " WHERE i.customer_id = ? ORDER BY e.starts_at DESC LIMIT 5", (cid,))
    if events:
        sections.append({"title": "Events (活动邀约)", "rows": events})
    gifts = store.query("SELECT campaign, occasion, gift, status, given_on FROM campaigns_gifts WHERE customer_id = ?"
                        " ORDER BY id DESC LIMIT 5", (cid,))
    if gifts:
        sections.append({"title": "Care and gifts (关怀礼品)", "rows": gifts})
    surveys = store.query(
        "SELECT s.name AS survey, substr(r.answered_at, 1, 10) AS answered, r.source, r.advisor,"
        " (SELECT min(a.value_num) FROM campaigns_survey_answers a JOIN campaigns_survey_questions q"
        "  ON q.id = a.question_id WHERE a.response_id = r.id AND q.type = 'scale') AS lowest, r.followup"
        " FROM campaigns_survey_responses r JOIN campaigns_surveys s ON s.id = r.survey_id"
        " WHERE r.customer_id = ? AND r.deleted = 0 ORDER BY r.answered_at DESC LIMIT 5", (cid,))
    if surveys:
        sections.append({"title": "Surveys (满意度调查)", "rows": surveys})
    recalls = store.query(
        "SELECT o.id AS campaign, o.kind, o.title, v.vin, v.status, v.completed_on FROM campaigns_oem_vins v"
        " JOIN campaigns_oem o ON o.id = v.campaign_id WHERE v.customer_id = ? AND v.status != 'withdrawn'"
        " ORDER BY v.status = 'completed', o.ends_on", (cid,))
    if recalls:
        sections.append({"title": "Recalls and service campaigns (召回)", "rows": recalls})
    referrals = store.query(
        "SELECT r.id, CASE WHEN r.referrer_id = ? THEN 'referred' ELSE 'was referred by' END AS role,"
        " CASE WHEN r.referrer_id = ? THEN coalesce(b.name, r.referred_name) ELSE a.name END AS other,"
        " r.referred_on, r.outcome FROM campaigns_referrals r JOIN customers a ON a.id = r.referrer_id"
        " LEFT JOIN customers b ON b.id = r.referred_id WHERE r.referrer_id = ? OR r.referred_id = ?"
        " ORDER BY r.referred_on DESC LIMIT 5", (cid, cid, cid, cid))
    if referrals:
        sections.append({"title": "Referrals (转介绍)", "rows": referrals})
    return sections


def _period_figures(store, start: str, end: str) -> dict:
    """Figures for dates [start, end] (ISO dates, inclusive)."""
    def one(sql: str, params=()) -> float:
        return store.scalar(sql, (start, end, *params)) or 0

    in_period = "BETWEEN ? AND ?"
    responses = store.query(
        "SELECT a.value_num FROM campaigns_survey_answers a JOIN campaigns_survey_questions q ON q.id = a.question_id"
        " JOIN campaigns_survey_responses r ON r.id = a.response_id WHERE q.nps = 1 AND r.deleted = 0"
        f" AND a.value_num IS NOT NULL AND substr(r.answered_at, 1, 10) {in_period}", (start, end))
    from .surveys import nps_of

    nps = nps_of([r["value_num"] for r in responses])
    return {
        "events_held": one(f"SELECT count(*) FROM campaigns_events WHERE status = 'planned'"
                           f" AND substr(starts_at, 1, 10) {in_period}"),
        "invitations": one(f"SELECT count(*) FROM campaigns_invitations WHERE substr(invited_at, 1, 10) {in_period}"
                           " AND channel != 'walk_in'"),
        "attended": one(f"SELECT count(*) FROM campaigns_invitations WHERE substr(checked_in_at, 1, 10) {in_period}"),
        "care_greetings": one(f"SELECT count(*) FROM campaigns_care_sends WHERE substr(created_at, 1, 10) {in_period}"),
        "gifts_given": one(f"SELECT count(*) FROM campaigns_gifts WHERE status = 'given' AND given_on {in_period}"),
        "recall_completions": one(f"SELECT count(*) FROM campaigns_oem_vins WHERE status = 'completed'"
                                  f" AND completed_on {in_period}"),
        "survey_responses": one(f"SELECT count(*) FROM campaigns_survey_responses WHERE deleted = 0"
                                f" AND substr(answered_at, 1, 10) {in_period}"),
        "nps": nps["nps"],
    }


DOCS = {
    "events_held": ("events", "Events that took place in the period"),
    "invitations": ("invitations", "Invitations sent (walk-ins not counted)"),
    "attended": ("guests", "Guests checked in at events"),
    "care_greetings": ("greetings", "Birthday, holiday and card-renewal greetings sent"),
    "gifts_given": ("gifts", "Gifts handed over"),
    "recall_completions": ("VINs", "Recall/service-campaign VINs completed in the workshop"),
    "survey_responses": ("responses", "Survey responses (dealer and manufacturer)"),
    "nps": ("points", "Net promoter score: % promoters (9–10) minus % detractors (0–6)"),
}


#: the figures' Chinese names and definitions (English: DOCS)
NAMES = {
    "events_held": ("举办活动数", "本期实际举办的活动场次。"),
    "invitations": ("邀约人数", "本期发出的活动邀约(不含现场登记)。"),
    "attended": ("到场人数", "本期活动签到的客户人数。"),
    "care_greetings": ("关怀问候数", "本期发送的生日、节日及会员卡续期问候。"),
    "gifts_given": ("礼品发放数", "本期发放的礼品数。"),
    "recall_completions": ("召回完成数", "本期在车间完成召回或服务活动的车辆数。"),
    "survey_responses": ("满意度调查回复数", "本期收到的满意度调查回复(经销商与厂家)。"),
    "nps": ("净推荐值", "净推荐值 = 推荐者(9–10分)占比 − 贬损者(0–6分)占比。"),
}
LABELS = {
    "id": {"zh_CN": "编号", "en": "no."}, "title": {"zh_CN": "名称", "en": "title"},
    "date": {"zh_CN": "日期", "en": "date"}, "invited": {"zh_CN": "邀约", "en": "invited"},
    "accepted": {"zh_CN": "报名", "en": "accepted"}, "attended": {"zh_CN": "到场", "en": "attended"},
    "campaign": {"zh_CN": "活动编号", "en": "campaign"}, "active": {"zh_CN": "涉及车辆", "en": "vehicles"},
    "completed": {"zh_CN": "已完成", "en": "completed"}, "completion_rate": {"zh_CN": "完成率", "en": "completion"},
    "not_reached": {"zh_CN": "未联系上", "en": "not reached"},
}


def report_sections(app, report: dict) -> list[dict]:
    store = app.store
    if not _table_exists(store):
        return []
    start, end = str(report["start"]), str(report["end"])
    current = _period_figures(store, start, end)
    previous = None
    if report.get("previous"):
        p_start, p_end = report["previous"]
        previous = _period_figures(store, str(p_start), str(p_end))
    figures = [{"key": name, "name": {"zh_CN": NAMES[name][0], "en": name.replace("_", " ")},
                "value": value, "previous": previous[name] if previous else None,
                "unit": DOCS[name][0], "doc": {"zh_CN": NAMES[name][1], "en": DOCS[name][1]}}
               for name, value in current.items()]
    from .recalls import report as recall_report

    rows = [{"campaign": r["id"], "title": r["title"], "active": r["active"], "completed": r["completed"],
             "completion_rate": None if r["completion_rate"] is None else round(100 * r["completion_rate"], 1),
             "not_reached": r["not_reached"]}
            for r in recall_report(store) if not r["deleted"]]
    events = store.query(
        "SELECT e.id, e.title, substr(e.starts_at, 1, 10) AS date,"
        " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id AND i.channel != 'walk_in') AS invited,"
        " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id AND i.reply = 'accepted') AS accepted,"
        " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id AND i.checked_in_at IS NOT NULL)"
        " AS attended FROM campaigns_events e WHERE substr(e.starts_at, 1, 10) BETWEEN ? AND ? ORDER BY e.starts_at",
        (start, end))
    low = [survey_problems(app, start, end)] if report.get("kind") == "monthly" else []
    return [
        {"key": "campaigns", "title": {"zh_CN": "活动与关怀", "en": "Events and care"}, "rows": events,
         "columns": ["id", "title", "date", "invited", "accepted", "attended"], "figures": figures,
         "labels": LABELS, "empty": {"zh_CN": "本期未举办活动", "en": "No events in this period"}},
        {"key": "campaigns_recalls", "title": {"zh_CN": "召回完成率", "en": "Recall completion"}, "rows": rows,
         "columns": ["campaign", "title", "active", "completed", "completion_rate", "not_reached"],
         "labels": LABELS, "percent": ["completion_rate"], "figures": [],
         "empty": {"zh_CN": "无召回活动", "en": "No recall campaigns"}},
        *low,
    ]


def agenda_items(app, agenda: dict) -> list[dict]:
    store = app.store
    if not _table_exists(store):
        return []
    from .common import settings

    day: dt.date = agenda["day"]
    items = []
    chase_until = (day + dt.timedelta(days=int(settings(app)["chase_days_before"]))).isoformat()
    for event in store.query(
            "SELECT e.id, e.title, e.starts_at, (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id"
            " AND i.reply IN ('pending','maybe')) AS open_replies,"
            " (SELECT count(*) FROM campaigns_invitations i WHERE i.event_id = e.id AND i.reply = 'accepted') AS accepted"
            " FROM campaigns_events e WHERE e.status = 'planned' AND substr(e.starts_at, 1, 10) BETWEEN ? AND ?"
            " ORDER BY e.starts_at", (day.isoformat(), chase_until)):
        if event["starts_at"][:10] == day.isoformat():
            items.append({"kind": "event_today", "priority": 1, "due": event["starts_at"], "customer_id": None,
                          "title": f"今天的活动: {event['title']} ({event['accepted']} 人报名)",
                          "ref": f"event:{event['id']}"})
        if event["open_replies"]:
            items.append({"kind": "event_replies", "priority": 2, "due": event["starts_at"], "customer_id": None,
                          "title": f"活动「{event['title']}」还有 {event['open_replies']} 位客户未确认,请跟进"
                                   f" (crm event invitees {event['id']} --reply pending --reply maybe)",
                          "ref": f"event:{event['id']}"})
    keys = [day.strftime("%m-%d")]
    if day.month == 2 and day.day == 28 and not (day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)):
        keys.append("02-29")
    marks = ",".join("?" * len(keys))
    for customer in store.query(
            f"SELECT id, name FROM customers WHERE forgotten_at IS NULL AND do_not_contact = 0 AND birthday IS NOT NULL"
            f" AND substr(birthday, -5) IN ({marks}) ORDER BY id LIMIT 200", tuple(keys)):
        items.append({"kind": "birthday", "priority": 3, "due": day.isoformat(), "customer_id": customer["id"],
                      "title": f"今天生日: {customer['name']}", "ref": f"birthday:{customer['id']}"})
    return items


def status_figures(app) -> dict:
    store = app.store
    now = app.now().isoformat(timespec="minutes")
    from .surveys import overall_nps

    return {
        "upcoming_events": store.scalar("SELECT count(*) FROM campaigns_events WHERE status = 'planned' AND ends_at >= ?",
                                        (now,)),
        "open_replies": store.scalar("SELECT count(*) FROM campaigns_invitations i JOIN campaigns_events e"
                                     " ON e.id = i.event_id WHERE e.ends_at >= ? AND i.reply IN ('pending','maybe')",
                                     (now,)),
        "held_messages": store.scalar("SELECT count(*) FROM campaigns_messages WHERE status = 'held'"),
        "outbox_pending": store.scalar("SELECT count(*) FROM campaigns_outbox WHERE written_at IS NULL"),
        "recall_vins_open": store.scalar("SELECT count(*) FROM campaigns_oem_vins WHERE status = 'open'"),
        "recall_vins_unmatched": store.scalar("SELECT count(*) FROM campaigns_oem_vins WHERE status = 'unmatched'"),
        "gifts_planned": store.scalar("SELECT count(*) FROM campaigns_gifts WHERE status = 'planned'"),
        "nps_all_time": overall_nps(app)["nps"],
    }


def _low_responses(store, where: str, params, low: float) -> list[dict]:
    return store.query(
        "SELECT r.id, r.customer_id, r.answered_at, r.advisor, r.followup, r.followup_ref, s.name AS survey,"
        " c.name, (SELECT min(a.value_num) FROM campaigns_survey_answers a JOIN campaigns_survey_questions q"
        "  ON q.id = a.question_id WHERE a.response_id = r.id AND q.type = 'scale') AS worst,"
        " (SELECT a.value_text FROM campaigns_survey_answers a JOIN campaigns_survey_questions q"
        "  ON q.id = a.question_id WHERE a.response_id = r.id AND q.type = 'text' AND a.value_text IS NOT NULL"
        "  LIMIT 1) AS comment"
        " FROM campaigns_survey_responses r JOIN campaigns_surveys s ON s.id = r.survey_id"
        f" LEFT JOIN customers c ON c.id = r.customer_id WHERE r.deleted = 0 AND {where}"
        " AND (SELECT min(a.value_num) FROM campaigns_survey_answers a JOIN campaigns_survey_questions q"
        "  ON q.id = a.question_id WHERE a.response_id = r.id AND q.type = 'scale') <= ?"
        " ORDER BY r.answered_at, r.id", (*params, low))


def survey_problems(app, start, end) -> dict:
    """本月满意度调查低分及处理: each response of the month whose lowest score is at or below
    ``[campaigns] low_score`` (default 6, the same threshold that queues the follow-up call),
    with how it was taken on (its complaint or callback) and its corrective action."""
    from crm.api import Ref, corrective_action_text, corrective_actions_for

    from .common import settings

    low = settings(app)["low_score"]
    rows = _low_responses(app.store, "r.answered_at >= ? AND r.answered_at < ?",
                          (str(start), (dt.date.fromisoformat(str(end)[:10]) + dt.timedelta(days=1)).isoformat()), low)
    raised = corrective_actions_for(app.store, [Ref("survey-response", r["id"]) for r in rows])
    out = []
    for r in rows:
        how = {"complaint": f"投诉单 #{r['followup_ref']}", "callback": f"回访任务 #{r['followup_ref']}",
               "unmatched": "未匹配客户"}.get(r["followup"] or "", "未跟进")
        items = raised.get(f"survey-response:{r['id']}") or []
        out.append({"date": r["answered_at"][:10], "source": "满意度调查", "customer": r["name"],
                    "result": f"{r['worst']:g}分", "problem": f"{r['survey']}" + (f": {r['comment']}" if r["comment"] else ""),
                    "resolution": how, "action": "; ".join(corrective_action_text(a) for a in items) or "未立整改项",
                    "specialist": r["advisor"], "ref": f"survey-response:{r['id']}"})
    labels = {"date": ("日期", "date"), "customer": ("客户", "customer"), "result": ("最低分", "lowest score"),
              "problem": ("问卷/意见", "survey / comment"), "resolution": ("处理", "how it was taken on"),
              "action": ("整改项", "corrective action"), "specialist": ("服务顾问", "advisor")}
    return {"key": "survey_problems", "title": {"zh_CN": f"本月满意度调查低分(≤{low:g}分)及处理",
                                                 "en": f"Low survey scores (≤ {low:g}) and how each was taken on"},
            "rows": out, "columns": list(labels), "figures": [],
            "labels": {c: {"zh_CN": zh, "en": en} for c, (zh, en) in labels.items()},
            "empty": {"zh_CN": "本月无低分问卷", "en": "No low scores this month"}}


def describe(app, ref) -> dict | None:
    """``describe_ref`` for ``survey-response:ID``: the survey, the lowest score and the comment."""
    if not ref.is_a("survey-response") or not _table_exists(app.store):
        return None
    [row] = _low_responses(app.store, "r.id = ?", (ref.id,), float("inf")) or [None]
    if row is None:
        return None
    problem = f"满意度调查 {row['survey']}" + (f" 最低 {row['worst']:g} 分" if row["worst"] is not None else "") + (
        f": {row['comment']}" if row["comment"] else "")
    return {"ref": ref, "customer_id": row["customer_id"], "problem": problem}
