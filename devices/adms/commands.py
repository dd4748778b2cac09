"""ADMS server-to-terminal commands: a whitelisted command type, builders, and result parsing.

Only forms that real terminals accept and that the hall needs can be built: user updates and
deletions, attendance/user queries, CHECK, INFO, REBOOT, SET OPTION and RELOAD OPTIONS.
``Shell`` (runs on the terminal's OS), ``USER ADD``/``USER DEL`` (rejected by terminals),
``CLEAR`` (erases records on the terminal) and anything touching biometric tables are refused
when a ``Command`` is created, so no code path can ever put them on the wire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from devices.adms.text import (
    DEFAULT_ENCODINGS,
    DEFAULT_ZONE,
    decode_line,
    format_device_time,
    is_valid_pin,
    iter_lines,
    shorten,
    validate_sn,
)
from devices.events import BadRecord

RETURN_OK = 0
RETURN_BAD_SYNTAX = -1002
RETURN_TABLE_UNSUPPORTED = -1004

_MAX_ID = 2_147_483_647
_MAX_TEXT = 2048
_HEAD_RE = re.compile(r"\s*(\S+)(?:[ \t]+(\S+))?(?:[ \t]+(\S+))?")
_OPTION_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_~]{0,63}")
_ALLOWED_DATA = {
    "UPDATE": frozenset({"USERINFO"}),
    "DELETE": frozenset({"USERINFO"}),
    "QUERY": frozenset({"ATTLOG", "USERINFO"}),
}
_BIOMETRIC_TABLES = frozenset({"FINGERTMP", "BIODATA", "FACE", "BIOPHOTO", "USERPIC", "ATTPHOTO"})
_PLAIN_VERBS = frozenset({"CHECK", "INFO", "REBOOT", "LOG"})


class ForbiddenCommand(ValueError):
    """A command the service must never send to a terminal, or one it does not know."""


def _check_text(text: str) -> None:
    """Raise ForbiddenCommand unless ``text`` is a whitelisted, single-line command."""
    if not text.strip():
        raise ForbiddenCommand("command text is empty")
    if re.search(r"[\r\n\x00]", text):
        raise ForbiddenCommand("command text must be one line without NUL")
    if len(text) > _MAX_TEXT:
        raise ForbiddenCommand(f"command text is {len(text)} characters, limit {_MAX_TEXT}")
    match = _HEAD_RE.match(text)
    assert match is not None  # text has a non-space character
    verb, second, third = (part.upper() if part else "" for part in match.groups())
    if verb == "SHELL":
        raise ForbiddenCommand("Shell commands run on the terminal's operating system: refused")
    if verb == "USER" and second in ("ADD", "DEL"):
        raise ForbiddenCommand(
            f"USER {second} is rejected by terminals: use DATA UPDATE/DELETE USERINFO"
        )
    if verb == "CLEAR":
        raise ForbiddenCommand("CLEAR erases records on the terminal: refused")
    if verb == "DATA":
        if third in _BIOMETRIC_TABLES:
            raise ForbiddenCommand(f"table {third} holds biometric data, which stays on terminals")
        tables = _ALLOWED_DATA.get(second)
        if tables is None or third not in tables:
            raise ForbiddenCommand(f"DATA {second} {third} is not an allowed data command")
        return
    if verb in _PLAIN_VERBS and not second:
        return
    if verb == "SET" and second == "OPTION" and "=" in third:
        return
    if verb == "RELOAD" and second == "OPTIONS" and not third:
        return
    raise ForbiddenCommand(f"command {shorten(text)} is not an allowed ADMS command")


@dataclass(frozen=True, slots=True)
class Command:
    """One queued command: ``id`` is echoed back by the terminal in its result."""

    id: int
    text: str

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not 1 <= self.id <= _MAX_ID:
            raise ValueError(f"command id must be 1..{_MAX_ID}, got {self.id!r}")
        _check_text(self.text)


def format_commands(commands: Iterable[Command]) -> str:
    """The answer to ``getrequest``: ``C:<id>:<text>`` lines, or ``OK`` when none are due."""
    lines: list[str] = []
    seen: set[int] = set()
    for command in commands:
        if command.id in seen:
            raise ValueError(f"command id {command.id} appears twice in one answer")
        seen.add(command.id)
        lines.append(f"C:{command.id}:{command.text}")
    return "\n".join(lines) + "\n" if lines else "OK"


def _value(name: str, value: str) -> str:
    if re.search(r"[\t\r\n\x00]", value):
        raise ValueError(f"{name} {shorten(value)} must not contain tabs, line breaks or NUL")
    return value


def _pin(pin: str) -> str:
    if not is_valid_pin(pin):
        raise ValueError(f"PIN {shorten(pin)} is not 1-24 letters or digits")
    return pin


def update_user(
    cmd_id: int,
    pin: str,
    name: str,
    *,
    privilege: int | None = 0,
    card: str | None = None,
    group: int | None = None,
) -> Command:
    """``DATA UPDATE USERINFO PIN=..\\tName=..\\tPri=..`` (creates or changes the user).

    A field left out (``privilege=None``, no card, no group) is not sent, and the terminal
    keeps what it has: a rename must not demote an administrator or erase a card.
    """
    if len(name) > 24:
        raise ValueError(f"name {shorten(name)} is longer than 24 characters")
    if privilege is not None and not 0 <= privilege <= 255:
        raise ValueError(f"privilege must be 0..255, got {privilege}")
    fields = [f"PIN={_pin(pin)}", f"Name={_value('name', name)}"]
    if privilege is not None:
        fields.append(f"Pri={privilege}")
    if card is not None:
        if not card.isascii() or not card.isdigit():
            raise ValueError(f"card {shorten(card)} is not a decimal number")
        fields.append(f"Card={card}")
    if group is not None:
        fields.append(f"Grp={group}")
    return Command(cmd_id, "DATA UPDATE USERINFO " + "\t".join(fields))


def delete_user(cmd_id: int, pin: str) -> Command:
    """``DATA DELETE USERINFO PIN=..``."""
    return Command(cmd_id, f"DATA DELETE USERINFO PIN={_pin(pin)}")


def query_attlog(
    cmd_id: int, start: datetime, end: datetime, zone: tzinfo = DEFAULT_ZONE
) -> Command:
    """Ask the terminal to upload again its punches between two aware instants."""
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    first, last = format_device_time(start, zone), format_device_time(end, zone)
    return Command(cmd_id, f"DATA QUERY ATTLOG StartTime={first}\tEndTime={last}")


def query_users(cmd_id: int, pin: str | None = None) -> Command:
    """Ask the terminal to upload its user records (one PIN, or all)."""
    suffix = f" PIN={_pin(pin)}" if pin is not None else ""
    return Command(cmd_id, "DATA QUERY USERINFO" + suffix)


def check(cmd_id: int) -> Command:
    """``CHECK``: the terminal uploads whatever it has not delivered yet."""
    return Command(cmd_id, "CHECK")


def info(cmd_id: int) -> Command:
    """``INFO``: the terminal reports firmware, counts and settings in its result."""
    return Command(cmd_id, "INFO")


def reboot(cmd_id: int) -> Command:
    """``REBOOT``."""
    return Command(cmd_id, "REBOOT")


def set_option(cmd_id: int, key: str, value: str) -> Command:
    """``SET OPTION <key>=<value>``."""
    if not _OPTION_KEY_RE.fullmatch(key):
        raise ValueError(f"option key {shorten(key)} is not a plain name")
    return Command(cmd_id, f"SET OPTION {key}={_value('option value', value)}")


@dataclass(frozen=True, slots=True)
class CommandResult:
    """One ``ID=..&Return=..&CMD=..`` line; ``details`` holds following lines (INFO answers)."""

    id: int
    return_code: int
    cmd: str
    details: tuple[tuple[str, str], ...] = ()
    line: int = 0

    @property
    def ok(self) -> bool:
        """True when the terminal reports success (Return=0)."""
        return self.return_code == RETURN_OK


def _result_line(text: str, number: int) -> CommandResult:
    pairs: dict[str, str] = {}
    for part in text.split("&"):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"field {shorten(part)} is not key=value")
        pairs[key.strip().upper()] = value.strip()
    id_text, code_text = pairs.get("ID", ""), pairs.get("RETURN", "")
    if not re.fullmatch(r"[0-9]{1,10}", id_text) or int(id_text) > _MAX_ID:
        raise ValueError(f"ID {shorten(id_text)} is not a command id")
    if not re.fullmatch(r"-?[0-9]{1,10}", code_text):
        raise ValueError(f"Return {shorten(code_text)} is not an integer")
    return CommandResult(int(id_text), int(code_text), pairs.get("CMD", ""), line=number)


def parse_devicecmd(
    sn: str, body: bytes, encodings: tuple[str, ...] = DEFAULT_ENCODINGS
) -> tuple[list[CommandResult], list[BadRecord]]:
    """Decode a ``devicecmd`` body: one result per ``ID=`` line, one BadRecord per bad line."""
    validate_sn(sn)
    results: list[CommandResult] = []
    details: list[list[tuple[str, str]]] = []
    bad: list[BadRecord] = []
    for number, raw in iter_lines(body):
        text = decode_line(raw, encodings)
        try:
            if text is None:
                raise ValueError(f"bytes are neither {' nor '.join(encodings)}")
            stripped = text.strip()
            if stripped[:3].upper() == "ID=":
                results.append(_result_line(stripped, number))
                details.append([])
            elif results and "=" in stripped and "&" not in stripped:
                key, _, value = stripped.partition("=")
                details[-1].append((key.strip(), value.strip()))
            else:
                raise ValueError("expected ID=<id>&Return=<code>&CMD=<name>")
        except ValueError as exc:
            bad.append(BadRecord(device_sn=sn, raw=raw, reason=f"devicecmd line {number}: {exc}"))
    merged = [
        CommandResult(r.id, r.return_code, r.cmd, tuple(extra), r.line)
        for r, extra in zip(results, details, strict=True)
    ]
    return merged, bad
