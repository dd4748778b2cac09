"""A device link's health: the ``available`` flag and one log line when down, one when back."""

from __future__ import annotations

import logging


class LinkHealth:
    """Tracks whether a device answers; logs the first failure and the first recovery only.

    ``label`` names the device in the log (e.g. ``"LED bus /dev/ttyUSB0"``).  The caller's
    logger is used so that the records carry the device module's name.
    """

    def __init__(
        self,
        log: logging.Logger,
        label: str,
        *,
        recovered: str = "recovered",
        recovered_level: int = logging.INFO,
        connected: str | None = None,
    ) -> None:
        self.log = log
        self.label = label
        self.recovered = recovered
        self.recovered_level = recovered_level
        self.connected = connected
        self._available = False
        self._down_logged = False

    @property
    def available(self) -> bool:
        """True since the last success, False since the last failure (or before any)."""
        return self._available

    def down(self, exc: BaseException) -> None:
        """Record a failure; only the first of a run of failures is logged."""
        self._available = False
        if not self._down_logged:
            self.log.warning("%s unavailable: %s", self.label, exc)
            self._down_logged = True

    def up(self) -> None:
        """Record a success; logged once after a logged failure (debug on a first connect)."""
        self._available = True
        if self._down_logged:
            self.log.log(self.recovered_level, "%s %s", self.label, self.recovered)
            self._down_logged = False
        elif self.connected is not None:
            self.log.debug("%s %s", self.label, self.connected)

    def clear(self) -> None:
        """Not available any more (closed on purpose): nothing is logged."""
        self._available = False
