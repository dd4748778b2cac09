"""The ADMS / iClock push endpoints that terminals call (`/iclock/...`).

A terminal resends a batch until it reads exactly ``OK``, so ``OK`` is written only after the
punches are committed; any failure answers with an error text and the batch comes again.
A serial number the hall does not know is recorded and refused until an admin approves it;
an approved one is refused too when the call does not match its binding (source address,
push key: `attendance.terminals.binding`).
Newer firmware (PUSH 3.x) also calls ``/iclock/registry``, ``/iclock/push`` and
``/iclock/ping`` (devices/adms/registry.py), and some models add ``.aspx`` to every path:
each route answers under both names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from attendance.ingest import store_punches
from attendance.models import AdmsStamp, Device, DeviceCommand
from attendance.terminals.binding import Binding, refused
from attendance.terminals.devicedb import (
    approval,
    device_zone,
    find_or_record,
    mark_synced,
    save_stamp,
    take_queued,
)
from devices.adms import protocol as adms
from devices.adms import registry
from devices.errors import ProtocolError
from devices.events import BadRecord, Punch
from hallbase.auth import allow
from hallbase.db import write_session
from hallbase.deps import EngineDep, SettingsDep
from hallbase.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def _text(body: str, status: int = 200) -> PlainTextResponse:
    return PlainTextResponse(body, status_code=status, media_type="text/plain; charset=utf-8")


class _Refused(Exception):
    """A terminal's call answered with an error text: a bad query (400), not approved (403)."""

    def __init__(self, body: str, status: int) -> None:
        super().__init__(body)
        self.body, self.status = body, status


class _TerminalRoute(APIRoute):
    """A route whose refusals (`_Refused`, from the route or its helpers) answer as text."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except _Refused as refused:
                return _text(refused.body, refused.status)

        return answer


# Terminals send no credential a person or a machine key would: at the HTTP layer their calls
# are anonymous, and each route admits only an approved serial matching its binding.
TERMINAL_CALLS = allow(machines=("terminal",), anonymous=True)
router = APIRouter(
    prefix="/iclock",
    include_in_schema=False,
    route_class=_TerminalRoute,
    dependencies=[TERMINAL_CALLS],
)


def _query(request: Request, parse: Callable[[str], T]) -> T:
    """The terminal's query string, parsed by ``parse``; a malformed one is refused (400)."""
    try:
        return parse(request.url.query)
    except adms.QueryError as exc:
        raise _Refused(f"ERROR: {exc}", 400) from None


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def _approved(request: Request, session: Session, sn: str, now: datetime) -> Device | None:
    settings: Settings = request.app.state.settings
    device = find_or_record(session, sn, "adms", now, str(settings.zone))
    if device is None:
        log.warning("ADMS terminal %s is unknown and too many wait for approval: refused", sn)
        return None
    if not device.approved:
        log.warning("ADMS terminal %s is not approved: refused (approve it to accept)", sn)
        return None
    binding = Binding(device.bind_address, device.push_key_hash)
    if refused(request, settings.auth_secret, sn, binding):
        return None
    return device


REFUSED = "ERROR: device not approved by the hall"


def _admitted(
    request: Request,
    engine: EngineDep,
    settings: Settings,
    sn: str,
    work: Callable[[Session, Device, datetime], T],
) -> T:
    """Record the terminal as seen and, if it is approved, do ``work`` in the same
    transaction; otherwise refuse it (403) once the transaction that recorded it committed."""
    now = _now(request)
    with write_session(engine) as session:
        device = _approved(request, session, sn, now)
        if device is not None:
            return work(session, device, now)
    raise _Refused(REFUSED, 403)


# Terminals whose last batch the database refused: one log line per outage, not per resend.
_STORAGE_DOWN: set[str] = set()


def _options(session: Session, device: Device, now: datetime) -> adms.HandshakeOptions:
    """An approved terminal's options, with the stamps to resume from."""
    stamps = session.get(AdmsStamp, device.serial)
    # Read inside the session: the commit expires its objects, and a stamp row read
    # after it closed raised, so a terminal that had uploaded once could never return.
    attlog, operlog = (stamps.attlog_stamp, stamps.operlog_stamp) if stamps else (None, None)
    offset = device_zone(device).utcoffset(now.replace(tzinfo=None))
    return adms.HandshakeOptions(
        attlog_stamp=attlog,
        operlog_stamp=operlog,
        time_zone=int(offset.total_seconds() // 3600) if offset is not None else 8,
    )


def _seen(_session: Session, _device: Device, _now: datetime) -> None:
    """Nothing more to do for an approved terminal than to have seen it."""


@router.get("/cdata")
@router.get("/cdata.aspx")
def handshake(request: Request, engine: EngineDep, settings: SettingsDep) -> PlainTextResponse:
    """Answer a terminal's handshake with its options and the stamps to resume from."""
    query = _query(request, adms.parse_handshake_query)
    options = _admitted(request, engine, settings, query.sn, _options)
    return _text(adms.handshake_response(query.sn, options))


@router.post("/registry")
@router.post("/registry.aspx")
@router.get("/registry")
@router.get("/registry.aspx")
async def register(request: Request, engine: EngineDep, settings: SettingsDep) -> PlainTextResponse:
    """PUSH 3.x: a terminal announces its parameters and is answered its registry code."""
    query = _query(request, adms.parse_poll_query)
    params = registry.parse_registry(await request.body())
    _admitted(request, engine, settings, query.sn, _seen)
    log.info(
        "ADMS %s registered: %s %s, firmware %s, push %s",
        query.sn,
        params.get("DeviceType", "?"),
        params.get("DeviceName", "?"),
        params.get("FirmVer", "?"),
        params.get("PushVersion", "?"),
    )
    return _text(registry.registry_response(query.sn))


@router.post("/push")
@router.post("/push.aspx")
@router.get("/push")
@router.get("/push.aspx")
def push_options(request: Request, engine: EngineDep, settings: SettingsDep) -> PlainTextResponse:
    """PUSH 3.x: the options a registered terminal runs with."""
    query = _query(request, adms.parse_poll_query)
    options = _admitted(request, engine, settings, query.sn, _options)
    return _text(registry.push_response(options, request.app.version))


@router.get("/ping")
@router.get("/ping.aspx")
@router.post("/ping")
@router.post("/ping.aspx")
def ping(request: Request, engine: EngineDep, settings: SettingsDep) -> PlainTextResponse:
    """PUSH 3.x keep-alive: the terminal is seen."""
    query = _query(request, adms.parse_poll_query)
    _admitted(request, engine, settings, query.sn, _seen)
    return _text("OK")


@router.post("/cdata")
@router.post("/cdata.aspx")
async def upload(request: Request, engine: EngineDep, settings: SettingsDep) -> PlainTextResponse:
    """Store an ATTLOG / OPERLOG batch; `OK` only after the commit."""
    query = _query(request, adms.parse_upload_query)
    # hallkeeper.request_gate refuses a body over 8 MB before it is read.
    body = await request.body()
    return _store_upload(request, engine, settings, query, body)


def _store_upload(
    request: Request, engine: EngineDep, settings: Settings, query: adms.UploadQuery, body: bytes
) -> PlainTextResponse:
    now = _now(request)
    try:
        with write_session(engine) as session:
            known = approval(session, query.sn) if query.table == "ATTLOG" else None
            if known is not None and known.approved:
                if refused(request, settings.auth_secret, query.sn, known.binding):
                    return _text(REFUSED, 403)
                # One read for the common case: store_punches marks the terminal seen and
                # synced in one statement, so find_or_record's update would be a second.
                _store_attlog(session, settings, query, body, now, ZoneInfo(known.timezone))
                save_stamp(session, query.sn, "attlog_stamp", query.stamp)
            elif not _store_any(request, session, settings, query, body, now):
                return _text(REFUSED, 403)
    except ProtocolError as exc:
        return _text(f"ERROR: {exc}", 400)
    except SQLAlchemyError as exc:
        # Not OK: the terminal keeps the batch and sends it again after ErrorDelay.
        if query.sn not in _STORAGE_DOWN:
            _STORAGE_DOWN.add(query.sn)
            log.error("ADMS %s: batch not stored, the terminal will resend it: %s", query.sn, exc)
        return _text("ERROR: storage unavailable, send the batch again", 503)
    if query.sn in _STORAGE_DOWN:
        _STORAGE_DOWN.discard(query.sn)
        log.warning("ADMS %s: batches stored again", query.sn)
    return _text("OK")


def _store_any(
    request: Request,
    session: Session,
    settings: Settings,
    query: adms.UploadQuery,
    body: bytes,
    now: datetime,
) -> bool:
    """Record the terminal as seen and store its upload; False when it is not approved."""
    device = _approved(request, session, query.sn, now)
    if device is None:
        return False
    if query.table == "ATTLOG":
        _store_attlog(session, settings, query, body, now, device_zone(device))
        save_stamp(session, query.sn, "attlog_stamp", query.stamp)
    elif query.table == "OPERLOG":
        oplog = adms.parse_operlog(query.sn, body, device_zone(device))
        save_stamp(session, query.sn, "operlog_stamp", query.stamp)
        log.info(
            "ADMS %s: OPERLOG %d operations, %d user records, %d bad lines",
            query.sn,
            len(oplog.operations),
            len(oplog.users),
            len(oplog.bad),
        )
    else:
        save_stamp(session, query.sn, "attlog_stamp", None)  # the stamp row, as before
        log.info("ADMS %s: table %s ignored", query.sn, query.table)
    return True


def _store_attlog(
    session: Session,
    settings: Settings,
    query: adms.UploadQuery,
    body: bytes,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    punches, bad = adms.parse_attlog(query.sn, body, zone)
    records: list[Punch | BadRecord] = [*punches, *bad]
    result = store_punches(
        session, records, source="adms", now=now, settings=settings, synced_device=query.sn
    )
    for record in bad:
        log.warning("ADMS %s: bad ATTLOG line kept aside: %s", query.sn, record.reason)
    log.info("ADMS %s: ATTLOG %s", query.sn, result)


@router.get("/getrequest")
@router.get("/getrequest.aspx")
def poll(request: Request, engine: EngineDep, settings: SettingsDep) -> PlainTextResponse:
    """Hand the terminal its queued data commands (`C:<id>:<command>` lines) or `OK`."""
    query = _query(request, adms.parse_poll_query)

    def take(session: Session, _device: Device, now: datetime) -> list[adms.Command]:
        # A terminal in real-time mode uploads what it has before it polls: a poll means its
        # log is with us up to now, so the day can become final without waiting for a punch.
        mark_synced(session, query.sn, now)
        commands = []
        for row in take_queued(session, query.sn, now):
            assert row.id is not None
            try:
                commands.append(adms.Command(row.id, row.text))
            except adms.ForbiddenCommand as exc:
                row.status, row.finished_at = "failed", now
                log.error("command %d for %s refused: %s", row.id, query.sn, exc)
        return commands

    return _text(adms.format_commands(_admitted(request, engine, settings, query.sn, take)))


@router.post("/devicecmd")
@router.post("/devicecmd.aspx")
async def results(request: Request, engine: EngineDep, settings: SettingsDep) -> PlainTextResponse:
    """Record the terminal's answers to the commands it ran."""
    query = _query(request, adms.parse_result_query)
    body = await request.body()
    answers, bad = adms.parse_devicecmd(query.sn, body)

    def store_answers(session: Session, _device: Device, now: datetime) -> None:
        by_id = {a.id: a for a in answers}
        rows = session.exec(
            select(DeviceCommand).where(
                DeviceCommand.device_sn == query.sn, col(DeviceCommand.id).in_(list(by_id))
            )
        ).all()
        for row in rows:
            answer = by_id[row.id] if row.id is not None else None
            if answer is None:
                continue
            row.return_code = answer.return_code
            row.status = "done" if answer.ok else "failed"
            row.finished_at = now
            session.add(row)

    _admitted(request, engine, settings, query.sn, store_answers)
    for record in bad:
        log.warning("ADMS %s: bad devicecmd line: %s", query.sn, record.reason)
    return _text("OK")
