"""Announcement latency: from a window's call to its audio in the hall board's hands.

    .venv/bin/python bench/announce_latency.py [--calls 300]

The service runs in its own process (uvicorn, SQLite in a temporary directory, its clock
running from a working Monday 09:00) with the shipped voice clips. The benchmark listens to
``/api/v1/events`` as the public hall board does; each round takes a ticket, calls it to
window 3 (``POST /windows/3/call-next``), waits for its ``voice.ready`` event, fetches the WAV
at the event's URL, and marks the ticket a no-show so the window is free again. Figures
(median, p99, max): from just before the call's POST to the ``voice.ready`` event, and to the
whole WAV fetched. Target: p99 <= 200 ms to the audio fetched.
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from bench_common import pct

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a working Monday
ADMIN_PASSWORD = "bench-announce-password"


def serve(data_dir: str, port: int) -> None:
    """Child process: the app on uvicorn with an admin account, its clock running from START."""
    sys.path.insert(0, str(ROOT))
    import uvicorn

    from hallbase.settings import load_settings
    from hallkeeper.app import create_app, settle_heap
    from tests.helpers.auth import add_account, api_token

    settings = load_settings(data_dir=Path(data_dir), database_url="", mqtt_url="")
    app = create_app(settings)
    origin = time.monotonic()
    app.state.clock = lambda: START.astimezone(UTC) + timedelta(seconds=time.monotonic() - origin)
    add_account(app, "admin", "admin")
    (Path(data_dir) / "token").write_text(api_token(app, "admin"))
    settle_heap()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="critical",
        access_log=False,
        timeout_graceful_shutdown=2,  # the board's stream never ends by itself
    )


def listen(base: str, ready: queue.Queue[tuple[float, dict[str, object]]]) -> None:
    """The hall board: every voice.ready event with the moment it arrived (until the
    service stops)."""
    try:
        with (
            httpx.Client(base_url=base, timeout=None) as board,
            board.stream("GET", "/api/v1/events") as stream,
        ):
            kind = None
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "voice.ready":
                    ready.put((time.perf_counter(), json.loads(line[6:])))
    except httpx.HTTPError:
        return  # the service stopped at the end of the run


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--serve", nargs=2, metavar=("DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    sys.path.insert(0, str(ROOT))
    from tests.helpers.live_server import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="announce-bench-") as data:
        child = subprocess.Popen([sys.executable, __file__, "--serve", data, str(port)], cwd=ROOT)
        try:
            token = Path(data) / "token"
            deadline = time.monotonic() + 60
            while not token.exists() or not token.read_text():
                if time.monotonic() > deadline or child.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            run(base, token.read_text(), args.calls)
        finally:
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def run(base: str, token: str, calls: int) -> None:
    """``calls`` rounds of take, call, hear, fetch, no-show."""
    ready: queue.Queue[tuple[float, dict[str, object]]] = queue.Queue()
    threading.Thread(target=listen, args=(base, ready), daemon=True).start()
    to_event: list[float] = []
    to_audio: list[float] = []
    seconds = 0.0
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as api:
        time.sleep(0.5)  # the board's stream is open
        for _ in range(calls):
            taken = api.post("/api/v1/tickets", json={"service": "social_security"})
            taken.raise_for_status()
            started = time.perf_counter()
            called = api.post("/api/v1/windows/3/call-next")
            called.raise_for_status()
            code = called.json()["code"]
            while True:
                heard, event = ready.get(timeout=10)
                if event["code"] == code:
                    break
            audio = api.get(str(event["url"]))
            audio.raise_for_status()
            fetched = time.perf_counter()
            with wave.open(BytesIO(audio.content)) as wav:
                seconds = wav.getnframes() / wav.getframerate()
            to_event.append((heard - started) * 1000)
            to_audio.append((fetched - started) * 1000)
            api.post("/api/v1/windows/3/no-show").raise_for_status()
    for name, values in (("call -> voice.ready", to_event), ("call -> WAV fetched", to_audio)):
        print(
            f"{name:<22} median {statistics.median(values):6.1f} ms  "
            f"p99 {pct(values, 0.99):6.1f} ms  max {max(values):6.1f} ms  ({len(values)} calls)"
        )
    print(f"last announcement: {seconds:.2f} s of audio; target p99 <= 200 ms to the WAV fetched")


if __name__ == "__main__":
    main()
