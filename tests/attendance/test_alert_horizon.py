"""Old days: a delayed upload does not withdraw alerts that still hold; a real withdrawal does."""

from __future__ import annotations

from datetime import timedelta

from attendance.context import load_context
from attendance.derive import rederive
from attendance.ingest import store_punches
from attendance.models import MakeUpPunch
from devices.events import Punch
from hallbase.db import write_session
from tests.helpers.attendance import DAY, Hall, at

LATER = at("12:00") + timedelta(days=3)


def test_a_delayed_upload_days_later_withdraws_nothing_that_still_holds(hall: Hall) -> None:
    with write_session(hall.engine) as session:
        store_punches(
            session, [Punch("ZK1", "2001", at("08:40"))], source="zk", now=at("09:00"),
            settings=hall.settings,
        )  # fmt: skip
    sent = hall.alerts()
    assert "attendance.late:SC001:2026-03-10:am_in:late" in sent
    with write_session(hall.engine) as session:
        result = store_punches(
            session, [Punch("ZK1", "2001", at("12:05"))], source="zk", now=LATER,
            settings=hall.settings,
        )  # fmt: skip
    assert result.derived.evaluated > 0
    # No `attendance.cleared` for a lateness (or a missing punch) that still stands.
    assert set(hall.alerts("attendance.cleared")) == set()
    assert set(sent) <= set(hall.alerts())


def test_a_make_up_approved_days_later_still_withdraws_the_alert(hall: Hall) -> None:
    with write_session(hall.engine) as session:
        store_punches(
            session, [Punch("ZK1", "2001", at("08:40"))], source="zk", now=at("09:00"),
            settings=hall.settings,
        )  # fmt: skip
        session.add(
            MakeUpPunch(
                staff_no="SC001", day=DAY, slot="am_in", at=at("08:25"), reason="terminal down",
                status="approved", approved_by="ZW002", decided_at=LATER, filed_at=LATER,
            )
        )  # fmt: skip
    with write_session(hall.engine) as session:
        ctx = load_context(session, hall.settings, {DAY.year})
        rederive(session, ctx, {("SC001", DAY)}, LATER)
    assert "attendance.cleared:SC001:2026-03-10:am_in:late" in hall.alerts()


def test_an_uncovered_window_found_days_later_is_stored_but_not_paged(hall: Hall) -> None:
    # Nobody of window 2 (A SC003, B SC002) punched on DAY; it is judged three days later.
    with write_session(hall.engine) as session:
        ctx = load_context(session, hall.settings, [DAY.year])
        rederive(session, ctx, [(s, DAY) for s in ctx.staff], LATER)
    assert not [a for a in hall.alerts("attendance.window_uncovered")]
    with write_session(hall.engine) as session:
        ctx = load_context(session, hall.settings, [DAY.year])
        rederive(session, ctx, [(s, DAY) for s in ctx.staff], at("09:00"))
    assert "attendance.window_uncovered:2:2026-03-10:am_in" in hall.alerts()
