"""Queue load benchmark: 20 kiosks take tickets while 40 windows call, against the real app
served by uvicorn on SQLite (WAL, synchronous=FULL) in a temporary directory. Prints figures;
it is not a test.

    .venv/bin/python bench/queue_load.py [--seconds 20] [--kiosks 20] [--windows 40]
        [--rate TICKETS_PER_S --service-ms MS] [--http auto|h11|httptools] [--loop ...]

Two ways to load the hall, both real HTTP requests to the real app:

- closed loop (default, a stress test): every kiosk takes its next ticket as soon as the last
  one is answered, and every window loops call-next -> start -> finish with no pause. The
  latency is then (clients in flight) / (throughput): it measures capacity, not responsiveness.
- paced (``--rate 300 --service-ms 1000``): the kiosks together take ``--rate`` tickets a
  second at fixed instants, latency counted from the instant a ticket was due (a server that
  falls behind is charged for it); each window calls as soon as someone waits (it polls
  call-next every 20 ms while nobody does) and serves each citizen for ``--service-ms``
  between start and finish; the windows open staggered over one service time, as a real
  hall's windows are not in step.

The kiosks send a kiosk's machine key and the windows a keypad bridge's (made in the server's
database at the start, as `hallkeeper key` would); the board's event stream is the public one.

With ``--report-staff 5000`` the server's database first gets 5,000 more staff and their
month of punches (as bench/attendance_month.py makes them), and a report job for that month's
XLSX sheet is started over the API just before the load: the figures are then the floor's
while the sheet is built (by the service's report worker process); the job's time is printed.

Figures: tickets per second, p50/p99 latency of issuing and of calling, and the time from a
call request until the hall board's SSE stream delivers that call (p50/p99); the server's CPU
per request, split between the event loop thread and the others (the SQLite writer). Targets
(issue 5): >= 300 tickets/s, p99 <= 50 ms, SSE p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from bench_common import Sampler, cpu_seconds
from queue_hall import ROOT, SERVICES, Api, Credentials, credentials, hall_clock, setup_hall


def serve(data_dir: str, port: int, http: str, loop: str) -> None:
    """Child process: the app on uvicorn, its clock running from START."""
    sys.path.insert(0, str(ROOT))
    import uvicorn

    from hallbase.settings import load_settings
    from hallkeeper.app import create_app, settle_heap

    settings = load_settings(data_dir=Path(data_dir), database_url="", mqtt_url="")
    app = create_app(settings)
    app.state.clock = hall_clock()
    settle_heap()  # as `hallkeeper serve` does
    if os.environ.get("QUEUE_BENCH_PROFILE"):
        Sampler(Path(os.environ["QUEUE_BENCH_PROFILE"]))
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="critical",
        access_log=False,
        http=http,  # "auto": httptools when installed (uvicorn[standard]), else h11
        loop=loop,  # "auto": uvloop when installed, else asyncio
        timeout_graceful_shutdown=2,
    )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(
    base: str,
    keys: Credentials,
    seconds: float,
    kiosks: int,
    window_numbers: list[int],
    server: int,
    rate: float,
    service_s: float,
) -> None:
    stop = threading.Event()
    board_stop = threading.Event()  # later than `stop`: calls in flight still reach the board
    lock = threading.Lock()
    issue_ms: list[float] = []
    call_ms: list[float] = []
    other_ms: list[float] = []
    # By ticket code: the board is public and hears codes and windows, not ids.
    call_sent: dict[str, float] = {}
    call_answered: dict[str, float] = {}
    sse_seen: dict[str, float] = {}
    errors: list[str] = []
    empty_calls = [0]
    sse_ready = threading.Event()

    def board() -> None:
        try:
            watch_board()
        except httpx.HTTPError:
            if not board_stop.is_set():
                raise

    def watch_board() -> None:
        with (
            httpx.Client(base_url=base, timeout=httpx.Timeout(5, read=30)) as c,
            c.stream("GET", "/api/v1/events") as stream,
        ):
            sse_ready.set()
            kind = None
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "ticket.called":
                    got = time.perf_counter()
                    data = json.loads(line[6:])
                    with lock:
                        sse_seen[data["code"]] = got
                if board_stop.is_set():
                    return

    def kiosk(k: int) -> None:
        api = Api(base, keys.kiosk)
        i = 0
        # Paced: this kiosk's tickets are due at fixed instants; latency counts from the due
        # instant, so a server that falls behind is charged for the wait (no coordinated
        # omission). Closed loop: the next ticket as soon as the last one is answered.
        interval = kiosks / rate if rate else 0.0
        due = time.perf_counter() + interval * k / kiosks
        while not stop.is_set():
            service = SERVICES[(k + i) % len(SERVICES)]
            i += 1
            if interval:
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                t0 = due
                due += interval
            else:
                t0 = time.perf_counter()
            status, text = api.post("/api/v1/tickets", {"service": service})
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                if status == 201:
                    issue_ms.append(ms)
                else:
                    errors.append(f"issue {status} {text[:100]}")
        api.close()

    def window(n: int, index: int) -> None:
        api = Api(base, keys.keypads)
        if service_s:
            # Windows open one after another across one service time: with the same fixed
            # service time they would otherwise all call, start and finish in the same instant.
            time.sleep(service_s * index / len(window_numbers))
        while not stop.is_set():
            t0 = time.perf_counter()
            status, text = api.post(f"/api/v1/windows/{n}/call-next")
            ms = (time.perf_counter() - t0) * 1000
            if status == 409 and "nobody is waiting" in text:
                with lock:
                    empty_calls[0] += 1
                time.sleep(0.02)
                continue
            if status != 200:
                with lock:
                    errors.append(f"call {status} {text[:100]}")
                continue
            ticket_id = json.loads(text)["code"]
            with lock:
                call_ms.append(ms)
                call_sent[ticket_id] = t0
                call_answered[ticket_id] = t0 + ms / 1000
            for action in ("start", "finish"):
                if action == "finish" and service_s:
                    time.sleep(service_s)  # the citizen at the window
                t1 = time.perf_counter()
                status, text = api.post(f"/api/v1/windows/{n}/{action}")
                with lock:
                    other_ms.append((time.perf_counter() - t1) * 1000)
                    if status != 200:
                        errors.append(f"{action} {status} {text[:100]}")
        api.close()

    sse = threading.Thread(target=board, daemon=True)
    sse.start()
    sse_ready.wait(10)
    threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(kiosks)]
    threads += [threading.Thread(target=window, args=(n, i)) for i, n in enumerate(window_numbers)]
    started = time.perf_counter()
    server_cpu, client_cpu = cpu_seconds(server), cpu_seconds(os.getpid())
    loop_cpu = cpu_seconds(server, server)  # uvicorn runs the event loop in the main thread
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads[:kiosks]:
        t.join(30)
    # Tickets per second over the kiosks' own run: paced windows may still be serving their
    # last citizen (one service time) after the kiosks have stopped.
    kiosk_elapsed = time.perf_counter() - started
    for t in threads[kiosks:]:
        t.join(30)
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(server) - server_cpu
    loop_cpu = cpu_seconds(server, server) - loop_cpu
    client_cpu = cpu_seconds(os.getpid()) - client_cpu
    time.sleep(1.0)  # let the last SSE events arrive
    board_stop.set()
    sse_ms = [(sse_seen[i] - sent) * 1000 for i, sent in call_sent.items() if i in sse_seen]
    bus_ms = [(sse_seen[i] - done) * 1000 for i, done in call_answered.items() if i in sse_seen]

    pace = f"kiosks paced at {rate:g} tickets/s" if rate else "kiosks closed loop"
    pace += f", service {service_s * 1000:g} ms" if service_s else ", windows closed loop"
    print(
        f"duration            {elapsed:.1f} s, {kiosks} kiosks, {len(window_numbers)} windows "
        f"({pace})"
    )
    print(f"tickets issued      {len(issue_ms)}  ({len(issue_ms) / kiosk_elapsed:.1f} tickets/s)")
    print(f"issue latency       p50 {pct(issue_ms, 0.5):.1f} ms  p99 {pct(issue_ms, 0.99):.1f} ms")
    print(
        f"calls               {len(call_ms)}  ({len(call_ms) / elapsed:.1f} calls/s), "
        f"{empty_calls[0]} found nobody waiting"
    )
    print(f"call latency        p50 {pct(call_ms, 0.5):.1f} ms  p99 {pct(call_ms, 0.99):.1f} ms")
    print(f"start/finish        p50 {pct(other_ms, 0.5):.1f} ms  p99 {pct(other_ms, 0.99):.1f} ms")
    print(
        f"call -> SSE board   p50 {pct(sse_ms, 0.5):.1f} ms  p99 {pct(sse_ms, 0.99):.1f} ms "
        f"({len(sse_ms)}/{len(call_sent)} calls seen)"
    )
    print(
        f"  after call answer p50 {pct(bus_ms, 0.5):.1f} ms  p99 {pct(bus_ms, 0.99):.1f} ms "
        "(negative: the board heard it before the window had its answer)"
    )
    total = len(issue_ms) + len(call_ms) + len(other_ms) + empty_calls[0]
    print(f"requests            {total} ({total / elapsed:.1f}/s), errors {len(errors)}")
    print(
        f"server CPU/request  {server_cpu / max(1, total) * 1000:.2f} ms "
        f"(event loop thread {loop_cpu / max(1, total) * 1000:.2f} ms, "
        f"other threads {(server_cpu - loop_cpu) / max(1, total) * 1000:.2f} ms)"
    )
    print(
        f"CPU used            server {server_cpu / elapsed:.2f} cores, "
        f"load generator {client_cpu / elapsed:.2f} cores, machine has {os.cpu_count()}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for line in errors[:5]:
        print("   ", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="paced: the kiosks together take this many tickets/s (0: closed loop)",
    )
    parser.add_argument(
        "--service-ms",
        type=float,
        default=0,
        help="paced windows: a citizen's service lasts this long between start and finish",
    )
    parser.add_argument("--http", default="auto", choices=("auto", "h11", "httptools"))
    parser.add_argument("--loop", default="auto", choices=("auto", "asyncio", "uvloop"))
    parser.add_argument(
        "--report-staff",
        type=int,
        default=0,
        help="build this many staff's month sheet (a report job) while the load runs",
    )
    parser.add_argument("--serve", nargs=2, metavar=("DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]), args.http, args.loop)
        return
    with tempfile.TemporaryDirectory(prefix="queue-load-") as data_dir:
        sys.path.insert(0, str(ROOT))
        from tests.helpers.live_server import free_port

        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, __file__, "--serve", data_dir, str(port)]
        command += ["--http", args.http, "--loop", args.loop]
        child = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or child.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            keys = credentials(data_dir)
            numbers = setup_hall(base, args.windows, keys.admin)
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from bench_common import ReportWatch

            report = ReportWatch(base, keys.admin, data_dir, args.report_staff)
            run(
                base,
                keys,
                args.seconds,
                args.kiosks,
                numbers,
                child.pid,
                args.rate,
                args.service_ms / 1000,
            )
            report.finish()
        finally:
            child.terminate()
            child.wait(10)


if __name__ == "__main__":
    main()
