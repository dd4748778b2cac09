"""The hall the queue benchmarks load: its services, its day, its clock, the credentials its
kiosks and keypad bridges send, and its windows. Shared by `queue_load` and `auth_resolve`."""

from __future__ import annotations

import http.client
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import monotonic
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVICES = (
    "company_setup",
    "license_change",
    "social_security",
    "household",
    "housing_fund",
    "real_estate",
    "consult",
)
# A working Monday at 09:00 in the hall: every service is open.
START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def hall_clock() -> Callable[[], datetime]:
    """The app's clock for a run: START now, running on from there."""
    origin = monotonic()
    return lambda: START.astimezone(UTC) + timedelta(seconds=monotonic() - origin)


class Api:
    """One keep-alive HTTP/1.1 connection (stdlib: a lighter client than httpx, so that the
    load generator takes less of the machine the server runs on), sending a machine key."""

    def __init__(self, base: str, key: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self._conn = http.client.HTTPConnection(host, int(port), timeout=10)
        self._key = key

    def post(self, path: str, body: dict[str, object] | None = None) -> tuple[int, str]:
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        headers["X-Hall-Key"] = self._key
        self._conn.request("POST", path, body=data, headers=headers)
        response = self._conn.getresponse()
        return response.status, response.read().decode()

    def close(self) -> None:
        self._conn.close()


@dataclass(frozen=True)
class Credentials:
    """An administrator's bearer token (setting up), the kiosks' key and the keypad bridge's."""

    admin: str
    kiosk: str
    keypads: str


def credentials(data_dir: str) -> Credentials:
    """Made in the server's database (after it migrated it), as `hallkeeper user/key` would."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_common import bearer_token

    from hallbase.auth import Actor, Scope, keys
    from hallbase.db import make_engine, write_session
    from hallbase.settings import load_settings

    settings = load_settings(data_dir=Path(data_dir), database_url="", mqtt_url="")
    secret, actor, now = settings.auth_secret, Actor("cli", "bench"), START.astimezone(UTC)
    engine = make_engine(settings.effective_database_url)
    try:
        token = bearer_token(engine, settings, now)
        with write_session(engine) as session:
            made = {
                kind: keys.create_key(
                    session,
                    secret,
                    actor,
                    now,
                    kind=kind,
                    name=f"bench {kind}",
                    scope=Scope("hall"),
                )[1]
                for kind in ("kiosk", "keypad_bridge")
            }
    finally:
        engine.dispose()
    return Credentials(token, made["kiosk"], made["keypad_bridge"])


def setup_hall(base: str, windows: int, admin: str) -> list[int]:
    """Lift the daily quotas and add windows up to ``windows``, each serving two services."""
    auth = {"Authorization": f"Bearer {admin}"}
    with httpx.Client(base_url=base, timeout=10, headers=auth) as api:
        for code in SERVICES:
            api.patch(f"/api/v1/services/{code}", json={"daily_quota": None}).raise_for_status()
        existing = [w["number"] for w in api.get("/api/v1/windows").json()["data"]]
        staff = [s["staff_no"] for s in api.get("/api/v1/staff").json()["data"]]
        number = max(existing) + 1
        while len(existing) < windows:
            services = [SERVICES[number % 7], SERVICES[(number + 3) % 7]]
            body = {
                "number": number,
                "name": f"{number}号窗口",
                "services": services,
                "a_post": staff[number % len(staff)],
            }
            api.post("/api/v1/windows", json=body).raise_for_status()
            existing.append(number)
            number += 1
        return existing[:windows]
