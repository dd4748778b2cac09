"""Punches given by people (API bodies, CSV rows): checked one by one, bad ones named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from attendance.common import parse_instant
from attendance.ingest import IngestResult, store_punches
from devices.adms.text import is_valid_pin, shorten, validate_sn
from devices.errors import ProtocolError
from devices.events import PIN_MAX, Punch
from hallbase.models import Staff
from hallbase.settings import Settings


@dataclass
class ItemsResult:
    """The answer to a list of punches: counts and every refused item with its reason."""

    inserted: int = 0
    duplicates: int = 0
    unmapped: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    ingest: IngestResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """The API's answer."""
        return {
            "inserted": self.inserted,
            "duplicates": self.duplicates,
            "unmapped": self.unmapped,
            "rejected": self.rejected,
        }


VERIFY_MAX = 65535  # verify codes are small; terminals send 0-255


def _text(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    return str(value).strip()


def to_punch(
    item: Mapping[str, Any], pins: Mapping[str, str], settings: Settings, default_device: str
) -> Punch:
    """One item ({staff_no or pin, time, device_sn?, verify?}) as a Punch; ValueError says why."""
    if not isinstance(item, Mapping):
        raise ValueError("each punch must be an object")
    staff_no, pin = _text(item, "staff_no"), _text(item, "pin")
    if staff_no and pin:
        raise ValueError("give staff_no or pin, not both")
    if staff_no:
        if staff_no not in pins:
            raise ValueError(f"unknown staff_no {staff_no!r}")
        pin = pins[staff_no]
    if not pin:
        raise ValueError("staff_no or pin is required")
    if not is_valid_pin(pin):
        raise ValueError(f"pin {shorten(pin)} is not 1-{PIN_MAX} letters or digits")
    raw_time = item.get("time")
    if raw_time is None or raw_time == "":
        raise ValueError("time is required")
    if not isinstance(raw_time, str | datetime):
        raise ValueError(f"time {raw_time!r} must be an ISO 8601 string")
    at = parse_instant(raw_time, settings.zone)
    verify = item.get("verify")
    if verify is not None and verify != "":
        try:
            verify = int(verify)
        except (TypeError, ValueError):
            raise ValueError(f"verify {shorten(str(verify))} is not a number") from None
        if not 0 <= verify <= VERIFY_MAX:
            raise ValueError(f"verify {shorten(str(verify))} is outside 0..{VERIFY_MAX}")
    else:
        verify = None
    device = _text(item, "device_sn") or default_device
    try:
        validate_sn(device)
    except ProtocolError as exc:
        raise ValueError(f"device_sn: {exc}") from None
    raw = repr(dict(item)).encode()
    return Punch(device_sn=device, pin=pin, time=at, verify=verify, raw=raw)


def store_items(
    session: Session,
    items: Sequence[Mapping[str, Any]],
    *,
    settings: Settings,
    now: datetime,
    source: str,
    default_device: str,
    first_index: int = 0,
) -> ItemsResult:
    """Check every item, store the good ones in one batch, report the rest by index."""
    pins = dict(session.exec(select(Staff.staff_no, Staff.pin)).all())
    out = ItemsResult()
    punches: list[Punch] = []
    where: list[int] = []
    for i, item in enumerate(items):
        try:
            punches.append(to_punch(item, pins, settings, default_device))
            where.append(i + first_index)
        except ValueError as exc:
            out.rejected.append({"index": i + first_index, "reason": str(exc)})
    if punches:
        result = store_punches(session, punches, source=source, now=now, settings=settings)
        out.inserted, out.duplicates, out.unmapped = (
            result.inserted,
            result.duplicates,
            result.unmapped,
        )
        out.rejected += [{"index": where[i], "reason": r} for i, r in result.quarantined]
        out.ingest = result
    out.rejected.sort(key=lambda r: int(r["index"]))
    return out
