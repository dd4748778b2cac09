"""Transfers (下一个是××窗口): the citizen goes to the head of the next queue, and may return."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers.queue import act, take


def test_transfer_to_window_goes_to_head(client: TestClient) -> None:
    social = take(client, "social_security")
    waiting = [take(client, "housing_fund") for _ in range(2)]
    act(client, 3, "call-next")
    act(client, 3, "start")
    leg = act(client, 3, "transfer", to_window=5)
    assert leg["code"] == social["code"] and leg["status"] == "waiting"
    assert leg["service"] == "housing_fund" and leg["leg"] == 1 and leg["head"] is True
    old = client.get(f"/api/v1/tickets/{social['id']}").json()
    assert old["status"] == "finished" and old["outcome"] == "transferred"
    queue5 = client.get("/api/v1/windows/5/queue").json()["waiting"]
    assert [t["code"] for t in queue5] == ["C001", "E001", "E002"]
    # window 7 also serves housing_fund, but the leg was sent to window 5 only.
    assert [t["code"] for t in client.get("/api/v1/windows/7/queue").json()["waiting"]] == [
        "E001",
        "E002",
    ]
    assert act(client, 5, "call-next")["id"] == leg["id"]
    assert act(client, 5, "call-next".replace("call-next", "no-show"))["status"] == "no_show"
    assert act(client, 5, "call-next")["id"] == waiting[0]["id"]


def test_transfer_to_service_and_back(client: TestClient) -> None:
    take(client, "company_setup")
    take(client, "license_change")
    act(client, 1, "call-next")
    act(client, 1, "start")
    leg = act(client, 1, "transfer", to_service="license_change", come_back=True)
    assert leg["target_window"] is None and leg["return_window"] == 1
    # Window 2 serves license_change first: the transferred leg is ahead of B001.
    assert act(client, 2, "call-next")["id"] == leg["id"]
    act(client, 2, "start")
    act(client, 2, "finish")
    back = client.get("/api/v1/windows/1/queue").json()["waiting"][0]
    assert back["code"] == "A001" and back["service"] == "company_setup" and back["leg"] == 2
    assert back["target_window"] == 1
    assert act(client, 1, "call-next")["id"] == back["id"]


def test_transfer_event_says_next_window(client: TestClient) -> None:
    from fastapi import FastAPI

    app: FastAPI = client.app  # type: ignore[assignment]
    sub = app.state.bus.subscribe()
    take(client, "social_security")
    act(client, 3, "call-next")
    act(client, 3, "start")
    act(client, 3, "transfer", to_window=5)
    kinds = []
    while (event := sub.get(timeout=0.01)) is not None:
        kinds.append(event.kind)
        if event.kind == "ticket.transferred":
            assert event.data["text"] == {
                "zh": "下一个是5号窗口",
                "en": "Next, please go to window 5",
            }
    assert kinds.index("ticket.transferred") > kinds.index("ticket.started")
    app.state.bus.unsubscribe(sub)
