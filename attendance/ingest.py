"""The one entry point for punches: every device adapter, the API and the CSV import call it.

A batch is checked (times the engine finds implausible are quarantined with their raw
bytes), de-duplicated, stored with `INSERT ... ON CONFLICT DO UPDATE` (a repeat of a stored
punch only counts: see punch_store.py), mapped from PIN to staff, and the staff-days it
touches are re-derived with their alerts - all in the caller's transaction, so a punch and
the alert it causes commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from attendance.context import AttendanceContext, cached_context, staff_by_pin
from attendance.derive import DeriveResult, rederive
from attendance.models import DayVerdict, Device
from attendance.pin_alerts import raise_unmapped
from attendance.punch_store import Key, store_new
from attendance.quarantine import Aside, keep_aside
from attendance.retention import kept_from, month_start, months_back
from attendance_engine.plausible import (
    Implausible,
    TerminalClock,
    implausible_time,
    plausible_span,
)
from devices.events import PIN_MAX, SERIAL_MAX, WORKCODE_MAX, BadRecord, Punch
from hallbase.collector import collector_paused
from hallbase.settings import Settings

INT_MAX = 2**31 - 1  # the integer columns (verify, status)


def unstorable(punch: Punch) -> str:
    """Why a punch does not fit the punch table ('' when it does): an adapter's parser
    should have said so, but one over-long field must never fail a whole batch."""
    if len(punch.pin) > PIN_MAX:
        return f"PIN {punch.pin[:30]!r} is longer than {PIN_MAX} characters"
    if len(punch.device_sn) > SERIAL_MAX:
        return f"device serial is longer than {SERIAL_MAX} characters"
    if punch.workcode is not None and len(punch.workcode) > WORKCODE_MAX:
        return f"workcode {punch.workcode[:30]!r} is longer than {WORKCODE_MAX} characters"
    for name, value in (("verify", punch.verify), ("status", punch.status)):
        if value is not None and not 0 <= value <= INT_MAX:
            return f"{name} {value} is outside 0..{INT_MAX}"
    return ""


@dataclass
class IngestResult:
    """What a batch did: counts, the quarantined records by batch index, and the re-derivation."""

    inserted: int = 0
    duplicates: int = 0
    quarantined: list[tuple[int, str]] = field(default_factory=list)
    unmapped: int = 0
    expired: int = 0  # punches of months purged already, not stored again
    derived: DeriveResult = field(default_factory=DeriveResult)


_DeviceInfo = TerminalClock  # what `implausible` checks a punch against


# Core statements built once, so that SQLAlchemy's compiled cache serves every batch.
_device = Device.__table__  # type: ignore[attr-defined]
_verdict = DayVerdict.__table__  # type: ignore[attr-defined]
_DEVICES = sa.select(_device.c.serial, _device.c.timezone, _device.c.installed_on).where(
    _device.c.serial.in_(sa.bindparam("serials", expanding=True))
)
_SYNCED = (
    sa.update(_device)
    .where(_device.c.serial == sa.bindparam("device"))
    .values(last_sync=sa.bindparam("at"), last_seen=sa.bindparam("at"))
)
_HELD = sa.select(_verdict.c.staff_no, _verdict.c.day).where(_verdict.c.held > 0)


def _devices(session: Session, serials: set[str], hall_tz: ZoneInfo) -> dict[str, _DeviceInfo]:
    if not serials:
        return {}
    out = {}
    found = session.connection().execute(_DEVICES, {"serials": sorted(serials)})
    for serial, timezone, installed_on in found:
        try:
            tz = ZoneInfo(timezone)
        except (KeyError, ValueError):
            tz = hall_tz
        out[serial] = _DeviceInfo(tz, installed_on)
    return out


def implausible(punch: Punch, device: _DeviceInfo | None, hall_tz: ZoneInfo, now: datetime) -> str:
    """Why a punch's time cannot be right ('' when it is plausible; the rule: the engine's)."""
    why = implausible_time(punch.time, device, hall_tz, now)
    if why is None:
        return ""
    local = punch.time.astimezone(device.tz if device else hall_tz)
    if why is Implausible.CLOCK_RESET:
        return f"device clock reset: time {local.isoformat()} (year {local.year})"
    if why is Implausible.FUTURE:
        return f"time {local.isoformat()} is more than 5 minutes in the future"
    assert device is not None and device.installed_on is not None
    return f"time {local.isoformat()} is before the device was installed on {device.installed_on}"


def _raw(punch: Punch) -> bytes:
    if punch.raw:
        return punch.raw
    return f"{punch.device_sn}\t{punch.pin}\t{punch.time.isoformat()}".encode()


def store_punches(
    session: Session,
    punches: Sequence[Punch | BadRecord],
    *,
    source: str,
    now: datetime,
    settings: Settings,
    synced_device: str | None = None,
    ctx: AttendanceContext | None = None,
) -> IngestResult:
    """Store a batch idempotently and re-derive what it touches (see the module docstring).

    ``synced_device``: the batch is a complete upload from that terminal up to ``now``
    (set by adapters after a full poll or an ADMS post); its `last_sync` moves to ``now``,
    which may release alerts that waited for it (see derive.py).
    """
    if now.tzinfo is None:
        raise ValueError("store_punches: now must be timezone-aware")
    with collector_paused():  # a batch's many acyclic rows and results (hallbase.collector)
        return _store_batch(session, punches, source, now, settings, synced_device, ctx)


def _store_batch(
    session: Session,
    punches: Sequence[Punch | BadRecord],
    source: str,
    now: datetime,
    settings: Settings,
    synced_device: str | None,
    ctx: AttendanceContext | None,
) -> IngestResult:
    hall_tz = settings.zone
    result = IngestResult()
    # Natural key -> [the first punch with it, how often it came in this batch].
    good: dict[Key, list[Any]] = {}
    serials = {p.device_sn for p in punches}
    devices = _devices(session, serials, hall_tz)
    quarantine: list[Aside] = []
    device_of = devices.get
    times = [p.time for p in punches if not isinstance(p, BadRecord)]
    check = not times or not plausible_span(
        min(times), max(times), [device_of(sn) for sn in serials], now
    )
    for index, item in enumerate(punches):
        if isinstance(item, BadRecord):
            quarantine.append(Aside(item.device_sn, item.raw, item.reason))
            result.quarantined.append((index, item.reason))
            continue
        reason = implausible(item, device_of(item.device_sn), hall_tz, now) if check else ""
        reason = reason or unstorable(item)
        if reason:
            quarantine.append(Aside(item.device_sn, _raw(item), reason, item.pin, item.time))
            result.quarantined.append((index, reason))
            continue
        key = (item.device_sn, item.pin, item.time.astimezone(UTC))
        seen = good.get(key)
        if seen is None:
            good[key] = [item, 1]
        else:
            seen[1] += 1
    if quarantine:
        keep_aside(session.connection(), quarantine, now)
    if good and times:
        _drop_purged(session, good, min(times), now, hall_tz, result)
    pairs: set[tuple[str, date]] = set()
    if good:
        pairs = _store(session, good, source, now, hall_tz, result)
    if synced_device is not None:
        conn = session.connection()
        conn.execute(_SYNCED, {"device": synced_device, "at": now})
        # A terminal caught up: days with alerts waiting for it are judged again.
        pairs |= {(staff_no, day) for staff_no, day in conn.execute(_HELD)}
    if pairs:
        years = {d.year for _, d in pairs}
        ctx = ctx or cached_context(session, settings, years)
        result.derived = rederive(session, ctx, pairs, now)
    return result


def _drop_purged(
    session: Session,
    good: dict[Key, list[Any]],
    earliest: datetime,
    now: datetime,
    hall_tz: ZoneInfo,
    result: IngestResult,
) -> None:
    """Drop punches of months already purged (a terminal re-sending its whole log)."""
    today = now.astimezone(hall_tz).date()
    if earliest.astimezone(hall_tz).date() >= months_back(month_start(today), 1):
        return  # the current and the previous month are never purged: no query
    floor = kept_from(session.connection(), ["punches"])
    if floor is None:
        return
    for key in [k for k, (p, _n) in good.items() if p.time.astimezone(hall_tz).date() < floor]:
        result.expired += good.pop(key)[1]


def _store(
    session: Session,
    good: dict[Key, list[Any]],
    source: str,
    now: datetime,
    hall_tz: ZoneInfo,
    result: IngestResult,
) -> set[tuple[str, date]]:
    """Insert new punches, count repeats; return the (staff, date) pairs with new punches.

    One statement per chunk does both (see punch_store.py): a batch sent again (a terminal
    that did not read `OK`) costs no read and only the repeat counts' update.
    """
    conn = session.connection()
    staff_of = staff_by_pin(session)
    src = source[:10]
    rows = [
        (sn, pin, at, staff_of.get(pin), p.verify, p.status, p.workcode, src, n - 1)
        for (sn, pin, at), (p, n) in good.items()
    ]
    inserted = store_new(conn, rows, now)
    pairs: set[tuple[str, date]] = set()
    added = duplicates = unmapped = 0
    nobody: list[tuple[str, str, date]] = []  # (terminal, PIN, day) of unmapped punches
    for key, (p, n) in good.items():
        if key in inserted:
            added += 1
            duplicates += n - 1
            staff_no = staff_of.get(key[1])
            if staff_no is None:
                unmapped += 1
                nobody.append((key[0], key[1], p.time.astimezone(hall_tz).date()))
            else:
                # The device's own time: already in the hall's zone when the zones agree.
                pairs.add((staff_no, p.time.astimezone(hall_tz).date()))
        else:
            duplicates += n
    result.inserted += added
    result.duplicates += duplicates
    result.unmapped += unmapped
    raise_unmapped(session, nobody, now, now.astimezone(hall_tz).date())
    return pairs
