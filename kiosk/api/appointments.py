"""Appointment routes: slots (capacity is admin-only), bookings, check-in, cancellation,
and committed items (承诺件) tracked to their promised date."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from hallbase.auth import allow
from hallbase.fields import DbInt
from kiosk import appointments as appts
from kiosk import committed
from kiosk.api.bodies import BookingIn, CheckInIn, SlotIn, SlotPatch
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.errors import NotFound
from kiosk.lookup import service_by_code
from kiosk.models import Appointment, AppointmentSlot, CommittedItem
from kiosk.tickets import ticket_public

router = APIRouter()


@router.post(
    "/appointment-slots",
    status_code=201,
    dependencies=[allow("admin")],
    summary="Open a slot (admin)",
)
async def create_slot(body: SlotIn, queue: QueueDep) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        slot = appts.create_slot(ctx, body.service, body.start, body.end, body.capacity)
        return appts.slot_public(ctx, slot)

    return await queue.write_json(op, 201)


@router.patch(
    "/appointment-slots/{slot_id}", dependencies=[allow("admin")], summary="Change capacity (admin)"
)
async def patch_slot(slot_id: DbInt, body: SlotPatch, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: appts.slot_public(ctx, appts.set_capacity(ctx, slot_id, body.capacity))
    )


@router.get("/appointment-slots", summary="Slots of a service on a day, with free places")
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
async def book(body: BookingIn, queue: QueueDep) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        appointment = appts.book(
            ctx,
            body.slot_id,
            name=body.name,
            phone=body.phone,
            id_number=body.id_number,
            booked_by=body.booked_by,
        )
        return appts.appointment_public(appointment)

    return await queue.write_json(op, 201)


@router.get("/appointments/{code}", summary="A booking by its check-in code")
async def get_booking(code: str, queue: QueueDep) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        row = ctx.session.exec(select(Appointment).where(Appointment.code == code)).first()
        if row is None:
            raise NotFound(f"no appointment with check-in code {code!r}")
        return appts.appointment_public(row)

    return await queue.read_json(op)


@router.post("/appointments/check-in", status_code=201, summary="Check in at the kiosk")
async def check_in(body: CheckInIn, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: ticket_public(ctx, appts.check_in(ctx, body.code, body.id_number)), 201
    )


@router.post("/appointments/{code}/cancel", summary="Cancel a booking")
async def cancel(code: str, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(lambda ctx: appts.appointment_public(appts.cancel(ctx, code)))


@router.get("/committed-items", summary="Committed items (承诺件) and their on-time verdict")
async def list_items(queue: QueueDep, open_only: bool = False) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        if open_only:
            rows = committed.open_items(ctx.session)
        else:
            rows = list(
                ctx.session.exec(select(CommittedItem).order_by(col(CommittedItem.id))).all()
            )
        data = [committed.item_public(i, ctx) for i in rows]
        return {"data": data, "count": len(data)}

    return await queue.read_json(op)


@router.post("/committed-items/{item_id}/complete", summary="Mark a committed item completed")
async def complete_item(item_id: DbInt, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: committed.item_public(committed.complete(ctx, item_id), ctx)
    )
