"""Refusals carry a code and their message in Chinese and English (pages show their own)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers.queue import act, take


def test_nobody_waiting_in_both_languages(client: TestClient) -> None:
    answer = client.post("/api/v1/windows/8/call-next")
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "nobody_waiting"
    assert body["detail"].startswith("nobody is waiting for window 8")
    assert body["message"]["en"] == body["detail"]
    assert body["message"]["zh"].startswith("8号窗口（") and "当前无人等候" in body["message"]["zh"]


def test_a_refused_state_step_in_both_languages(client: TestClient) -> None:
    take(client, "consult")
    act(client, 8, "call-next")
    answer = client.post("/api/v1/windows/8/pause")
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "window_pause_refused" and "cannot pause" in body["detail"]
    assert body["message"]["zh"] == (
        "8号窗口当前为“办理中”，不能暂停服务：只有空闲的窗口可以暂停（请先办结当前号）"
    )
    finish = client.post("/api/v1/windows/8/finish", json={"outcome": "done"})
    assert finish.status_code == 409 and "请先开始办理" in finish.json()["message"]["zh"]
    unknown = client.post("/api/v1/windows/99/call-next")
    assert unknown.status_code == 404 and unknown.json()["message"]["zh"] == "没有99号窗口"
