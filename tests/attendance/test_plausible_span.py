"""The batch-wide plausibility check agrees with the per-punch one whenever it says yes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from attendance.ingest import _DeviceInfo, implausible, plausible_span
from devices.events import Punch

HALL = ZoneInfo("Asia/Shanghai")
# Zones at the ends of the offset range, with DST, with half hours, and a dateline jumper.
ZONES = [
    ZoneInfo(name)
    for name in (
        "Asia/Shanghai", "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Etc/GMT+12",
        "America/Santiago", "Europe/London", "Asia/Kolkata", "Pacific/Apia", "America/St_Johns",
    )
]  # fmt: skip
INSTALLED = date(2026, 3, 2)
# Instants within a day and a few hours of the limits: the clock-reset year's end, the install date.
LIMITS = [datetime(2001, 1, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)]
instants = st.builds(
    lambda limit, seconds: limit + timedelta(seconds=seconds),
    st.sampled_from(LIMITS),
    st.integers(min_value=-30 * 3600, max_value=30 * 3600),
)
devices = st.builds(_DeviceInfo, st.sampled_from(ZONES), st.sampled_from([None, INSTALLED]))


@settings(max_examples=500)
@given(
    st.lists(st.tuples(instants, st.integers(min_value=0, max_value=2)), min_size=1),
    st.lists(devices | st.none(), min_size=3, max_size=3),
    instants,
)
def test_a_plausible_span_has_only_plausible_punches(
    times: list[tuple[datetime, int]], infos: list[_DeviceInfo | None], now: datetime
) -> None:
    punches = [
        (Punch(f"SN{n}", "2001", t.astimezone(info.tz if info else HALL)), info)
        for t, n in times
        for info in [infos[n]]
    ]
    instants_ = [p.time for p, _ in punches]
    if plausible_span(min(instants_), max(instants_), infos, now):
        assert all(implausible(p, info, HALL, now) == "" for p, info in punches)


def test_an_ordinary_batch_takes_the_quick_check() -> None:
    now = datetime(2026, 3, 10, 9, tzinfo=HALL)
    device = _DeviceInfo(HALL, date(2025, 1, 1))
    first, last = now - timedelta(days=40), now + timedelta(minutes=4)
    assert plausible_span(first, last, [device, None], now)
    assert not plausible_span(first, now + timedelta(minutes=6), [device], now)
    assert not plausible_span(datetime(2000, 1, 1, tzinfo=HALL), last, [device], now)
    assert not plausible_span(first, last, [_DeviceInfo(HALL, first.date())], now)
