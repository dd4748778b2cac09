"""The audit entry of a request's change, written in the change's own transaction."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from sqlmodel import Session

from hallbase.auth.audit import Actor, append
from hallbase.auth.resolve import now_of, resolve


def log_change(
    session: Session,
    request: Request,
    action: str,
    target: str,
    *,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> None:
    """Add ``action`` on ``target`` by the request's caller (resolved by its `allow` rule) to
    the audit log; ``before`` and ``after`` as JSON (dates, times, models converted; None:
    nothing there)."""
    who = resolve(request).principal
    append(
        session, Actor.of(who), action, target,
        at=now_of(request), before=jsonable_encoder(before), after=jsonable_encoder(after),
        reason=reason,
    )  # fmt: skip
