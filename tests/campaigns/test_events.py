"""Events: invitations (never twice), quiet hours, capacity and waitlist, check-in, results, iCalendar."""

import os

from campaigns_helpers import VINS, fake, set_consent, world, write_sql  # noqa: F401


def make_event(crm, capacity=None, start="2026-12-12 09:30"):
    args = ["event", "create", "--title", "春季植树活动", "--start", start, "--place", "展厅, 一楼; 北区"]
    if capacity:
        args += ["--capacity", capacity]
    return int(crm(*args).stdout.strip())


def test_invitation_is_never_sent_twice_when_cron_runs_twice(world):
    crm = world
    event = make_event(crm)
    set_consent(crm, crm.ids["li"], "sms", False)
    crm("segment", "save", "bj-sh", "--city", "北京", "--city", "上海")
    crm("-q", "event", "invite", event, "--segment", "bj-sh")
    r = crm("-q", "event", "invite", event, "--segment", "bj-sh")
    assert r.stdout == "" and r.stderr == ""  # cron: quiet on success
    sent = crm.fake.messages
    assert sorted(m["customer_id"] for m in sent) == sorted([crm.ids["zhang"], crm.ids["wang"], crm.ids["zhao"]])
    assert "张先生您好" in next(m["text"] for m in sent if m["customer_id"] == crm.ids["zhang"])
    assert "2026年12月12日 09:30" in sent[0]["text"] and "展厅" in sent[0]["text"]
    assert crm.sql("SELECT count(*) FROM campaigns_invitations")[0][0] == 3
    assert crm.sql("SELECT count(*) FROM interactions WHERE kind = 'campaign_message'")[0][0] == 3
    # a customer added to the segment later is invited on the next run, and only they
    write_sql(crm, "UPDATE customer_consents SET granted = 1 WHERE customer_id = ?", (crm.ids["li"],))
    crm("-q", "event", "invite", event, "--segment", "bj-sh")
    assert [m["customer_id"] for m in sent[3:]] == [crm.ids["li"]]


def test_phone_invitations_become_call_tasks(world):
    crm = world
    event = make_event(crm)
    crm("segment", "save", "sh", "--city", "上海")
    crm("event", "invite", event, "--segment", "sh", "--channel", "phone")
    crm("event", "invite", event, "--segment", "sh", "--channel", "phone")
    assert [c["customer_id"] for c in crm.fake.callbacks] == [crm.ids["li"]]
    assert crm.fake.callbacks[0]["ref"] == f"event:{event}:invite:{crm.ids['li']}"
    assert crm.fake.messages == []


def test_quiet_hours_hold_messages_until_the_window_opens(world):
    crm = world
    event = make_event(crm)
    crm("segment", "save", "sh", "--city", "上海")
    crm("event", "invite", event, "--segment", "sh", env={"CRM_NOW": "2026-11-20T21:30:00"})
    assert crm.fake.messages == []
    held = crm.sql("SELECT status, not_before FROM campaigns_messages")
    assert held == [("held", "2026-11-21T09:00:00+08:00")]
    crm("campaigns", "outbox", "release", env={"CRM_NOW": "2026-11-21T08:00:00"})
    assert crm.fake.messages == []
    crm("campaigns", "outbox", "release", env={"CRM_NOW": "2026-11-21T09:05:00"})
    crm("campaigns", "outbox", "release", env={"CRM_NOW": "2026-11-21T09:10:00"})
    assert len(crm.fake.messages) == 1
    assert crm.sql("SELECT status FROM campaigns_messages") == [("sent",)]


def test_capacity_waitlist_and_promotion(world):
    crm = world
    i = crm.ids
    event = make_event(crm, capacity=2)
    crm("segment", "save", "all", "--delivered-from", "2000-01-01")
    crm("event", "invite", event, "--segment", "all")
    assert crm("event", "rsvp", event, i["zhang"], "accepted").stdout.strip() == "accepted"
    assert crm("event", "rsvp", event, i["li"], "accepted").stdout.strip() == "accepted"
    assert crm("event", "rsvp", event, i["wang"], "accepted").stdout.strip() == "waitlisted"
    assert crm("event", "rsvp", event, i["zhao"], "accepted").stdout.strip() == "waitlisted"
    assert crm("event", "rsvp", event, i["wang"], "accepted").stdout.strip() == "waitlisted"  # keeps its place
    rows = crm.json("event", "invitees", event, "--reply", "waitlisted")
    assert [(r["customer_id"], r["waitlist_position"]) for r in rows] == [(i["wang"], 1), (i["zhao"], 2)]
    crm("event", "rsvp", event, i["li"], "declined")
    accepted = crm.json("event", "invitees", event, "--reply", "accepted", "--sort", "customer")
    assert [r["customer_id"] for r in accepted] == [i["zhang"], i["wang"]]
    promoted = [m for m in crm.fake.messages if "候补转为正式" in m["text"]]
    assert [m["customer_id"] for m in promoted] == [i["wang"]]
    crm("event", "rsvp", event, i["zhang"], "maybe")
    assert crm.json("event", "show", event)["accepted"] == 2  # zhao moved up
    crm("event", "update", event, "--capacity", "3")  # more seats: nobody left to promote
    crm("event", "rsvp", event, i["zhang"], "accepted")
    show = crm.json("event", "show", event)
    assert (show["accepted"], show["waitlisted"], show["declined"]) == (3, 0, 1)
    crm("event", "rsvp", event, i["zhang"], "yes", expect=2)
    crm("event", "rsvp", 999, i["zhang"], "accepted", expect=2)


def test_reminders_checkin_no_shows_results_and_reply_segments(world):
    crm = world
    i = crm.ids
    event = make_event(crm, start="2026-11-22 09:30")
    crm("segment", "save", "all", "--delivered-from", "2000-01-01")
    crm("event", "invite", event, "--segment", "all")
    crm("event", "rsvp", event, i["zhang"], "accepted")
    crm("event", "rsvp", event, i["li"], "accepted")
    crm("event", "rsvp", event, i["wang"], "declined")
    crm("event", "remind", env={"CRM_NOW": "2026-11-21T10:00:00"})
    crm("event", "remind", env={"CRM_NOW": "2026-11-21T11:00:00"})
    reminders = [m for m in crm.fake.messages if "温馨提醒" in m["text"]]
    assert sorted(m["customer_id"] for m in reminders) == sorted([i["zhang"], i["li"]])
    day = {"CRM_NOW": "2026-11-22T09:40:00"}
    assert crm("event", "checkin", event, i["zhang"], env=day).stdout.strip() == "checked_in"
    assert crm("event", "checkin", event, "--mobile", "13812345678", env=day).stdout.startswith("already")
    crm("event", "checkin", event, i["zhao"], env=day)
    other = int(crm("customer", "add", "--name", "路人甲").stdout)
    crm("event", "checkin", event, other, env=day, expect=2)
    assert crm("event", "checkin", event, other, "--walk-in", env=day).stdout.strip() == "walk_in"
    crm("visit", "add", "--ro", "R9", "--vin", VINS[0], "--in", "2026-12-01", "--out", "2026-12-01", "--amount", "800")
    later = {"CRM_NOW": "2026-12-05T10:00:00"}
    report = crm.json("event", "report", event, env=later)
    assert (report["invited"], report["accepted"], report["attended"], report["walk_ins"], report["no_shows"]) == \
        (4, 2, 3, 1, 1)
    assert report["attendees_visited_later"] == 1 and report["attendees_later_visit_amount"] == 800
    no_shows = crm.json("event", "invitees", event, "--reply", "no_show", env=later)
    assert [r["customer_id"] for r in no_shows] == [i["li"]]
    by_reply = crm.json("event", "invitees", event, env=later)
    assert [r["reply"] for r in by_reply] == ["accepted", "accepted", "pending", "declined", "walk_in"]
    crm("event", "invitees", event, "--reply", "attended", "--save-segment", "tree-guests", env=later)
    assert crm("segment", "count", "tree-guests", env=later).stdout.strip() == "3"
    crm("event", "rsvp", event, i["zhao"], "accepted", env=later, expect=2)  # over: replies closed


def test_template_errors_name_the_template_and_line(world, tmp_path):
    crm = world
    event = make_event(crm)
    crm("segment", "save", "sh", "--city", "上海")
    bad = tmp_path / "bad.j2"
    bad.write_text("{{ salutation }}您好!\n请带上{{ coupon }}\n", encoding="utf-8")
    r = crm("event", "invite", event, "--segment", "sh", "--template", str(bad), expect=2)
    assert "bad.j2, line 2" in r.stderr and "coupon" in r.stderr
    broken = tmp_path / "broken.j2"
    broken.write_text("ok\n{% if %}\n", encoding="utf-8")
    r = crm("event", "invite", event, "--segment", "sh", "--template", str(broken), expect=2)
    assert "broken.j2, line 2" in r.stderr
    assert crm.sql("SELECT count(*) FROM campaigns_invitations")[0][0] == 0  # nothing changed
    good = tmp_path / "good.j2"
    good.write_text("{{ name }}, {{ event.title }} @ {{ place }}", encoding="utf-8")
    crm("event", "invite", event, "--segment", "sh", "--template", str(good))
    assert crm.fake.messages[0]["text"] == "李四, 春季植树活动 @ 展厅, 一楼; 北区"


def test_builtin_sender_writes_a_private_outbox_file(world):
    crm = world
    crm.plugins = []  # no fake sender: the plugin's own outbox
    event = make_event(crm)
    crm("segment", "save", "bj", "--city", "北京")
    crm("event", "invite", event, "--segment", "bj")
    files = sorted((crm.tmp_path / "outbox").iterdir())
    assert len(files) == 1 and files[0].name.startswith("sms-20261120-100000")
    assert oct(os.stat(files[0]).st_mode & 0o777) == "0o600"
    data = files[0].read_bytes().decode("utf-8")
    lines = data.split("\r\n")
    assert lines[0] == "phone,content" and lines[1].startswith("13812345678,")
    assert len([line for line in lines if line]) == 4
    crm("campaigns", "outbox", "flush")
    assert len(list((crm.tmp_path / "outbox").iterdir())) == 1  # nothing pending, no new file
    assert crm.sql("SELECT count(*) FROM campaigns_outbox WHERE written_at IS NULL")[0][0] == 0


def test_ics_export(world, tmp_path):
    crm = world
    event = make_event(crm, capacity=30)
    text = crm("event", "ics", event).stdout_bytes.decode("utf-8")  # CliRunner.stdout folds CRLF
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    unfolded = text.replace("\r\n ", "")
    assert f"UID:crm-event-{event}@" in unfolded
    assert "DTSTAMP:20261120T020000Z" in unfolded
    assert "DTSTART;TZID=Asia/Shanghai:20261212T093000" in unfolded
    assert "TZID:Asia/Shanghai" in unfolded
    assert "LOCATION:展厅\\, 一楼\\; 北区" in unfolded
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    out = tmp_path / "events.ics"
    crm("event", "ics", "--out", out)
    assert out.read_bytes().decode().count("BEGIN:VEVENT") == 1
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"


def test_agenda_and_report_sections(world):
    import datetime as dt

    from crm.context import App

    crm = world
    event = make_event(crm, start="2026-11-25 09:30")
    crm("segment", "save", "sh", "--city", "上海")
    crm("event", "invite", event, "--segment", "sh")
    crm("event", "rsvp", event, crm.ids["li"], "accepted", env={"CRM_NOW": "2026-11-21T10:00:00"})
    app = App(extra_plugins=crm.plugins)
    try:
        items = [i for batch in app.plugins.call_each(
            "agenda_items", app=app, agenda={"day": dt.date(2026, 11, 20), "staff": None, "now": app.now()})
            for i in batch]
        kinds = {i["kind"]: i for i in items}
        assert kinds["birthday"]["customer_id"] == crm.ids["zhang"]  # born 1980-11-20
        assert "event_replies" not in kinds  # li already replied
        report = {"kind": "monthly", "start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30),
                  "previous": (dt.date(2026, 10, 1), dt.date(2026, 10, 31)), "staff": None}
        sections = [s for batch in app.plugins.call_each("report_sections", app=app, report=report) for s in batch]
        figures = {f["key"]: f for f in sections[0]["figures"]}
        assert figures["invitations"]["name"]["zh_CN"] == "邀约人数"
        assert figures["invitations"]["value"] == 1 and figures["invitations"]["previous"] == 0
        assert sections[0]["rows"][0]["accepted"] == 1
    finally:
        app.store.close()
