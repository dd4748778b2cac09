"""GET /api/v1/events: every queue event as Server-Sent Events, with ids, ``Last-Event-ID``
resume from the in-memory ring, and a heartbeat comment so proxies keep the stream open.

The hall's people and machines hear every queue event; the public (and the hall board's key)
hear what the hall board shows: calls, window states and announcements (``voice.ready``: the
URL of a call's audio), without staff numbers or other records. The alert events
(``alert.*``: a supervisors' alert was committed) go to the people who may read the alerts
(`hallbase.alert_ack.ACK_ROLES`) only: never to the public, a machine or window staff.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from hallbase.alert_ack import ACK_ROLES
from hallbase.auth import Principal
from kiosk.api.access import OPEN, sees_board_only
from kiosk.events import ALERT_EVENT_PREFIX, EventBus, Published

router = APIRouter()
BOARD_FIELDS = frozenset(
    {"code", "window", "text", "state", "state_text", "voice_id", "url", "duration_ms"}
)
Shown = Callable[[Published], str | None]


def full(event: Published) -> str | None:
    """Every event, whole."""
    return event.sse()


def without_alerts(event: Published) -> str | None:
    """Every event but the alert events, whole."""
    return None if event.kind.startswith(ALERT_EVENT_PREFIX) else event.sse()


def shown_to(who: Principal) -> Shown:
    """What ``who`` hears: the board's part, everything but alerts, or everything."""
    if sees_board_only(who):
        return board_only
    if who.kind == "person" and who.has_role(*ACK_ROLES):
        return full
    return without_alerts


def board_only(event: Published) -> str | None:
    """Ticket, window and voice events with the board's fields only; nothing else."""
    if not (event.kind.startswith("ticket.") or event.kind in ("window.state", "voice.ready")):
        return None
    data = {k: v for k, v in event.data.items() if k in BOARD_FIELDS}
    return replace(event, data=data).sse()


def _start_id(header: str | None, query: int | None) -> int | None:
    if query is not None:
        return query
    if header is None:
        return None
    try:
        return int(header.strip())
    except ValueError:
        return None


async def _stream(
    request: Request, bus: EventBus, last_id: int, heartbeat: float, shown: Shown
) -> AsyncIterator[str]:
    """The events after ``last_id``: those still in the ring, then each as it comes."""
    sub = bus.subscribe(asyncio.get_running_loop())
    try:
        yield "retry: 2000\n\n"
        sent = last_id
        missed, complete = bus.since(last_id)
        if not complete or last_id > bus.last_id:
            # Too old for the ring (or from before a restart): the client must reload state.
            yield f"id: {bus.last_id}\nevent: reset\ndata: {{}}\n\n"
        for event in missed:
            frame = shown(event)
            if frame is not None:
                yield frame
            sent = event.id
        while not sub.dropped:
            next_event: Published | None = await sub.aget(heartbeat)
            if next_event is None:
                if sub.dropped or await request.is_disconnected():
                    break
                yield ": heartbeat\n\n"
                continue
            frames = []
            for event in (next_event, *sub.ready()):  # what piled up goes in one write
                if event.id > sent:
                    frame = shown(event)
                    if frame is not None:
                        frames.append(frame)
                    sent = event.id
            if frames:
                yield "".join(frames)
    finally:
        bus.unsubscribe(sub)


@router.get("/events", summary="Queue events as Server-Sent Events (text/event-stream)")
async def events(
    request: Request,
    who: Annotated[Principal, OPEN],
    last_event_id: Annotated[str | None, Header()] = None,
    after: int | None = None,
) -> StreamingResponse:
    bus: EventBus = request.app.state.bus
    heartbeat: float = request.app.state.queue_config.heartbeat_seconds
    start = _start_id(last_event_id, after)
    if start is None:
        # A new stream starts from the events the bus had when the request came: one published
        # while the answer starts (before the stream subscribes) is sent too, not lost.
        start = bus.last_id
    return StreamingResponse(
        _stream(request, bus, start, heartbeat, shown_to(who)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
