"""A folder of voice clips (one WAV per clip name), checked once and joined in memory.

Every clip must be uncompressed PCM WAV and all of them of one sample format, so that joining
is copying frames: `ClipSet.load` refuses a folder with a missing, unreadable, empty or
differently formatted clip, naming each one, before the service starts.
"""

from __future__ import annotations

import io
import wave
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.voice.reading import CLIP_NAMES

SHIPPED = Path(__file__).resolve().parent / "clips"


class ClipError(ValueError):
    """A clip folder that cannot be used: every problem, each naming its file."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        self.folder = folder
        self.problems = problems
        super().__init__(f"voice clips in {folder}: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class SampleFormat:
    """Channels, bytes per sample and frames per second of PCM audio."""

    channels: int
    width: int
    rate: int

    def __str__(self) -> str:
        layout = "mono" if self.channels == 1 else f"{self.channels} channels"
        return f"{layout}, {8 * self.width}-bit, {self.rate} Hz"

    def frames(self, milliseconds: int) -> int:
        """How many frames last ``milliseconds``."""
        return self.rate * milliseconds // 1000

    def silence(self, frames: int) -> bytes:
        """``frames`` frames of silence (8-bit PCM is unsigned: its silence is 0x80)."""
        byte = b"\x80" if self.width == 1 else b"\x00"
        return byte * (frames * self.channels * self.width)


@dataclass(frozen=True, slots=True)
class Joined:
    """An announcement's audio: a whole WAV file and how many frames it holds."""

    wav: bytes
    frames: int
    format: SampleFormat

    @property
    def duration(self) -> float:
        """Its length in seconds."""
        return self.frames / self.format.rate


def _read(path: Path) -> tuple[SampleFormat, bytes]:
    with wave.open(str(path), "rb") as clip:
        fmt = SampleFormat(clip.getnchannels(), clip.getsampwidth(), clip.getframerate())
        return fmt, clip.readframes(clip.getnframes())


@dataclass(frozen=True)
class ClipSet:
    """Every clip's frames, in one sample format."""

    folder: Path
    format: SampleFormat
    frames: Mapping[str, bytes]

    @classmethod
    def load(cls, folder: Path | None = None, names: Sequence[str] = CLIP_NAMES) -> ClipSet:
        """Read ``<name>.wav`` for every clip name from ``folder`` (default: the shipped
        clips); raise `ClipError` listing every missing, unreadable, empty or odd clip."""
        folder = folder or SHIPPED
        if not folder.is_dir():
            raise ClipError(folder, ["not a folder"])
        problems: list[str] = []
        read: dict[str, tuple[SampleFormat, bytes]] = {}
        missing = [f"{n}.wav" for n in names if not (folder / f"{n}.wav").is_file()]
        if missing:
            problems.append("missing " + ", ".join(missing))
        for name in names:
            path = folder / f"{name}.wav"
            if not path.is_file():
                continue
            try:
                fmt, data = _read(path)
            except (wave.Error, EOFError, OSError) as exc:
                problems.append(f"{path.name}: not a PCM WAV file ({exc or 'truncated'})")
                continue
            if not data:
                problems.append(f"{path.name}: holds no sound")
                continue
            read[name] = fmt, data
        common = _common_format(read, problems)
        if problems or common is None:
            raise ClipError(folder, problems or ["no clips"])
        return cls(folder, common, {name: data for name, (_f, data) in read.items()})

    def join(self, names: Sequence[str], gap_ms: int) -> Joined:
        """The clips ``names`` one after another with ``gap_ms`` of silence between them, as
        a WAV file (the format of the clips)."""
        unknown = [n for n in names if n not in self.frames]
        if unknown:
            raise KeyError(f"no voice clip {', '.join(unknown)}")
        gap = self.format.silence(self.format.frames(gap_ms))
        body = gap.join(self.frames[n] for n in names)
        fmt = self.format
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(fmt.channels)
            wav.setsampwidth(fmt.width)
            wav.setframerate(fmt.rate)
            wav.writeframes(body)
        return Joined(out.getvalue(), len(body) // (fmt.channels * fmt.width), fmt)


def _common_format(
    read: Mapping[str, tuple[SampleFormat, bytes]], problems: list[str]
) -> SampleFormat | None:
    """The format most clips have; each clip of another one is a problem."""
    if not read:
        return None
    counts = Counter(fmt for fmt, _data in read.values())
    common, _count = counts.most_common(1)[0]
    example = next(n for n, (fmt, _d) in read.items() if fmt == common)
    for name, (fmt, _data) in read.items():
        if fmt != common:
            problems.append(
                f"{name}.wav is {fmt}, but the other clips (e.g. {example}.wav) are {common}: "
                "every clip must have one sample format"
            )
    return common
