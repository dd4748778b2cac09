"""Properties: order and repeats of facts do not matter; incremental equals full recomputation."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance_engine import (
    AwayPeriod,
    DayResult,
    Fact,
    Facts,
    Leave,
    MakeUp,
    OutRegistration,
    PunchFact,
    Rules,
    StaffInfo,
    Status,
    affected_days,
    evaluate_day,
    evaluate_month,
    two_punch_schedule,
)
from attendance_engine.results import worst
from tests.attendance_engine.helpers import CALENDAR, HALL_Y, MONDAY, RULES, TZ, evaluate

STAFF = (
    StaffInfo("S001", "在编", schedules=("four_punch",)),
    StaffInfo("S002", "聘用", schedules=("two_punch",)),
)
SCHEDULES = (HALL_Y, two_punch_schedule())
SLOT_NAMES = ("am_in", "am_out", "pm_in", "pm_out", "in", "out")


def instant(day_index: int, seconds: int) -> datetime:
    """A Shanghai instant ``day_index`` days after Monday 2025-03-10, ``seconds`` after midnight."""
    return datetime.combine(MONDAY, datetime.min.time(), tzinfo=TZ) + timedelta(
        days=day_index, seconds=seconds
    )


day_index = st.integers(0, 6)
second_of_day = st.integers(0, 86_399)
busy_second = st.integers(7 * 3600, 20 * 3600)  # most punches land in working hours
staff_no = st.sampled_from(("S001", "S002"))
moment = st.builds(instant, day_index, st.one_of(busy_second, second_of_day))
minutes = st.integers(0, 600).map(lambda m: timedelta(minutes=m))

punch = st.builds(PunchFact, staff_no, moment)
leave = st.builds(
    lambda s, start, length, ok: Leave(s, start, start + length * 5, "sick", ok),
    staff_no,
    moment,
    minutes,
    st.booleans(),
)
out = st.builds(
    lambda s, start, length, ok: OutRegistration(s, start, start + length, ok),
    staff_no,
    moment,
    minutes,
    st.booleans(),
)
makeup = st.builds(
    lambda s, d, slot, sec, ok: MakeUp(s, MONDAY + timedelta(days=d), slot, instant(d, sec), ok),
    staff_no,
    day_index,
    st.sampled_from(SLOT_NAMES),
    busy_second,
    st.booleans(),
)
away = st.builds(
    lambda w, s, start, length: AwayPeriod(w, s, start, None if length is None else start + length),
    st.sampled_from(("W01", "W02")),
    st.one_of(staff_no, st.none()),
    moment,
    st.one_of(minutes, st.none()),
)
any_fact: st.SearchStrategy[Fact] = st.one_of(punch, punch, punch, leave, out, makeup, away)
now_strategy = st.builds(instant, st.integers(0, 8), second_of_day)


def facts_of(items: list[Fact]) -> Facts:
    facts = Facts()
    for item in items:
        facts = facts.adding(item)
    return facts


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.builds(PunchFact, st.just("S001"), st.builds(instant, st.just(0), busy_second)),
        max_size=12,
    ),
    st.randoms(use_true_random=False),
    now_strategy,
)
def test_result_does_not_depend_on_punch_order(
    punches: list[PunchFact], rnd: random.Random, now: datetime
) -> None:
    shuffled = list(punches)
    rnd.shuffle(shuffled)
    first = evaluate(Facts(punches=tuple(punches)), now=now)
    assert evaluate(Facts(punches=tuple(shuffled)), now=now) == first


@settings(max_examples=150, deadline=None)
@given(st.lists(any_fact, max_size=12), st.data(), now_strategy)
def test_duplicate_facts_change_nothing(
    items: list[Fact], data: st.DataObject, now: datetime
) -> None:
    repeats = data.draw(st.lists(st.sampled_from(items), max_size=6)) if items else []
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        once = evaluate(facts_of(items), day=day, now=now)
        assert evaluate(facts_of(items + repeats), day=day, now=now) == once


@settings(max_examples=100, deadline=None)
@given(st.lists(any_fact, max_size=15), now_strategy)
def test_incremental_evaluation_equals_full_recomputation(items: list[Fact], now: datetime) -> None:
    by_no = {s.staff_no: s for s in STAFF}

    def month(facts: Facts) -> dict[tuple[str, date], DayResult]:
        return {
            (s.staff_no, r.date): r
            for s in STAFF
            for r in evaluate_month(
                s,
                2025,
                3,
                schedules=SCHEDULES,
                calendar=CALENDAR,
                facts=facts,
                rules=RULES,
                tz=TZ,
                now=now,
            )
        }

    state = month(Facts())
    facts = Facts()
    for item in items:
        facts = facts.adding(item)
        if item.staff_no is None:
            continue  # an away period nobody is attributed to concerns nobody's day
        for day in affected_days(item, TZ, now):
            state[(item.staff_no, day)] = evaluate_day(
                by_no[item.staff_no],
                day,
                schedules=SCHEDULES,
                calendar=CALENDAR,
                facts=facts,
                rules=RULES,
                tz=TZ,
                now=now,
            )
    assert state == month(facts)


@settings(max_examples=150, deadline=None)
@given(st.lists(any_fact, max_size=12), now_strategy, st.integers(0, 2 * 86_400))
def test_a_later_now_never_undoes_a_verdict(items: list[Fact], now: datetime, step: int) -> None:
    facts = facts_of(items)
    before = evaluate(facts, now=now)
    after = evaluate(facts, now=now + timedelta(seconds=step))
    for b, a in zip(before.slots, after.slots, strict=True):
        if b.status.value != "pending":
            assert a.status == b.status
    assert after.absent_days >= before.absent_days


@settings(max_examples=150, deadline=None)
@given(st.lists(any_fact, max_size=12), now_strategy, st.booleans())
def test_a_days_status_is_the_worst_of_everything_in_it(
    items: list[Fact], now: datetime, missing_makes_absent: bool
) -> None:
    rules = Rules(missing_makes_absent=missing_makes_absent)
    bad = {Status.ABSENT} | ({Status.MISSING} if missing_makes_absent else set())
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        r = evaluate(facts_of(items), day=day, now=now, rules=rules)
        halves = {s.half for s in r.slots if s.status in bad}
        halves |= {e.half for e in r.off_post if e.status is Status.ABSENT}
        assert r.absent_halves == tuple(h for h in ("am", "pm") if h in halves)
        # The worst slot; an off-post event stands for itself (`absent` past the threshold:
        # a half made absent that way has no slot). Missing punches show `missing`.
        statuses = [s.status for s in r.slots]
        statuses += [e.status for e in r.off_post if e.status in (Status.OFF_POST, Status.ABSENT)]
        assert r.status is (worst(statuses) if r.slots else Status.OFF)
        assert r.away_minutes == sum(e.minutes for e in r.off_post)
