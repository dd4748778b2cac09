"""Supervises one terminal: download the log, then listen for live punches; reconnect with
exponential backoff; log one line when the terminal goes down and one when it recovers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from devices.errors import DeviceUnavailable
from devices.events import BadRecord, Punch
from devices.zk.adapter import ZKClient

log = logging.getLogger(__name__)


class ZKPoller:
    """Runs until ``stop`` is set; hands punches (and bad records) to callbacks."""

    def __init__(
        self,
        make_client: Callable[[], ZKClient],
        on_punches: Callable[[Sequence[Punch]], None],
        *,
        on_bad: Callable[[Sequence[BadRecord]], None] | None = None,
        on_connect: Callable[[ZKClient], None] | None = None,
        listen: bool = True,
        poll_interval: float = 300.0,
        keepalive: float = 60.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 300.0,
    ) -> None:
        self._make_client = make_client
        self._on_punches = on_punches
        self._on_bad = on_bad or (lambda bad: None)
        self._on_connect = on_connect or (lambda client: None)
        self._listen = listen
        self._poll_interval = poll_interval
        self._keepalive = keepalive
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self.available: bool | None = None  # None until the first attempt
        self.last_error: str | None = None

    def run(self, stop: threading.Event) -> None:
        """Supervise the terminal until ``stop`` is set."""
        backoff = self._backoff_initial
        while not stop.is_set():
            client = self._make_client()
            try:
                client.connect()
                self._cycle(client, stop)
                backoff = self._backoff_initial
            except DeviceUnavailable as exc:
                self._down(client, exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, self._backoff_max)
            finally:
                client.close()

    def _cycle(self, client: ZKClient, stop: threading.Event) -> None:
        """Catch up with the stored log, then take live events until stop or failure."""
        self._on_connect(client)  # e.g. check the clock before trusting the log's times
        result = client.read_attendance()
        self._hand(result.punches, result.bad)
        self._up(client)
        if not self._listen:
            stop.wait(self._poll_interval)
            return
        client.start_live()
        quiet_since = time.monotonic()
        while not stop.is_set():
            events = client.read_events(timeout=1.0)
            if events:
                quiet_since = time.monotonic()
                self._hand(
                    [e for e in events if isinstance(e, Punch)],
                    [e for e in events if isinstance(e, BadRecord)],
                )
            elif time.monotonic() - quiet_since >= self._keepalive:
                client.get_time()  # a dead link only shows when we ask something
                quiet_since = time.monotonic()

    def _hand(self, punches: Sequence[Punch], bad: Sequence[BadRecord]) -> None:
        if punches:
            self._on_punches(punches)
        if bad:
            self._on_bad(bad)

    def _up(self, client: ZKClient) -> None:
        if self.available is not True:
            if self.available is False:
                log.info("zk %s is back", client.device_sn)
            self.available = True
            self.last_error = None

    def _down(self, client: ZKClient, exc: DeviceUnavailable) -> None:
        self.last_error = str(exc)
        if self.available is not False:
            log.warning("zk %s unavailable: %s", client.device_sn, exc)
            self.available = False
