"""Numbers per service prefix per business day, restarting at the configured hour."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kiosk.numbering import business_day, ticket_code
from tests.helpers.queue import SHANGHAI, Clock, take


def test_business_day_and_code() -> None:
    late = datetime(2026, 11, 24, 2, 59, tzinfo=SHANGHAI)
    assert business_day(late, SHANGHAI, 3).isoformat() == "2026-11-23"
    assert business_day(late.replace(hour=3), SHANGHAI, 3).isoformat() == "2026-11-24"
    assert business_day(late, SHANGHAI, 0).isoformat() == "2026-11-24"
    assert (ticket_code("A", 7), ticket_code("B", 1234)) == ("A007", "B1234")


def test_numbers_per_prefix_restart_at_reset_hour(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    app.state.queue_config = replace(app.state.queue_config, reset_hour=6)
    for code in ("consult", "social_security"):
        patched = client.patch(
            f"/api/v1/services/{code}", json={"open_from": "00:00", "open_to": "23:59"}
        )
        assert patched.status_code == 200
    clock.set_local(23, 50)
    assert take(client, "consult")["code"] == "Z001"
    assert take(client, "social_security")["code"] == "C001"
    clock.set_local(0, 10, day=24)  # after midnight, before the 06:00 reset: same business day
    after_midnight = take(client, "consult")
    assert after_midnight["code"] == "Z002" and after_midnight["day"] == "2026-11-23"
    clock.set_local(5, 59)
    assert take(client, "consult")["code"] == "Z003"
    clock.set_local(6, 0)
    fresh = take(client, "consult")
    assert fresh["code"] == "Z001" and fresh["day"] == "2026-11-24"
    assert take(client, "social_security")["code"] == "C001"
    # Yesterday's waiting tickets are not called today.
    called = client.post("/api/v1/windows/8/call-next").json()
    assert called["id"] == fresh["id"]
