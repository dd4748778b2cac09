"""Shutdown of `hallkeeper serve` with 10 and 50 simulated ZK terminals (SIGTERM to exit).

For each count: that many ZKSimulator terminals, each on its own port with ``--records``
punches in its log (users of the shipped hall's staff pins), listed as ``zk_tcp`` devices in a
copy of the shipped hall file; the service (SQLite in a temporary folder) starts as a
subprocess and reads every log; once every terminal has a session listening for live
punches (synced), SIGTERM is sent and the time until the process has exited is measured.
``--slow`` makes every terminal answer that many seconds late once synced (a slow link: one
by one, each goodbye would wait that long). Printed per count: time to sync, time to exit,
and any terminal left disabled (a terminal is disabled while its log is read; none may stay
so). Target: exit within the terminals' stop bound (10 s) whatever the count; none disabled.

    .venv/bin/python bench/shutdown_terminals.py [--terminals 10 50] [--records 200] [--slow 0]
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import ROOT, machine, start_serve, wait_healthy

from devices.zk.simulator import ZKSimulator
from tests.helpers.live_server import free_port


def hall_file(directory: Path, sims: list[ZKSimulator]) -> Path:
    """The shipped hall file with ``sims`` as its ZK terminals."""
    text = (ROOT / "config" / "hall.toml").read_text("utf-8")
    for sim in sims:
        text += (
            f'\n[[devices]]\nserial = "{sim.device.serial}"\nprotocol = "zk_tcp"\n'
            f'address = "127.0.0.1:{sim.port}"\n'
        )
    path = directory / "hall.toml"
    path.write_text(text, "utf-8")
    return path


def wait(what: str, ready: Callable[[], bool], server: subprocess.Popen[bytes], t: float) -> None:
    """Wait until ``ready()`` (exit if the service dies or ``t`` seconds pass)."""
    deadline = time.monotonic() + t
    while not ready():
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit(f"{what}: not within {t:.0f} s")
        time.sleep(0.05)


def run(count: int, records: int, slow: float) -> None:
    """One service with ``count`` terminals: start, sync, SIGTERM; prints one line."""
    with ExitStack() as stack:
        directory = Path(tempfile.mkdtemp(prefix="hk-bench-stop-"))
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        sims = [ZKSimulator(serial=f"BENCH{i:05d}") for i in range(count)]
        for sim in sims:
            for uid, pin in enumerate(("1001", "1002", "1003", "1004", "1005"), start=1):
                sim.add_user(uid, pin)
            sim.generate_records(records)
            sim.start()
            stack.callback(sim.stop)
        port = free_port()
        config = str(hall_file(directory, sims))
        started = time.monotonic()
        server = start_serve(data_dir=str(directory), port=str(port), config=config)
        stack.callback(server.wait, timeout=5)
        stack.callback(server.kill)  # (after an exit it does nothing)
        wait_healthy(f"http://127.0.0.1:{port}", server)
        wait("every terminal synced", lambda: all(s.subscribers() for s in sims), server, 300)
        synced = time.monotonic() - started
        for sim in sims:
            sim.faults.delay = slow
        stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"{count} terminals: still running 120 s after SIGTERM") from None
        took = time.monotonic() - stopping
        disabled = [s.device.serial for s in sims if not s.enabled]
        print(
            f"{count:3d} terminals ({records} records each): synced {synced:5.1f} s after start; "
            f"SIGTERM to exit {took:5.2f} s (exit code {code}); "
            f"left disabled: {', '.join(disabled) or 'none'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--records", type=int, default=200, help="punches in each log")
    parser.add_argument("--slow", type=float, default=0.0, help="seconds late per answer")
    args = parser.parse_args()
    for count in args.terminals:
        run(count, args.records, args.slow)
    print(machine())


if __name__ == "__main__":
    main()
