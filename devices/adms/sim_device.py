"""The simulated ADMS terminal's own storage and command interpreter (no I/O, no clock).

Each table (ATTLOG, OPERLOG) keeps every record it ever produced; a record's stamp is its
1-based position. The terminal uploads from a cursor, moves the cursor only when the server
answers ``OK``, and moves it to the server's ``ATTLOGStamp``/``OPERLOGStamp`` at handshake,
so a server that lost data gets it again, as with a real terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from devices.adms.commands import RETURN_BAD_SYNTAX, RETURN_OK, RETURN_TABLE_UNSUPPORTED

_HEAD_RE = re.compile(r"\s*(\S+)(?:[ \t]+(\S+))?(?:[ \t]+(\S+))?[ \t]*(.*)", re.DOTALL)
_TIME_FMT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class SimUser:
    """A user enrolled on the simulated terminal."""

    pin: str
    name: str
    privilege: int = 0
    card: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the terminal answers for one command: return code, CMD name, extra lines."""

    return_code: int
    cmd: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Batch:
    """An upload in flight: the same lines are resent until the server answers OK."""

    table: str
    lines: tuple[str, ...]
    stamp: int
    requeued: int

    def body(self, encoding: str) -> bytes:
        """The POST body, one record per line."""
        return "".join(line + "\n" for line in self.lines).encode(encoding)


@dataclass
class Table:
    """One upload table: all records, the upload cursor and records asked for again."""

    name: str
    records: list[str] = field(default_factory=list)
    cursor: int = 0
    requeue: list[str] = field(default_factory=list)

    def next_batch(self, limit: int) -> Batch | None:
        """The next batch to upload, requeued records first; None when all is delivered."""
        if self.requeue:
            lines = tuple(self.requeue[:limit])
            return Batch(self.name, lines, self.cursor, len(lines))
        if self.cursor >= len(self.records):
            return None
        lines = tuple(self.records[self.cursor : self.cursor + limit])
        return Batch(self.name, lines, self.cursor + len(lines), 0)

    def acknowledge(self, batch: Batch) -> None:
        """The server answered OK for ``batch``."""
        if batch.requeued:
            del self.requeue[: batch.requeued]
        else:
            self.cursor = max(self.cursor, batch.stamp)

    def resume_from(self, stamp: int | None) -> None:
        """Handshake: upload again everything after the server's stamp (None: everything)."""
        self.cursor = min(stamp or 0, len(self.records))


def _fields(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in text.split("\t"):
        key, sep, value = part.partition("=")
        if sep:
            pairs[key.strip()] = value.strip()
    return pairs


class TerminalState:
    """Users, upload tables and options of one simulated terminal."""

    def __init__(self, sn: str) -> None:
        self.sn = sn
        self.users: dict[str, SimUser] = {}
        self.attlog = Table("ATTLOG")
        self.operlog = Table("OPERLOG")
        self.options: dict[str, str] = {}
        self.reboot_requested = False

    def add_punch(
        self, pin: str, local_time: datetime, status: int, verify: int, workcode: str
    ) -> None:
        """Record a punch at the terminal's local (naive) time."""
        stamp = local_time.strftime(_TIME_FMT)
        self.attlog.records.append(f"{pin}\t{stamp}\t{status}\t{verify}\t{workcode}\t0\t0")

    def enroll(self, pin: str, name: str, local_time: datetime, privilege: int = 0) -> None:
        """Enroll a user at the terminal's keypad: the user and an OPLOG line are uploaded."""
        self.users[pin] = SimUser(pin, name, privilege)
        stamp = local_time.strftime(_TIME_FMT)
        self.operlog.records.append(f"OPLOG 6\t0\t{stamp}\t{pin}\t0\t0\t0")
        self.operlog.records.append(self._user_line(self.users[pin]))

    @staticmethod
    def _user_line(user: SimUser) -> str:
        return (
            f"USER PIN={user.pin}\tName={user.name}\tPri={user.privilege}\tPasswd=\t"
            f"Card={user.card}\tGrp=1\tTZ=0000000000000000\tVerify=0"
        )

    def execute(self, text: str) -> Outcome:
        """Run one command as a terminal would and say how it went."""
        match = _HEAD_RE.match(text)
        if match is None:
            return Outcome(RETURN_BAD_SYNTAX, "")
        verb, second, third, rest = match.groups()
        verb_u, second_u, third_u = verb.upper(), (second or "").upper(), (third or "").upper()
        if verb_u == "DATA":
            return self._data(second_u, third_u, rest)
        if verb_u in ("CHECK", "LOG") or (verb_u == "RELOAD" and second_u == "OPTIONS"):
            return Outcome(RETURN_OK, verb_u)
        if verb_u == "INFO":
            details = (
                f"~DeviceName=HallKeeper-Sim {self.sn}",
                f"UserCount={len(self.users)}",
                f"TransactionCount={len(self.attlog.records)}",
            )
            return Outcome(RETURN_OK, "INFO", details)
        if verb_u == "REBOOT":
            self.reboot_requested = True
            return Outcome(RETURN_OK, "REBOOT")
        if verb_u == "SET" and second_u == "OPTION" and third and "=" in third:
            key, _, value = (third + (" " + rest if rest else "")).partition("=")
            self.options[key] = value
            return Outcome(RETURN_OK, "SET OPTION")
        # Shell, USER ADD/DEL and anything unknown: a real terminal refuses the syntax.
        return Outcome(RETURN_BAD_SYNTAX, verb)

    def _data(self, action: str, table: str, rest: str) -> Outcome:
        if action not in ("UPDATE", "DELETE", "QUERY"):
            return Outcome(RETURN_BAD_SYNTAX, "DATA")
        pairs = _fields(rest)
        if table == "USERINFO":
            pin = pairs.get("PIN", "")
            if action == "QUERY":
                wanted = [u for p, u in sorted(self.users.items()) if not pin or p == pin]
                self.operlog.requeue.extend(self._user_line(u) for u in wanted)
                return Outcome(RETURN_OK, "DATA")
            if not pin:
                return Outcome(RETURN_BAD_SYNTAX, "DATA")
            if action == "DELETE":
                self.users.pop(pin, None)
                return Outcome(RETURN_OK, "DATA")
            old = self.users.get(pin, SimUser(pin, ""))
            try:
                privilege = int(pairs.get("Pri", old.privilege))
            except ValueError:
                return Outcome(RETURN_BAD_SYNTAX, "DATA")
            name = pairs.get("Name", old.name)
            self.users[pin] = SimUser(pin, name, privilege, pairs.get("Card", old.card))
            return Outcome(RETURN_OK, "DATA")
        if table == "ATTLOG" and action == "QUERY":
            start, end = pairs.get("StartTime", ""), pairs.get("EndTime", "")
            if not start or not end:
                return Outcome(RETURN_BAD_SYNTAX, "DATA")
            # Fixed-width times compare correctly as strings.
            chosen = [r for r in self.attlog.records if start <= r.split("\t")[1] <= end]
            self.attlog.requeue.extend(chosen)
            return Outcome(RETURN_OK, "DATA")
        return Outcome(RETURN_TABLE_UNSUPPORTED, "DATA")
