"""A small stdlib /iclock server for tests, built on devices.adms.protocol (tests only).

It stands in for the lead's FastAPI router so that the real simulator talks real HTTP over a
real socket. It records everything it receives and can be told how to answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from devices.adms import protocol as p
from devices.errors import ProtocolError
from devices.events import BadRecord, Punch


@dataclass
class Upload:
    """One POST to /iclock/cdata as received, with its arrival time."""

    query: p.UploadQuery
    body: bytes
    at: float


@dataclass
class IclockState:
    """What the server saw, and how it should answer."""

    options: p.HandshakeOptions = field(default_factory=p.HandshakeOptions)
    date_header: str | None = None
    attlog_answers: list[str] = field(default_factory=list)  # consumed first; then "OK"
    commands: list[str] = field(default_factory=list)  # answer text lines for the next poll
    handshakes: list[p.HandshakeQuery] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    punches: list[Punch] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    operlogs: list[p.OperLog] = field(default_factory=list)
    results: list[p.CommandResult] = field(default_factory=list)
    result_bodies: list[bytes] = field(default_factory=list)
    attlog_stamp: int | None = None
    polls: int = 0
    cond: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Wait until ``predicate`` holds; re-checked on every request and every 50 ms."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.cond.wait(min(remaining, 0.05))
            return True


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """Let a test fix the Date header the terminal sets its clock from."""
        fixed = self.server.state.date_header
        return fixed if fixed is not None else super().date_time_string(timestamp)

    def _answer(self, text: str, status: int = 200) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        state = self.server.state
        try:
            if url.path == "/iclock/cdata":
                hq = p.parse_handshake_query(url.query)
                with state.cond:
                    state.handshakes.append(hq)
                    opts = p.HandshakeOptions(
                        attlog_stamp=state.attlog_stamp,
                        error_delay=state.options.error_delay,
                        delay=state.options.delay,
                    )
                    state.cond.notify_all()
                self._answer(p.handshake_response(hq.sn, opts))
            elif url.path == "/iclock/getrequest":
                p.parse_poll_query(url.query)
                with state.cond:
                    lines, state.commands = state.commands, []
                    state.polls += 1
                    state.cond.notify_all()
                self._answer("\n".join(lines) + "\n" if lines else "OK")
            else:
                self._answer("not found", 404)
        except ProtocolError as exc:
            self._answer(str(exc), 400)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        state = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            if url.path == "/iclock/cdata":
                self._answer(self._upload(p.parse_upload_query(url.query), body))
            elif url.path == "/iclock/devicecmd":
                rq = p.parse_result_query(url.query)
                results, bad = p.parse_devicecmd(rq.sn, body)
                with state.cond:
                    state.results.extend(results)
                    state.result_bodies.append(body)
                    state.bad.extend(bad)
                    state.cond.notify_all()
                self._answer("OK")
            else:
                self._answer("not found", 404)
        except ProtocolError as exc:
            self._answer(str(exc), 400)

    def _upload(self, query: p.UploadQuery, body: bytes) -> str:
        state = self.server.state
        with state.cond:
            state.uploads.append(Upload(query, body, time.monotonic()))
            state.cond.notify_all()
            if query.table == "ATTLOG":
                answer = state.attlog_answers.pop(0) if state.attlog_answers else "OK"
                if answer == "OK":
                    punches, bad = p.parse_attlog(query.sn, body)
                    state.punches.extend(punches)
                    state.bad.extend(bad)
                    state.attlog_stamp = query.stamp
                return answer
            if query.table == "OPERLOG":
                state.operlogs.append(p.parse_operlog(query.sn, body))
            return "OK"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: IclockState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def running_server(state: IclockState) -> Iterator[str]:
    """Serve ``state`` on a free 127.0.0.1 port; yields the base URL."""
    server = _Server(state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
