"""Column types: every stored instant is UTC and comes back timezone-aware."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# SQLAlchemy's SQLite storage format for DateTime ("2026-03-05 00:21:03.000000", UTC here).
# Written and parsed directly below: the generic path (parse to naive, then replace the
# zone) costs ten times more per value, and a month's report reads ~100,000 of them.
SQLITE_LENGTH = 26
_fromiso = datetime.fromisoformat


def sqlite_text(value: datetime) -> str:
    """The stored text of an aware instant: exactly what SQLAlchemy's SQLite DateTime writes."""
    u = value.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 - the fastest form
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond,
    )  # fmt: skip


def _sqlite_value(value: str | None) -> datetime | None:
    """An aware UTC instant from the stored text (any other text form takes the generic path)."""
    if value is None:
        return None
    if len(value) == SQLITE_LENGTH and value[10] == " " and value[19] == ".":
        return _fromiso(value + "+00:00")
    parsed = _fromiso(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_UTC_SUFFIX = "+00:00"
# Separator of `sqlite_joined` values: each stored text gets its zone, then a comma.
SQLITE_JOIN = _UTC_SUFFIX + ","


_STORED = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00"  # SQLITE_LENGTH chars, then the zone
_ALL_STORED = re.compile(f"(?:{_STORED},)*{_STORED}", re.ASCII)


def sqlite_joined(joined: str) -> list[datetime]:
    """Aware UTC instants from stored texts joined by SQLite's group_concat with SQLITE_JOIN."""
    whole = joined + _UTC_SUFFIX
    parts = whole.split(",")
    if _ALL_STORED.fullmatch(whole):  # the usual case, checked at once
        return list(map(_fromiso, parts))
    out = []
    for part in parts:
        value = _sqlite_value(part[: -len(_UTC_SUFFIX)])
        assert value is not None
        out.append(value)
    return out


def _refuse_naive(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime refused by the database layer: {value!r}")


def stored_instant(dialect: str) -> Callable[[datetime], Any]:
    """How ``dialect`` stores an aware instant, exactly as `UTCDateTime` writes it: SQLAlchemy's
    SQLite text (`sqlite_text`), or the instant in UTC. For statements that bind instants in
    their stored form (`stored_instant_type`); a naive one is refused, as the column refuses it."""

    def stored(value: datetime) -> Any:
        _refuse_naive(value)
        return sqlite_text(value) if dialect == "sqlite" else value.astimezone(UTC)

    return stored


def stored_instant_type(dialect: str) -> Any:
    """The type that binds and reads back an instant in its stored form, unprocessed."""
    return String() if dialect == "sqlite" else DateTime(timezone=True)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC (SQLite keeps no zone, so it is normalised on the way in)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        _refuse_naive(value)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            _refuse_naive(value)
            return sqlite_text(value)

        return process

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return _sqlite_value
