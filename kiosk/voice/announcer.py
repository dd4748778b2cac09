"""Calls become announcements, one after another from one queue.

The `Announcer` listens on the event bus; for each call (``ticket.called``, ``ticket.recalled``)
it joins the call's clips into a WAV, keeps the last ones in memory for the hall board to fetch
(``/api/v1/voice/<id>.wav``), publishes ``voice.ready`` with that URL, and, when a player
command is configured, hands the WAV to the `Player`, which plays one announcement at a time
on the server's own sound device. Both follow the order of the calls on the bus, so nothing
cuts another off.
"""

from __future__ import annotations

import logging
import queue
import subprocess
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from hallbase.background import BackgroundLoop
from kiosk.events import EventBus, Published, Subscription
from kiosk.voice.clips import ClipSet, Joined
from kiosk.voice.reading import call_clips

log = logging.getLogger(__name__)
CALLS = frozenset({"ticket.called", "ticket.recalled"})
URL = "/api/v1/voice/{id}.wav"
PLAY_MARGIN_SECONDS = 10.0  # a player still running this long after its sound ends is killed


@dataclass(frozen=True, slots=True)
class Announcement:
    """One call's audio, and the bus event it answers."""

    id: int
    code: str
    window: int
    audio: Joined
    event_id: int
    made: float  # time.monotonic() when it was ready

    @property
    def url(self) -> str:
        """Where the hall board fetches it."""
        return URL.format(id=self.id)


class Player:
    """Plays announcements one at a time through a command that reads a WAV on its standard
    input (``aplay -q``); a failing command is logged and the next announcement plays."""

    def __init__(self, command: Sequence[str]) -> None:
        self.command = tuple(command)
        self.played = 0
        self._queue: queue.Queue[Announcement] = queue.Queue()
        self._background = BackgroundLoop("voice-player", self._run, stop_seconds=2.0)

    def start(self) -> None:
        """Start playing what is queued."""
        self._background.start()

    def stop(self) -> None:
        """Stop after the announcement playing now (it is cut off only at the stop timeout)."""
        self._background.stop()

    def play(self, announcement: Announcement) -> None:
        """Queue ``announcement`` behind the ones before it."""
        self._queue.put(announcement)

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            limit = item.audio.duration + PLAY_MARGIN_SECONDS
            try:
                done = subprocess.run(
                    self.command, input=item.audio.wav, capture_output=True, timeout=limit
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.warning("voice: playing %s on %s failed: %s", item.code, self.command[0], exc)
                continue
            if done.returncode != 0:
                error = done.stderr.decode(errors="replace").strip()[:200]
                log.warning(
                    "voice: %s exited %d playing %s: %s",
                    self.command[0],
                    done.returncode,
                    item.code,
                    error,
                )
            self.played += 1


class Announcer:
    """Turns calls on ``bus`` into announcements (a component: `start`, `stop`)."""

    def __init__(
        self,
        bus: EventBus,
        clips: ClipSet,
        *,
        gap_ms: int = 60,
        board: bool = True,
        player: Sequence[str] = (),
        keep: int = 200,
    ) -> None:
        self.bus = bus
        self.clips = clips
        self.gap_ms = gap_ms
        self.board = board
        self.player = Player(player) if player else None
        self._keep = keep
        self._kept: OrderedDict[int, Announcement] = OrderedDict()
        self._lock = threading.Lock()
        self._next_id = 1
        self._sub: Subscription | None = None
        self._background = BackgroundLoop("voice-announcer", self._run, stop_seconds=5.0)

    def start(self) -> None:
        """Listen for calls from now on."""
        self._sub = self.bus.subscribe()
        if self.player is not None:
            self.player.start()
        self._background.start()

    def stop(self) -> None:
        """Stop listening (and playing)."""
        self._background.stop()
        if self._sub is not None:
            self.bus.unsubscribe(self._sub)
            self._sub = None
        if self.player is not None:
            self.player.stop()

    def get(self, announcement_id: int) -> Announcement | None:
        """A kept announcement, or None when it is unknown or no longer kept."""
        with self._lock:
            return self._kept.get(announcement_id)

    def announce(self, event: Published) -> Announcement:
        """Make the announcement for a call event, keep it, tell the board, queue it to play."""
        code, window = str(event.data["code"]), int(event.data["window"])
        audio = self.clips.join(call_clips(code, window), self.gap_ms)
        with self._lock:
            item = Announcement(self._next_id, code, window, audio, event.id, time.monotonic())
            self._next_id += 1
            self._kept[item.id] = item
            while len(self._kept) > self._keep:
                self._kept.popitem(last=False)
        if self.board:
            self.bus.publish(
                "voice.ready",
                {
                    "voice_id": item.id,
                    "url": item.url,
                    "code": code,
                    "window": window,
                    "duration_ms": round(audio.duration * 1000),
                    "call_id": event.id,
                },
            )
        if self.player is not None:
            self.player.play(item)
        return item

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            sub = self._sub
            if sub is None:
                return
            event = sub.get(timeout=0.2)
            if event is None:
                if sub.dropped:  # fell behind the bus: listen again from now on
                    log.warning("voice: fell behind the calls; some were not announced")
                    self.bus.unsubscribe(sub)
                    self._sub = self.bus.subscribe()
                continue
            if event.kind not in CALLS:
                continue
            try:
                self.announce(event)
            except (KeyError, ValueError) as exc:
                log.warning("voice: cannot announce %s: %s", event.data.get("code"), exc)
