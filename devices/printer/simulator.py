"""A network ESC/POS printer on TCP: records every byte, recovers the text, answers DLE EOT.

Run it alone with ``python -m devices.printer.simulator --port 9100``; tests use it as a
context manager on port 0.  Its state (paper, cover, offline, errors, silent) can be changed
while it runs, and :meth:`PrinterSimulator.drop_connections` imitates a printer that closes
its connections.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import selectors
import socket
import threading
import time
from dataclasses import dataclass
from typing import Literal

from devices.common.worker import BackgroundWorker
from devices.printer.recorder import PrintRecorder
from devices.printer.status import status_byte

log = logging.getLogger(__name__)
MALFORMED_ANSWER = 0xFF  # not of the 0xx1xx10 shape


@dataclass(frozen=True, slots=True)
class SimulatedState:
    """What the simulated printer reports; ``silent`` answers nothing, ``malformed`` garbage;
    ``late`` = (n, seconds): the answer to ``DLE EOT n`` comes that much later (a busy printer)."""

    paper: Literal["ok", "near_end", "out"] = "ok"
    cover_open: bool = False
    offline: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    silent: bool = False
    malformed: bool = False
    late: tuple[int, float] | None = None

    def answer(self, n: int) -> bytes:
        """The reply to ``DLE EOT n`` in this state."""
        if self.silent or n not in (1, 2, 3, 4):
            return b""
        if self.malformed:
            return bytes([MALFORMED_ANSWER])
        out = self.paper == "out"
        error = self.cutter_error or self.unrecoverable_error
        flags = {
            "offline": self.offline or self.cover_open or out or error,
            "cover_open": self.cover_open,
            "paper_stop": out,
            "error": error,
            "cutter_error": self.cutter_error,
            "unrecoverable_error": self.unrecoverable_error,
            "paper_near_end": self.paper != "ok",
            "paper_end": out,
        }
        return bytes([status_byte(n, **flags)])


class PrinterSimulator(BackgroundWorker, PrintRecorder):
    """A TCP printer on a background thread; every attribute read is thread-safe (what it
    received and printed: `PrintRecorder`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, chinese_default: bool = False):
        BackgroundWorker.__init__(self, "printer-sim")
        PrintRecorder.__init__(self, chinese_default=chinese_default)
        self.host = host
        self._requested_port = port
        self._state = SimulatedState()
        self._clients: list[socket.socket] = []
        self._server: socket.socket | None = None
        self.port = port
        self.connections = 0

    def start(self) -> None:
        """Listen (on the port given, or the one chosen last time) and serve in a thread."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((self.host, self.port))
        server.listen(4)
        server.setblocking(False)
        self.port = server.getsockname()[1]
        self._server = server
        self._start_thread()

    def stop(self) -> None:
        """Close the listener and every connection; join the thread."""
        self._stop_thread()

    def set_state(self, **changes: object) -> None:
        """Change the reported state, e.g. ``set_state(paper="out")``."""
        with self._lock:
            self._state = dataclasses.replace(self._state, **changes)  # type: ignore[arg-type]

    @property
    def state(self) -> SimulatedState:
        """The state reported now."""
        with self._lock:
            return self._state

    def drop_connections(self) -> None:
        """Close every open connection, as a printer that restarts or times out idle links."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            # shutdown first so the peer sees the close even while the thread holds the fd
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        assert self._server is not None
        selector = selectors.DefaultSelector()
        selector.register(self._server, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                for key, _ in selector.select(timeout=0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._server:
                        self._accept(selector)
                    else:
                        self._receive(selector, sock)
        finally:
            for key in list(selector.get_map().values()):
                fileobj = key.fileobj
                assert isinstance(fileobj, socket.socket)
                fileobj.close()
            selector.close()
            with self._lock:
                self._clients = []

    def _accept(self, selector: selectors.BaseSelector) -> None:
        assert self._server is not None
        try:
            client, _ = self._server.accept()
        except BlockingIOError:
            return
        client.setblocking(False)
        selector.register(client, selectors.EVENT_READ)
        with self._lock:
            self._clients.append(client)
            self.connections += 1

    def _receive(self, selector: selectors.BaseSelector, client: socket.socket) -> None:
        try:
            data = client.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            selector.unregister(client)
            client.close()
            with self._lock:
                if client in self._clients:
                    self._clients.remove(client)
            return
        queries = self._record(data)
        with self._lock:
            state = self._state
        late_n, delay = state.late or (0, 0.0)
        replies = b"".join(state.answer(n) for n in queries if n != late_n)
        if late_n in queries:
            timer = threading.Timer(delay, _send, (client, state.answer(late_n)))
            timer.daemon = True
            timer.start()
        _send(client, replies)


def _send(client: socket.socket, data: bytes) -> None:
    if data:
        with contextlib.suppress(OSError):  # the adapter has gone: nobody to answer
            client.sendall(data)


def main(argv: list[str] | None = None) -> None:
    """Run a simulated printer until interrupted, logging each ticket it cuts."""
    parser = argparse.ArgumentParser(description="Simulated ESC/POS network printer")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--paper", choices=["ok", "near_end", "out"], default="ok")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sim = PrinterSimulator(args.host, args.port)
    sim.set_state(paper=args.paper)
    with sim:
        log.info("simulated printer listening on %s:%d", args.host, sim.port)
        seen = 0
        try:
            while True:
                time.sleep(0.2)
                jobs = sim.jobs
                for job in jobs[seen:]:
                    log.info("printed:\n%s", job)
                seen = len(jobs)
        except KeyboardInterrupt:
            log.info("stopped after %d cuts", sim.cuts)


if __name__ == "__main__":
    main()
