"""An ADMS terminal that pushes to a real HTTP server, using only the standard library.

It behaves as a terminal does: handshake, ATTLOG/OPERLOG uploads resent after ``ErrorDelay``
until the answer is ``OK``, ``getrequest`` polls every ``Delay`` seconds, commands run
against its own user table with results posted to ``devicecmd``, and its clock set from the
HTTP ``Date`` header. A reboot (``reboot``, or a ``REBOOT`` command) or a lost connection
makes it handshake again. ``push_version="3.1.2"`` speaks the newer PUSH firmware's
start (``POST /iclock/registry``, then ``POST /iclock/push`` for the options, and
``/iclock/ping``); ``aspx=True`` appends ``.aspx`` to every path, as some models do.
Run it in a thread (``start``/``stop``) or from the command line::

    python -m devices.adms.simulator --url http://127.0.0.1:8000 --sn SIM0001 --script -
"""

from __future__ import annotations

import http.client
import logging
import re
import sys
import threading
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

from devices.adms.sim_device import Batch, SimUser, Table, TerminalState
from devices.adms.text import DEFAULT_ZONE, decode_text, validate_sn
from devices.errors import ProtocolError

_log = logging.getLogger(__name__)
_COMMAND_RE = re.compile(r"C:(\d+):(.*)")
_MAX_BATCHES_PER_CYCLE = 100


class AdmsTerminal:
    """A simulated ADMS terminal pushing to ``base_url`` (e.g. ``http://127.0.0.1:8000``)."""

    def __init__(
        self,
        base_url: str,
        sn: str,
        *,
        zone: tzinfo = DEFAULT_ZONE,
        clock: datetime | None = None,
        encoding: str = "utf-8",
        batch_size: int = 50,
        poll_interval: float | None = None,
        error_delay: float | None = None,
        timeout: float = 5.0,
        push_version: str = "2.4.1",
        aspx: bool = False,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base URL {base_url!r} is not an http(s) URL")
        self.sn = validate_sn(sn)
        self.zone = zone
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._encoding = encoding
        self._batch_size = batch_size
        self._poll_override = poll_interval
        self._error_override = error_delay
        self._push3 = push_version.split(".", 1)[0].isdigit() and int(push_version[0]) >= 3
        self._push_version = push_version
        self._suffix = ".aspx" if aspx else ""
        self._timeout = timeout
        self._lock = threading.Lock()
        self._state = TerminalState(self.sn)
        if clock is not None and clock.utcoffset() is None:
            raise ValueError(f"clock must be timezone-aware: {clock!r}")
        self._offset = timedelta(0) if clock is None else clock - datetime.now(UTC)
        self._registered = False
        self._pending_results: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.options: dict[str, str] = {}
        self.handshakes = 0
        self.registry_code: str | None = None
        self.pings = 0
        self.refused: list[str] = []  # answers other than the expected ones, newest last

    # --- the terminal's keypad and clock -------------------------------------------------

    def now(self) -> datetime:
        """The terminal's clock as an aware time in its zone."""
        return (datetime.now(UTC) + self._offset).astimezone(self.zone)

    def add_punch(
        self,
        pin: str,
        when: datetime | None = None,
        *,
        status: int = 0,
        verify: int = 1,
        workcode: str = "0",
    ) -> None:
        """Record a punch; ``when`` is aware, or naive terminal-local; None means now."""
        moment = self.now() if when is None else when
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.zone)
        with self._lock:
            self._state.add_punch(pin, moment.replace(tzinfo=None), status, verify, workcode)

    def enroll(self, pin: str, name: str) -> None:
        """Enroll a user at the keypad (uploaded in OPERLOG)."""
        with self._lock:
            self._state.enroll(pin, name, self.now().replace(tzinfo=None))

    @property
    def users(self) -> dict[str, SimUser]:
        """A copy of the terminal's user table."""
        with self._lock:
            return dict(self._state.users)

    @property
    def undelivered(self) -> int:
        """How many ATTLOG records the server has not acknowledged yet."""
        with self._lock:
            table = self._state.attlog
            return len(table.records) - table.cursor + len(table.requeue)

    # --- HTTP -----------------------------------------------------------------------------

    def _request(self, method: str, path: str, params: dict[str, str], body: bytes = b"") -> str:
        conn_type = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = conn_type(self._host, self._port, timeout=self._timeout)
        target = f"{self._prefix}{path}{self._suffix}?{urlencode({'SN': self.sn, **params})}"
        headers = {"User-Agent": "iClock Proxy/1.09", "Content-Type": "text/plain"}
        try:
            conn.request(method, target, body=body if method == "POST" else None, headers=headers)
            response = conn.getresponse()
            data = response.read(1 << 20)
            date = response.getheader("Date")
            status = response.status
        finally:
            conn.close()
        if date:
            self._set_clock(date)
        text = decode_text(data)
        if status != 200:
            self.refused.append(f"{method} {path}: HTTP {status}: {text[:200]}")
            return f"HTTP {status}: {text[:200]}"
        return text

    def _set_clock(self, header: str) -> None:
        try:
            server = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            _log.warning("terminal %s: ignoring unreadable Date header %r", self.sn, header)
            return
        if server.tzinfo is None:
            server = server.replace(tzinfo=UTC)
        self._offset = server - datetime.now(UTC)

    def _option_seconds(self, key: str, default: float) -> float:
        try:
            return max(0.0, float(self.options.get(key, default)))
        except ValueError:
            return default

    @property
    def error_delay(self) -> float:
        """Seconds to wait before resending after a failure (the server's ErrorDelay)."""
        if self._error_override is not None:
            return self._error_override
        return self._option_seconds("ErrorDelay", 30.0)

    @property
    def poll_interval(self) -> float:
        """Seconds between getrequest polls (the server's Delay, unless overridden)."""
        if self._poll_override is not None:
            return self._poll_override
        return self._option_seconds("Delay", 10.0)

    def reboot(self) -> None:
        """A power cut or a restart: the records stay, and the next cycle handshakes again."""
        self._registered = False

    def _register(self) -> dict[str, str]:
        """PUSH 3.x: ``POST /iclock/registry`` with the device's parameters, then
        ``POST /iclock/push`` for the server's options."""
        info = f"DeviceType=att,~DeviceName=HallKeeper-Sim,PushVersion={self._push_version}"
        text = self._request("POST", "/iclock/registry", {}, info.encode())
        code = _key_values(text).get("RegistryCode")
        if not code:
            raise ProtocolError(f"registry answer has no RegistryCode: {text[:80]!r}")
        self.registry_code = code
        options = _key_values(self._request("POST", "/iclock/push", {}))
        if "ServerVersion" not in options:
            raise ProtocolError(f"push answer is not options: {options!r}")
        return options

    def ping(self) -> None:
        """``GET /iclock/ping``: PUSH 3.x firmware's keep-alive."""
        text = self._request("GET", "/iclock/ping", {})
        if text.strip() != "OK":
            raise ProtocolError(f"ping answer is not OK: {text[:80]!r}")
        self.pings += 1

    def handshake(self) -> None:
        """``GET /iclock/cdata?options=all``: read options and resume from the server's stamps."""
        params = {"options": "all", "pushver": self._push_version}
        text = self._request("GET", "/iclock/cdata", params)
        lines = text.splitlines()
        if not lines or not lines[0].startswith("GET OPTION FROM"):
            raise ProtocolError(f"handshake answer is not options: {text[:80]!r}")
        options = _key_values("\n".join(lines[1:]))
        if self._push3:
            options.update(self._register())
        with self._lock:
            for table, key in (
                (self._state.attlog, "ATTLOGStamp"),
                (self._state.operlog, "OPERLOGStamp"),
            ):
                value = options.get(key, "None")
                table.resume_from(int(value) if value.isdigit() else None)
        self.options = options
        self.handshakes += 1
        self._registered = True

    def _push(self, table: Table) -> bool:
        """Upload ``table`` batch by batch; False when the server did not answer OK."""
        for _ in range(_MAX_BATCHES_PER_CYCLE):
            with self._lock:
                batch: Batch | None = table.next_batch(self._batch_size)
            if batch is None:
                return True
            params = {"table": batch.table, "Stamp": str(batch.stamp)}
            answer = self._request("POST", "/iclock/cdata", params, batch.body(self._encoding))
            if answer.strip() != "OK":
                _log.info(
                    "terminal %s: %s batch not accepted: %r", self.sn, batch.table, answer[:80]
                )
                return False
            with self._lock:
                table.acknowledge(batch)
        return True

    def poll(self) -> None:
        """``GET /iclock/getrequest``, run the commands, post results to ``devicecmd``."""
        text = self._request("GET", "/iclock/getrequest", {})
        with self._lock:
            for line in text.splitlines():
                match = _COMMAND_RE.fullmatch(line.strip("\r"))
                if match is None:
                    continue
                outcome = self._state.execute(match.group(2))
                result = f"ID={match.group(1)}&Return={outcome.return_code}&CMD={outcome.cmd}"
                self._pending_results.append("\n".join((result, *outcome.details)))
            results = list(self._pending_results)
        if results:
            body = ("\n".join(results) + "\n").encode(self._encoding)
            # Results stay pending until the server acknowledges them.
            if self._request("POST", "/iclock/devicecmd", {}, body).strip() == "OK":
                with self._lock:
                    del self._pending_results[: len(results)]

    def run_cycle(self) -> float:
        """One handshake-if-needed, upload and poll round; returns the seconds to wait next."""
        if not self._registered:
            self.handshake()
        if self._push3:
            self.ping()
        if not self._push(self._state.attlog) or not self._push(self._state.operlog):
            return self.error_delay
        self.poll()
        with self._lock:
            if self._state.reboot_requested:
                self._state.reboot_requested = False
                self._registered = False
        return self.poll_interval

    # --- thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        down = False
        while not self._stop.is_set():
            try:
                delay = self.run_cycle()
                if down:
                    _log.warning("terminal %s: server reachable again", self.sn)
                    down = False
            except (OSError, http.client.HTTPException, ProtocolError) as exc:
                if not down:
                    _log.warning("terminal %s: server unreachable: %s", self.sn, exc)
                    down = True
                self._registered = False
                delay = self.error_delay
            except Exception:
                # A simulator bug must not end the thread silently; log and keep pushing.
                _log.exception("terminal %s: unexpected error", self.sn)
                self._registered = False
                delay = self.error_delay
            self._stop.wait(delay)

    def start(self) -> None:
        """Run the terminal in a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("terminal already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"adms-{self.sn}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait for it (an HTTP call in flight ends within ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None


def _key_values(text: str) -> dict[str, str]:
    """``key=value`` lines of an answer."""
    options: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            options[key.strip()] = value.strip()
    return options


if __name__ == "__main__":
    from devices.adms.sim_cli import main

    sys.exit(main())
