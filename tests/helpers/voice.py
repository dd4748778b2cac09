"""Voice clip folders and hall files for the voice tests."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

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
