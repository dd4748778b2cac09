"""ADMS protocol functions on real payload shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from devices.adms import protocol as p
from devices.errors import ProtocolError
from devices.events import Punch

SH = ZoneInfo("Asia/Shanghai")
SN = "CKJF201160130"


# --- queries -------------------------------------------------------------------------------


def test_handshake_query_from_raw_string() -> None:
    q = p.parse_handshake_query("SN=CKJF201160130&options=all&pushver=2.4.1&language=83")
    assert q == p.HandshakeQuery(SN, "all", "2.4.1", "83")


def test_upload_query_accepts_mapping_and_pairs() -> None:
    expected = p.UploadQuery(SN, "ATTLOG", 9999)
    assert p.parse_upload_query({"SN": SN, "table": "attlog", "Stamp": "9999"}) == expected
    assert p.parse_upload_query([("sn", SN), ("TABLE", "ATTLOG"), ("stamp", "9999")]) == expected
    assert p.parse_upload_query(f"SN={SN}&table=OPERLOG&Stamp=None").stamp is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("options=all", "SN .* missing"),
        ("SN=&options=all", "SN .* missing"),
        ("SN=a%0Ab", "bad serial number"),
        ("SN=A&SN=B", "given twice"),
    ],
)
def test_handshake_query_errors(query: str, message: str) -> None:
    with pytest.raises(p.QueryError, match=message):
        p.parse_handshake_query(query)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (f"SN={SN}", "table .* missing"),
        (f"SN={SN}&table=AT%20LOG", "not a table name"),
        (f"SN={SN}&table=ATTLOG&Stamp=12a", "Stamp .* not an integer"),
    ],
)
def test_upload_query_errors(query: str, message: str) -> None:
    with pytest.raises(p.QueryError, match=message):
        p.parse_upload_query(query)


def test_poll_and_result_queries() -> None:
    assert p.parse_poll_query(f"SN={SN}&INFO=Ver%202.4,5,0").info == "Ver 2.4,5,0"
    assert p.parse_result_query(f"SN={SN}").sn == SN
    with pytest.raises(ProtocolError):
        p.parse_result_query("")


# --- handshake -----------------------------------------------------------------------------


def test_handshake_response_lists_every_option() -> None:
    text = p.handshake_response(SN, p.HandshakeOptions(attlog_stamp=42, error_delay=60))
    lines = text.splitlines()
    assert lines[0] == f"GET OPTION FROM: {SN}"
    options = dict(line.split("=", 1) for line in lines[1:])
    assert options["ATTLOGStamp"] == "42"
    assert options["OPERLOGStamp"] == "None"
    assert options["ErrorDelay"] == "60"
    assert options["TimeZone"] == "8"
    assert options["Realtime"] == "1"
    assert options["Encrypt"] == "0"
    assert set(options) == {
        "ATTLOGStamp", "OPERLOGStamp", "ErrorDelay", "Delay", "TransTimes",
        "TransInterval", "TransFlag", "TimeZone", "Realtime", "Encrypt",
    }  # fmt: skip
    assert "FP" not in options["TransFlag"]


def test_handshake_options_refuse_biometric_and_injection() -> None:
    with pytest.raises(ValueError, match="biometric"):
        p.HandshakeOptions(trans_flag="TransData AttLog\tEnrollFP")
    with pytest.raises(ValueError, match="line breaks"):
        p.HandshakeOptions(trans_times="00:00\nEncrypt=1")
    with pytest.raises(ValueError, match="time_zone"):
        p.HandshakeOptions(time_zone=20)
    with pytest.raises(ProtocolError):
        p.handshake_response("bad\nsn")


# --- ATTLOG --------------------------------------------------------------------------------


def test_attlog_lines_crlf_lf_empty_and_extra_fields() -> None:
    body = (
        b"1001\t2024-03-04 08:01:02\t0\t1\t0\t0\t0\r\n"
        b"1002\t2024-03-04 08:02:00\t\t\t\t\t\n"
        b"1003\t2024-03-04 08:03:00\t1\t15\t7\t0\t0\t0\t0\t0\t255\n"
        b"1004\t2024-03-04 08:04:00"
    )
    punches, bad = p.parse_attlog(SN, body, SH)
    assert bad == []
    assert [x.pin for x in punches] == ["1001", "1002", "1003", "1004"]
    assert punches[0].time == datetime(2024, 3, 4, 8, 1, 2, tzinfo=SH)
    assert (punches[0].status, punches[0].verify, punches[0].workcode) == (0, 1, "0")
    assert (punches[1].status, punches[1].verify, punches[1].workcode) == (None, None, None)
    assert (punches[2].status, punches[2].verify, punches[2].workcode) == (1, 15, "7")
    assert punches[0].raw == b"1001\t2024-03-04 08:01:02\t0\t1\t0\t0\t0"
    assert all(x.device_sn == SN for x in punches)


def test_attlog_bad_lines_reported_with_line_numbers_good_kept() -> None:
    body = (
        b"1001\t2024-03-04 08:01:02\t0\t1\n"
        b"1002\t2024-02-30 08:00:00\t0\t1\n"  # no such day
        b"\n"
        b"garbage without tab\n"
        b"1003\t2024-03-04 08:03:00\tx\t1\n"  # status not a number
        b"\xff\xfe\t2024-03-04 08:04:00\n"  # neither UTF-8 nor GBK
        b"1005\t2024-03-04 08:05:00\t0\t1\n"
    )
    punches, bad = p.parse_attlog(SN, body, SH)
    assert [x.pin for x in punches] == ["1001", "1005"]
    assert [b.reason.split(":")[0] for b in bad] == [
        "ATTLOG line 2",
        "ATTLOG line 4",
        "ATTLOG line 5",
        "ATTLOG line 6",
    ]
    assert bad[0].raw == b"1002\t2024-02-30 08:00:00\t0\t1"
    assert "not a real date" in bad[0].reason
    assert "status" in bad[2].reason
    assert "neither utf-8 nor gbk" in bad[3].reason


def test_attlog_uses_given_zone_and_bom() -> None:
    utc = ZoneInfo("UTC")
    punches, _ = p.parse_attlog(SN, b"\xef\xbb\xbf7\t2024-03-04 08:00:00\n", utc)
    assert punches[0].time == datetime(2024, 3, 4, 8, tzinfo=utc)


def test_attlog_full_width_digits_are_not_a_time() -> None:
    _, bad = p.parse_attlog(SN, "1\t２０２４-03-04 08:00:00\n".encode(), SH)
    assert len(bad) == 1 and "YYYY-MM-DD" in bad[0].reason


# --- OPERLOG -------------------------------------------------------------------------------


def test_operlog_oplog_user_and_biometric_lines() -> None:
    body = (
        "OPLOG 4\t0\t2024-03-04 08:00:00\t0\t0\t0\t0\n"
        "USER PIN=1001\tName=张三\tPri=14\tPasswd=9876\tCard=0012345\tGrp=1\tTZ=0\tVerify=0\n"
        "FP PIN=1001\tFID=6\tSize=1080\tValid=1\tTMP=TV1TUzIxAAADmJ4ECAUHCc7QAAAbmWkBAAAAg\n"
        "USER PIN=\tName=nobody\tPasswd=secret\n"
    ).encode("gbk")
    log = p.parse_operlog(SN, body, SH)
    assert log.operations == (
        p.OperationRecord(SN, 4, "0", datetime(2024, 3, 4, 8, tzinfo=SH), ("0", "0", "0", "0"), 1),
    )
    assert log.users == (p.UserRecord(SN, "1001", "张三", 14, "0012345", "1", 2),)
    assert log.skipped == ("OPERLOG line 3: FP record not read",)
    assert len(log.bad) == 1 and log.bad[0].reason.startswith("OPERLOG line 4")
    # No template, no password anywhere in what is kept.
    kept = repr(log)
    assert "TV1TUzIx" not in kept and "secret" not in kept and "9876" not in kept


def test_operlog_utf8_name_and_bad_time() -> None:
    body = "USER PIN=2\tName=欧阳 娜娜\nOPLOG 3\t1\tyesterday\t0\n".encode()
    log = p.parse_operlog(SN, body)
    assert log.users[0].name == "欧阳 娜娜"
    assert log.users[0].privilege is None
    assert len(log.bad) == 1 and "YYYY-MM-DD" in log.bad[0].reason


# --- commands ------------------------------------------------------------------------------


def test_format_commands() -> None:
    assert p.format_commands([]) == "OK"
    text = p.format_commands([p.update_user(7, "1001", "张三", card="123"), p.delete_user(8, "9")])
    assert text.splitlines() == [
        "C:7:DATA UPDATE USERINFO PIN=1001\tName=张三\tPri=0\tCard=123",
        "C:8:DATA DELETE USERINFO PIN=9",
    ]
    with pytest.raises(ValueError, match="twice"):
        p.format_commands([p.check(1), p.info(1)])


def test_builders() -> None:
    start = datetime(2024, 3, 4, tzinfo=ZoneInfo("UTC"))
    end = datetime(2024, 3, 5, tzinfo=ZoneInfo("UTC"))
    q = p.query_attlog(3, start, end, SH)
    assert q.text == "DATA QUERY ATTLOG StartTime=2024-03-04 08:00:00\tEndTime=2024-03-05 08:00:00"
    assert p.query_users(4, "12").text == "DATA QUERY USERINFO PIN=12"
    assert p.set_option(5, "Delay", "5").text == "SET OPTION Delay=5"
    assert p.reboot(6).text == "REBOOT"
    with pytest.raises(ValueError, match="tabs"):
        p.update_user(1, "1", "a\tPri=14")
    with pytest.raises(ValueError, match="PIN"):
        p.delete_user(1, "1 2")
    with pytest.raises(ValueError, match="before start"):
        p.query_attlog(1, end, start)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Shell reboot", "Shell"),
        ("  shell\tcat /etc/passwd", "Shell"),
        ("USER ADD PIN=1\tName=x", "USER ADD"),
        ("user del PIN=1", "USER DEL"),
        ("CLEAR LOG", "CLEAR"),
        ("DATA UPDATE FINGERTMP PIN=1\tFID=0", "biometric"),
        ("DATA QUERY BIODATA", "biometric"),
        ("DATA DELETE ATTLOG", "not an allowed"),
        ("DATA UPDATE USERINFO PIN=1\nShell ls", "one line"),
        ("FORMAT", "not an allowed"),
        ("", "empty"),
    ],
)
def test_forbidden_commands(text: str, message: str) -> None:
    with pytest.raises(p.ForbiddenCommand, match=message):
        p.Command(1, text)


def test_command_id_range() -> None:
    with pytest.raises(ValueError, match="command id"):
        p.Command(0, "CHECK")
    assert p.Command(2_147_483_647, "CHECK").id == 2_147_483_647


# --- devicecmd -----------------------------------------------------------------------------


def test_devicecmd_several_results_details_and_bad_lines() -> None:
    body = (
        b"ID=1&Return=0&CMD=DATA\r\n"
        b"ID=2&Return=-1002&CMD=DATA\r\n"
        b"ID=3&Return=-1004&CMD=DATA\n"
        b"ID=4&Return=0&CMD=INFO\n~DeviceName=iClock880\nUserCount=12\n"
        b"ID=x&Return=0\n"
        b"Return=0&CMD=DATA\n"
    )
    results, bad = p.parse_devicecmd(SN, body)
    assert [(r.id, r.return_code, r.ok) for r in results] == [
        (1, 0, True),
        (2, p.RETURN_BAD_SYNTAX, False),
        (3, p.RETURN_TABLE_UNSUPPORTED, False),
        (4, 0, True),
    ]
    assert results[3].details == (("~DeviceName", "iClock880"), ("UserCount", "12"))
    assert [b.reason.split(":")[0] for b in bad] == ["devicecmd line 7", "devicecmd line 8"]


class _NoOffset(tzinfo):
    """A tzinfo that knows no offset: a time carrying it is still naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None


@pytest.mark.parametrize(
    "when", [datetime(2024, 3, 4, 8), datetime(2024, 3, 4, 8, tzinfo=_NoOffset())]
)
def test_punch_refuses_naive_times(when: datetime) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Punch("T1", "7", when)


def test_punch_refuses_an_empty_pin_and_takes_aware_times() -> None:
    with pytest.raises(ValueError, match="PIN"):
        Punch("T1", "", datetime(2024, 3, 4, 8, tzinfo=SH))
    assert Punch("T1", "7", datetime(2024, 3, 4, 8, tzinfo=UTC)).pin == "7"
