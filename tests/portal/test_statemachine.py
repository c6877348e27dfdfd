"""Server changes, local changes, faults and restarts interleave; the two sides converge."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from crm_portal_emulator.server import Emulator

FAULTS = ["503:path=/streams/*,times=2", "drop:path=/streams/*,times=1", "410:times=1",
          "expire_token:times=1", "mutate_while_paging:times=1", "429:retry_after=1,times=1",
          "truncated:path=/streams/*,times=1", "lost_response:path=/leads/*/followups",
          "412:path=/leads/*/followups,times=1", "503:times=*"]
CITIES = ["北京", "天津", "廊坊", "保定"]


def make_machine(crm, sync_cls, secret):
    class PortalSync(RuleBasedStateMachine):
        @initialize()
        def start(self):
            self.emu = Emulator(seed=11, owners=12, leads=8, complaints=3, campaigns=2, surveys=3,
                                start_time="2026-11-22T08:00:00Z", frozen_clock=True, client_secret=secret)
            self.emu.start()
            for suffix in ("", "-wal", "-shm", ".sync.lock"):
                path = str(crm.db_path) + suffix
                if os.path.exists(path):
                    os.remove(path)
            self.sync = sync_cls(crm, self.emu, crm.tmp_path)
            crm("staff", "add", "chenjing", "--name", "陈静", "--role", "appointment")
            self.followups = 0
            # Token kills (a revoke, expiry faults) since the last whole sync: two of them may meet one
            # call, which the contract lets the client refuse ("get a new token and repeat the
            # call once"): a second 401 with a fresh token is exit 2, not a sync bug.
            self.expiries, self.revoked = 0, False
            self.edited: set[int] = set()
            self.synced_once = False

        def teardown(self):
            if hasattr(self, "emu"):
                self.emu.stop()

        @rule(i=st.integers(0, 11), city=st.sampled_from(CITIES))
        def server_changes_an_owner(self, i, city):
            owner = self.emu.control.records("owners")[i]
            if not owner.get("deleted"):
                self.emu.control.advance_clock(7)
                self.emu.control.update("owners", owner["id"], owner={**owner["owner"], "city": city})

        @rule(i=st.integers(0, 7), delete=st.booleans())
        def server_changes_a_lead(self, i, delete):
            lead = self.emu.control.records("leads")[i]
            self.emu.control.advance_clock(3)
            if delete:
                self.emu.control.delete("leads", lead["id"])
            elif not lead.get("deleted"):
                self.emu.control.update("leads", lead["id"], comments=f"改 {lead['version']}")

        @rule()
        def server_adds_a_lead(self):
            self.emu.control.advance_clock(2)
            self.emu.control.create("leads", source="hotline")

        @precondition(lambda self: self.synced_once)
        @rule(i=st.integers(0, 11), city=st.sampled_from(CITIES))
        def local_edit(self, i, city):
            cid = self.sync.scalar("SELECT id FROM customers ORDER BY id LIMIT 1 OFFSET ?", (i,))
            if cid:
                crm("customer", "edit", str(cid), "--city", city)
                self.edited.add(cid)

        @precondition(lambda self: self.synced_once)
        @rule(i=st.integers(0, 7))
        def local_followup(self, i):
            rows = self.sync.sql("SELECT id FROM portal_leads ORDER BY id LIMIT 1 OFFSET ?", (i,))
            if rows:
                crm("sync", "followup", rows[0][0], "--outcome", "reached", env={"CRM_USER": "chenjing"})
                self.followups += 1

        @rule(spec=st.sampled_from(FAULTS))
        def fault(self, spec):
            self.emu.control.add_faults(spec)
            self.expiries += spec.startswith("expire_token")

        @rule()
        def run(self):
            result = crm("sync", "run", expect=None)
            refused_twice = "401 twice with a fresh token" in result.stderr
            kills = self.expiries + self.revoked
            allowed = (0, 3, 75) + ((2,) if kills >= 2 and refused_twice else ())
            assert result.exit_code in allowed, result.stderr
            if result.exit_code in (0, 3):  # a whole sync: every pending expiry was met
                self.expiries, self.revoked = 0, False
            self.synced_once = self.synced_once or result.exit_code in (0, 3)

        @rule()
        def restart_portal_tokens(self):
            self.emu.control.revoke_tokens()
            self.emu.control.expire_cursors()
            self.revoked = True

        @invariant()
        def never_duplicated(self):
            if os.path.exists(crm.db_path):
                assert self.sync.scalar(
                    "SELECT count(*) FROM (SELECT vin FROM vehicles GROUP BY vin HAVING count(*) > 1)") in (0, None)

        def converge(self):
            self.emu.control.clear_faults()
            for _ in range(2):
                result = crm("sync", "run", expect=None)
                assert result.exit_code in (0, 3), result.stderr
            for stream in ("owners", "leads", "complaints", "campaigns", "surveys"):
                want = {r["id"]: r["version"] for r in self.emu.control.records(stream) if not r.get("deleted")}
                got = dict(self.sync.sql("SELECT id, version FROM portal_records WHERE stream = ? AND deleted = 0",
                                         (stream,)))
                assert got == want, stream
            leads = {r["id"] for r in self.emu.control.records("leads") if not r.get("deleted")}
            assert {r[0] for r in self.sync.sql("SELECT id FROM portal_leads")} == leads
            sent = self.sync.scalar("SELECT count(*) FROM portal_outbox WHERE status = 'sent'")
            parked = self.sync.scalar("SELECT count(*) FROM portal_outbox WHERE status = 'parked'")
            assert sent + parked == self.followups
            assert len(self.emu.control.received("followups")) == sent  # exactly once
            # owners: the archive holds the portal's city, unless a person edited it here (kept
            # when the portal did not change it since, else an open conflict holds both)
            open_ = {r[0] for r in self.sync.sql(
                "SELECT entity_id FROM portal_conflicts WHERE status = 'open' AND field = 'city'")}
            for owner in self.emu.control.records("owners"):
                cid, city = self.sync.sql("SELECT c.id, c.city FROM vehicles v JOIN customers c"
                                          " ON c.id = v.customer_id WHERE v.vin = ?", (owner["vin"],))[0]
                assert city == owner["owner"]["city"] or cid in open_ or cid in self.edited

    return PortalSync


def test_sync_converges(crm, monkeypatch, sleeps):
    from crm_portal import client

    monkeypatch.setenv("CRM_PORTAL_SECRET", "sm-secret-123456")
    monkeypatch.setattr(client, "sleep", lambda s: None)

    import importlib.util
    import pathlib

    spec = importlib.util.spec_from_file_location("portal_conftest", pathlib.Path(__file__).with_name("conftest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    machine = make_machine(crm, module.Sync, "sm-secret-123456")

    class Checked(machine):
        def teardown(self):
            try:
                if getattr(self, "synced_once", None) is not None:
                    self.converge()
            finally:
                super().teardown()

    test = Checked.TestCase
    test.settings = settings(max_examples=6, stateful_step_count=10, deadline=None,
                             suppress_health_check=list(HealthCheck))
    test("runTest").runTest()
