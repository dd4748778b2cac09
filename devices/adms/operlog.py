"""Decoder for ADMS ``table=OPERLOG`` uploads: operation lines and user records.

An OPERLOG body mixes record kinds, one per line, each starting with its kind:
``OPLOG <code>\\t<admin>\\t<time>\\t<value>...`` and ``USER PIN=..\\tName=..\\tPri=..``.
Kinds that carry biometric data (``FP``, ``FACE``, ``BIODATA``, photos) are dropped without
keeping their bytes: templates never leave the terminal, not even in an error report.
Passwords in ``USER`` lines are never kept either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from devices.adms.biometric import strip_biometric
from devices.adms.text import (
    DEFAULT_ENCODINGS,
    DEFAULT_ZONE,
    decode_line,
    is_valid_pin,
    iter_lines,
    parse_device_time,
    parse_small_int,
    shorten,
    validate_sn,
)
from devices.events import PIN_MAX, BadRecord

_PASSWORD_RE = re.compile(rb"(?i)(passwd|password)=[^\t]*")
_KIND_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """One ``OPLOG`` line: what an administrator or the terminal did, and when."""

    device_sn: str
    code: int
    admin: str
    time: datetime
    values: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One ``USER`` line: a person enrolled on the terminal (no password is kept)."""

    device_sn: str
    pin: str
    name: str
    privilege: int | None
    card: str | None
    group: str | None
    line: int


@dataclass(frozen=True, slots=True)
class OperLog:
    """What an OPERLOG body held; ``skipped`` says which lines were dropped unread and why."""

    operations: tuple[OperationRecord, ...]
    users: tuple[UserRecord, ...]
    bad: tuple[BadRecord, ...]
    skipped: tuple[str, ...]


def _operation(sn: str, rest: str, zone: tzinfo, number: int) -> OperationRecord:
    fields = [field.strip() for field in rest.split("\t")]
    if len(fields) < 3:
        raise ValueError("OPLOG needs code, admin and time separated by tabs")
    code = parse_small_int(fields[0], "operation code")
    if code is None:
        raise ValueError("OPLOG operation code is empty")
    return OperationRecord(
        device_sn=sn,
        code=code,
        admin=fields[1],
        time=parse_device_time(fields[2], zone),
        values=tuple(fields[3:]),
        line=number,
    )


def _user(sn: str, rest: str, number: int) -> UserRecord:
    pairs: dict[str, str] = {}
    for field in rest.split("\t"):
        if not field.strip():
            continue
        key, sep, value = field.partition("=")
        if not sep:
            raise ValueError(f"USER field {shorten(field)} is not key=value")
        pairs[key.strip().lower()] = value.strip()
    pin = pairs.get("pin", "")
    if not is_valid_pin(pin):
        raise ValueError(f"USER PIN {shorten(pin)} is not 1-{PIN_MAX} letters or digits")
    if any(ch in pairs.get("name", "") for ch in "\x00\r"):
        raise ValueError("USER Name contains control characters")
    return UserRecord(
        device_sn=sn,
        pin=pin,
        name=pairs.get("name", ""),
        privilege=parse_small_int(pairs.get("pri", ""), "privilege"),
        card=pairs.get("card") or None,
        group=pairs.get("grp") or None,
        line=number,
    )


def parse_operlog(
    sn: str,
    body: bytes,
    zone: tzinfo = DEFAULT_ZONE,
    encodings: tuple[str, ...] = DEFAULT_ENCODINGS,
) -> OperLog:
    """Decode an OPERLOG upload: OPLOG and USER records, bad lines, dropped biometric lines."""
    validate_sn(sn)
    operations: list[OperationRecord] = []
    users: list[UserRecord] = []
    bad: list[BadRecord] = []
    skipped: list[str] = []
    for number, raw in iter_lines(body):
        head = raw.lstrip()[:32].split(b" ", 1)[0].split(b"\t", 1)[0]
        kind = head.decode("ascii", errors="replace")
        if kind not in ("OPLOG", "USER"):
            # Unknown kinds (FP, FACE, BIODATA, USERPIC...) may hold templates: keep no bytes.
            label = kind if _KIND_RE.fullmatch(kind) else "unreadable"
            skipped.append(f"OPERLOG line {number}: {label} record not read")
            continue
        try:
            text = decode_line(raw, encodings)
            if text is None:
                raise ValueError(f"bytes are neither {' nor '.join(encodings)}")
            rest = text.lstrip()[len(kind) :].lstrip(" \t")
            if kind == "OPLOG":
                operations.append(_operation(sn, rest, zone, number))
            else:
                users.append(_user(sn, rest, number))
        except ValueError as exc:
            redacted, _kind = strip_biometric(_PASSWORD_RE.sub(rb"\1=***", raw))
            bad.append(
                BadRecord(device_sn=sn, raw=redacted, reason=f"OPERLOG line {number}: {exc}")
            )
    return OperLog(tuple(operations), tuple(users), tuple(bad), tuple(skipped))
