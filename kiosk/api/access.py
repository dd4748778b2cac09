"""Who may call the queue's routes and pages (issue 15's matrix), and what a caller sees.

People: the office roles see the whole hall; a window lead only the windows of their unit or
windows; window staff their own windows (the A or B post is theirs). Machines: a kiosk takes
tickets and checks appointments in; a keypad bridge acts for its windows; a window board shows
its window; a rating pad rates what its window served; the hall board needs no key at all (it
is public) and sees board data only: no citizen's name, no staff number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from fastapi import Request
from sqlmodel import Session, col, select

from hallbase.auth import PUBLIC, ROLES, Principal, Role, Target, allow, in_scope, window_in
from hallbase.auth.errors import AuthError
from hallbase.auth.login import AddressLimiter, LoginPolicy
from hallbase.auth.resolve import now_of
from hallbase.models import Window
from kiosk.errors import Throttled

OFFICE: tuple[Role, ...] = (
    "admin",
    "supervisor",
    "duty_chief",
    "leader_in_charge",
    "director",
    "window_lead",
)
HALL_WIDE: tuple[Role, ...] = tuple(r for r in OFFICE if r != "window_lead")
AT_WINDOW: tuple[Role, ...] = ("staff", "window_lead", "admin")  # who works a window

# Routes (see the module's docstring; tests/kiosk/test_authz_matrix.py holds the table).
TAKE = allow("admin", machines=("kiosk",))
WINDOW_ACTION = allow(*AT_WINDOW, machines=("keypad_bridge",), scope=window_in())
WINDOW_READ = allow(*OFFICE, "staff", machines=("keypad_bridge", "window_board"), scope=window_in())
TO_RATE = allow(*OFFICE, "staff", machines=("rating_pad", "keypad_bridge"), scope=window_in())
TICKET_READ = allow(*ROLES, machines=("kiosk", "rating_pad"))  # rating pad: its window's only
RATE = allow(machines=("rating_pad",))  # its window's tickets only
LIVE = allow(*OFFICE, "staff")  # every window with its staff (consoles' transfer, supervisor)
OFFICE_READ = allow(*OFFICE)  # window leads see their scope only
DEVICES = allow(*OFFICE, machines=("kiosk",))
ADMIN = allow("admin")
OPEN = PUBLIC
# Print a ticket again: the office and window staff, for a ticket at a window they reach (a
# ticket at no window yet: the hall-wide roles); the kiosk's own key may not.
REPRINT = allow(*OFFICE, "staff")
PRINTS_READ = allow(*HALL_WIDE)  # every ticket's print state (the kiosk's service page)

# Pages.
KIOSK_PAGE = allow("admin", machines=("kiosk",))
KIOSK_SERVICE_PAGE = allow(*HALL_WIDE)  # staff at the kiosk: printer and print states
CONSOLES_PAGE = allow(*AT_WINDOW)
CONSOLE_PAGE = allow(*AT_WINDOW, scope=window_in())
RATE_PAGE = allow(machines=("rating_pad",), scope=window_in())
SUPERVISOR_PAGE = allow(*OFFICE)

BOARD_MACHINES = frozenset({"hall_board"})


def sees_board_only(who: Principal) -> bool:
    """True for the public and the hall board: they get board data only."""
    return who.kind == "anonymous" or (who.kind == "machine" and who.machine_kind in BOARD_MACHINES)


def windows_seen(
    session: Session, who: Principal, roles: Iterable[str] = OFFICE
) -> set[int] | None:
    """The windows whose per-window data ``who`` may see: None for all (a hall-wide role or
    a hall-wide key), else those their grants of ``roles`` (or key) reach."""
    if who.kind == "machine":
        scope = who.machine_scope
        if scope is not None and scope.kind == "hall":
            return None
    elif any(g.role in HALL_WIDE and g.role in roles for g in who.grants):
        return None
    numbers = session.exec(select(Window.number).order_by(col(Window.number))).all()
    return {n for n in numbers if in_scope(session, who, Target(window=n), roles)}


def require_window(
    session: Session, who: Principal, number: int | None, roles: Iterable[str] | None = None
) -> None:
    """403 ``out_of_scope`` unless ``who`` reaches window ``number`` (for routes whose window
    is found from a ticket or an item, not from the path; no window: hall-wide callers only)."""
    if not in_scope(session, who, Target(window=number), roles):
        raise AuthError(403, "out_of_scope")


def mask_name(name: str) -> str:
    """张*明: the first and last character (one character: itself with a star)."""
    if len(name) <= 1:
        return name + "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits."""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def masked(appointment: dict[str, Any]) -> dict[str, Any]:
    """A booking as shown to a caller who is not a person of the hall."""
    return {
        **appointment,
        "name": mask_name(appointment.get("name") or ""),
        "phone": mask_phone(appointment.get("phone") or ""),
    }


# Look-ups by appointment code (and cancellations) and bookings per client address, for
# callers that are not people of the hall: a citizen needs a few, a guesser needs millions.
THROTTLE_WINDOW = timedelta(minutes=10)
LIMITS = {"lookup": 20, "booking": 10}


def limiters() -> dict[str, AddressLimiter]:
    """This process's counters per kind (kept on the app: `install_queue`)."""
    return {
        kind: AddressLimiter(LoginPolicy(address_failures=n, address_window=THROTTLE_WINDOW))
        for kind, n in LIMITS.items()
    }


def throttle(request: Request, who: Principal, kind: str) -> None:
    """Count one ``kind`` request of a caller who is not a person; 429 past the limit."""
    if who.kind == "person":
        return
    limiter: AddressLimiter = request.app.state.queue_limits[kind]
    address = request.client.host if request.client else "unknown"
    now = now_of(request)
    wait = limiter.retry_after(address, now)
    if wait is not None:
        raise Throttled(wait)
    limiter.failed(address, now)
