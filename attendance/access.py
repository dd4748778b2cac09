"""Whose records a caller reaches: the whole hall, their scope's staff, or only their own.

Routes admit callers with `hallbase.auth.allow`; these narrow what an admitted caller sees or
files: window staff their own records, a window lead those of their unit or windows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from hallbase.auth import HALL_WIDE, AuthError, Principal, Target
from hallbase.auth.guard import covers
from hallbase.models import Staff, Window


def reach(session: Session, who: Principal) -> frozenset[str] | None:
    """The staff numbers ``who`` may see; None: everyone's (a hall-wide role or scope)."""
    if who.kind != "person":
        return frozenset()
    if who.has_role(*HALL_WIDE):
        return None
    found: set[str] = {who.staff_no} if who.staff_no else set()  # one's own, always
    for grant in who.grants:
        scope = grant.scope
        if scope.kind == "hall":
            return None
        if scope.kind == "unit":
            found |= set(session.exec(select(Staff.staff_no).where(Staff.unit_code == scope.value)))
        elif scope.kind == "window":
            posts = session.exec(
                select(Window.a_post, Window.b_post).where(col(Window.number) == int(scope.value))
            )
            found |= {p for row in posts for p in row if p}
    return frozenset(found)


def reaches(session: Session, who: Principal, staff_no: str) -> bool:
    """True when ``who`` may see or act for ``staff_no``."""
    seen = reach(session, who)
    return seen is None or staff_no in seen


def check_reach(session: Session, who: Principal, staff_no: str) -> None:
    """403 ``out_of_scope`` unless ``who`` reaches ``staff_no``."""
    if not reaches(session, who, staff_no):
        raise AuthError(403, "out_of_scope")


def acting_for(session: Session, who: Principal, staff_no: str | None) -> str:
    """Whose request this is: the caller's own (their login's 工号) unless another is named;
    filing for another person needs a window lead reaching them, or the admin."""
    own = who.staff_no
    if staff_no is None or staff_no == own:
        if own is None:
            raise AuthError(403, "no_staff_no")
        return own
    if who.has_role("admin"):
        return staff_no
    lead = Principal(who.kind, who.id, staff_no=own, grants=tuple(
        g for g in who.grants if g.role == "window_lead"
    ))  # fmt: skip
    if lead.grants and reaches(session, lead, staff_no):
        return staff_no
    raise AuthError(403, "out_of_scope")


def identity(who: Principal) -> str:
    """How a person is named on a record they made (approved_by, filed_by, signed_by): their
    工号, else their username."""
    return (who.staff_no or who.username or who.name)[:20]


def approver_role(session: Session, who: Principal, chain: Sequence[str], staff_no: str) -> str:
    """The caller's highest role in the approval ``chain`` whose scope reaches ``staff_no``:
    403 ``forbidden`` without a role in the chain, ``out_of_scope`` when none reaches."""
    held = [g for g in who.grants if g.role in chain]
    if not held:
        raise AuthError(403, "forbidden")
    target = Target(staff_no=staff_no)
    reaching = [g.role for g in held if covers(session, g.scope, target, who.staff_no)]
    if not reaching:
        raise AuthError(403, "out_of_scope")
    return max(reaching, key=list(chain).index)


def may_change(session: Session, who: Principal, staff_no: str) -> None:
    """The requester themselves, a window lead reaching them, or the admin."""
    if who.has_role("admin") or (who.staff_no is not None and who.staff_no == staff_no):
        return
    if not who.has_role("window_lead"):
        raise AuthError(403, "forbidden")
    lead = Principal(who.kind, who.id, staff_no=who.staff_no, grants=tuple(
        g for g in who.grants if g.role == "window_lead"
    ))  # fmt: skip
    if not reaches(session, lead, staff_no):
        raise AuthError(403, "out_of_scope")
