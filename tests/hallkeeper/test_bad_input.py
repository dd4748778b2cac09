"""Bad input answers with a clear 4xx that says what is wrong and where, never a server error."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from attendance.models import Device
from hallbase.db import read_session, write_session
from hallbase.errors import ConfigError
from hallbase.fields import DB_INT_MAX
from hallbase.hallconfig import parse_config
from hallbase.models import Hall, Staff, Window
from hallbase.settings import REPO_CONFIG, Settings
from hallkeeper.app import create_app
from hallkeeper.request_gate import MAX_JSON_DEPTH, too_deep
from hallkeeper.staff_io import import_staff
from tests.helpers.auth import machine_key
from tests.helpers.queue import as_admin

RATING = {"attitude": 5, "quality": 5, "efficiency": 5, "integrity": 5, "overall": 5}
NEW_STAFF = {"staff_no": "T01", "pin": "9001", "unit_code": "SCJ", "category": "聘用"}


@pytest.fixture
def app(any_engine: Engine, settings: Settings) -> FastAPI:
    return create_app(settings, engine=any_engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # A server error must show as its status here, not as the exception behind it.
    with TestClient(app, raise_server_exceptions=False) as c:
        yield as_admin(app, c)  # an administrator: the refusals tested here are of bad input


def where(response: Any) -> list[tuple[Any, ...]]:
    """The locations FastAPI's 422 names."""
    assert response.status_code == 422, response.text
    return [tuple(err["loc"]) for err in response.json()["detail"]]


# Every operation with an integer in its path (and the bodies that carry an id).
ID_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/v1/tickets/{n}", None),
    ("POST", "/api/v1/tickets/{n}/rating", RATING),
    ("GET", "/api/v1/windows/{n}", None),
    ("PATCH", "/api/v1/windows/{n}", {"name": "x"}),
    ("DELETE", "/api/v1/windows/{n}", None),
    ("GET", "/api/v1/windows/{n}/to-rate", None),
    ("GET", "/api/v1/windows/{n}/queue", None),
    ("POST", "/api/v1/windows/{n}/call-next", None),
    ("POST", "/api/v1/windows/{n}/pause", None),
    ("PATCH", "/api/v1/appointment-slots/{n}", {"capacity": 1}),
    ("POST", "/api/v1/committed-items/{n}/complete", None),
    ("POST", "/api/v1/attendance/leaves/{n}/approve", {"approver": "ZW001"}),
    ("POST", "/api/v1/attendance/outs/{n}/approve", {"approver": "ZW001"}),
    ("POST", "/api/v1/attendance/makeups/{n}/approve", {"approver": "ZW001"}),
    ("POST", "/api/v1/attendance/away/{n}/end", {"end": "2026-11-23T10:00"}),
]


def test_ids_past_the_database_range_are_refused(app: FastAPI, client: TestClient) -> None:
    pad = {"X-Hall-Key": machine_key(app, "rating_pad")}  # only rating pads rate
    for method, path, body in ID_ROUTES:
        headers = pad if path.endswith("/rating") else {}
        for number in (2**63, 2**64 + 1, DB_INT_MAX + 1):
            response = client.request(method, path.format(n=number), json=body, headers=headers)
            assert response.status_code == 422, (method, path, number, response.text)
            assert where(response)[0][0] == "path"
            assert "less than or equal to 2147483647" in response.text


@pytest.mark.parametrize(
    ("path", "body", "loc"),
    [
        ("/api/v1/appointments", {"slot_id": 2**63}, ("body", "slot_id")),
        ("/api/v1/windows/3/call", {"ticket_id": 2**63}, ("body", "ticket_id")),
        ("/api/v1/windows/3/transfer", {"to_window": 2**63}, ("body", "to_window")),
        ("/api/v1/attendance/away", {"window": 2**63, "start": "2026-11-23T10:00"}, None),
    ],
)
def test_ids_past_the_range_in_bodies_are_refused(
    client: TestClient, path: str, body: dict[str, Any], loc: tuple[str, ...] | None
) -> None:
    found = where(client.post(path, json=body))
    assert found[0] == (loc or ("body", "window"))


def test_an_id_in_range_still_finds_nothing(client: TestClient) -> None:
    assert client.get(f"/api/v1/tickets/{DB_INT_MAX}").status_code == 404
    assert client.get(f"/api/v1/windows/{DB_INT_MAX}").status_code == 404
    assert client.get("/api/v1/attendance/away", params={"window": 2**63}).status_code == 422


@pytest.mark.parametrize("field", ["name", "name_en", "language"])
def test_patch_hall_refuses_null(app: FastAPI, client: TestClient, field: str) -> None:
    with read_session(app.state.engine) as session:
        before = session.exec(select(Hall)).one().model_dump()
    assert where(client.patch("/api/v1/hall", json={field: None})) == [("body", field)]
    with read_session(app.state.engine) as session:
        assert session.exec(select(Hall)).one().model_dump() == before
    cleared = client.patch("/api/v1/hall", json={"go_live": None})  # go_live may be cleared
    assert cleared.status_code == 200 and cleared.json()["go_live"] is None


def test_patch_window_refuses_null_a_post(app: FastAPI, client: TestClient) -> None:
    assert where(client.patch("/api/v1/windows/3", json={"a_post": None})) == [("body", "a_post")]
    assert where(client.patch("/api/v1/windows/3", json={"name": None})) == [("body", "name")]
    assert client.get("/api/v1/windows/3").json()["a_post"] == "RS001"
    cleared = client.patch("/api/v1/windows/3", json={"b_post": None})  # the B post may go
    assert cleared.status_code == 200 and cleared.json()["b_post"] is None


def test_patch_staff_unit_and_service_refuse_null(client: TestClient) -> None:
    assert where(client.patch("/api/v1/staff/ZW001", json={"pin": None})) == [("body", "pin")]
    assert where(client.patch("/api/v1/units/SCJ", json={"name": None})) == [("body", "name")]
    service = client.patch("/api/v1/services/consult", json={"open_to": None})
    assert where(service) == [("body", "open_to")]
    assert client.patch("/api/v1/staff/ZW001", json={"end_date": None}).status_code == 200


SERVICE = {"code": "night", "name": "夜间", "prefix": "N"}


def test_times_with_an_offset_are_refused(client: TestClient) -> None:
    given = client.post("/api/v1/services", json=SERVICE | {"open_from": "08:00:00+08:00"})
    assert where(given) == [("body", "open_from")]
    assert "without an offset" in given.text
    patched = client.patch("/api/v1/services/consult", json={"open_to": "17:00Z"})
    assert where(patched) == [("body", "open_to")]
    slots = [{"name": "in", "due": "09:00+08:00"}, {"name": "out", "due": "18:00"}]
    schedule = client.put("/api/v1/schedules/night", json={"slots": slots})
    assert schedule.status_code == 422 and "without an offset" in schedule.text
    assert client.post("/api/v1/services", json=SERVICE | {"open_from": "08:00"}).status_code == 201


def test_times_with_an_offset_are_refused_in_the_hall_file() -> None:
    data = tomllib.loads(REPO_CONFIG.read_text("utf-8"))
    data["services"][0]["open_from"] = "08:00:00+08:00"
    with pytest.raises(ConfigError) as info:
        parse_config(data, "hall.toml")
    assert [key for key, _ in info.value.problems] == ["services[0].open_from"]


def deep(levels: int) -> bytes:
    return b'{"service": ' + b"[" * levels + b"]" * levels + b"}"


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/units", "/api/v1/windows/3/finish"])
def test_deeply_nested_json_is_refused(client: TestClient, path: str) -> None:
    headers = {"content-type": "application/json"}
    response = client.post(path, content=deep(100_000), headers=headers)
    assert where(response) == [("body",)]
    assert f"deeper than {MAX_JSON_DEPTH} levels" in response.text
    # Within the limit the route judges the body as usual.
    assert client.post(path, content=deep(MAX_JSON_DEPTH - 1), headers=headers).status_code == 422


def test_depth_ignores_brackets_inside_strings() -> None:
    assert not too_deep(b'{"note": "' + b"[" * 100 + b'\\"' + b"{" * 100 + b'"}')
    assert too_deep(b"[" * (MAX_JSON_DEPTH + 1))
    assert not too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"[[]]" * 50)


@pytest.mark.parametrize("name", ["张\t三", "张三\n", "李\r四", "王\x00五", "赵\u2028六"])
def test_staff_names_with_control_characters_are_refused(
    app: FastAPI, client: TestClient, name: str
) -> None:
    created = client.post("/api/v1/staff", json=NEW_STAFF | {"name": name})
    assert where(created) == [("body", "name")]
    assert "control characters" in created.text
    assert where(client.patch("/api/v1/staff/ZW001", json={"name": name})) == [("body", "name")]
    with read_session(app.state.engine) as session:
        assert session.exec(select(Staff).where(Staff.staff_no == "T01")).first() is None
    assert sync_adms(app, client)["skipped"] == []  # every terminal takes the whole list


def sync_adms(app: FastAPI, client: TestClient) -> dict[str, Any]:
    """Ask an approved ADMS terminal for the staff list."""
    with write_session(app.state.engine) as session:
        session.add(Device(serial="T1", protocol="adms", approved=True))
    response = client.post("/api/v1/devices/T1/sync-users")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_name_stored_before_the_check_skips_only_that_person(
    app: FastAPI, client: TestClient
) -> None:
    with write_session(app.state.engine) as session:
        everyone = len(session.exec(select(Staff)).all())
        session.add(Staff(**NEW_STAFF, name="张\t三"))  # as the API took it before
    synced = sync_adms(app, client)
    assert synced["queued"] == everyone
    assert len(synced["skipped"]) == 1 and synced["skipped"][0].startswith("PIN 9001: name")


def test_staff_names_with_control_characters_are_refused_in_the_hall_file() -> None:
    data = tomllib.loads(REPO_CONFIG.read_text("utf-8"))
    data["staff"][2]["name"] = "张\t三"
    with pytest.raises(ConfigError) as info:
        parse_config(data, "hall.toml")
    assert [key for key, _ in info.value.problems] == ["staff[2].name"]


def test_staff_names_with_control_characters_are_rejected_by_the_import(
    app: FastAPI, tmp_path: Path
) -> None:
    path = tmp_path / "staff.csv"
    path.write_text(
        '工号,姓名,考勤号,派驻单位,人员类别\nNEW01,"张\t三",7001,SCJ,聘用\n'
        'NEW02,"李\n四",7002,SCJ,聘用\nNEW03,王五,7003,SCJ,聘用\n',
        encoding="utf-8",
    )
    with write_session(app.state.engine) as session:
        result = import_staff(session, path)
    assert result.created == 1
    assert [(r.line, r.reason.split(":")[0]) for r in result.rejected] == [
        (2, "name"),
        (3, "name"),
    ]


def test_window_name_is_one_line(app: FastAPI, client: TestClient) -> None:
    assert where(client.patch("/api/v1/windows/3", json={"name": "3号\n窗口"})) == [
        ("body", "name")
    ]
    with read_session(app.state.engine) as session:
        assert "\n" not in session.exec(select(Window).where(Window.number == 3)).one().name


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_past_the_calendar_are_refused(client: TestClient, day: str) -> None:
    span = {"date_from": day, "date_to": day}
    assert where(client.get("/api/v1/attendance/days", params=span)) == [
        ("query", "date_from"),
        ("query", "date_to"),
    ]
    assert where(client.get("/api/v1/calendar", params=span))[0] == ("query", "date_from")
    assert where(client.put(f"/api/v1/holidays/{day}", json={"workday": True})) == [("path", "day")]
    assert where(client.get(f"/api/v1/attendance/duty/{day}")) == [("path", "day")]
    makeup = {"staff_no": "ZW001", "date": day, "slot": "am_in"}
    assert where(client.post("/api/v1/attendance/makeups", json=makeup)) == [("body", "date")]
    away = {"window": 3, "start": f"{day}T00:00"}
    refused = client.post("/api/v1/attendance/away", json=away)
    assert refused.status_code == 422 and "is not between 1900-01-01" in refused.text
    month = client.get(f"/api/v1/attendance/months/{day[:7]}")
    assert month.status_code == 422 and "1900-01 to 2999-12" in month.text
