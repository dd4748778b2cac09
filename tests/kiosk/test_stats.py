"""Statistics on a known scenario, and the CSV / XLSX exports."""

from __future__ import annotations

import csv
import io

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from kiosk.stats import p90
from tests.helpers.queue import Clock, act, rating_pad, take

RATING = {"attitude": 4, "quality": 5, "efficiency": 3, "integrity": 5, "overall": 4}


def _serve(client: TestClient, clock: Clock, window: int, wait: int, service: int) -> None:
    clock.advance(minutes=wait)
    act(client, window, "call-next")
    act(client, window, "start")
    clock.advance(minutes=service)
    act(client, window, "finish")


def test_known_scenario(app: FastAPI, client: TestClient, clock: Clock) -> None:
    # 09:00 three social-security tickets; window 3 (RS001) serves them one after another.
    a, b, _c = (take(client, "social_security") for _ in range(3))
    _serve(client, clock, 3, wait=4, service=6)  # a: wait 4, service 6 (ends 09:10)
    _serve(client, clock, 3, wait=2, service=10)  # b: wait 12, service 10 (ends 09:22)
    clock.advance(minutes=3)
    act(client, 3, "call-next")  # c: wait 25
    act(client, 3, "no-show")
    pad = rating_pad(app, 3)
    client.post(f"/api/v1/tickets/{a['id']}/rating", json=RATING, headers=pad)
    client.post(f"/api/v1/tickets/{b['id']}/rating", json=RATING | {"overall": 2}, headers=pad)
    # 09:25 a committed item at window 1 (SC001), served at once for 5 minutes, then transferred.
    d = take(client, "company_setup")
    _serve(client, clock, 1, wait=0, service=5)
    take(client, "company_setup")
    act(client, 1, "call-next")
    act(client, 1, "start")
    act(client, 1, "transfer", to_window=2)

    by_service = {r["key"]: r for r in client.get("/api/v1/stats?by=service").json()["data"]}
    social = by_service["social_security"]
    assert (social["tickets"], social["called"], social["served"], social["no_shows"]) == (
        3,
        3,
        2,
        1,
    )
    assert social["wait_mean_min"] == round((4 + 12 + 25) / 3, 2)
    assert social["wait_p90_min"] == 25.0
    assert social["service_mean_min"] == 8.0 and social["service_p90_min"] == 10.0
    assert social["ratings"] == 2 and social["rating_overall"] == 3.0
    assert social["rating_efficiency"] == 3.0
    company = by_service["company_setup"]
    assert company["transfers"] == 1 and company["committed"] == 1
    assert company["on_time_rate"] is None  # not completed and not yet due
    # the leg waiting at window 2 is a transfer leg, not a ticket taken
    assert by_service["license_change"]["tickets"] == 0
    assert by_service["license_change"]["transfer_legs"] == 1

    by_window = {r["key"]: r for r in client.get("/api/v1/stats?by=window").json()["data"]}
    assert by_window[3]["served"] == 2 and by_window[1]["transfers"] == 1
    by_staff = {r["key"]: r for r in client.get("/api/v1/stats?by=staff").json()["data"]}
    assert set(by_staff) == {"RS001", "SC001"}
    by_hour = {r["key"]: r for r in client.get("/api/v1/stats?by=hour").json()["data"]}
    assert list(by_hour) == [9] and by_hour[9]["tickets"] == 5  # tickets taken
    assert by_hour[9]["transfer_legs"] == 1

    # The committed item is completed late: the on-time rate falls to 0.
    items = client.get("/api/v1/committed-items").json()["data"]
    [item] = [i for i in items if i["ticket_id"] == d["id"]]
    clock.now = clock.now.replace(day=30)
    client.post(f"/api/v1/committed-items/{item['id']}/complete")
    rows = client.get("/api/v1/stats?by=service&from=2026-11-23&to=2026-11-23").json()["data"]
    company = next(r for r in rows if r["key"] == "company_setup")
    assert (company["committed_late"], company["on_time_rate"]) == (1, 0.0)


def test_a_ticket_transferred_there_and_back_counts_once(client: TestClient, clock: Clock) -> None:
    # Three tickets; the first goes from window 3 to window 7 and comes back to window 3.
    for _ in range(3):
        take(client, "social_security")
    act(client, 3, "call-next")
    act(client, 3, "start")
    act(client, 3, "transfer", to_window=7, come_back=True)
    act(client, 7, "call-next")
    act(client, 7, "start")
    act(client, 7, "finish")  # back to window 3: a third leg of the same number
    act(client, 3, "call-next")
    act(client, 3, "start")
    act(client, 3, "finish")
    rows = {r["key"]: r for r in client.get("/api/v1/stats?by=service").json()["data"]}
    social, consult = rows["social_security"], rows["consult"]  # window 7 serves consult first
    assert (social["tickets"], social["transfer_legs"], social["transfers"]) == (3, 1, 1)
    assert (consult["tickets"], consult["transfer_legs"]) == (0, 1)
    assert sum(r["tickets"] for r in rows.values()) == 3  # not 5: legs are not tickets taken
    [hour] = client.get("/api/v1/stats?by=hour").json()["data"]
    assert (hour["tickets"], hour["transfer_legs"]) == (3, 2)
    export = client.get("/api/v1/stats/export.csv?by=service").content.decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(export)))
    [line] = [row for row in lines if row[-1] == "social_security"]
    assert (header[1], line[1]) == ("取号数", "3")
    at = header.index("转办续号数")
    assert (line[at], line[header.index("转办数")]) == ("1", "1")


def test_exports(client: TestClient, clock: Clock) -> None:
    take(client, "consult")
    _serve(client, clock, 8, wait=3, service=4)
    text = client.get("/api/v1/stats/export.csv?by=window").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["窗口", "取号数", "叫号数"] and rows[0][-1] == "窗口号"
    assert rows[1][0] == "8号窗口 投诉" and rows[1][-1] == "8"
    services = client.get("/api/v1/stats/export.csv").content.decode("utf-8-sig")
    by_service = list(csv.reader(io.StringIO(services)))
    assert by_service[1][0] == "咨询服务" and by_service[1][-1] == "consult"  # the Chinese name
    english = client.get("/api/v1/stats/export.csv?lang=en").content.decode("utf-8-sig")
    assert english.startswith("Service,Tickets,Called")
    xlsx = client.get("/api/v1/stats/export.xlsx?by=staff")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][0] == "工作人员" and values[1][0] == "胡晓燕" and values[1][8] == 3
    assert values[0][-1] == "工号" and values[1][-1] == "ZW004"
    by_staff = client.get("/api/v1/stats?by=staff").json()["data"]
    assert by_staff[0]["key"] == "ZW004" and by_staff[0]["name"]["zh"] == "胡晓燕"
    bad = client.get("/api/v1/stats?from=2026-11-24&to=2026-11-23")
    assert bad.status_code == 422 and "before" in bad.json()["detail"]


def test_p90_nearest_rank() -> None:
    assert p90([]) is None
    assert p90([5.0]) == 5.0
    assert p90([float(i) for i in range(1, 11)]) == 9.0
    assert p90([float(i) for i in range(1, 12)]) == 10.0
