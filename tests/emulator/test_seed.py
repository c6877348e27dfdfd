"""The seeded data: deterministic and realistic."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from crm_portal_emulator import vin
from crm_portal_emulator.records import STREAMS
from crm_portal_emulator.seed import Volumes, seed_records
from crm_portal_emulator.timefmt import parse_instant

NOW = int(parse_instant("2026-11-22T08:00:00Z"))
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PLATE = re.compile(r"^[京津冀沪][A-Z]([A-HJ-NP-Z0-9]{5}|[DF]\d{5})$")
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")


@pytest.fixture(scope="module")
def data():
    records = seed_records(5, "BJ001", NOW, Volumes(owners=300, leads=120, complaints=60, campaigns=12, surveys=80))
    return {stream: [r.wire() for r in items] for stream, items in records.items()}


def test_same_seed_same_data(data):
    again = seed_records(5, "BJ001", NOW, Volumes(owners=300, leads=120, complaints=60, campaigns=12, surveys=80))
    assert {s: [r.wire() for r in items] for s, items in again.items()} == data
    other = seed_records(6, "BJ001", NOW, Volumes(owners=300, leads=120, complaints=60, campaigns=12, surveys=80))
    assert [r.wire() for r in other["owners"]] != data["owners"]


def test_common_fields(data):
    for stream in STREAMS:
        for number, record in enumerate(data[stream], start=1):
            assert record["id"].endswith(f"-{number:06d}")
            assert INSTANT.match(record["updated_at"]) and record["updated_at"] < "2026-11-22T08:00:00Z"
            assert record["version"] >= 1


def test_owners(data):
    vins = [o["vin"] for o in data["owners"]]
    assert len(set(vins)) == len(vins)
    for owner in data["owners"]:
        assert vin.is_valid(owner["vin"]), owner["vin"]
        assert owner["vin"][9] == vin.year_code(owner["model_year"])
        assert owner["plate"] is None or PLATE.match(owner["plate"]), owner["plate"]
        if owner["plate"] and owner["model"] in ("iX3", "i3"):
            assert owner["plate"][2] == "D" and len(owner["plate"]) == 8
        assert MOBILE.match(owner["owner"]["phone"])
        assert 2 <= len(owner["owner"]["name"]) <= 4
        assert DATE.match(owner["delivery_date"]) and owner["delivery_date"] <= "2026-11-22"
        assert owner["model"] in {"320Li", "325Li", "530Li", "530Le", "X1", "X3", "X5", "iX3", "i3", "740Li"}
    assert sum(o["selling_dealer"] == "BJ001" for o in data["owners"]) > len(data["owners"]) // 2
    # Nightly batches: owners share updated_at values.
    stamps = [o["updated_at"] for o in data["owners"]]
    assert len(set(stamps)) < len(stamps)


def test_leads(data):
    leads = [lead for lead in data["leads"] if not lead["deleted"]]
    assert len(leads) < len(data["leads"])  # a few withdrawn: tombstones
    assert {lead["source"] for lead in leads} == {"website", "hotline", "autohome", "dongchedi", "event"}
    for lead in leads:
        assert MOBILE.match(lead["phone"])
        assert lead["contact_due"] > lead["created_at"]
        if lead["source"] in ("autohome", "dongchedi"):
            assert lead["adf"].startswith('<?xml version="1.0" encoding="UTF-8"?>\n<?adf version="1.0"?>')
            root = ET.fromstring(lead["adf"].split("\n", 2)[2])
            assert root.tag == "adf"
            assert root.find("prospect/customer/contact/name").text == lead["name"]
            assert root.find("prospect/customer/contact/phone").text == lead["phone"]
            assert root.find("prospect/vehicle/model").text == lead["model_interest"]
            assert root.find("prospect/id").get("source") == lead["source"]
        else:
            assert "adf" not in lead
    assert any(lead["contact_due"] > "2026-11-22T08:00:00Z" for lead in leads)  # some still open


def test_complaints(data):
    owner_vins = {o["vin"] for o in data["owners"]}
    for complaint in data["complaints"]:
        assert complaint["vin"] in owner_vins
        assert complaint["channel"] in ("hotline_400", "app", "regulator_12315", "social_media")
        assert complaint["severity"] in ("normal", "urgent", "critical")
        assert complaint["oem_status"] in ("dispatched", "escalated", "customer_called_again", "closed_by_oem",
                                           "reopened")
        assert complaint["dispatched_at"] < complaint["respond_due"] < complaint["resolve_due"]
        assert set(complaint["customer"]) == {"name", "phone"}
        assert complaint["description"]


def test_campaigns(data):
    owner_vins = {o["vin"] for o in data["owners"]}
    kinds = {c["kind"] for c in data["campaigns"]}
    assert kinds == {"recall", "service_campaign", "marketing_event"}
    for campaign in data["campaigns"]:
        assert campaign["starts_on"] <= campaign["ends_on"]
        if campaign["kind"] == "marketing_event":
            assert campaign["vins"] == []
        else:
            assert campaign["vins"] and set(campaign["vins"]) <= owner_vins


def test_surveys(data):
    by_vin = {o["vin"]: o for o in data["owners"]}
    for survey in data["surveys"]:
        assert 0 <= survey["score"] <= 10
        assert survey["kind"] in ("sales_csi", "service_csi")
        assert by_vin[survey["vin"]]["owner"]["phone"] == survey["phone"]
        assert survey["verbatim"]


def test_vin_check_digit():
    assert vin.check_digit("1M8GDM9AXKP042788") == "X"
    assert vin.is_valid("1M8GDM9AXKP042788")
    assert not vin.is_valid("1M8GDM9A1KP042788")
    assert not vin.is_valid("LBV21G06IRZ123456")  # I is not allowed
    made = vin.make_vin("LBV", "21G06", 2024, "Z", 123456)
    assert vin.is_valid(made) and made.startswith("LBV21G06") and made[9] == "R"


def test_empty_volumes():
    records = seed_records(1, "BJ001", NOW, Volumes(owners=0, leads=2, complaints=2, campaigns=3, surveys=2))
    assert len(records["complaints"]) == 2 and len(records["surveys"]) == 2
