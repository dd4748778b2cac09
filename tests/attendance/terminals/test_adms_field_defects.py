"""What broke when a hall ran ADMS terminals for real: over-long fields, templates in
error records, records kept aside again on every resend, junk and invented serials."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel, select

from attendance.models import Device, Punch, QuarantinedRecord
from attendance.terminals.devicedb import MAX_PENDING
from hallbase.db import read_session
from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.auth import admin_headers
from tests.helpers.live_server import live_server

TZ = ZoneInfo("Asia/Shanghai")
ADMIN: dict[str, dict[str, str]] = {}  # an admin's headers, by the server's address
TEMPLATE = "TVNTUzIxAAADyMoECAUHCc7QAAAbyWkBAAAAgzcfAfFaVXsKkDXaB"


@pytest.fixture
def server(settings: Settings, any_engine: Engine) -> Iterator[tuple[str, Engine]]:
    app = create_app(settings, engine=any_engine)
    with live_server(app) as url:
        ADMIN[url] = admin_headers(app)
        yield url, any_engine


def approve(url: str, serial: str) -> None:
    assert httpx.get(f"{url}/iclock/cdata", params={"SN": serial}).status_code == 403
    assert (
        httpx.post(f"{url}/api/v1/devices/{serial}/approve", headers=ADMIN[url]).status_code == 200
    )


def post(url: str, serial: str, body: str, table: str = "ATTLOG") -> httpx.Response:
    return httpx.post(
        f"{url}/iclock/cdata", params={"SN": serial, "table": table, "Stamp": "9"},
        content=body.encode(),
    )  # fmt: skip


def yesterday() -> str:
    return (datetime.now(TZ) - timedelta(days=1)).date().isoformat()


def kept(engine: Engine, serial: str) -> list[QuarantinedRecord]:
    with read_session(engine) as session:
        query = select(QuarantinedRecord).where(QuarantinedRecord.device_sn == serial)
        return list(session.exec(query).all())


def pins(engine: Engine, serial: str) -> set[str]:
    with read_session(engine) as session:
        return set(session.exec(select(Punch.pin).where(Punch.device_sn == serial)).all())


def test_an_over_long_field_is_kept_aside_and_the_rest_of_the_batch_stored(
    server: tuple[str, Engine],
) -> None:
    url, engine = server
    serial = "S" * 64  # the longest serial a terminal may have
    approve(url, serial)
    day = yesterday()
    long_pin = "1" * 24  # the longest PIN the parser accepts
    body = (
        f"2001\t{day} 08:20:00\t0\t1\t0\n"
        f"{long_pin}\t{day} 08:21:00\t0\t1\t0\n"
        f"2002\t{day} 08:22:00\t0\t1\t{'W' * 25}\n"
        f"2003\t{day} 08:23:00\t0\t1\t0\n"
    )
    answer = post(url, serial, body)
    assert (answer.status_code, answer.text) == (200, "OK")
    assert pins(engine, serial) == {"2001", long_pin, "2003"}
    (aside,) = kept(engine, serial)
    assert "workcode" in aside.reason and "line 3" in aside.reason
    assert httpx.get(f"{url}/iclock/cdata", params={"SN": serial}).status_code == 200


def test_punch_api_rejects_fields_that_cannot_be_stored_by_name(
    server: tuple[str, Engine],
) -> None:
    url, engine = server
    at = f"{yesterday()}T08:30:00+08:00"
    items = [
        {"pin": "1" * 30, "time": at},
        {"pin": "2001", "time": at, "verify": 2**40},
        {"pin": "2001", "time": at, "device_sn": "X" * 80},
        {"pin": "2002", "time": at, "verify": 1},
    ]
    answer = httpx.post(f"{url}/api/v1/punches", headers=ADMIN[url], json=items)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["inserted"] == 1
    reasons = {r["index"]: r["reason"] for r in result["rejected"]}
    assert set(reasons) == {0, 1, 2}
    assert reasons[0].startswith("pin ") and reasons[1].startswith("verify ")
    assert reasons[2].startswith("device_sn")
    assert pins(engine, "api") == {"2002"}


def _everything_stored(engine: Engine) -> str:
    """Every row of every table, as text (bytes as themselves and as hex)."""
    out: list[str] = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(text(f'SELECT * FROM "{table.name}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        out += [raw.decode("latin-1"), raw.hex()]
                    else:
                        out.append(str(value))
    return "\n".join(out)


def test_template_data_is_never_stored_nor_served(server: tuple[str, Engine]) -> None:
    url, engine = server
    approve(url, "BIO1")
    day = yesterday()
    attlog = (
        f"2001\t{day} 08:20:00\t0\t1\t0\n"
        f"FP PIN=2001\tFID=6\tSize=1024\tValid=1\tTMP={TEMPLATE}\n"
        f"BIODATA Pin=2001\tNo=0\tIndex=1\tValid=1\tType=9\tTmp={TEMPLATE}\n"
    )
    assert post(url, "BIO1", attlog).text == "OK"
    operlog = (
        f"FP PIN=2001\tFID=6\tSize=1024\tValid=1\tTMP={TEMPLATE}\n"
        f"FACE PIN=2001\tFID=0\tSIZE=1024\tVALID=1\tTMP={TEMPLATE}\n"
        f"BIODATA Pin=2001\tNo=0\tIndex=1\tValid=1\tType=9\tTmp={TEMPLATE}\n"
        f"USER PIN=2001\tName=王芳\tPri=zz\tTMP={TEMPLATE}\n"
    )
    assert post(url, "BIO1", operlog, table="OPERLOG").text == "OK"
    assert pins(engine, "BIO1") == {"2001"}
    aside = kept(engine, "BIO1")
    assert len(aside) == 2
    assert {r.raw.split(b"\t")[0] for r in aside} == {b"FP", b"BIODATA"}
    assert all(b"PIN=2001" in r.raw.upper() and "biometric" in r.reason for r in aside)
    stored = _everything_stored(engine)
    assert TEMPLATE not in stored and TEMPLATE.encode().hex() not in stored
    for listing in ("/api/v1/punches/quarantined", "/api/v1/devices/BIO1/quarantined"):
        served = httpx.get(f"{url}{listing}", headers=ADMIN[url]).text
        assert TEMPLATE not in served and TEMPLATE.encode().hex() not in served


def test_records_kept_aside_are_stored_once_and_counted(server: tuple[str, Engine]) -> None:
    url, engine = server
    approve(url, "DUP1")
    day = yesterday()
    body = (
        f"2001\t{day} 08:20:00\t0\t1\t0\n"
        f"2002\t{day} 25:61:00\t0\t1\t0\n"
        "garbage line without a tab\n"
        f"2003\t2000-01-01 00:00:05\t0\t1\t0\n"  # a clock reset to 2000
        "garbage line without a tab\n"
    )
    for _ in range(3):  # the terminal resends: no OK read, or ATTLOG asked for again
        assert post(url, "DUP1", body).text == "OK"
    aside = kept(engine, "DUP1")
    assert len(aside) == 3
    repeats = sorted(r.repeats for r in aside)
    assert repeats == [2, 2, 5]  # the garbage line came twice per post
    assert all(r.last_received_at is not None for r in aside)
    listed = httpx.get(f"{url}/api/v1/devices/DUP1/quarantined", headers=ADMIN[url]).json()
    assert listed["count"] == 3 and sorted(r["repeats"] for r in listed["data"]) == repeats


def test_unknown_serials_and_junk_are_bounded_and_listings_paged(
    server: tuple[str, Engine],
) -> None:
    url, engine = server
    with httpx.Client(base_url=url, headers=ADMIN[url]) as client:
        for n in range(MAX_PENDING + 20):
            answer = client.get("/iclock/cdata", params={"SN": f"FAKE{n:04d}"})
            assert answer.status_code == 403
        with read_session(engine) as session:
            rows = session.exec(select(Device.serial)).all()
        assert len(rows) == MAX_PENDING
        health = client.get("/healthz")
        assert health.json()["devices_pending"] == MAX_PENDING
        assert health.json()["devices"] == [] and len(health.content) < 4096
        page = client.get("/api/v1/devices", params={"limit": 10, "offset": 45}).json()
        assert (page["count"], len(page["data"]), page["offset"]) == (MAX_PENDING, 5, 45)
        assert page["data"][0]["serial"] == "FAKE0045"

        # An admin can still let a real terminal in: approving its serial registers it.
        assert client.post("/api/v1/devices/REAL0001/approve").status_code == 200
        assert client.get("/iclock/cdata", params={"SN": "REAL0001"}).status_code == 200
        assert client.post("/api/v1/devices/bad%20serial/approve").status_code == 422
        approve_one = client.post("/api/v1/devices/FAKE0000/approve")
        assert approve_one.status_code == 200
        junk = ("J" * (2 * 1024 * 1024) + "\n") * 3
        assert post(url, "FAKE0000", junk).text == "OK"
        aside = kept(engine, "FAKE0000")
        assert len(aside) == 1 and aside[0].repeats == 2  # three equal lines, kept once
        assert len(aside[0].raw) == 4096 and "of 2097152 bytes" in aside[0].reason
        junk2 = "".join(f"{n}{'K' * (1024 * 1024)}\n" for n in range(5))
        assert post(url, "FAKE0000", junk2).text == "OK"
        listing = client.get("/api/v1/punches/quarantined", params={"limit": 2, "offset": 1})
        assert len(listing.content) < 40_000
        body = listing.json()
        assert (body["count"], len(body["data"]), body["limit"]) == (6, 2, 2)
