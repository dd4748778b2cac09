"""Stopping the service while pages listen to the event stream."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers.live_server import free_port
from tests.helpers.waiting import wait_until


def _healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return conn.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def test_sigterm_with_an_open_event_stream_exits_promptly(tmp_path: Path) -> None:
    """SIGTERM ends the SSE streams, so the server stops and runs its shutdown within seconds."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLKEEPER_")}
    env["HALLKEEPER_DATA_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hallkeeper", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stream = None
    try:
        wait_until(lambda: proc.poll() is not None or _healthy(port), timeout=60)
        assert proc.poll() is None, "the service did not start"
        stream = socket.create_connection(("127.0.0.1", port), timeout=10)
        stream.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
        head = b""
        while b"retry:" not in head:
            chunk = stream.recv(4096)
            assert chunk, "the event stream closed before it began"
            head += chunk
        assert head.startswith(b"HTTP/1.1 200")
        stopped_at = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise AssertionError("the service was still running 15 s after SIGTERM") from None
        assert time.monotonic() - stopped_at < 15
        # The stream was ended by the server (a clean end of the response), not cut off.
        rest = b""
        while chunk := stream.recv(4096):
            rest += chunk
        assert rest.endswith(b"0\r\n\r\n"), rest[-200:]
    finally:
        if stream is not None:
            stream.close()
        if proc.poll() is None:
            proc.kill()
        output = proc.communicate(timeout=20)[0]
    assert "Application shutdown complete" in output, output[-2000:]


def test_systemd_waits_longer_than_the_graceful_shutdown() -> None:
    """systemd must not kill the service (skipping its shutdown) before uvicorn gives up."""
    from hallkeeper.cli import SHUTDOWN_GRACE_SECONDS

    unit = (Path(__file__).resolve().parents[2] / "deploy" / "hallkeeper.service").read_text()
    values = dict(
        line.split("=", 1) for line in unit.splitlines() if "=" in line and line[0] != "#"
    )
    assert int(values["TimeoutStopSec"]) > SHUTDOWN_GRACE_SECONDS + 5
