"""The voice without a browser: reading rules, joining clips, and a hall's own clips checked."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hallbase.errors import ConfigError
from hallkeeper.app import create_app
from hallkeeper.cli import app as cli
from kiosk.voice.clips import SHIPPED, ClipError, ClipSet
from kiosk.voice.reading import CLIP_NAMES, call_clips, cardinal_clips, ticket_clips
from tests.helpers.voice import (
    clip_frames,
    copy_clips,
    hall_with_voice,
    voice_settings,
    write_clip,
)


def test_a_call_reads_the_ticket_digit_by_digit_and_the_window_as_a_number() -> None:
    # 请 A 零 零 一 号 到 十 二 号窗口 办理
    assert call_clips("A001", 12) == [
        *("please", "A", "0", "0", "1", "number", "to"),
        *("ten", "2", "window", "handle"),
    ]
    assert ticket_clips("b120") == ["B", "1", "2", "0"]  # digits one by one, never 一百二十


@pytest.mark.parametrize(
    ("number", "read"),
    [
        (1, "1"),
        (9, "9"),
        (10, "ten"),  # 十, not 一十
        (12, "ten 2"),  # 十二
        (20, "2 ten"),  # 二十
        (21, "2 ten 1"),  # 二十一
        (99, "9 ten 9"),
        (100, "1 hundred"),  # 一百
        (105, "1 hundred 0 5"),  # 一百零五
        (110, "1 hundred 1 ten"),  # 一百一十
        (115, "1 hundred 1 ten 5"),  # 一百一十五
        (250, "2 hundred 5 ten"),  # 二百五十
        (999, "9 hundred 9 ten 9"),
    ],
)
def test_window_numbers_are_read_as_cardinals(number: int, read: str) -> None:
    assert cardinal_clips(number) == read.split()


def test_what_cannot_be_read_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match=r"'A-01'.*'-'"):
        ticket_clips("A-01")
    with pytest.raises(ValueError, match="1000"):
        cardinal_clips(1000)


def test_the_shipped_clips_are_small_and_complete() -> None:
    clips = ClipSet.load()
    assert str(clips.format) == "mono, 16-bit, 16000 Hz"
    assert set(clips.frames) == set(CLIP_NAMES)
    for name, frames in clips.frames.items():
        seconds = len(frames) / 2 / 16000
        assert 0.1 < seconds < 1.6, (name, seconds)  # trimmed: no long silence around a word
    assert sum(p.stat().st_size for p in SHIPPED.glob("*.wav")) < 700_000
    assert (SHIPPED / "NOTICE.md").read_text(encoding="utf-8").count("CC0") >= 1


def test_joined_frames_are_the_clips_frames_with_the_gaps_between() -> None:
    names = call_clips("A001", 12)
    joined = ClipSet.load().join(names, gap_ms=60)
    gap = b"\x00\x00" * 960  # 60 ms at 16 kHz, 16-bit mono
    expected = gap.join(clip_frames(SHIPPED, n) for n in names)
    with wave.open(io.BytesIO(joined.wav), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        assert wav.getnframes() == joined.frames == len(expected) // 2
        assert wav.readframes(wav.getnframes()) == expected
    assert joined.duration == pytest.approx(len(expected) / 2 / 16000)


def test_a_replacement_clip_of_another_rate_is_named(tmp_path: Path) -> None:
    folder = copy_clips(tmp_path / "voice")
    write_clip(folder / "B.wav", b"\x10\x00" * 4410, rate=44100)
    with pytest.raises(ClipError) as refused:
        ClipSet.load(folder)
    message = str(refused.value)
    assert "B.wav is mono, 16-bit, 44100 Hz" in message
    assert "are mono, 16-bit, 16000 Hz" in message and str(folder) in message
    assert "A.wav" not in message.replace("(e.g. 0.wav)", "")  # only the odd one is named


def test_a_hall_folder_with_gaps_and_broken_clips_lists_each(tmp_path: Path) -> None:
    folder = copy_clips(tmp_path / "voice")
    (folder / "please.wav").unlink()
    (folder / "to.wav").write_bytes(b"RIFF\x00\x00")
    write_clip(folder / "handle.wav", b"", rate=16000)
    with pytest.raises(ClipError) as refused:
        ClipSet.load(folder)
    problems = refused.value.problems
    assert problems[0] == "missing please.wav"
    assert any(p.startswith("to.wav: not a PCM WAV file") for p in problems)
    assert "handle.wav: holds no sound" in problems


def test_the_service_refuses_to_start_with_a_bad_clip(tmp_path: Path) -> None:
    folder = copy_clips(tmp_path / "voice")
    write_clip(folder / "7.wav", b"\x10\x00" * 2205, rate=22050)
    settings = voice_settings(tmp_path, 'clips = "voice"')  # relative to the hall file
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    assert refused.value.problems[0][0] == "voice.clips"
    assert "7.wav is mono, 16-bit, 22050 Hz" in str(refused.value)


def test_config_check_names_the_bad_clip(tmp_path: Path) -> None:
    folder = copy_clips(tmp_path / "voice")
    write_clip(folder / "hundred.wav", b"\x00\x01" * 3200, rate=16000, channels=2)
    hall = hall_with_voice(tmp_path, f'clips = "{folder}"')
    refused = CliRunner().invoke(cli, ["config", "check", str(hall)])
    assert refused.exit_code == 2, refused.output  # as for any other configuration problem
    assert "voice.clips" in refused.output and "hundred.wav is 2 channels" in refused.output
    write_clip(folder / "hundred.wav", b"\x00\x01" * 3200, rate=16000)
    assert CliRunner().invoke(cli, ["config", "check", str(hall)]).exit_code == 0


def test_a_player_that_is_not_installed_is_refused(tmp_path: Path) -> None:
    settings = voice_settings(tmp_path, 'player = ["no-such-player-here", "-q"]')
    with pytest.raises(ConfigError, match=r"voice.player: command 'no-such-player-here'"):
        create_app(settings)
