"""``crm callbacks record``: options for scripts, or the department's call script for a person."""

from __future__ import annotations

import typer

from crm.errors import BadInput

from . import settings as settings_mod
from .results import parse_aspects, parse_length, parse_moment, parse_result, parse_score, record_result
from .settings import ASPECTS, CALL_BACK, RESULT_TITLES, RESULTS
from .store import get_task, reason_text

VISIT_TITLES = {"maintenance": "保养", "repair": "维修", "warranty": "保修", "bodypaint": "钣喷", "pdi": "PDI"}


def _guided(app, task: dict, answers: dict) -> dict:
    """The script of the callback procedure (开始 / 交流 / 结束), asking what is missing."""
    store = app.store
    customer = store.query_one("SELECT name, gender FROM customers WHERE id = ?", (task["customer_id"],)) or {}
    visit = store.query_one("SELECT date_out, type FROM visits WHERE id = ?", (task["visit_id"],)) \
        if task["visit_id"] else None
    title = {"M": "先生", "F": "女士"}.get(customer.get("gender"), "先生/女士")
    surname = (customer.get("name") or "")[:1]
    dealer = app.config.get("dealer_name") or "本店"
    echo = typer.echo
    echo(f"回访 {task['id']}: {reason_text(task['reasons'])}")
    echo(f"【开始】您好,我是{dealer}的{app.actor.name},请问您是{surname}{title}吗?打扰您了。")
    if visit:
        echo(f"【交流】感谢您在{(visit['date_out'] or '')[:10]}接受了我们的{VISIT_TITLES.get(visit['type'], '')}服务,"
             "请问您对我们的服务满意吗?")
    else:
        echo("【交流】请问您最近用车还顺利吗?对我们的服务满意吗?")
    if not answers.get("result"):
        choices = "  ".join(f"{i}={RESULT_TITLES[r]}({r})" for i, r in enumerate(RESULTS, 1))
        raw = typer.prompt(f"结果 {choices}")
        answers["result"] = RESULTS[int(raw) - 1] if raw.strip().isdigit() and 1 <= int(raw) <= 4 else parse_result(raw)
    result = answers["result"]
    if result == "unreachable":
        echo("未接通:将在其他时段再次回访。")
        return answers
    if result == "satisfied":
        if answers.get("suggestion") is None:
            answers["suggestion"] = typer.prompt("【满意】您对我们的服务有什么建议吗?", default="", show_default=False) or None
    elif not answers.get("aspects"):
        listing = "  ".join(f"{i}={v}" for i, v in enumerate(ASPECTS.values(), 1))
        raw = typer.prompt(f"【不满意/一般】能否告诉我您对哪方面不满意? {listing} (可多选, 逗号分隔)")
        keys = list(ASPECTS)
        picked = [keys[int(p) - 1] if p.strip().isdigit() and 1 <= int(p) <= len(keys) else p
                  for p in raw.replace("，", ",").split(",") if p.strip()]
        answers["aspects"] = parse_aspects(picked)
    if answers.get("score") is None:
        answers["score"] = parse_score(typer.prompt("评分 0–10"))
    if answers.get("note") is None:
        if result == "dissatisfied":  # required: what the customer is unhappy with (回访信息的完整记录)
            answers["note"] = typer.prompt("备注 (必填: 客户具体不满意什么)")
        else:
            answers["note"] = typer.prompt("备注", default="", show_default=False) or None
    if answers.get("book") is None and typer.confirm("需要预约进店吗?", default=False):
        answers["book"] = typer.prompt("预约时间 (如 2026-11-25 10:00)")
    if result == "satisfied":
        echo("【结束】感谢您的答复,您如果需要什么帮助,可随时跟我们取得联系,祝您开车愉快,再见!")
    else:
        echo("【结束】非常谢谢您的反馈,这一点我们的确做得不够,我们很快就会改进,望您监督,祝您开车愉快,再见!")
    return answers


def record_command(app, task_id, *, result, score, aspects, note, suggestion, at, book, book_type,
                   interactive: bool, length=None) -> dict:
    settings = settings_mod.load(app.config)
    app.require("callbacks.record")
    task = get_task(app.store.conn, task_id)
    if task["status"] != "open":
        raise BadInput(f"callback task {task['id']} is {task['status']}; only an open task takes a result")
    answers = {"result": parse_result(result) if result else None, "score": score,
               "aspects": parse_aspects(aspects), "note": note, "suggestion": suggestion, "book": book}
    if score is not None:
        parse_score(score)
    if interactive:
        answers = _guided(app, task, answers)
    elif not answers["result"]:
        raise BadInput("--result is required (satisfied, neutral, dissatisfied, unreachable, call_back) when not at"
                       " a terminal")
    call_back_at = None
    if answers["result"] == CALL_BACK:  # "call me back at 19:00 tomorrow": --at is the customer's time
        call_back_at, at = parse_moment(at, app.tz) if at else None, None
    called_at = parse_moment(at, app.tz) if at else app.now()
    duration_s = parse_length(length)
    appointment = {"at": parse_moment(answers["book"], app.tz), "type": book_type} if answers.get("book") else None
    with app.transaction() as tx:
        task = get_task(tx.conn, task_id)  # again, under the write lock
        return record_result(tx, task, result=answers["result"], score=answers.get("score"),
                             aspects=answers.get("aspects"), note=answers.get("note"),
                             suggestion=answers.get("suggestion"), called_at=called_at, staff=app.actor.code,
                             settings=settings, appointment=appointment, duration_s=duration_s,
                             call_back_at=call_back_at)
