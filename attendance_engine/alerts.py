"""Which verdicts page the supervisors, how urgently, and when a page waits or is withdrawn.

Decisions only: the service renders each page's message and stores and sends it. A page's
key is (staff, date, slot, status) - an off-post event's is (staff, date, window@start,
status) - so a re-derivation never pages twice. Pages that rest on the absence of a punch
(`missing`) are held while a terminal lags: they go out only when the verdict as of the
terminals' common sync point says the same. Pages rest on recent days only; one sent
earlier that the day no longer warrants is withdrawn by a `cleared` page with its key.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from attendance_engine.cover import window_cover
from attendance_engine.results import DayResult, OffPostEvent, SlotResult
from attendance_engine.types import Status

# Slot verdicts that page at once, and those that wait for the terminals to catch up.
ALERT_SLOT_STATUSES = frozenset({Status.LATE, Status.EARLY, Status.ABSENT})
WAITING_STATUSES = frozenset({Status.MISSING})
_PAGED = ALERT_SLOT_STATUSES | WAITING_STATUSES
_OFF_POST_PAGED = (Status.OFF_POST, Status.ABSENT)
SEVERITY = {"absent": "critical", "window_uncovered": "critical"}  # else "warning"
# A terminal's backlog from long ago is recorded, not paged: only today's and yesterday's
# verdicts reach the supervisors.
ALERT_HORIZON = timedelta(days=1)
CLEARED = "cleared:"  # marks a withdrawn key among a day's alerted keys

OFF_POST_KIND = "attendance.off_post"
CLEARED_KIND = "attendance.cleared"
UNCOVERED_KIND = "attendance.window_uncovered"


@dataclass(frozen=True)
class SyncState:
    """How far the approved terminals have synced: `floor` None means one never has."""

    devices: int
    floor: datetime | None

    def covers(self, instant: datetime) -> bool:
        """True when every approved terminal has synced at or after ``instant``."""
        return self.devices == 0 or (self.floor is not None and self.floor >= instant)

    def as_of(self, now: datetime) -> datetime | None:
        """The instant a held page is checked at: ``now`` when every terminal is past it,
        else the common sync point (None: a terminal never synced, nothing can be checked)."""
        return now if self.covers(now) else self.floor


@dataclass(frozen=True, slots=True)
class Page:
    """One alert to send: its key, kind and severity, and the verdict it rests on.

    ``status`` is the status the alert reports (None for a withdrawal); ``slot`` or
    ``event`` is the slot verdict or off-post event behind it (neither for a withdrawal).
    """

    key: str
    kind: str
    severity: str
    status: str | None = None
    slot: SlotResult | None = None
    event: OffPostEvent | None = None


@dataclass(frozen=True)
class DayAlerts:
    """A staff-day's alert decisions.

    ``new``: pages to send now; ``cleared``: withdrawals of pages sent earlier; ``held``:
    pages waiting for a terminal; ``alerted``: every key the day has paged or withdrawn,
    to be stored with the verdict (the next derivation's ``already``).
    """

    new: tuple[Page, ...]
    cleared: tuple[Page, ...]
    held: int
    alerted: list[str]


def severity_of(status: str) -> str:
    """How urgent a page about ``status`` is: critical or warning."""
    return SEVERITY.get(status, "warning")


def recent(day: date, today: date) -> bool:
    """True when ``day`` is within the alert horizon of ``today`` (older days never page)."""
    return day >= today - ALERT_HORIZON


def day_provisional(expected: bool, sync: SyncState, last_decision: Callable[[], datetime]) -> bool:
    """True when a day due at work is not final: a terminal has not synced past the day's
    last decision instant (``last_decision`` is asked only when it matters)."""
    if not expected or sync.devices == 0:
        return False
    return not sync.covers(last_decision())


def held_for_sync(status: Status, then: Status | None) -> bool:
    """True when a page about ``status`` waits: it rests on a missing punch and the verdict
    as of the sync point (``then``, None when there is none) does not say the same."""
    return status in WAITING_STATUSES and then is not status


def slot_key(staff_no: str, day: date, slot: str, status: str) -> str:
    """The key of a slot verdict's page."""
    return f"{staff_no}:{day.isoformat()}:{slot}:{status}"


def off_post_key(staff_no: str, day: date, event: OffPostEvent, tz: ZoneInfo) -> str:
    """The key of an off-post event's page: its window and local start time."""
    start = event.start.astimezone(tz).strftime("%H%M%S")
    return f"{staff_no}:{day.isoformat()}:away{event.window}@{start}:{event.status}"


def warranted_pages(
    result: DayResult, tz: ZoneInfo, at_sync: Callable[[], DayResult | None]
) -> tuple[dict[str, Page], int]:
    """The pages ``result`` warrants now by key, and how many wait for a terminal.

    ``at_sync`` gives the day's verdict as of the terminals' sync point (None: a terminal
    never synced); it is asked only for verdicts that rest on a missing punch.
    """
    ready: dict[str, Page] = {}
    held = 0
    staff_no, day = result.staff_no, result.date
    for s in result.slots:
        status = s.status
        if status not in _PAGED:
            continue
        if status in WAITING_STATUSES:
            past = at_sync()
            then = past.slot(s.slot) if past is not None else None
            if held_for_sync(status, then.status if then is not None else None):
                held += 1
                continue
        text = str(status)
        key = slot_key(staff_no, day, s.slot, text)
        ready[key] = Page(key, f"attendance.{text}", severity_of(text), text, slot=s)
    for e in result.off_post:
        if e.status not in _OFF_POST_PAGED:
            continue
        text = "off_post" if e.status is Status.OFF_POST else "absent"
        key = off_post_key(staff_no, day, e, tz)
        ready[key] = Page(key, OFF_POST_KIND, severity_of(text), text, event=e)
    return ready, held


def withdrawn(already: Collection[str], warranted: Collection[str]) -> set[str]:
    """Markers (`cleared:<key>`) for keys paged earlier that the day no longer warrants
    and that were not withdrawn before."""
    return {
        f"{CLEARED}{key}"
        for key in already
        if not key.startswith(CLEARED) and key not in warranted and f"{CLEARED}{key}" not in already
    }


def day_alerts(
    result: DayResult,
    *,
    today: date,
    tz: ZoneInfo,
    already: Collection[str],
    at_sync: Callable[[], DayResult | None],
) -> DayAlerts:
    """What a staff-day's verdict pages, given the keys it paged before (``already``).

    Beyond the horizon nothing new is paged, but a page sent earlier is withdrawn only when
    the day no longer warrants it (not merely because the day grew old).
    """
    before = set(already)
    is_recent = recent(result.date, today)
    ready, held = warranted_pages(result, tz, at_sync) if is_recent else ({}, 0)
    warranted = ready if is_recent or not before else warranted_pages(result, tz, at_sync)[0]
    new = tuple(ready[key] for key in sorted(set(ready) - before))
    cleared = withdrawn(before, warranted)
    pages = tuple(Page(key[len(CLEARED) :], CLEARED_KIND, "info") for key in sorted(cleared))
    alerted = sorted(before | set(ready) | cleared)
    return DayAlerts(new, pages, held, alerted)


def cover_key(window: int, day: date, slot: str) -> str:
    """The key of a window's uncovered-slot page."""
    return f"{window}:{day.isoformat()}:{slot}"


def cover_confirmed(
    window: int,
    a_post: str,
    b_post: str | None,
    slot: str,
    day: date,
    at_sync: Sequence[DayResult | None],
) -> bool:
    """The window was uncovered as of the terminals' sync point too (``at_sync``: each
    post's verdict then, None when a terminal never synced: not confirmed)."""
    if any(r is None for r in at_sync):
        return False
    past = [r for r in at_sync if r]
    return window_cover(str(window), a_post, b_post, slot, day, past) is not None


def cover_page(
    window: int,
    day: date,
    slot: str,
    *,
    today: date,
    alerted: bool,
    confirmed: Callable[[], bool],
) -> Page | None:
    """The page for an uncovered window slot, or None: the day is past the horizon, it was
    paged before, or it is not ``confirmed`` as of the sync point (asked only if needed)."""
    if not recent(day, today) or alerted or not confirmed():
        return None
    return Page(cover_key(window, day, slot), UNCOVERED_KIND, SEVERITY["window_uncovered"])
