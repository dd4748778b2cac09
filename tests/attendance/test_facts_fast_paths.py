"""The facts loader's fast paths give what a plain read of the rows gives."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from attendance.facts import (
    FactSet,
    day_bounds,
    load_facts,
    local_converter,
    punches_query,
)
from attendance.models import Punch as PunchRow
from attendance_engine import Facts, Leave, PunchFact
from hallbase.db import read_session, write_session
from hallbase.models.types import SQLITE_JOIN, _sqlite_value, sqlite_joined, sqlite_text
from tests.helpers.attendance import DAY, TZ, Hall, at

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
OTHER_FORMS = ("2026-03-10 00:20:00", "2026-03-10 08:20:00+08:00", "2026-03-10T00:20:00.5")


@given(st.lists(st.one_of(instants.map(sqlite_text), st.sampled_from(OTHER_FORMS)), min_size=1))
def test_joined_texts_parse_as_each_text_alone(texts: list[str]) -> None:
    assert sqlite_joined(SQLITE_JOIN.join(texts)) == [_sqlite_value(t) for t in texts]


ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC")


@given(
    st.sampled_from(ZONES),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)),
    st.integers(0, 62),
    st.lists(st.floats(0, 1, exclude_max=True)),
)
@example("Europe/Berlin", date(2026, 3, 29), 0, [0.0, 0.08, 0.09, 0.5, 0.99])  # spring forward
@example("Europe/Berlin", date(2026, 10, 25), 0, [0.08, 0.1, 0.12, 0.14])  # the repeated hour
@example("Europe/Berlin", date(2026, 10, 26), 3, [0.0, 0.5])  # the day after the change
def test_local_instants_are_what_astimezone_gives(
    zone: str, first: date, days: int, fractions: list[float]
) -> None:
    tz = ZoneInfo(zone)
    lo, hi = day_bounds(first, first + timedelta(days=days), tz)
    span = hi.astimezone(UTC) - lo.astimezone(UTC)
    times = [lo.astimezone(UTC) + span * f for f in fractions]
    converted = local_converter(tz, lo, hi)(times)
    assert [repr(t) for t in converted] == [repr(t.astimezone(tz)) for t in times]  # and fold
    assert all(t.tzinfo is tz for t in converted)


def test_loaded_punches_are_the_plain_reads_rows(hall: Hall) -> None:
    rows = [
        ("SC001", at("08:20"), "zk"),
        ("SC001", at("08:20"), "api"),
        ("SC001", at("17:40:07") + timedelta(microseconds=5), "zk"),
        ("SC002", at("00:00"), "adms"),  # the first instant of the day
        ("SC002", at("23:59:59"), "adms"),
        ("SC002", at("00:00", DAY + timedelta(days=1)), "adms"),  # the next day
        ("SC003", at("08:31", DAY - timedelta(days=1)), "zk"),
    ]
    hall_punches = [
        {"device_sn": f"ZK{i}", "pin": str(9000 + i), "device_time": t, "staff_no": s,
         "source": src, "received_at": t, "repeats": 0}
        for i, (s, t, src) in enumerate(rows)
    ]  # fmt: skip
    with write_session(hall.engine) as session:
        session.connection().execute(PunchRow.__table__.insert(), hall_punches)  # type: ignore[attr-defined]
    first, last = DAY - timedelta(days=1), DAY
    for people in (None, {"SC001", "SC002"}, {"SC003"}, {f"X{i}" for i in range(30)} | {"SC002"}):
        with read_session(hall.engine) as session:
            facts = load_facts(session, people, first, last, TZ)
            lo, hi = day_bounds(first, last, TZ)
            plain = session.connection().execute(punches_query(people, lo, hi)).all()
        expected: dict[tuple[str, date], list[PunchFact]] = {}
        for staff_no, t, source in plain:
            local = t.astimezone(TZ)
            expected.setdefault((staff_no, local.date()), []).append(
                PunchFact(staff_no, local, source)
            )
        loaded = {
            (s, d): punches for s, days in facts.punches.items() for d, punches in days.items()
        }
        assert set(loaded) == set(expected)
        for key, punches in loaded.items():
            assert sorted(punches, key=repr) == sorted(expected[key], key=repr)
            assert all(p.at.tzinfo is TZ for p in punches)
        dates = [first - timedelta(days=1), first, last, last + timedelta(days=1)]
        for staff_no in ("SC001", "SC002", "SC003", "SC004"):
            assert facts.days(staff_no, dates) == [(d, facts.day(staff_no, d)) for d in dates]


def test_a_persons_days_are_each_days_facts() -> None:
    first = date(2026, 3, 2)
    punch = PunchFact("SC001", at("08:20", first), "zk")
    leave = Leave("SC002", at("08:00", first), at("18:00", first), "annual", True)
    facts = FactSet(
        punches={"SC001": {first: [punch]}, "SC002": {first: [punch]}},
        others={"SC002": Facts(leaves=(leave,)), "SC003": Facts(leaves=(leave,))},
    )
    dates = [first - timedelta(days=1), first, first + timedelta(days=1)]
    for staff_no in ("SC001", "SC002", "SC003", "SC004"):
        assert facts.days(staff_no, dates) == [(d, facts.day(staff_no, d)) for d in dates]
