"""The alert policy: which verdicts page, how urgently, when a page waits or is withdrawn."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import NoReturn

import pytest

from attendance_engine import DayResult, OffPostEvent, SlotResult, Status
from attendance_engine.alerts import (
    Page,
    SyncState,
    cover_confirmed,
    cover_page,
    day_alerts,
    day_provisional,
    held_for_sync,
    recent,
    severity_of,
    warranted_pages,
    withdrawn,
)
from tests.attendance_engine.helpers import MONDAY, TZ, at

TUESDAY = MONDAY + timedelta(days=1)
LAST = at(MONDAY, "18:40")  # the day's last decision instant


def never() -> NoReturn:
    """A callable the policy must not call."""
    raise AssertionError("asked although it does not matter")


def slot(name: str, status: Status, minutes: int | None = None) -> SlotResult:
    due = at(MONDAY, "08:30" if name == "am_in" else "18:00")
    return SlotResult(name, "in" if name.endswith("_in") else "out", "am", due, None, status,
                      minutes, None)  # fmt: skip


def away(status: Status, start: str = "09:30:15", window: str = "3") -> OffPostEvent:
    return OffPostEvent(window, "S001", "am", at(MONDAY, start), None, 35, status)


def day(
    *slots: SlotResult, off_post: tuple[OffPostEvent, ...] = (), staff: str = "S001"
) -> DayResult:
    return DayResult(staff, MONDAY, True, slots, (), Status.NORMAL, off_post)


def keys(pages: tuple[Page, ...] | dict[str, Page]) -> list[str]:
    return list(pages) if isinstance(pages, dict) else [p.key for p in pages]


@pytest.mark.parametrize(
    ("status", "then", "held"),
    [
        (Status.MISSING, Status.MISSING, False),  # the sync point says the same: it goes out
        (Status.MISSING, None, True),  # a terminal never synced, or no such slot then
        (Status.MISSING, Status.PENDING, True),  # the punch may still be on a terminal
        (Status.LATE, None, False),  # rests on a punch that is there
        (Status.ABSENT, Status.PENDING, False),
    ],
)
def test_only_missing_punches_wait_for_the_terminals(
    status: Status, then: Status | None, held: bool
) -> None:
    assert held_for_sync(status, then) is held


@pytest.mark.parametrize(
    ("status", "severity"),
    [("absent", "critical"), ("window_uncovered", "critical"), ("late", "warning"),
     ("early", "warning"), ("missing", "warning"), ("off_post", "warning")],
)  # fmt: skip
def test_severity(status: str, severity: str) -> None:
    assert severity_of(status) == severity


@pytest.mark.parametrize(
    ("when", "is_recent"),
    [(TUESDAY, True), (MONDAY, True), (MONDAY - timedelta(days=1), False),
     (TUESDAY + timedelta(days=1), True)],
)  # fmt: skip
def test_the_horizon_is_today_and_yesterday(when: date, is_recent: bool) -> None:
    assert recent(when, TUESDAY) is is_recent


@pytest.mark.parametrize(
    ("sync", "instant", "covers", "as_of"),
    [
        (SyncState(0, None), LAST, True, LAST),  # no terminal: nothing to wait for
        (SyncState(2, None), LAST, False, None),  # one never synced
        (SyncState(2, LAST), LAST, True, LAST),  # synced exactly to the instant
        (SyncState(2, LAST - timedelta(seconds=1)), LAST, False, LAST - timedelta(seconds=1)),
        (SyncState(1, LAST + timedelta(hours=1)), LAST, True, LAST),
    ],
)
def test_sync_state(sync: SyncState, instant: datetime, covers: bool, as_of: datetime) -> None:
    assert sync.covers(instant) is covers
    assert sync.as_of(instant) == as_of


@pytest.mark.parametrize(
    ("expected", "sync", "provisional"),
    [
        (True, SyncState(1, LAST - timedelta(minutes=1)), True),
        (True, SyncState(1, None), True),
        (True, SyncState(1, LAST), False),
        (True, SyncState(0, None), False),
        (False, SyncState(1, None), False),  # not due at work: final at once
    ],
)
def test_a_day_is_provisional_until_every_terminal_synced_past_it(
    expected: bool, sync: SyncState, provisional: bool
) -> None:
    assert day_provisional(expected, sync, lambda: LAST) is provisional


def test_the_last_decision_is_asked_only_when_it_matters() -> None:
    assert not day_provisional(False, SyncState(1, None), never)
    assert not day_provisional(True, SyncState(0, None), never)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (day(slot("am_in", Status.LATE, 12)),
         [("S001:2025-03-10:am_in:late", "attendance.late", "warning", "late")]),
        (day(slot("pm_out", Status.EARLY, 5)),
         [("S001:2025-03-10:pm_out:early", "attendance.early", "warning", "early")]),
        (day(slot("am_in", Status.ABSENT)),
         [("S001:2025-03-10:am_in:absent", "attendance.absent", "critical", "absent")]),
        (day(slot("am_in", Status.NORMAL), slot("pm_out", Status.PENDING)), []),
        (day(slot("am_in", Status.LEAVE), slot("pm_out", Status.OUT)), []),
        (day(off_post=(away(Status.OFF_POST),)),
         [("S001:2025-03-10:away3@093015:off_post", "attendance.off_post", "warning", "off_post")]),
        (day(off_post=(away(Status.ABSENT),)),
         [("S001:2025-03-10:away3@093015:absent", "attendance.off_post", "critical", "absent")]),
        (day(off_post=(away(Status.AWAY), away(Status.PENDING, "10:00"))), []),
    ],
)  # fmt: skip
def test_which_verdicts_page(result: DayResult, expected: list[tuple[str, ...]]) -> None:
    ready, held = warranted_pages(result, TZ, never)
    assert [(p.key, p.kind, p.severity, p.status) for p in ready.values()] == expected
    assert held == 0


def test_a_page_carries_the_verdict_it_rests_on() -> None:
    late, event = slot("am_in", Status.LATE, 12), away(Status.OFF_POST)
    ready, _ = warranted_pages(day(late, off_post=(event,)), TZ, never)
    pages = list(ready.values())
    assert (pages[0].slot, pages[0].event) == (late, None)
    assert (pages[1].slot, pages[1].event) == (None, event)


def test_the_off_post_key_uses_the_hall_clock() -> None:
    start = at(MONDAY, "09:30").astimezone(UTC)  # as a terminal may record it: 01:30 UTC
    event = OffPostEvent("3", "S001", "am", start, None, 35, Status.OFF_POST)
    ready, _ = warranted_pages(day(off_post=(event,)), TZ, never)
    assert keys(ready) == ["S001:2025-03-10:away3@093000:off_post"]


@pytest.mark.parametrize(
    ("then", "ready", "held"),
    [
        (lambda: day(slot("am_in", Status.MISSING)), ["S001:2025-03-10:am_in:missing"], 0),
        (lambda: day(slot("am_in", Status.PENDING)), [], 1),
        (lambda: day(), [], 1),  # the slot did not exist as of the sync point
        (lambda: None, [], 1),  # a terminal never synced
    ],
)
def test_a_missing_punch_pages_only_when_the_sync_point_agrees(
    then: Callable[[], DayResult | None], ready: list[str], held: int
) -> None:
    pages, waiting = warranted_pages(day(slot("am_in", Status.MISSING)), TZ, then)
    assert (keys(pages), waiting) == (ready, held)


LATE_KEY = "S001:2025-03-10:am_in:late"
EARLY_KEY = "S001:2025-03-10:pm_out:early"
LATE_DAY = day(slot("am_in", Status.LATE, 12))
CLEAN_DAY = day(slot("am_in", Status.NORMAL))


@pytest.mark.parametrize(
    ("result", "today", "already", "new", "cleared", "alerted"),
    [
        # A fresh late arrival pages once; the second derivation sends nothing.
        (LATE_DAY, TUESDAY, [], [LATE_KEY], [], [LATE_KEY]),
        (LATE_DAY, TUESDAY, [LATE_KEY], [], [], [LATE_KEY]),
        # A late fact withdrew it: one cleared page, marked so it is not sent again.
        (CLEAN_DAY, MONDAY, [LATE_KEY], [], [LATE_KEY], [LATE_KEY, f"cleared:{LATE_KEY}"]),
        (CLEAN_DAY, MONDAY, [LATE_KEY, f"cleared:{LATE_KEY}"], [], [],
         [LATE_KEY, f"cleared:{LATE_KEY}"]),
        # Beyond the horizon: nothing new pages, what still holds is not withdrawn...
        (LATE_DAY, MONDAY + timedelta(days=5), [], [], [], []),
        (LATE_DAY, MONDAY + timedelta(days=5), [LATE_KEY], [], [], [LATE_KEY]),
        # ...but what no longer holds is.
        (CLEAN_DAY, MONDAY + timedelta(days=5), [LATE_KEY], [], [LATE_KEY],
         [LATE_KEY, f"cleared:{LATE_KEY}"]),
        (day(slot("am_in", Status.LATE, 3), slot("pm_out", Status.EARLY, 5)), MONDAY,
         [EARLY_KEY], [LATE_KEY], [], [LATE_KEY, EARLY_KEY]),
    ],
)  # fmt: skip
def test_day_alerts(
    result: DayResult,
    today: date,
    already: list[str],
    new: list[str],
    cleared: list[str],
    alerted: list[str],
) -> None:
    decided = day_alerts(result, today=today, tz=TZ, already=already, at_sync=never)
    assert keys(decided.new) == new
    assert keys(decided.cleared) == cleared
    assert all((p.kind, p.severity) == ("attendance.cleared", "info") for p in decided.cleared)
    assert decided.alerted == alerted
    assert decided.held == 0


def test_a_held_page_is_counted_and_not_stored_as_sent() -> None:
    missing = day(slot("am_in", Status.MISSING))
    decided = day_alerts(missing, today=MONDAY, tz=TZ, already=(), at_sync=lambda: None)
    assert (decided.new, decided.held, decided.alerted) == ((), 1, [])


@pytest.mark.parametrize(
    ("already", "warranted", "markers"),
    [
        ({"k1", "k2"}, {"k1"}, {"cleared:k2"}),
        ({"k1", "cleared:k1"}, set(), set()),  # withdrawn once only
        ({"cleared:k9"}, set(), set()),  # a marker is never withdrawn itself
        (set(), {"k1"}, set()),
    ],
)
def test_withdrawn(already: set[str], warranted: set[str], markers: set[str]) -> None:
    assert withdrawn(already, warranted) == markers


@pytest.mark.parametrize(
    ("when", "alerted", "confirmed", "pages"),
    [
        (MONDAY, False, True, True),
        (MONDAY, False, False, False),  # not uncovered as of the sync point
        (MONDAY, True, True, False),  # paged before
        (MONDAY - timedelta(days=2), False, True, False),  # past the horizon
    ],
)
def test_cover_page(when: date, alerted: bool, confirmed: bool, pages: bool) -> None:
    page = cover_page(2, when, "am_in", today=TUESDAY, alerted=alerted, confirmed=lambda: confirmed)
    if pages:
        assert page == Page(f"2:{when.isoformat()}:am_in", "attendance.window_uncovered",
                            "critical")  # fmt: skip
    else:
        assert page is None


def test_cover_confirmation_is_asked_only_when_it_matters() -> None:
    old = MONDAY - timedelta(days=2)
    assert cover_page(2, old, "am_in", today=TUESDAY, alerted=False, confirmed=never) is None
    assert cover_page(2, MONDAY, "am_in", today=TUESDAY, alerted=True, confirmed=never) is None


@pytest.mark.parametrize(
    ("a_status", "b_status", "confirmed"),
    [
        (Status.MISSING, Status.MISSING, True),
        (Status.MISSING, Status.NORMAL, False),  # B was there
        (Status.PENDING, Status.MISSING, False),  # A may still come
        (Status.MISSING, None, False),  # B's terminal never synced
    ],
)
def test_cover_confirmed(a_status: Status, b_status: Status | None, confirmed: bool) -> None:
    a = day(slot("am_in", a_status), staff="A01")
    b = day(slot("am_in", b_status), staff="B01") if b_status is not None else None
    assert cover_confirmed(2, "A01", "B01", "am_in", MONDAY, [a, b]) is confirmed


def test_cover_confirmed_for_a_single_post() -> None:
    a = day(slot("am_in", Status.ABSENT), staff="A01")
    assert cover_confirmed(2, "A01", None, "am_in", MONDAY, [a])
    assert not cover_confirmed(2, "A01", None, "am_in", MONDAY, [None])
