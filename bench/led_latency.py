"""LED latency: from a window's call to the call's frame on the window board's serial line.

    .venv/bin/python bench/led_latency.py [--calls 300]

The LED bus simulator (`devices.led.simulator.BoardBusSimulator`) runs in this process on a
real pty; the service runs in its own process (uvicorn, SQLite in a temporary directory, its
clock running from a working Monday 09:00) with the shipped hall file plus a
``[queue_devices]`` section: ``led_bus`` is the simulator's pty and window 3's board is at
address 3 (no hall board, so the call is the only frame it makes). Each round takes a ticket,
calls it to window 3 over real HTTP (``POST /api/v1/windows/3/call-next``), waits for the frame
carrying the ticket's code at address 3, then marks the ticket a no-show, waits for the
window's state frame and for the bus's minimum gap to pass, so that the next call finds the
bus free. Both sides read the same monotonic clock (CLOCK_MONOTONIC is system-wide): the
latency runs from just before the call's POST to the moment the simulator read the first byte
of the frame from the pty. A pty has no wire time: on a real line at ``led_baudrate`` each
byte adds 10 bit times (1.04 ms at 9600 8N1), printed below for the frame measured.

The board bus also resends every board's content every 15 s, and a call that comes right
after a resend waits for the gap (250 ms): such calls are counted and shown apart.
Target: p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_common import pct  # noqa: E402

from devices.led.simulator import BoardBusSimulator, ReceivedFrame  # noqa: E402
from tests.helpers.live_server import free_port  # noqa: E402

START = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a working Monday
WINDOW = 3
MIN_GAP_MS = 250  # the section's default led_min_gap_ms, written out
BAUD = 9600


def serve(data_dir: str, port: int) -> None:
    """Child process: the app on uvicorn with an admin account, its clock running from START."""
    import uvicorn

    from hallbase.settings import load_settings
    from hallkeeper.app import create_app, settle_heap
    from tests.helpers.auth import add_account, api_token

    settings = load_settings(
        data_dir=Path(data_dir), database_url="", mqtt_url="", config=Path(data_dir) / "hall.toml"
    )
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
        timeout_graceful_shutdown=2,
    )


def hall_file(data_dir: Path, led_path: str) -> None:
    """The shipped hall file with window 3's board on the simulator's bus."""
    text = (ROOT / "config" / "hall.toml").read_text("utf-8")
    text += f"""
[queue_devices]
led_bus = "{led_path}"
led_baudrate = {BAUD}
led_min_gap_ms = {MIN_GAP_MS}

[[queue_devices.windows]]
number = {WINDOW}
board = {WINDOW}
"""
    (data_dir / "hall.toml").write_text(text, "utf-8")


def wait_frame(
    sim: BoardBusSimulator, after: int, wanted: str | None, timeout: float = 10.0
) -> tuple[ReceivedFrame, int]:
    """The first frame at WINDOW from index ``after`` on whose text holds ``wanted`` (None:
    any), and the index after it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = sim.frames
        for index in range(after, len(frames)):
            got = frames[index]
            if got.frame.address == WINDOW and (wanted is None or wanted in got.frame.text):
                return got, index + 1
        time.sleep(0.0005)
    raise SystemExit(f"no frame with {wanted!r} at address {WINDOW} within {timeout} s")


def run(base: str, token: str, sim: BoardBusSimulator, calls: int) -> None:
    """``calls`` rounds of take, call, frame seen, no-show, state frame seen, gap."""
    to_frame: list[float] = []  # calls that found the bus free
    after_resend: list[float] = []  # calls that came within the gap after another frame
    to_answer: list[float] = []
    answer_to_frame: list[float] = []  # the device path alone: HTTP answer -> first byte
    length = 0
    headers = {"Authorization": f"Bearer {token}"}
    load_before = os.getloadavg()
    with httpx.Client(base_url=base, headers=headers, timeout=10) as api:
        _, seen = wait_frame(sim, 0, None)  # the window's state, shown at start-up
        time.sleep(MIN_GAP_MS / 1000 + 0.05)
        for _ in range(calls):
            api.post("/api/v1/tickets", json={"service": "social_security"}).raise_for_status()
            seen_before = seen = len(sim.frames)
            last_end = sim.frames[-1].end if seen else float("-inf")
            started = time.monotonic()
            called = api.post(f"/api/v1/windows/{WINDOW}/call-next")
            answered = time.monotonic()
            called.raise_for_status()
            code = str(called.json()["code"])
            frame, seen = wait_frame(sim, seen, code)
            # another frame (a resend) ended less than the gap before the call, or came
            # between the call and its frame: the call's frame had to wait for the gap
            busy = last_end > started - MIN_GAP_MS / 1000 or any(
                f.start < frame.start for f in sim.frames[seen_before:] if f is not frame
            )
            (after_resend if busy else to_frame).append((frame.start - started) * 1000)
            to_answer.append((answered - started) * 1000)
            answer_to_frame.append((frame.start - answered) * 1000)
            length = len(frame.frame.text.encode("gbk")) + 3
            api.post(f"/api/v1/windows/{WINDOW}/no-show").raise_for_status()
            _, seen = wait_frame(sim, seen, None)  # the window is free again
            time.sleep(MIN_GAP_MS / 1000 + 0.02)
    load_after = os.getloadavg()

    def line(name: str, values: list[float]) -> str:
        if not values:
            return f"{name:<34} (none)"
        return (
            f"{name:<34} p50 {statistics.median(values):6.1f} ms  p99 {pct(values, 0.99):6.1f} ms"
            f"  max {max(values):6.1f} ms  ({len(values)} calls)"
        )

    print(line("call -> first byte at the board", to_frame))
    print(line("  same, call just after a resend", after_resend))
    print(line("  all calls", to_frame + after_resend))
    print(line("call -> HTTP answer", to_answer))
    print(line("HTTP answer -> first byte", answer_to_frame))
    print(
        f"frame {length} bytes: on a real {BAUD} 8N1 line add {length * 10 / BAUD * 1000:.1f} ms "
        f"until its last byte (the first byte: {10 / BAUD * 1000:.2f} ms)"
    )
    gaps = [v.gap * 1000 for v in sim.violations]
    print(
        f"frames closer than {MIN_GAP_MS} ms at the simulator: {len(gaps)}"
        + (f", the closest {min(gaps):.1f} ms apart" if gaps else "")
        + " (the writer waits the gap after each write has returned, on its own clock; the"
        " simulator stamps a frame when its thread gets to read it, late on a loaded machine,"
        " so its gaps can read short)"
    )
    print(
        f"load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
        f"{load_after[2]:.2f}; {os.cpu_count()} CPUs"
    )
    print("target: p99 <= 50 ms from the call to the first byte at the board")


def main() -> None:
    """Start the simulator and the service, run the rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--serve", nargs=2, metavar=("DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with (
        tempfile.TemporaryDirectory(prefix="led-bench-") as data,
        BoardBusSimulator(min_gap=MIN_GAP_MS / 1000) as sim,
    ):
        hall_file(Path(data), sim.path)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", data, str(port)], cwd=ROOT, env=env
        )
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
                    if time.monotonic() > deadline or child.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.1)
            run(base, token.read_text(), sim, args.calls)
        finally:
            child.terminate()
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


if __name__ == "__main__":
    main()
