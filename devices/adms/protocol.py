"""ADMS / iClock push protocol: pure functions from query strings and bodies to events.

Theory of operation. An ADMS terminal is an HTTP client. It first asks
``GET /iclock/cdata?SN=..&options=all`` and receives its options (handshake). It then posts
attendance batches to ``POST /iclock/cdata?SN=..&table=ATTLOG&Stamp=..`` and resends the same
batch after ``ErrorDelay`` seconds until the answer is exactly ``OK``; operation log and user
records go to ``table=OPERLOG``. Every ``Delay`` seconds it polls ``GET /iclock/getrequest``
for ``C:<id>:<command>`` lines, runs them, and reports ``ID=..&Return=..&CMD=..`` lines to
``POST /iclock/devicecmd``. It sets its clock from the answers' HTTP ``Date`` header.

This module holds no I/O and reads no clock: the web layer passes the raw query string and
body bytes in, and sends the returned text out. Bad lines never spoil good ones: each decoder
returns the good records and a ``BadRecord`` per bad line (``reason`` starts with its line
number). Only a bad query (no usable SN) raises, as ``QueryError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import parse_qsl

from devices.adms.biometric import strip_biometric
from devices.adms.commands import (
    RETURN_BAD_SYNTAX,
    RETURN_OK,
    RETURN_TABLE_UNSUPPORTED,
    Command,
    CommandResult,
    ForbiddenCommand,
    check,
    delete_user,
    format_commands,
    info,
    parse_devicecmd,
    query_attlog,
    query_users,
    reboot,
    set_option,
    update_user,
)
from devices.adms.operlog import OperationRecord, OperLog, UserRecord, parse_operlog
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
from devices.errors import ProtocolError
from devices.events import PIN_MAX, WORKCODE_MAX, BadRecord, Punch

__all__ = [
    "DEFAULT_ENCODINGS",
    "DEFAULT_ZONE",
    "RETURN_BAD_SYNTAX",
    "RETURN_OK",
    "RETURN_TABLE_UNSUPPORTED",
    "Command",
    "CommandResult",
    "ForbiddenCommand",
    "HandshakeOptions",
    "HandshakeQuery",
    "OperLog",
    "OperationRecord",
    "PollQuery",
    "QueryError",
    "ResultQuery",
    "UploadQuery",
    "UserRecord",
    "check",
    "delete_user",
    "format_commands",
    "handshake_response",
    "info",
    "parse_attlog",
    "parse_devicecmd",
    "parse_handshake_query",
    "parse_operlog",
    "parse_poll_query",
    "parse_result_query",
    "parse_upload_query",
    "query_attlog",
    "query_users",
    "reboot",
    "set_option",
    "update_user",
]

QueryInput = str | Mapping[str, str] | Iterable[tuple[str, str]]

_MAX_QUERY_FIELDS = 32
_TABLE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
# Tokens of TransFlag that would make the terminal upload biometric data; the service never
# takes fingerprint templates or face/user photos off a terminal.
_BIOMETRIC_FLAGS = frozenset(
    {"ENROLLFP", "CHGFP", "FPIMAG", "USERPIC", "ATTPHOTO", "BIODATA", "FACE", "BIOPHOTO"}
)


class QueryError(ProtocolError):
    """A terminal's request lacks a parameter or carries a garbled one."""


@dataclass(frozen=True, slots=True)
class HandshakeQuery:
    """``GET /iclock/cdata?SN=..&options=all&pushver=..&language=..``."""

    sn: str
    options: str | None
    pushver: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class UploadQuery:
    """``POST /iclock/cdata?SN=..&table=ATTLOG|OPERLOG|..&Stamp=..``; ``table`` is upper case."""

    sn: str
    table: str
    stamp: int | None


@dataclass(frozen=True, slots=True)
class PollQuery:
    """``GET /iclock/getrequest?SN=..[&INFO=..]``."""

    sn: str
    info: str | None


@dataclass(frozen=True, slots=True)
class ResultQuery:
    """``POST /iclock/devicecmd?SN=..``."""

    sn: str


def _params(query: QueryInput) -> dict[str, str]:
    """Query parameters keyed by lower-case name; a name given twice is an error."""
    if isinstance(query, str):
        try:
            pairs = parse_qsl(
                query.lstrip("?"), keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS
            )
        except ValueError as exc:
            raise QueryError(f"query string rejected: {exc}") from None
    elif isinstance(query, Mapping):
        pairs = list(query.items())
    else:
        pairs = list(query)
    params: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key in params and params[key] != value:
            raise QueryError(f"query parameter {name!r} given twice with different values")
        params[key] = value
    return params


def _sn(params: dict[str, str]) -> str:
    sn = params.get("sn")
    if sn is None or not sn.strip():
        raise QueryError("query parameter SN (the terminal's serial number) is missing")
    try:
        return validate_sn(sn.strip())
    except ProtocolError as exc:
        raise QueryError(f"query parameter SN: {exc}") from None


def parse_handshake_query(query: QueryInput) -> HandshakeQuery:
    """Parse the handshake ``GET /iclock/cdata`` query; raise QueryError without a usable SN."""
    params = _params(query)
    return HandshakeQuery(
        sn=_sn(params),
        options=params.get("options"),
        pushver=params.get("pushver"),
        language=params.get("language"),
    )


def parse_upload_query(query: QueryInput) -> UploadQuery:
    """Parse the upload ``POST /iclock/cdata`` query; SN and table are required."""
    params = _params(query)
    sn = _sn(params)
    table = params.get("table", "").strip()
    if not table:
        raise QueryError("query parameter table (ATTLOG, OPERLOG, ...) is missing")
    if not _TABLE_RE.fullmatch(table):
        raise QueryError(f"query parameter table {shorten(table)} is not a table name")
    stamp_text = params.get("stamp", "").strip()
    stamp: int | None = None
    if stamp_text and stamp_text.lower() != "none":
        if not stamp_text.isascii() or not stamp_text.isdigit() or len(stamp_text) > 18:
            raise QueryError(f"query parameter Stamp {shorten(stamp_text)} is not an integer")
        stamp = int(stamp_text)
    return UploadQuery(sn=sn, table=table.upper(), stamp=stamp)


def parse_poll_query(query: QueryInput) -> PollQuery:
    """Parse the ``GET /iclock/getrequest`` query."""
    params = _params(query)
    return PollQuery(sn=_sn(params), info=params.get("info"))


def parse_result_query(query: QueryInput) -> ResultQuery:
    """Parse the ``POST /iclock/devicecmd`` query."""
    return ResultQuery(sn=_sn(_params(query)))


@dataclass(frozen=True, slots=True)
class HandshakeOptions:
    """What the server tells a terminal at handshake; the defaults suit a hall.

    ``attlog_stamp``/``operlog_stamp`` are the last stamps the server stored for this SN
    (None: send everything). Delays are seconds; ``time_zone`` is hours east of UTC.
    """

    attlog_stamp: int | None = None
    operlog_stamp: int | None = None
    error_delay: int = 30
    delay: int = 10
    trans_times: str = "00:00;14:05"
    trans_interval: int = 1
    trans_flag: str = "TransData AttLog\tOpLog\tEnrollUser\tChgUser"
    time_zone: int = 8
    realtime: bool = True
    encrypt: bool = False

    def __post_init__(self) -> None:
        for name in ("attlog_stamp", "operlog_stamp"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        for name in ("error_delay", "delay", "trans_interval"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not -12 <= self.time_zone <= 14:
            raise ValueError(f"time_zone must be -12..14 hours, got {self.time_zone}")
        for name in ("trans_times", "trans_flag"):
            if re.search(r"[\r\n\x00]", getattr(self, name)):
                raise ValueError(f"{name} must not contain line breaks or NUL")
        asked = {token.upper() for token in re.split(r"[\s,]+", self.trans_flag) if token}
        biometric = sorted(asked & _BIOMETRIC_FLAGS)
        if biometric:
            raise ValueError(
                f"trans_flag asks for biometric uploads {biometric}: templates and photos"
                " never leave the terminal"
            )


def handshake_response(sn: str, options: HandshakeOptions | None = None) -> str:
    """The text answer to a handshake: ``GET OPTION FROM: <sn>`` then ``key=value`` lines."""
    validate_sn(sn)
    opts = options if options is not None else HandshakeOptions()

    def stamp(value: int | None) -> str:
        return "None" if value is None else str(value)

    lines = [
        f"GET OPTION FROM: {sn}",
        f"ATTLOGStamp={stamp(opts.attlog_stamp)}",
        f"OPERLOGStamp={stamp(opts.operlog_stamp)}",
        f"ErrorDelay={opts.error_delay}",
        f"Delay={opts.delay}",
        f"TransTimes={opts.trans_times}",
        f"TransInterval={opts.trans_interval}",
        f"TransFlag={opts.trans_flag}",
        f"TimeZone={opts.time_zone}",
        f"Realtime={int(opts.realtime)}",
        f"Encrypt={int(opts.encrypt)}",
    ]
    return "\n".join(lines) + "\n"


def _punch_from_line(sn: str, raw: bytes, zone: tzinfo, encodings: tuple[str, ...]) -> Punch:
    """Decode one ATTLOG line; raise ValueError saying which field is wrong."""
    text = decode_line(raw, encodings)
    if text is None:
        raise ValueError(f"bytes are neither {' nor '.join(encodings)}")
    fields = [field.strip() for field in text.split("\t")]
    if len(fields) < 2:
        raise ValueError("expected tab-separated PIN and time, found no tab")
    pin = fields[0]
    if not is_valid_pin(pin):
        raise ValueError(f"PIN {shorten(pin)} is not 1-{PIN_MAX} letters or digits")
    time = parse_device_time(fields[1], zone)
    status = parse_small_int(fields[2], "status") if len(fields) > 2 else None
    verify = parse_small_int(fields[3], "verify") if len(fields) > 3 else None
    workcode = fields[4] if len(fields) > 4 and fields[4] else None
    if workcode is not None and len(workcode) > WORKCODE_MAX:
        raise ValueError(f"workcode {shorten(workcode)} is longer than {WORKCODE_MAX} characters")
    return Punch(
        device_sn=sn,
        pin=pin,
        time=time,
        verify=verify,
        status=status,
        workcode=workcode,
        raw=raw,
    )


# Status and verify codes are small: most lines' values are found here without parsing.
_SMALL_INTS = {str(n): n for n in range(256)}
_DEVICE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


def _fast_punch(sn: str, raw: bytes, zone: tzinfo, encoding: str) -> Punch | None:
    """The common well-formed line, decoded cheaply; None sends it to `_punch_from_line`."""
    try:
        fields = raw.decode(encoding).split("\t", 5)
    except UnicodeDecodeError:
        return None
    count = len(fields)
    if count < 2:
        return None
    pin = fields[0].strip()
    text = fields[1].strip()
    if not (pin.isascii() and pin.isalnum() and len(pin) <= PIN_MAX) or not _DEVICE_TIME.fullmatch(
        text
    ):
        return None
    status = verify = None
    if count > 2:
        code = fields[2].strip()
        status = _SMALL_INTS.get(code)
        if status is None and code:
            return None
        if count > 3:
            code = fields[3].strip()
            verify = _SMALL_INTS.get(code)
            if verify is None and code:
                return None
    workcode = (fields[4].strip() or None) if count > 4 else None
    if workcode is not None and len(workcode) > WORKCODE_MAX:
        return None
    try:
        # The pattern above admits only this layout, which fromisoformat reads fastest;
        # combine attaches the zone at a third of replace(tzinfo=...)'s cost.
        naive = datetime.fromisoformat(text)
    except ValueError:
        return None
    time = datetime.combine(naive, naive.time(), zone)
    return Punch(sn, pin, time, verify, status, workcode, raw)


def parse_attlog(
    sn: str,
    body: bytes,
    zone: tzinfo = DEFAULT_ZONE,
    encodings: tuple[str, ...] = DEFAULT_ENCODINGS,
) -> tuple[list[Punch], list[BadRecord]]:
    """Decode an ATTLOG upload into punches (times in ``zone``) and one BadRecord per bad line."""
    validate_sn(sn)
    punches: list[Punch] = []
    bad: list[BadRecord] = []
    first = encodings[0] if encodings else ""
    for number, raw in iter_lines(body):
        # A line the fast path does not take is decoded again in full, for its error message.
        punch = _fast_punch(sn, raw, zone, first) if first else None
        if punch is not None:
            punches.append(punch)
            continue
        try:
            punches.append(_punch_from_line(sn, raw, zone, encodings))
        except ValueError as exc:
            bad.append(_bad_line(sn, raw, f"ATTLOG line {number}", str(exc)))
    return punches, bad


def _bad_line(sn: str, raw: bytes, where: str, error: str) -> BadRecord:
    """A bad line kept aside; one carrying biometric data keeps its other fields only."""
    kept, kind = strip_biometric(raw)
    if kind is None:
        return BadRecord(device_sn=sn, raw=raw, reason=f"{where}: {error}")
    reason = f"{where}: {kind} record is not a punch (its biometric data was dropped)"
    return BadRecord(device_sn=sn, raw=kept, reason=reason)
