"""The `[voice]` section of the hall file: how calls are announced.

Example::

    [voice]
    clips = "/srv/hall/voice"    # the hall's own recordings (default: the shipped clips);
                                 # a relative path is taken from the hall file's folder
    gap_ms = 60                  # silence between two clips of a call
    board = true                 # the hall board plays each call (false: it stays silent)
    player = ["aplay", "-q"]     # also play each call on this server's sound device, the WAV
                                 # on the command's standard input (default: none, off)
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class VoiceSection(BaseModel):
    """How the service announces calls (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clips: Path | None = None
    gap_ms: int = Field(default=60, ge=0, le=2000)
    board: bool = True
    player: tuple[str, ...] = ()
    keep: int = Field(default=200, ge=10, le=10_000)  # announcements kept for the board to fetch

    def clips_folder(self, hall_file: Path) -> Path | None:
        """The clip folder, relative paths taken from the hall file's folder; None: shipped."""
        if self.clips is None or str(self.clips) == "":
            return None
        return self.clips if self.clips.is_absolute() else hall_file.parent / self.clips
