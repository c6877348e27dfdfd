"""ADF 1.0 (Auto-lead Data Format) documents, as third-party lead sites send them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass(frozen=True)
class AdfLead:
    """What an ADF prospect carries here."""

    lead_ref: str
    source: str
    request_epoch_iso: str   # ISO 8601 with offset
    model_year: int
    model: str
    name: str
    phone: str
    city: str
    comments: str
    dealer_code: str
    dealer_name: str
    provider_name: str
    provider_url: str


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def build_adf(lead: AdfLead) -> str:
    """Serialize one prospect as an ADF 1.0 XML document (UTF-8, with the adf PI)."""
    adf = ET.Element("adf")
    prospect = _sub(adf, "prospect", status="new")
    _sub(prospect, "id", lead.lead_ref, sequence="1", source=lead.source)
    _sub(prospect, "requestdate", lead.request_epoch_iso)
    vehicle = _sub(prospect, "vehicle", interest="buy", status="new")
    _sub(vehicle, "year", str(lead.model_year))
    _sub(vehicle, "make", "BMW")
    _sub(vehicle, "model", lead.model)
    customer = _sub(prospect, "customer")
    contact = _sub(customer, "contact", primarycontact="1")
    _sub(contact, "name", lead.name, part="full")
    _sub(contact, "phone", lead.phone, type="cellphone")
    address = _sub(contact, "address")
    _sub(address, "city", lead.city)
    _sub(address, "country", "CN")
    if lead.comments:
        _sub(customer, "comments", lead.comments)
    vendor = _sub(prospect, "vendor")
    _sub(vendor, "id", lead.dealer_code, source="oem")
    _sub(vendor, "vendorname", lead.dealer_name)
    provider = _sub(prospect, "provider")
    _sub(provider, "name", lead.provider_name, part="full")
    _sub(provider, "url", lead.provider_url)
    ET.indent(adf, space="  ")
    body = ET.tostring(adf, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<?adf version="1.0"?>\n' + body + "\n"
