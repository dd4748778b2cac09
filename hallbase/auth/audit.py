"""The append-only, hash-chained audit log: who changed what, from what, to what, and why.

Theory of operation: entry n's ``hash`` is SHA-256 over the canonical JSON of its fields
(sequence number, time, actor, action, target, before, after, reason) and ``prev_hash``, the
hash of entry n-1 (`GENESIS` for the first). One row, `AuditHead`, holds the last sequence
number and hash: an append updates it first, so concurrent appends take their turn, and a
verifier sees entries cut off the end. `verify` walks the chain in order and names the first
broken link: an entry whose content no longer matches its hash (edited), one written at
another place (reordered), or a gap (deleted).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlmodel import Session, col, select, update

from hallbase.auth.models import AuditEntry, AuditHead
from hallbase.auth.principal import Principal

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who made a change: a person, a machine, the command line or the service itself."""

    kind: Literal["person", "machine", "cli", "system"]
    name: str
    id: int | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        """The actor of a request's caller (a person or a machine)."""
        if principal.kind == "anonymous":
            raise ValueError("an anonymous caller changes nothing")
        label = principal.username or principal.name
        return cls(principal.kind, label[:80], principal.id)


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same text for the same value, everywhere."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: AuditEntry, seq: int | None = None) -> str:
    """The hash ``entry`` must carry (as if written at ``seq``, default its own)."""
    fields = {
        "seq": entry.seq if seq is None else seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": [entry.actor_kind, entry.actor_id, entry.actor_name],
        "action": entry.action,
        "target": entry.target,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "prev_hash": entry.prev_hash,
    }
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def entry_view(entry: AuditEntry) -> dict[str, Any]:
    """An entry as the API shows it: ``before`` and ``after`` as values again."""
    out = entry.model_dump()
    for key in ("before", "after"):
        out[key] = None if out[key] is None else json.loads(out[key])
    return out


def _take_turn(session: Session) -> tuple[int, str]:
    """The next sequence number and the hash it follows; the head row stays locked (PostgreSQL)
    or the database is (SQLite's writer) until the caller's transaction ends."""
    bump = (
        update(AuditHead)
        .where(col(AuditHead.id) == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(col(AuditHead.seq), col(AuditHead.hash))
    )
    row = session.execute(bump).first()
    if row is None:  # the first entry of a database whose migration made no head row
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))
        session.flush()
        return 1, GENESIS
    return int(row[0]), str(row[1])


def append(
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    *,
    at: datetime,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add an entry in the caller's transaction: it stands or falls with the change it logs."""
    seq, prev = _take_turn(session)
    entry = AuditEntry(
        seq=seq,
        at=at.astimezone(UTC),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name[:80],
        action=action[:40],
        target=target[:120],
        before=None if before is None else canonical(before),
        after=None if after is None else canonical(after),
        reason=reason[:500] if reason else None,
        prev_hash=prev,
        hash="",
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(hash=entry.hash))
    session.flush()
    return entry


@dataclass(frozen=True)
class Verdict:
    """The chain's state: intact with ``count`` entries, or broken first at ``seq``."""

    count: int
    broken_seq: int | None = None
    reason: Literal["edited", "deleted", "reordered"] | None = None
    detail: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


def _moved_from(entry: AuditEntry, seqs: Iterable[int]) -> int | None:
    """The place ``entry`` was written at, if it hashes as written at another one."""
    return next((s for s in seqs if s != entry.seq and entry_hash(entry, s) == entry.hash), None)


def check_chain(entries: Sequence[AuditEntry], head: AuditHead | None) -> Verdict:
    """Walk ``entries`` (in sequence order) and the head; name the first broken link."""
    known = {e.hash for e in entries}
    prev, expected = GENESIS, 1
    for entry in entries:
        if entry_hash(entry) != entry.hash:
            place = _moved_from(entry, range(1, max(entries[-1].seq, expected) + 1))
            if place is not None and entry.prev_hash not in known | {GENESIS}:
                why = f"entries before the one written as {place} are missing"
                return Verdict(len(entries), entry.seq, "deleted", why)
            if place is not None:
                why = f"entry {entry.seq} holds the entry written as {place}"
                return Verdict(len(entries), entry.seq, "reordered", why)
            why = f"entry {entry.seq}: its content does not match its hash"
            return Verdict(len(entries), entry.seq, "edited", why)
        if entry.seq != expected:
            why = f"entries {expected} to {entry.seq - 1} are missing"
            return Verdict(len(entries), expected, "deleted", why)
        if entry.prev_hash != prev:
            if entry.prev_hash in known:
                why = f"entry {entry.seq} follows another entry than {expected - 1}"
                return Verdict(len(entries), entry.seq, "reordered", why)
            why = f"entry {expected - 1}'s hash is not the one entry {entry.seq} recorded"
            return Verdict(len(entries), max(expected - 1, 1), "edited", why)
        prev, expected = entry.hash, expected + 1
    last = expected - 1
    if head is not None and head.seq > last:
        why = f"the log ends at {last}, its head says {head.seq}"
        return Verdict(len(entries), last + 1, "deleted", why)
    if head is not None and head.hash != prev:
        why = f"the last entry {last} is not the one the head recorded"
        return Verdict(len(entries), max(last, 1), "edited", why)
    return Verdict(len(entries))


def verify(session: Session) -> Verdict:
    """Check the whole stored chain."""
    entries = list(session.exec(select(AuditEntry).order_by(col(AuditEntry.seq))))
    head = session.get(AuditHead, 1)
    return check_chain(entries, head)
