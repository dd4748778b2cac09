"""What each line of a multi-line hall board shows: the last calls, newest on the top line.

Theory of operation: a hall board of N lines (each line its own address on the bus) shows the
N newest messages, each for ``hold`` seconds (0: until newer ones push it off the bottom). A
new message blinks for ``blink`` seconds, then stays steady. Adding a message moves the older
ones one line down, so a message whose frame had not left yet when the next one came still
reaches the board, one line lower. A message added again (a recall) moves to the top and
blinks again. With no message at all the top line shows ``idle_text``.

Pure: no I/O and no clock; every call is given ``now`` (seconds on a monotonic clock), and
`HallBoardLines.changes` answers the lines whose content changed since it was last asked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineContent:
    """What one line shows."""

    text: str
    blink: bool = False


@dataclass(frozen=True, slots=True)
class _Message:
    key: str
    text: str
    at: float


class HallBoardLines:
    """The lines of one hall board (see the module's docstring)."""

    def __init__(self, lines: int, *, hold: float, blink: float, idle_text: str = "") -> None:
        if lines < 1 or hold < 0 or blink < 0:
            raise ValueError("a hall board needs at least one line, and hold and blink >= 0")
        self.lines = lines
        self.hold = hold
        self.blink = blink
        self.idle_text = idle_text
        self._messages: list[_Message] = []  # newest first
        self._shown: list[LineContent | None] = [None] * lines

    def add(self, key: str, text: str, now: float) -> None:
        """A new message (``key`` names it: the same key again replaces and moves it up)."""
        self._messages = [m for m in self._messages if m.key != key]
        self._messages.insert(0, _Message(key, text, now))
        del self._messages[self.lines :]

    def render(self, now: float) -> list[LineContent]:
        """What every line should show at ``now``, top line first."""
        self._expire(now)
        out = [
            LineContent(m.text, blink=self.blink > 0 and now - m.at < self.blink)
            for m in self._messages
        ]
        if not out:
            out.append(LineContent(self.idle_text))
        out.extend(LineContent("") for _ in range(self.lines - len(out)))
        return out

    def changes(self, now: float) -> list[tuple[int, LineContent]]:
        """The lines (index from the top, content) that differ from what was last answered."""
        changed = []
        for index, content in enumerate(self.render(now)):
            if self._shown[index] != content:
                self._shown[index] = content
                changed.append((index, content))
        return changed

    def forget_shown(self) -> None:
        """Answer every line again at the next `changes` (after the board lost power)."""
        self._shown = [None] * self.lines

    def next_change(self, now: float) -> float | None:
        """When a line changes next by itself (a blink ends, a message expires), or None."""
        times: list[float] = []
        for message in self._messages:
            if self.blink > 0 and message.at + self.blink > now:
                times.append(message.at + self.blink)
            if self.hold > 0:
                times.append(max(message.at + self.hold, now))
        return min(times) if times else None

    def _expire(self, now: float) -> None:
        if self.hold > 0:
            self._messages = [m for m in self._messages if now - m.at < self.hold]
