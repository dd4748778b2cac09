"""Appointment routes: slots (capacity is admin-only), bookings, check-in, cancellation,
and committed items (承诺件) tracked to their promised date.

Citizens book, look up and cancel without logging in (by the booking's long code); those
requests are throttled per address, and a caller who is not a person of the hall sees the
name and phone masked. Check-in is the kiosk's.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from hallbase.auth import Principal, allow
from hallbase.fields import DbInt
from kiosk import appointments as appts
from kiosk import committed
from kiosk.api.access import (
    ADMIN,
    AT_WINDOW,
    OFFICE_READ,
    OPEN,
    TAKE,
    masked,
    require_window,
    throttle,
    windows_seen,
)
from kiosk.api.bodies import BookingIn, CheckInIn, SlotIn, SlotPatch
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.errors import NotFound
from kiosk.lookup import service_by_code
from kiosk.models import Appointment, AppointmentSlot, CommittedItem
from kiosk.tickets import ticket_public

router = APIRouter()
Code = Annotated[str, Path(max_length=20)]
Caller = Annotated[Principal, OPEN]
COMPLETE = allow(*AT_WINDOW)  # of the item's window (checked in the handler)


def _shown(who: Principal, appointment: dict[str, Any]) -> dict[str, Any]:
    return appointment if who.kind == "person" else masked(appointment)


@router.post(
    "/appointment-slots", status_code=201, dependencies=[ADMIN], summary="Open a slot (admin)"
)
async def create_slot(body: SlotIn, queue: QueueDep) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        slot = appts.create_slot(ctx, body.service, body.start, body.end, body.capacity)
        return appts.slot_public(ctx, slot)

    return await queue.write_json(op, 201)


@router.patch(
    "/appointment-slots/{slot_id}", dependencies=[ADMIN], summary="Change capacity (admin)"
)
async def patch_slot(slot_id: DbInt, body: SlotPatch, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: appts.slot_public(ctx, appts.set_capacity(ctx, slot_id, body.capacity))
    )


@router.get(
    "/appointment-slots",
    dependencies=[OPEN],
    summary="Slots of a service on a day, with free places",
)
async def list_slots(
    queue: QueueDep, service: str | None = None, day: date | None = None
) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        query = select(AppointmentSlot).where(AppointmentSlot.day == (day or ctx.day))
        if service is not None:
            query = query.where(
                AppointmentSlot.service_id == service_by_code(ctx.session, service).id
            )
        rows = ctx.session.exec(query.order_by(col(AppointmentSlot.start))).all()
        data = [appts.slot_public(ctx, s) for s in rows]
        return {"data": data, "count": len(data)}

    return await queue.read_json(op)


@router.post("/appointments", status_code=201, summary="Book a place (phone staff or API)")
async def book(body: BookingIn, queue: QueueDep, request: Request, who: Caller) -> JSONResponse:
    throttle(request, who, "booking")

    def op(ctx: Ctx) -> dict[str, Any]:
        appointment = appts.book(
            ctx,
            body.slot_id,
            name=body.name,
            phone=body.phone,
            id_number=body.id_number,
            booked_by=body.booked_by,
        )
        return _shown(who, appts.appointment_public(appointment))

    return await queue.write_json(op, 201)


@router.get("/appointments/{code}", summary="A booking by its check-in code")
async def get_booking(code: Code, queue: QueueDep, request: Request, who: Caller) -> JSONResponse:
    throttle(request, who, "lookup")

    def op(ctx: Ctx) -> dict[str, Any]:
        row = ctx.session.exec(select(Appointment).where(Appointment.code == code)).first()
        if row is None:
            raise NotFound(f"no appointment with check-in code {code!r}")
        return _shown(who, appts.appointment_public(row))

    return await queue.read_json(op)


@router.post(
    "/appointments/check-in",
    status_code=201,
    summary="Check in at the kiosk",
)
async def check_in(
    body: CheckInIn, queue: QueueDep, who: Annotated[Principal, TAKE]
) -> JSONResponse:
    kiosk = who.name if who.kind == "machine" else None  # its printer prints the ticket
    return await queue.write_json(
        lambda ctx: ticket_public(ctx, appts.check_in(ctx, body.code, body.id_number, kiosk)), 201
    )


@router.post("/appointments/{code}/cancel", summary="Cancel a booking")
async def cancel(code: Code, queue: QueueDep, request: Request, who: Caller) -> JSONResponse:
    throttle(request, who, "lookup")
    return await queue.write_json(
        lambda ctx: _shown(who, appts.appointment_public(appts.cancel(ctx, code)))
    )


@router.get("/committed-items", summary="Committed items (承诺件) and their on-time verdict")
async def list_items(
    queue: QueueDep, who: Annotated[Principal, OFFICE_READ], open_only: bool = False
) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        if open_only:
            rows = committed.open_items(ctx.session)
        else:
            rows = list(
                ctx.session.exec(select(CommittedItem).order_by(col(CommittedItem.id))).all()
            )
        seen = windows_seen(ctx.session, who)
        if seen is not None:  # a window lead: their windows' items
            rows = [r for r in rows if r.window_number in seen]
        data = [committed.item_public(i, ctx) for i in rows]
        return {"data": data, "count": len(data)}

    return await queue.read_json(op)


@router.post("/committed-items/{item_id}/complete", summary="Mark a committed item completed")
async def complete_item(
    item_id: DbInt, queue: QueueDep, who: Annotated[Principal, COMPLETE]
) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        item = ctx.session.get(CommittedItem, item_id)
        if item is not None:  # an unknown item: complete() says so
            require_window(ctx.session, who, item.window_number, AT_WINDOW)
        return committed.item_public(committed.complete(ctx, item_id), ctx)

    return await queue.write_json(op)
