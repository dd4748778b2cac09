"""Calls announced by the service: voice.ready on the board's event stream, the WAV at its URL,
and one queue for the board and the server's own sound device."""

from __future__ import annotations

import io
import time
import wave
from pathlib import Path

import httpx
from sqlalchemy import Engine

from hallkeeper.app import create_app
from kiosk.voice.clips import ClipSet
from kiosk.voice.reading import call_clips
from tests.helpers.auth import add_account, api_token
from tests.helpers.live_server import live_server
from tests.helpers.queue import MONDAY_9AM, Clock
from tests.helpers.voice import next_events, player_command, voice_settings
from tests.helpers.waiting import wait_until

TIMEOUT = httpx.Timeout(10.0)


def _expected_frames(code: str, window: int, gap_ms: int) -> int:
    clips = ClipSet.load()
    names = call_clips(code, window)
    gaps = (len(names) - 1) * clips.format.frames(gap_ms)
    return sum(len(clips.frames[n]) // 2 for n in names) + gaps


def test_a_call_puts_its_audio_on_the_board_stream(any_engine: Engine, tmp_path: Path) -> None:
    settings = voice_settings(tmp_path, "gap_ms = 80")
    app = create_app(settings, engine=any_engine, clock=Clock(MONDAY_9AM))
    with live_server(app) as base:
        add_account(app, "admin", "admin")
        admin = {"Authorization": f"Bearer {api_token(app, 'admin')}"}
        with (
            httpx.Client(base_url=base, timeout=TIMEOUT) as board,  # public, like /board
            board.stream("GET", "/api/v1/events") as stream,
            httpx.Client(base_url=base, timeout=TIMEOUT, headers=admin) as api,
        ):
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            assert api.post("/api/v1/tickets", json={"service": "social_security"}).is_success
            assert api.post("/api/v1/windows/3/call-next").status_code == 200
            (ready,) = next_events(lines, "voice.ready")
            assert ready["code"] == "C001" and ready["window"] == 3
            assert ready["url"] == f"/api/v1/voice/{ready['voice_id']}.wav"
            assert "call_id" not in ready  # the board hears its own fields only

            audio = board.get(ready["url"])
        assert audio.status_code == 200
        assert audio.headers["content-type"] == "audio/wav"
        frames = _expected_frames("C001", 3, gap_ms=80)
        with wave.open(io.BytesIO(audio.content), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
            assert wav.getnframes() == frames
        assert ready["duration_ms"] == round(frames / 16)
        gone = httpx.get(f"{base}/api/v1/voice/999999.wav", timeout=TIMEOUT)
        assert gone.status_code == 404 and gone.json()["code"] == "voice_gone"


def test_two_calls_in_quick_succession_are_announced_in_order_one_at_a_time(
    any_engine: Engine, tmp_path: Path
) -> None:
    player, log = player_command(tmp_path)
    settings = voice_settings(tmp_path, player)
    app = create_app(settings, engine=any_engine, clock=Clock(MONDAY_9AM))
    with live_server(app) as base:
        add_account(app, "admin", "admin")
        admin = {"Authorization": f"Bearer {api_token(app, 'admin')}"}
        with (
            httpx.Client(base_url=base, timeout=TIMEOUT) as board,
            board.stream("GET", "/api/v1/events") as stream,
            httpx.Client(base_url=base, timeout=TIMEOUT, headers=admin) as api,
        ):
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            for _ in range(2):
                assert api.post("/api/v1/tickets", json={"service": "social_security"}).is_success
            assert api.post("/api/v1/windows/3/call-next").json()["code"] == "C001"
            time.sleep(0.1)  # the second window calls a tenth of a second later
            assert api.post("/api/v1/windows/7/call-next").json()["code"] == "C002"
            first, second = next_events(lines, "voice.ready", count=2)
            sizes = [len(board.get(e["url"]).content) for e in (first, second)]
        assert [(first["code"], first["window"]), (second["code"], second["window"])] == [
            ("C001", 3),
            ("C002", 7),
        ]
        assert second["voice_id"] == first["voice_id"] + 1

        # The server's sound device got both, in the same order, the second after the first.
        wait_until(lambda: app.state.voice.player.played == 2)
        runs = [line.split() for line in log.read_text().splitlines()]
        assert [int(r[2]) for r in runs] == sizes
        assert float(runs[1][0]) >= float(runs[0][1])  # started after the first had ended
