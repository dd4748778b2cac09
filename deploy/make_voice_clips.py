#!/usr/bin/env python3
"""Make the shipped voice clips (kiosk/voice/clips/) with espeak-ng's Mandarin voice.

Run at development time only (the service never synthesises speech itself):

    apt-get install espeak-ng
    python3 deploy/make_voice_clips.py [--out kiosk/voice/clips]

Each clip is spoken by `espeak-ng -v cmn-latn-pinyin` from its pinyin, trimmed of its
leading and trailing silence, resampled to 16 kHz (windowed-sinc low-pass, pure Python),
peak-normalised and written as mono 16-bit PCM WAV. The same espeak-ng version gives the
same files byte for byte.
A hall that has recorded its own voice replaces the folder instead (see the README, "Voice").
"""

from __future__ import annotations

import argparse
import io
import math
import shutil
import subprocess
import sys
import wave
from array import array
from pathlib import Path

# Clip name -> what it says and how espeak-ng is told to say it (pinyin with tone numbers).
# The names are what kiosk/voice/reading.py asks for. Debian 12's espeak-ng reads Chinese
# characters as pinyin spelt out in English, so the clips are made from pinyin with the voice
# that reads it (cmn-latn-pinyin).
DIGITS = ("ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")
CLIPS: dict[str, tuple[str, str]] = {
    **{str(d): ("零一二三四五六七八九"[d], DIGITS[d]) for d in range(10)},
    "ten": ("十", "shi2"),
    "hundred": ("百", "bai3"),
    **{chr(c): (chr(c), chr(c)) for c in range(ord("A"), ord("Z") + 1)},
    "please": ("请", "qing3"),
    "number": ("号", "hao4"),
    "to": ("到", "dao4"),
    "window": ("号窗口", "hao4 chuang1 kou3"),
    "handle": ("办理", "ban4 li3"),
}
RATE = 16_000
SPEED = 150  # words per minute (espeak-ng's default is 175: a hall wants it a little slower)
SILENCE = 300  # a sample below this amplitude is silence (of 32767)
PAD = 0.02  # seconds of silence kept at each end
TAPS = 24  # half-width of the resampling filter, in input samples
PEAK = 0.89  # normalised peak (-1 dBFS)
ROOT = Path(__file__).resolve().parent.parent


def speak(text: str) -> tuple[array[int], int]:
    """Speak pinyin ``text`` with espeak-ng's Mandarin voice: samples and their rate."""
    wav = subprocess.run(
        ["espeak-ng", "-v", "cmn-latn-pinyin", "-s", str(SPEED), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    with wave.open(io.BytesIO(wav)) as source:
        if source.getnchannels() != 1 or source.getsampwidth() != 2:
            raise SystemExit(f"espeak-ng gave an unexpected format for {text!r}")
        rate = source.getframerate()
        frames = source.readframes(source.getnframes())
    samples = array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples, rate


def trim(samples: array[int], rate: int) -> array[int]:
    """Drop the silence before the first and after the last loud sample (keep ``PAD``)."""
    loud = [i for i, s in enumerate(samples) if abs(s) >= SILENCE]
    if not loud:
        raise SystemExit("espeak-ng gave silence")
    pad = int(PAD * rate)
    return samples[max(0, loud[0] - pad) : loud[-1] + pad + 1]


def resample(samples: array[int], rate: int, to: int) -> list[float]:
    """``samples`` at ``rate`` resampled to ``to`` with a Hann-windowed sinc low-pass."""
    if rate == to:
        return [float(s) for s in samples]
    ratio = to / rate
    cutoff = min(1.0, ratio) * 0.95  # of the input's Nyquist frequency
    out: list[float] = []
    count = int(len(samples) * ratio)
    for n in range(count):
        centre = n / ratio
        first = max(0, math.ceil(centre - TAPS))
        last = min(len(samples) - 1, math.floor(centre + TAPS))
        acc = 0.0
        for k in range(first, last + 1):
            x = k - centre
            window = 0.5 + 0.5 * math.cos(math.pi * x / (TAPS + 1))
            arg = math.pi * cutoff * x
            sinc = cutoff if x == 0 else math.sin(arg) / (math.pi * x)
            acc += samples[k] * sinc * window
        out.append(acc)
    return out


def normalise(values: list[float]) -> array[int]:
    """Scale to the peak ``PEAK`` and round to 16-bit samples."""
    peak = max(abs(v) for v in values) or 1.0
    scale = PEAK * 32767 / peak
    return array("h", (max(-32768, min(32767, round(v * scale))) for v in values))


def write(path: Path, samples: array[int]) -> None:
    """Write mono 16-bit PCM WAV at ``RATE``."""
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())


def main() -> None:
    """Make every clip into the folder given (default: the shipped one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "kiosk" / "voice" / "clips")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed (apt-get install espeak-ng)")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (text, pinyin) in CLIPS.items():
        samples, rate = speak(pinyin)
        clip = normalise(resample(trim(samples, rate), rate, RATE))
        write(args.out / f"{name}.wav", clip)
        print(f"{name}.wav  {text}  {len(clip) / RATE:.2f} s")


if __name__ == "__main__":
    main()
