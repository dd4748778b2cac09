"""The audit chain: appends in the caller's transaction, and names the first broken link when
rows are edited, deleted or reordered in the database behind its back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from hallbase.auth import audit
from hallbase.db import read_session, write_session
from hallkeeper import migrations

ACTOR = audit.Actor("person", "管理员", 7)
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def logged(any_engine: Engine) -> Engine:
    """A database whose log holds five entries."""
    migrations.upgrade(any_engine)
    with write_session(any_engine) as session:
        for n in range(1, 6):
            audit.append(
                session,
                ACTOR,
                "leave.approve",
                f"leave:{n}",
                at=T0 + timedelta(minutes=n),
                before={"status": "pending"},
                after={"status": "approved", "days": 0.5, "说明": "病假"},
                reason=f"第{n}次",
            )
    return any_engine


def _verdict(engine: Engine) -> audit.Verdict:
    with read_session(engine) as session:
        return audit.verify(session)


def _sql(engine: Engine, *statements: str) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_intact_chain_and_rolled_back_appends(logged: Engine) -> None:
    assert _verdict(logged) == audit.Verdict(5)
    with pytest.raises(RuntimeError), write_session(logged) as session:
        audit.append(session, ACTOR, "x", "y", at=T0)
        raise RuntimeError("the change failed: its entry goes with it")
    with write_session(logged) as session:
        entry = audit.append(session, audit.Actor("cli", "root"), "account.create", "a", at=T0)
        assert entry.seq == 6
    assert _verdict(logged) == audit.Verdict(6)
    with read_session(logged) as session:
        shown = audit.entry_view(session.get(audit.AuditEntry, 1))  # type: ignore[arg-type]
    assert shown["after"]["说明"] == "病假" and shown["actor_name"] == "管理员"


def test_an_edited_entry_is_named(logged: Engine) -> None:
    _sql(logged, 'UPDATE audit_log SET after = \'{"status":"rejected"}\' WHERE seq = 3')
    verdict = _verdict(logged)
    assert (verdict.broken_seq, verdict.reason) == (3, "edited") and not verdict.intact


def test_an_edited_entry_with_its_hash_recomputed_breaks_the_next_link(logged: Engine) -> None:
    with read_session(logged) as session:
        entry = session.get(audit.AuditEntry, 2)
        assert entry is not None
        entry.reason = "changed"
        forged = audit.entry_hash(entry)
    _sql(logged, f"UPDATE audit_log SET reason = 'changed', hash = '{forged}' WHERE seq = 2")
    assert (_verdict(logged).broken_seq, _verdict(logged).reason) == (2, "edited")


def test_deleted_entries_are_named_in_the_middle_and_at_the_end(logged: Engine) -> None:
    _sql(logged, "DELETE FROM audit_log WHERE seq = 2")
    assert (_verdict(logged).broken_seq, _verdict(logged).reason) == (2, "deleted")
    _sql(logged, "DELETE FROM audit_log WHERE seq > 2")
    _sql(logged, "UPDATE audit_log SET seq = 2 WHERE seq = 1")  # nothing left to compare with
    assert _verdict(logged).reason in ("edited", "deleted", "reordered")


def test_entries_cut_off_the_end_are_named(logged: Engine) -> None:
    _sql(logged, "DELETE FROM audit_log WHERE seq >= 4")
    verdict = _verdict(logged)
    assert (verdict.broken_seq, verdict.reason) == (4, "deleted")


def test_reordered_entries_are_named(logged: Engine) -> None:
    _sql(
        logged,
        "UPDATE audit_log SET seq = -1 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = -1",
    )
    verdict = _verdict(logged)
    assert (verdict.broken_seq, verdict.reason) == (3, "reordered")
    assert "written as 4" in verdict.detail


def test_removed_then_renumbered_is_a_deletion(logged: Engine) -> None:
    _sql(
        logged,
        "DELETE FROM audit_log WHERE seq = 2",
        "UPDATE audit_log SET seq = seq - 1 WHERE seq > 2",
    )
    verdict = _verdict(logged)
    assert (verdict.broken_seq, verdict.reason) == (2, "deleted")


def test_concurrent_appends_take_turns(logged: Engine) -> None:
    def write(worker: int) -> None:
        for n in range(5):
            with write_session(logged) as session:
                audit.append(session, ACTOR, "away.add", f"window:{worker}", at=T0, after=n)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _verdict(logged) == audit.Verdict(25)
