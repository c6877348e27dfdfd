"""Persistence with a state file, in-process."""

from __future__ import annotations

import pytest

from crm_portal_emulator.server import Emulator
from crm_portal_emulator.state import StateError

SMALL = dict(owners=5, leads=5, complaints=2, campaigns=3, surveys=2, start_time="2026-11-22T08:00:00Z",
             frozen_clock=True)


def test_round_trip(tmp_path):
    path = tmp_path / "state.json"
    with Emulator(state_file=str(path), **SMALL) as emu:
        emu.control.advance_clock(10)
        created = emu.control.create("leads", name="钱多多")
        gone = emu.control.delete("owners", "OWN-000002")
        cursor_key = emu.portal.cursors.key
    assert path.exists()
    with Emulator(state_file=str(path), seed=99, **{**SMALL, "owners": 1}) as emu:
        assert emu.control.record("leads", created["id"]) == created
        assert emu.control.record("owners", "OWN-000002") == gone
        assert len(emu.control.records("owners")) == 5        # the file wins over seed and volumes
        assert emu.control.clock()["now"] == "2026-11-22T08:00:10Z"
        assert emu.portal.cursors.key == cursor_key
        assert emu.control.create("leads")["id"] == "LEAD-000007"


def test_state_of_another_dealer_is_refused(tmp_path):
    path = tmp_path / "state.json"
    with Emulator(state_file=str(path), **SMALL):
        pass
    with pytest.raises(StateError):
        Emulator(state_file=str(path), dealer_code="SH002", **SMALL)


def test_corrupt_state_is_refused(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StateError):
        Emulator(state_file=str(path), **SMALL)
