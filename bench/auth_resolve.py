"""Benchmark: resolving a request's caller when the credential cache holds its credential.

    .venv/bin/python bench/auth_resolve.py

Every request that carries a machine key (a kiosk, a keypad bridge, a board) or a person's
bearer token resolves its caller on the event loop (`hallbase.auth.resolve.aresolve`); a
credential verified in the last few seconds is answered from memory, without the database.
Microseconds per request, the best of five rounds of 20,000 fresh requests, in this process
(the app built on SQLite in a temporary folder, as `hallkeeper serve` builds it). Prints
figures; not a test.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from queue_hall import credentials, hall_clock
from starlette.requests import Request

from hallbase.auth.resolve import aresolve
from hallbase.settings import load_settings
from hallkeeper.app import create_app

ROUNDS, REQUESTS = 5, 20_000


async def measure(data_dir: str) -> None:
    """Time `aresolve` for a held machine key and a held bearer token."""
    app = create_app(load_settings(data_dir=Path(data_dir), database_url="", mqtt_url=""))
    app.state.clock = hall_clock()  # the day the credentials are made for
    async with app.router.lifespan_context(app):
        made = await asyncio.to_thread(credentials, data_dir)
        for name, header in (
            ("machine key", (b"x-hall-key", made.kiosk.encode())),
            ("bearer token", (b"authorization", f"Bearer {made.admin}".encode())),
        ):
            scope = {"type": "http", "app": app, "method": "POST", "path": "/api/v1/tickets",
                     "query_string": b"", "headers": [(b"host", b"hall"), header]}  # fmt: skip
            # A fresh scope each time: a request keeps its caller in its own scope's state.
            first = await aresolve(Request({**scope}))  # looked up once, then held
            assert first.problem is None, first
            best = float("inf")
            for _ in range(ROUNDS):
                requests = [Request({**scope}) for _ in range(REQUESTS)]
                started = time.perf_counter()
                for request in requests:
                    await aresolve(request)
                best = min(best, (time.perf_counter() - started) / REQUESTS * 1e6)
            print(f"{name:12s}  {best:6.2f} us per request (held in the cache)")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="auth-resolve-") as folder:
        asyncio.run(measure(folder))
