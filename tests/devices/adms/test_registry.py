"""PUSH 3.x start-up: registry parameters, the registry code, the push options."""

from __future__ import annotations

from devices.adms.biometric import strip_biometric
from devices.adms.protocol import HandshakeOptions
from devices.adms.registry import parse_registry, push_response, registry_code


def test_registry_parameters_are_read_without_their_tilde() -> None:
    body = b"DeviceType=att,~DeviceName=SpeedFace-V5L,FirmVer=ZAM180-Ver1.1.17,PushVersion=3.1.2,"
    body += b"bad pair,=x,~MaxUserCount=3000\r\n"
    params = parse_registry(body)
    assert params == {
        "DeviceType": "att",
        "DeviceName": "SpeedFace-V5L",
        "FirmVer": "ZAM180-Ver1.1.17",
        "PushVersion": "3.1.2",
        "MaxUserCount": "3000",
    }
    assert parse_registry(b"\xff" * 100_000) == {}


def test_registry_code_is_ten_digits_and_stable() -> None:
    code = registry_code("CKJF201160130")
    assert len(code) == 10 and code.isdigit() and code == registry_code("CKJF201160130")
    assert code != registry_code("CKJF201160131")


def test_push_options_ask_for_no_biometric_table() -> None:
    text = push_response(HandshakeOptions(attlog_stamp=7, error_delay=5), "0.1.0")
    options = dict(line.split("=", 1) for line in text.splitlines())
    assert options["TransTables"] == "User Transaction"
    assert (options["ErrorDelay"], options["ATTLOGStamp"], options["OPERLOGStamp"]) == (
        "5", "7", "None"
    )  # fmt: skip


def test_biometric_lines_keep_only_their_other_fields() -> None:
    kept, kind = strip_biometric(b"FP PIN=1001\tFID=6\tSize=1024\tValid=1\tTMP=TVNTUzIxAAAD")
    assert (kept, kind) == (b"FP\tPIN=1001\tFID=6\tSize=1024\tValid=1", "FP")
    kept, kind = strip_biometric(b"USERPIC PIN=1\tFileName=1.jpg\tSize=9\tContent=/9j/4AAQ")
    assert kind == "USERPIC" and b"/9j/" not in kept
    assert strip_biometric(b"1001\t2026-03-02 08:00:00\t0\t1\t0") == (
        b"1001\t2026-03-02 08:00:00\t0\t1\t0", None
    )  # fmt: skip
