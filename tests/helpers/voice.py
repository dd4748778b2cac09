"""Voice clip folders and hall files for the voice tests."""

from __future__ import annotations

import json
import shutil
import sys
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hallbase.settings import REPO_CONFIG, Settings, load_settings
from kiosk.voice.clips import SHIPPED


def clip_frames(folder: Path, name: str) -> bytes:
    """The PCM frames of ``<name>.wav`` in ``folder``, read with the wave module."""
    with wave.open(str(folder / f"{name}.wav"), "rb") as clip:
        return clip.readframes(clip.getnframes())


def copy_clips(to: Path) -> Path:
    """A copy of the shipped clip folder at ``to`` (a hall's own folder to change)."""
    shutil.copytree(SHIPPED, to)
    return to


def write_clip(path: Path, frames: bytes, rate: int, channels: int = 1) -> None:
    """Write 16-bit PCM ``frames`` as a WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


def hall_with_voice(tmp_path: Path, voice: str) -> Path:
    """The shipped hall file with a ``[voice]`` section (TOML lines) added."""
    path = tmp_path / "hall.toml"
    path.write_text(REPO_CONFIG.read_text(encoding="utf-8") + "\n[voice]\n" + voice + "\n")
    return path


def voice_settings(tmp_path: Path, voice: str) -> Settings:
    """Settings with the shipped hall plus ``[voice]``, SQLite in ``tmp_path``."""
    return load_settings(
        config=hall_with_voice(tmp_path, voice), data_dir=tmp_path, database_url="", mqtt_url=""
    )


def next_events(lines: Iterator[str], kind: str, count: int = 1, limit: int = 400) -> list[Any]:
    """Read Server-Sent Event lines until ``count`` events of ``kind``; their data, in order."""
    found: list[Any] = []
    current = None
    for _ in range(limit):
        line = next(lines)
        if line.startswith("event: "):
            current = line[7:]
        elif line.startswith("data: ") and current == kind:
            found.append(json.loads(line[6:]))
            if len(found) == count:
                return found
    raise AssertionError(f"{len(found)} of {count} {kind} events in {limit} lines")


# A sound device for tests: takes the WAV on stdin like `aplay -q`, "plays" it for a while and
# logs when it started and ended and how many bytes it had.
PLAYER = """
import sys, time
wav = sys.stdin.buffer.read()
start = time.monotonic()
time.sleep(0.3)
with open(sys.argv[1], "a") as log:
    log.write(f"{start} {time.monotonic()} {len(wav)}\\n")
"""


def player_command(tmp_path: Path) -> tuple[str, Path]:
    """A `[voice] player` line running `PLAYER`, and the log it writes."""
    script = tmp_path / "player.py"
    script.write_text(PLAYER)
    log = tmp_path / "played.log"
    command = [sys.executable, str(script), str(log)]
    return f"player = {json.dumps(command)}", log
