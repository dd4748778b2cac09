"""Download 100,000 40-byte records from the ZK simulator with our client and with pyzk 0.9.

Run: .venv/bin/python bench/zk_download.py [--records 100000] [--transport tcp|udp]
Prints both times and the ratio.  Targets: at least 10x faster than pyzk, under 2 s.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zk import ZK  # noqa: E402

from devices.zk.adapter import ZKClient, ZKSettings  # noqa: E402
from tests.helpers.live_server import free_port  # noqa: E402


def start_simulator(port: int, records: int) -> subprocess.Popen[bytes]:
    """The simulator in its own process, as a real terminal would be: no shared GIL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "devices.zk.simulator", "--port", str(port),
         "--records", str(records), "--users", "50", "--record-size", "40"],
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("simulator did not start")


def main() -> None:
    """Run both downloads against one simulator and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--transport", choices=("tcp", "udp"), default="tcp")
    args = parser.parse_args()
    udp = args.transport == "udp"
    port = free_port()
    sim = start_simulator(port, args.records)
    try:
        settings = ZKSettings(
            "127.0.0.1", port, transport=args.transport, timeout=10.0, transfer_timeout=120.0
        )
        with ZKClient(settings) as client:
            client.read_sizes()  # warm-up: the simulator builds its table on first use
            client.read_attendance()
        started = time.perf_counter()
        with ZKClient(settings) as client:
            log = client.read_attendance()
        ours = time.perf_counter() - started
        assert len(log.punches) == args.records and not log.bad, "adapter lost records"

        started = time.perf_counter()
        conn = ZK("127.0.0.1", port, timeout=60, ommit_ping=True, force_udp=udp).connect()
        try:
            attendance = conn.get_attendance()
        finally:
            conn.disconnect()
        theirs = time.perf_counter() - started
        assert len(attendance) == args.records, "pyzk lost records"
    finally:
        sim.terminate()
        sim.wait(timeout=10)

    print(f"records:            {args.records} (40-byte, {args.transport})")
    print(f"hallkeeper adapter: {ours:.3f} s")
    print(f"pyzk 0.9:           {theirs:.3f} s")
    print(f"ratio:              {theirs / ours:.1f}x faster")
    print(
        f"targets:            >=10x {'met' if theirs / ours >= 10 else 'MISSED'}, "
        f"<2 s {'met' if ours < 2 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
