"""The ticket and window state machines, written as data tables (pure: no I/O, no clock).

Theory of operation: a ticket leg is ``waiting`` until a window calls it; a called ticket is
recalled, started, marked a no-show or suspended; a suspended one is called back; a serving one
is finished (done / missing documents) or transferred, which ends this leg and queues a new leg
of the same number at the head of another window or service. Windows are ``idle`` or
``serving`` (they hold a called or serving ticket), or closed: ``paused`` (暂停服务) or
``away`` (暂离). Every action is checked against these tables before anything is written, so a
refused action changes nothing; the error says whose rule was broken and what state things were in.
"""

from __future__ import annotations

from typing import Final, Literal

TicketState = Literal["waiting", "called", "serving", "suspended", "finished", "no_show"]
TicketAction = Literal[
    "call", "recall", "start", "no_show", "suspend", "call_back", "finish", "transfer"
]
WindowState = Literal["idle", "serving", "paused", "away"]
WindowAction = Literal["call", "release", "pause", "resume", "away", "back"]
Outcome = Literal["done", "missing_documents", "transferred"]

TICKET_TRANSITIONS: Final[dict[tuple[TicketState, TicketAction], TicketState]] = {
    ("waiting", "call"): "called",
    ("called", "recall"): "called",
    ("called", "start"): "serving",
    ("called", "no_show"): "no_show",
    ("called", "suspend"): "suspended",
    ("serving", "suspend"): "suspended",
    ("suspended", "call_back"): "called",
    ("serving", "finish"): "finished",
    ("serving", "transfer"): "finished",
}

# "release" is what a window does when its ticket leaves it (finish, no-show, suspend, transfer).
WINDOW_TRANSITIONS: Final[dict[tuple[WindowState, WindowAction], WindowState]] = {
    ("idle", "call"): "serving",
    ("serving", "release"): "idle",
    ("idle", "pause"): "paused",
    ("paused", "resume"): "idle",
    ("idle", "away"): "away",
    ("paused", "away"): "away",
    ("away", "back"): "idle",
}

OPEN_STATES: Final[frozenset[WindowState]] = frozenset({"idle", "serving"})
TICKET_STATES: Final[tuple[str, ...]] = (
    "waiting",
    "called",
    "serving",
    "suspended",
    "finished",
    "no_show",
)
WINDOW_STATES: Final[tuple[str, ...]] = ("idle", "serving", "paused", "away")

_TICKET_HINT: Final[dict[TicketAction, str]] = {
    "call": "only a waiting ticket can be called",
    "recall": "only a called ticket that has not started can be recalled",
    "start": "only a called ticket can be started",
    "no_show": "only a called ticket that has not started can be marked a no-show",
    "suspend": "only a called or serving ticket can be suspended",
    "call_back": "only a suspended ticket can be called back",
    "finish": "only a ticket in service can be finished (start it first)",
    "transfer": "only a ticket in service can be transferred",
}
_WINDOW_HINT: Final[dict[WindowAction, str]] = {
    "call": "the window must be idle: finish, suspend or mark a no-show for its ticket first,"
    " or resume / come back",
    "release": "the window holds no ticket",
    "pause": "only an idle window can pause (finish its ticket first)",
    "resume": "only a paused window can resume",
    "away": "only an idle or paused window can be left (finish its ticket first)",
    "back": "only a window marked away can be returned to",
}


class FlowError(Exception):
    """An action the state tables refuse: the rule broken and the state things are in."""

    def __init__(
        self, subject: str, action: str, state: str, hint: str, kind: str = "", name: str = ""
    ) -> None:
        self.subject = subject
        self.action = action
        self.state = state
        self.hint = hint
        self.kind = kind  # ticket or window: with ``name`` (code or number), for other languages
        self.name = name
        super().__init__(f"cannot {action.replace('_', ' ')}: {subject} is {state}; {hint}")


def ticket_next(code: str, state: str, action: TicketAction) -> TicketState:
    """The ticket's state after ``action``, or FlowError."""
    after = TICKET_TRANSITIONS.get((state, action))  # type: ignore[arg-type]
    if after is None:
        raise FlowError(f"ticket {code}", action, state, _TICKET_HINT[action], "ticket", code)
    return after


def window_next(number: int, state: str, action: WindowAction) -> WindowState:
    """The window's state after ``action``, or FlowError."""
    after = WINDOW_TRANSITIONS.get((state, action))  # type: ignore[arg-type]
    if after is None:
        hint = _WINDOW_HINT[action]
        raise FlowError(f"window {number}", action, state, hint, "window", str(number))
    return after


def is_open(state: str) -> bool:
    """True when a window can take citizens (not paused or away)."""
    return state in OPEN_STATES
