"""Print latency benchmark: from a kiosk tap (``POST /api/v1/tickets`` with a kiosk's machine
key, real HTTP to the real app on uvicorn, SQLite in a temporary directory) to the first byte
of that ticket's job at the simulated network printer (its ``DLE EOT`` status query, which
starts every job), and to the ticket's first byte (``ESC @``). Prints figures; it is not a test.

    .venv/bin/python bench/print_latency.py [--tickets 200] [--gap-ms 50] [--raster]

Taps are sequential, ``--gap-ms`` apart, so each one measures the path of one ticket through
the event bus, the printer's thread and its link, not a queue of jobs. ``--raster`` gives the
printer the POS-5890 profile (the QR code as a ``GS v 0`` image instead of ``GS ( k``).
Target (issue 18): p99 <= 100 ms to the first byte.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_common import pct

from devices.printer.simulator import PrinterSimulator
from hallbase.hallconfig.printers import PrinterEntry
from hallbase.hallconfig.queue_devices import QueueDevicesSection
from hallbase.settings import load_settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import install_queue_devices
from tests.helpers.auth import machine_key
from tests.helpers.live_server import live_server
from tests.helpers.queue import MONDAY_9AM, Clock

INIT = b"\x1b@"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--gap-ms", type=float, default=50)
    parser.add_argument("--raster", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, PrinterSimulator(chinese_default=True) as sim:
        settings = load_settings(
            data_dir=Path(tmp), database_url="", mqtt_url="", public_url="https://hall.example.cn"
        )
        profile = "POS-5890" if args.raster else "generic"
        printer = PrinterEntry(
            name="P1", address=f"127.0.0.1:{sim.port}", profile=profile, kiosks=("kiosk-1",)
        )
        section = QueueDevicesSection(printer_poll_s=0, printers=(printer,))
        app = create_app(settings, clock=Clock(MONDAY_9AM))
        install_queue_devices(app, section)
        first: list[float] = []
        ticket: list[float] = []
        with live_server(app) as url, httpx.Client(base_url=url, timeout=10) as client:
            key = machine_key(app, "kiosk", name="kiosk-1")
            headers = {"X-Hall-Key": key}
            services = ["social_security", "housing_fund", "consult", "company_setup"]
            for n in range(args.tickets):
                offset = len(sim.received)
                start = time.monotonic()
                body = {"service": services[n % len(services)]}
                answer = client.post("/api/v1/tickets", json=body, headers=headers)
                answer.raise_for_status()
                deadline = start + 5
                while (at := sim.first_byte_after(offset)) is None or INIT not in sim.received[
                    offset:
                ]:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"ticket {n}: nothing reached the printer in 5 s")
                    time.sleep(0.0005)
                first.append((at - start) * 1000)
                init = sim.received.index(INIT, offset)
                init_at = sim.first_byte_after(init)
                assert init_at is not None
                ticket.append((init_at - start) * 1000)
                time.sleep(args.gap_ms / 1000)
        print(
            f"{args.tickets} kiosk taps, {'raster' if args.raster else 'native'} QR, "
            f"printer on TCP (simulator), SQLite"
        )
        for name, values in (("first byte (status query)", first), ("ticket's ESC @", ticket)):
            print(
                f"  tap -> {name}: p50 {statistics.median(values):.1f} ms, "
                f"p99 {pct(values, 0.99):.1f} ms, max {max(values):.1f} ms"
            )
        p99 = pct(first, 0.99)
        print(f"target p99 <= 100 ms to the first byte: {'met' if p99 <= 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
