"""iCalendar (RFC 5545) export of events for the staff's calendars."""

from __future__ import annotations

import datetime as dt

VTIMEZONE = (
    "BEGIN:VTIMEZONE", "TZID:Asia/Shanghai", "BEGIN:STANDARD", "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800", "TZOFFSETTO:+0800", "TZNAME:CST", "END:STANDARD", "END:VTIMEZONE",
)


def escape(text: str | None) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    text = (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def _local(value: str) -> str:
    from zoneinfo import ZoneInfo

    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[dict], *, now: dt.datetime, domain: str, counts: dict | None = None) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//crm//campaigns events//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", *VTIMEZONE]
    for event in events:
        description = event.get("description") or ""
        if counts and event["id"] in counts:
            c = counts[event["id"]]
            seats = f"/{event['capacity']}" if event.get("capacity") else ""
            description = (description + "\n" if description else "") + (
                f"已报名 {c['accepted']}{seats}, 候补 {c['waitlisted']}, 已邀约 {c['invited']}")
        updated = dt.datetime.fromisoformat(event["updated_at"])
        lines += [
            "BEGIN:VEVENT",
            f"UID:crm-event-{event['id']}@{domain}",
            f"DTSTAMP:{_utc(now)}",
            f"LAST-MODIFIED:{_utc(updated)}",
            f"DTSTART;TZID=Asia/Shanghai:{_local(event['starts_at'])}",
            f"DTEND;TZID=Asia/Shanghai:{_local(event['ends_at'])}",
            f"SUMMARY:{escape(event['title'])}",
            f"LOCATION:{escape(event['place'])}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{escape(description)}")
        lines += [f"CATEGORIES:{escape(event.get('kind') or 'event')}",
                  f"STATUS:{'CANCELLED' if event['status'] == 'cancelled' else 'CONFIRMED'}",
                  "TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
