"""The manufacturer's leads on the agenda: the appointment desk and the manager see them."""


def test_leads_go_to_the_appointment_desk_not_to_every_specialist(sync, staffed):
    sync.run()
    env = {"CRM_NOW": "2026-11-30T10:00:00"}
    appointment = [i["kind"] for i in staffed.json("--as", "chenjing", "today", "--me", env=env)]
    callback = [i["kind"] for i in staffed.json("--as", "wangfang", "today", "--me", env=env)]
    department = [i["kind"] for i in staffed.json("today", env=env)]  # no one named: the whole department
    assert "portal_lead" in appointment
    assert "portal_lead" not in callback
    assert "portal_lead" in department
