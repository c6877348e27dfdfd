"""One customer filter: a segment and `crm customer list` with the same filter return the
same customers (the archive's crm.archive.filters), and plugins add filters through the
register_customer_filters hook."""

from campaigns_helpers import add_customer, fake, set_consent, world, write_sql  # noqa: F401

from crm import hookimpl


def _list_ids(crm, *args):
    return [r["id"] for r in crm.json("customer", "list", "--limit", "0", *args)]


def _segment_ids(crm, name, *args):
    crm("segment", "save", name, *args)
    return [r["id"] for r in crm.json("segment", "members", name)]


def test_a_segment_and_customer_list_with_the_same_filter_return_the_same_customers(world):
    crm = world
    i = crm.ids
    write_sql(crm, "INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, status,"
                   " created_at, updated_at) VALUES (?, 'M1', '金卡', '2024-01-01', '2025-01-01', 'active', 'x', 'x')",
              (i["wang"],))  # an active card that has expired: not a 金卡 member today
    write_sql(crm, "INSERT INTO membership_cards (customer_id, number, level, issued_on, expires_on, status,"
                   " created_at, updated_at) VALUES (?, 'M2', '金卡', '2024-01-01', '2027-01-01', 'active', 'x', 'x')",
              (i["zhang"],))
    crm("customer", "edit", i["zhao"], "--tag", "fleet")
    set_consent(crm, i["wang"], "sms", False)
    cases = [
        (["--model", "x5"], ["--model", "x5"]),  # contains, any case: X5 xDrive40Li and X5 xDrive30Li
        (["--level", "金卡"], ["--level", "金卡"]),
        (["--tag", "VIP", "--tag", "fleet"], ["--tag", "VIP", "--tag", "fleet"]),  # any of
        (["--city", "北京", "--exclude-tag", "fleet"], ["--city", "北京", "--exclude-tag", "fleet"]),
        (["--city", "北京", "--consent", "sms"], ["--city", "北京", "--channel", "sms"]),
        (["--delivered-from", "2021-01-01", "--delivered-to", "2022-12-31"],
         ["--delivered-from", "2021-01-01", "--delivered-to", "2022-12-31"]),
    ]
    for n, (listing, segment) in enumerate(cases):
        expected = _list_ids(crm, "--contactable", *listing)  # segments always leave do-not-contact out
        assert expected, listing
        assert _segment_ids(crm, f"s{n}", *segment) == expected, listing
    assert _list_ids(crm, "--model", "x5") == [i["zhang"], i["wang"]]
    assert _list_ids(crm, "--level", "金卡") == [i["zhang"]]
    assert _list_ids(crm, "--tag", "VIP", "--tag", "fleet") == [i["zhang"], i["wang"], i["zhao"]]


def test_the_campaigns_event_filter_works_in_customer_list(world):
    crm = world
    event = int(crm("event", "create", "--title", "试驾会", "--start", "2026-12-12 09:30", "--place", "展厅").stdout)
    crm("segment", "save", "bj", "--city", "北京")
    crm("-q", "event", "invite", event, "--segment", "bj")
    crm("event", "rsvp", event, crm.ids["zhang"], "accepted")
    assert _list_ids(crm, "--filter", f"event={event}", "--filter", "reply=accepted") == [crm.ids["zhang"]]
    assert _segment_ids(crm, "yes", "--event", str(event), "--reply", "accepted") == [crm.ids["zhang"]]
    assert len(_list_ids(crm, "--filter", f"event={event}")) == 3
    r = crm("customer", "list", "--filter", "reply=accepted", expect=2)
    assert "needs the event" in r.stderr
    r = crm("customer", "list", "--filter", "colour=red", expect=2)
    assert "event" in r.stderr and "reply" in r.stderr


class Greetings:
    """A dealer's plugin adding a customer filter through the hook."""

    __name__ = "greetings_filter"

    def __init__(self):
        self.calls = 0

    @hookimpl
    def register_customer_filters(self, register):
        self.calls += 1
        register("city_prefix", lambda value, context: ("c.city LIKE ? || '%'", [value]), help="City starts with")


def test_register_customer_filters_adds_a_filter_to_customer_list(world):
    crm = world
    plugin = Greetings()
    crm.plugins = [crm.fake, plugin]
    assert _list_ids(crm, "--filter", "city_prefix=上") == [crm.ids["li"]]
    assert plugin.calls == 1
