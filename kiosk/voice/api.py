"""GET /api/v1/voice/<id>.wav, the announcements the hall board plays, and `install_voice`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from hallbase.auth import Principal
from hallbase.errors import ConfigError
from hallbase.fields import DbInt
from hallbase.hallconfig.voice import VoiceSection
from kiosk.api.access import OPEN
from kiosk.errors import NotFound
from kiosk.voice.announcer import Announcer
from kiosk.voice.clips import ClipError, ClipSet

router = APIRouter()


@router.get(
    "/voice/{voice_id}.wav",
    summary="An announcement's audio (WAV), as named by a voice.ready event",
    response_class=Response,
    responses={200: {"content": {"audio/wav": {}}}},
)
def voice_audio(request: Request, voice_id: DbInt, who: Annotated[Principal, OPEN]) -> Response:
    announcer: Announcer = request.app.state.voice
    item = announcer.get(voice_id)
    if item is None:
        raise NotFound.coded("voice_gone", voice_id=voice_id)
    # The same id always names the same sound (until a restart): the board may cache it.
    headers = {"Cache-Control": "public, max-age=300"}
    return Response(item.audio.wav, media_type="audio/wav", headers=headers)


def load_clips(section: VoiceSection, hall_file: Path) -> ClipSet:
    """The hall's clips as `[voice]` names them; `ConfigError` (``voice.clips``) when a clip is
    missing, unreadable or of another sample format, or the player command is not found."""
    try:
        clips = ClipSet.load(section.clips_folder(hall_file))
    except ClipError as exc:
        raise ConfigError(str(hall_file), [("voice.clips", str(exc))]) from None
    if section.player and shutil.which(section.player[0]) is None:
        problem = f"command {section.player[0]!r} not found (install it, or leave player out)"
        raise ConfigError(str(hall_file), [("voice.player", problem)])
    return clips


def install_voice(app: FastAPI, section: VoiceSection, hall_file: Path) -> Announcer:
    """Check the clips, start announcing calls with the app, and serve the announcements
    (after `install_queue`: the announcer listens on its event bus)."""
    announcer = Announcer(
        app.state.bus,
        load_clips(section, hall_file),
        gap_ms=section.gap_ms,
        board=section.board,
        player=section.player,
        keep=section.keep,
    )
    app.state.voice = announcer
    app.state.parts.components.append(announcer)
    app.include_router(router, prefix="/api/v1", tags=["queue"])
    return announcer
