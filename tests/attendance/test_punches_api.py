"""POST /api/v1/punches: counts, refusals by index, hall-local naive times, unmapped, quarantine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from attendance.ingest import store_punches
from attendance.models import Device
from attendance.models import Punch as PunchRow
from devices.events import BadRecord, Punch
from hallbase.db import read_session, write_session
from hallbase.models import AlertOutbox
from tests.helpers.attendance import DAY, TZ, Hall, at


def test_post_punches_counts_rejects_and_local_time(hall: Hall) -> None:
    hall.clock.set("09:00")
    body = [
        {"staff_no": "SC001", "time": "2026-03-10T08:25:10"},  # naive: hall-local
        {"staff_no": "SC001", "time": "2026-03-10T00:25:10Z"},  # the same instant in UTC
        {"pin": "2002", "time": "2026-03-10T08:20:00+08:00", "device_sn": "T1", "verify": 1},
        {"pin": "7777", "time": "2026-03-10T08:21:00"},  # nobody has this PIN
        {"staff_no": "NOPE", "time": "2026-03-10T08:22:00"},
        {"staff_no": "SC003", "time": "yesterday at eight"},
        {"time": "2026-03-10T08:23:00"},
        {"staff_no": "SC003", "time": "2026-03-10T10:00:00"},  # an hour in the future
        {"staff_no": "SC003", "pin": "2003", "time": "2026-03-10T08:24:00"},
    ]
    answer = hall.client.post("/api/v1/punches", json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["inserted"], result["duplicates"], result["unmapped"]) == (3, 1, 1), result
    reasons = {r["index"]: r["reason"] for r in result["rejected"]}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert "unknown staff_no 'NOPE'" in reasons[4]
    assert "not an ISO 8601" in reasons[5]
    assert "staff_no or pin is required" in reasons[6]
    assert "future" in reasons[7]
    assert "not both" in reasons[8]
    with read_session(hall.engine) as session:
        rows = session.exec(select(PunchRow).where(PunchRow.staff_no == "SC001")).all()
    assert len(rows) == 1 and rows[0].repeats == 1
    assert rows[0].device_time == datetime(2026, 3, 10, 0, 25, 10, tzinfo=UTC)

    unmapped = hall.client.get("/api/v1/punches/unmapped").json()
    assert unmapped["count"] == 1 and unmapped["data"][0]["pin"] == "7777"
    quarantined = hall.client.get("/api/v1/punches/quarantined").json()
    assert quarantined["count"] == 1
    assert "future" in quarantined["data"][0]["reason"]
    assert bytes.fromhex(quarantined["data"][0]["raw_hex"]).startswith(b"{")


def test_device_quarantine_rules_and_bad_records(hall: Hall) -> None:
    now = at("09:00")
    with write_session(hall.engine) as session:
        session.add(Device(serial="ZK1", protocol="zk_tcp", installed_on=DAY, approved=False))
    batch = [
        Punch("ZK1", "2001", datetime(2000, 1, 1, 0, 3, tzinfo=TZ), raw=b"\x01clock"),
        Punch("ZK1", "2001", at("08:00", DAY.replace(day=9))),  # before installation
        Punch("ZK1", "2001", at("08:31")),
        BadRecord("ZK1", b"\xff\xfe garbage", "record size 7 is not a known layout"),
    ]
    with write_session(hall.engine) as session:
        result = store_punches(session, batch, source="zk", now=now, settings=hall.settings)
    assert result.inserted == 1
    assert [i for i, _ in result.quarantined] == [0, 1, 3]
    assert "clock reset" in result.quarantined[0][1]
    assert "before the device was installed" in result.quarantined[1][1]
    listed = hall.client.get("/api/v1/punches/quarantined").json()["data"]
    raws = {bytes.fromhex(r["raw_hex"]) for r in listed}
    assert {b"\x01clock", b"\xff\xfe garbage"} <= raws


def test_punch_and_alert_share_the_transaction(hall: Hall) -> None:
    """A failure after storing rolls back the punch and its alert together."""
    now = at("08:41")
    with pytest.raises(RuntimeError), write_session(hall.engine) as session:
        store_punches(
            session, [Punch("api", "2001", at("08:40"))], source="api", now=now,
            settings=hall.settings,
        )  # fmt: skip
        raise RuntimeError("crash before commit")
    assert hall.alerts() == []
    with write_session(hall.engine) as session:
        result = store_punches(
            session, [Punch("api", "2001", at("08:40"))], source="api", now=now,
            settings=hall.settings,
        )  # fmt: skip
        assert result.derived.alerts >= 1
        ids = session.exec(select(AlertOutbox.message_id)).all()  # visible inside, same tx
        assert "attendance.late:SC001:2026-03-10:am_in:late" in ids
    assert "attendance.late:SC001:2026-03-10:am_in:late" in hall.alerts()


def test_live_late_verdict_and_single_alert(hall: Hall) -> None:
    hall.clock.set("08:41")
    assert hall.punch("SC001", "08:40:59")["inserted"] == 1
    verdict = hall.verdict("SC001")
    assert verdict is not None and verdict.status == "late"
    am_in = verdict.result["slots"][0]  # type: ignore[index]
    assert am_in["status"] == "late" and am_in["minutes"] == 10
    hall.clock.set("08:50")
    hall.punch("SC001", "08:49")  # a later punch: the in-slot keeps the earliest
    assert hall.alerts("attendance.late") == ["attendance.late:SC001:2026-03-10:am_in:late"]


def test_a_downloaded_log_kept_aside_again_is_counted_not_stored_twice(hall: Hall) -> None:
    """A ZK log is downloaded on every poll: its clock-reset records must not pile up."""
    now = at("09:00")
    record = b"\x05\x002001\x00" + bytes(30)  # a 40-byte record, as the ZK poller keeps it
    batch = [
        Punch("ZK2", "2001", datetime(2000, 1, 1, 0, 3, tzinfo=TZ), raw=record),
        Punch("ZK2", "2002", datetime(2000, 1, 1, 0, 4, tzinfo=TZ), raw=record[:-1] + b"\x01"),
        BadRecord("ZK2", b"\xff" * 40, "record at byte 80 (40 bytes): bad PIN"),
        Punch("ZK2", "2001", at("08:31"), raw=b"good"),
    ]
    for _ in range(2):
        with write_session(hall.engine) as session:
            result = store_punches(session, batch, source="zk", now=now, settings=hall.settings)
        assert len(result.quarantined) == 3
    listed = hall.client.get("/api/v1/devices/ZK2/quarantined").json()
    assert listed["count"] == 3
    assert sorted(r["repeats"] for r in listed["data"]) == [1, 1, 1]


def test_parsers_and_columns_agree_on_field_sizes() -> None:
    """What a terminal's parser accepts fits the columns it is stored in."""
    from attendance.models import QuarantinedRecord
    from devices.adms import protocol
    from devices.events import PIN_MAX, SERIAL_MAX, WORKCODE_MAX

    tables = (PunchRow.__table__, QuarantinedRecord.__table__, Device.__table__)  # type: ignore[attr-defined]
    for table in tables:
        for name, size in (("device_sn", SERIAL_MAX), ("serial", SERIAL_MAX), ("pin", PIN_MAX)):
            if name in table.c:
                assert table.c[name].type.length == size, (table.name, name)
    assert PunchRow.__table__.c["workcode"].type.length == WORKCODE_MAX  # type: ignore[attr-defined]
    line = f"{'9' * PIN_MAX}\t2026-03-10 08:00:00\t0\t1\t{'w' * WORKCODE_MAX}".encode()
    punches, bad = protocol.parse_attlog("S" * SERIAL_MAX, line + b"\n" + b"1" * 25 + line[24:])
    assert [p.pin for p in punches] == ["9" * PIN_MAX] and len(bad) == 1
