"""Who may open, handle and approve a complaint is read from the one permission table
(crm/permissions.py): the complaints plugin registers the rows from its [complaints] role
settings, and the dealer's [permissions] table has the last word."""

from complaints_helpers import dept, dept_template, open_ticket, step  # noqa: F401


def _to_proposed(crm):
    tid = open_ticket(crm)
    step(crm, tid, "advance", "accept")
    step(crm, tid, "advance", "investigate", "--dept", "workshop", "--person", "张师傅", "--findings", "螺丝未紧固")
    step(crm, tid, "advance", "propose", "--solution", "免费返修")
    return tid


def test_the_default_rows_come_from_the_complaints_settings(dept):
    tid = _to_proposed(dept)
    refused = step(dept, tid, "approve", "-m", "同意", user="zhaomin", expect=2)
    assert "approve" in refused.stderr and "manager" in refused.stderr
    assert step(dept, tid, "advance", "accept", user="sunwei", expect=2).stderr  # an advisor handles no ticket
    step(dept, tid, "approve", "-m", "同意", user="li")


def test_the_dealers_permissions_table_overrides_the_rows(dept):
    dept.config_path.write_text('[permissions]\n"complaints.approve" = ["manager", "satisfaction"]\n',
                                encoding="utf-8")
    tid = _to_proposed(dept)
    step(dept, tid, "approve", "-m", "同意", user="zhaomin")
    state = dept.sql("SELECT state FROM complaints_tickets WHERE id = ?", (tid,))
    assert state and state[0][0] != "proposed"


def test_the_rows_are_in_the_documented_table():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "privacy.md").read_text(encoding="utf-8")
    for action in ("complaints.open", "complaints.handle", "complaints.approve"):
        assert f"`{action}`" in text
