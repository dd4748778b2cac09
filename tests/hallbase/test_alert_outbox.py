"""The outbox's memory of committed alert ids: an alert raised again costs no statement, and
only what a commit made durable is remembered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import select

from hallbase.alerts import raise_alert, raise_alerts
from hallbase.db import make_engine, read_session, write_session
from hallbase.models import AlertOutbox

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def statements(engine: Engine) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.startswith("INSERT INTO alert_outbox"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return seen


def _raise(engine: Engine, key: str = "consult:20261123T09") -> bool:
    with write_session(engine) as session:
        return raise_alert(session, kind="queue_length", key=key, payload={"waiting": 51}, now=NOW)


def _ids(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(AlertOutbox.message_id)))


def test_an_alert_raised_again_after_its_commit_costs_no_statement(
    engine: Engine, statements: list[str]
) -> None:
    assert _raise(engine) is True
    assert len(statements) == 1
    assert _raise(engine) is False
    assert len(statements) == 1  # answered from memory
    assert _raise(engine, "consult:20261123T10") is True  # another id still goes to the outbox
    assert len(statements) == 2
    with write_session(engine) as session:
        assert raise_alerts(session, [], NOW) == 0
    assert _ids(engine) == ["queue_length:consult:20261123T09", "queue_length:consult:20261123T10"]


def test_a_rolled_back_alert_is_not_remembered(engine: Engine, statements: list[str]) -> None:
    with pytest.raises(RuntimeError), write_session(engine) as session:
        assert raise_alert(session, kind="queue_length", key="k", payload={}, now=NOW)
        raise RuntimeError("the caller's transaction fails")
    assert _ids(engine) == []
    assert _raise(engine, "k") is True  # raised for real this time
    assert _ids(engine) == ["queue_length:k"]


def test_a_savepoint_rolled_back_forgets_what_the_transaction_held(
    engine: Engine, statements: list[str]
) -> None:
    with write_session(engine) as session:
        try:
            with session.begin_nested():
                raise_alert(session, kind="queue_length", key="7", payload={}, now=NOW)
                raise RuntimeError("this operation fails")
        except RuntimeError:
            pass
        raise_alert(session, kind="queue_length", key="8", payload={}, now=NOW)
    assert _ids(engine) == ["queue_length:8"]
    assert _raise(engine, "7") is True  # not taken as stored by the rolled-back savepoint
    assert len(statements) == 3


def test_an_id_found_already_stored_is_remembered_too(
    engine: Engine, tmp_path: Path, statements: list[str]
) -> None:
    other = make_engine(f"sqlite:///{tmp_path / 'hallkeeper.db'}")  # another instance, same data
    try:
        with write_session(other) as session:
            raise_alert(session, kind="queue_length", key="x", payload={}, now=NOW)
    finally:
        other.dispose()
    assert _raise(engine, "x") is False  # the conflict: present already
    assert _raise(engine, "x") is False
    assert len(statements) == 1
