"""Appointments (预约服务): slots with a capacity per service and day, bookings by phone staff or
the API, and check-in at the kiosk with the booking code or the ID number.

A booking takes a place with one guarded ``UPDATE ... SET booked = booked + 1 WHERE booked <
capacity``, so two bookings never take the last place twice. A checked-in appointment becomes a
ticket that is called first once its slot has begun.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from kiosk.context import Ctx
from kiosk.errors import Conflict, Invalid, NotFound
from kiosk.idcard import id_hash, matches, new_salt, normalise
from kiosk.lookup import service_by_code, service_by_id
from kiosk.models import Appointment, AppointmentSlot
from kiosk.records import TicketRecord
from kiosk.tickets import issue


def create_slot(
    ctx: Ctx, service_code: str, start: datetime, end: datetime, capacity: int
) -> AppointmentSlot:
    """Open a slot (admin); times are aware, capacity at least 1."""
    service = service_by_code(ctx.session, service_code)
    if start.tzinfo is None or end.tzinfo is None:
        raise Invalid("start and end need a time zone offset (e.g. 2026-11-23T09:00+08:00)")
    if end <= start:
        raise Invalid("end must be after start")
    if capacity < 1:
        raise Invalid("capacity must be at least 1")
    assert service.id is not None
    clash = ctx.session.exec(
        select(AppointmentSlot).where(
            AppointmentSlot.service_id == service.id, AppointmentSlot.start == start
        )
    ).first()
    if clash is not None:
        raise Conflict(f"service {service.code!r} already has a slot starting {start.isoformat()}")
    slot = AppointmentSlot(
        service_id=service.id,
        day=start.astimezone(ctx.zone).date(),
        start=start,
        end=end,
        capacity=capacity,
    )
    ctx.session.add(slot)
    ctx.session.flush()
    return slot


def set_capacity(ctx: Ctx, slot_id: int, capacity: int) -> AppointmentSlot:
    """Change a slot's capacity (never below what is already booked)."""
    slot = _slot(ctx, slot_id)
    if capacity < slot.booked:
        raise Conflict(f"slot {slot_id} already has {slot.booked} bookings: capacity >= that")
    slot.capacity = capacity
    ctx.session.add(slot)
    return slot


def _slot(ctx: Ctx, slot_id: int) -> AppointmentSlot:
    slot = ctx.session.get(AppointmentSlot, slot_id)
    if slot is None:
        raise NotFound(f"appointment slot {slot_id} not found")
    return slot


def book(
    ctx: Ctx,
    slot_id: int,
    *,
    name: str = "",
    phone: str = "",
    id_number: str | None = None,
    booked_by: str = "api",
) -> Appointment:
    """Book a place in a slot; refuses a full or past slot clearly."""
    slot = _slot(ctx, slot_id)
    if slot.end <= ctx.now:
        raise Conflict(f"slot {slot_id} has already ended")
    salt = hashed = None
    if id_number is not None:
        try:
            salt = new_salt()
            hashed = id_hash(id_number, salt, ctx.config.id_pepper)
        except ValueError as exc:
            raise Invalid(f"id_number: {exc}") from None
    taken = ctx.session.connection().execute(
        update(AppointmentSlot)
        .where(
            col(AppointmentSlot.id) == slot_id,
            col(AppointmentSlot.booked) < col(AppointmentSlot.capacity),
        )
        .values(booked=col(AppointmentSlot.booked) + 1)
    )
    if taken.rowcount == 0:
        raise Conflict(f"slot {slot_id} is full ({slot.capacity} places): choose another slot")
    ctx.session.expire(slot)
    appointment = Appointment(
        slot_id=slot_id,
        code=_new_code(ctx),
        name=name,
        phone=phone,
        id_salt=salt,
        id_hash=hashed,
        booked_by=booked_by,
        created_at=ctx.now,
    )
    ctx.session.add(appointment)
    ctx.session.flush()
    ctx.emit("appointment.booked", appointment_id=appointment.id, slot_id=slot_id)
    return appointment


CODE_DIGITS = 16
"""A check-in code is 16 random digits (about 53 bits), shown as four groups of four like a
bank card number: the kiosk's keypad has digits only, and digits read out over the phone are
never misheard as letters are. With look-ups throttled per address (`kiosk.api.access`), a
guesser with a thousand addresses and ten thousand open bookings would need thousands of
years for an even chance of one hit."""


def _new_code(ctx: Ctx) -> str:
    for _ in range(20):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if ctx.session.exec(select(Appointment).where(Appointment.code == code)).first() is None:
            return code
    raise Conflict("could not draw a free check-in code; try again")


def cancel(ctx: Ctx, code: str) -> Appointment:
    """Cancel a booking that has not been checked in; its place is freed."""
    appointment = _by_code(ctx, code)
    if appointment.status != "booked":
        raise Conflict(f"appointment {code} is {appointment.status}, not booked")
    appointment.status = "cancelled"
    ctx.session.add(appointment)
    ctx.session.connection().execute(
        update(AppointmentSlot)
        .where(col(AppointmentSlot.id) == appointment.slot_id)
        .values(booked=col(AppointmentSlot.booked) - 1)
    )
    return appointment


def _by_code(ctx: Ctx, code: str) -> Appointment:
    appointment = ctx.session.exec(select(Appointment).where(Appointment.code == code)).first()
    if appointment is None:
        raise NotFound(f"no appointment with check-in code {code!r}")
    return appointment


def _by_id_number(ctx: Ctx, id_number: str) -> Appointment:
    try:
        normalise(id_number)
    except ValueError as exc:
        raise Invalid(f"id_number: {exc}") from None
    start = ctx.now - timedelta(days=1)
    rows = ctx.session.exec(
        select(Appointment, AppointmentSlot)
        .join(AppointmentSlot, col(AppointmentSlot.id) == col(Appointment.slot_id))
        .where(
            Appointment.status == "booked",
            col(Appointment.id_hash).is_not(None),
            col(AppointmentSlot.end) >= start,
        )
        .order_by(col(AppointmentSlot.start))
    ).all()
    today = ctx.now.astimezone(ctx.zone).date()
    for appointment, slot in rows:
        salt, stored = appointment.id_salt, appointment.id_hash
        if (
            salt
            and stored
            and slot.day == today
            and matches(id_number, salt, stored, ctx.config.id_pepper)
        ):
            return appointment
    raise NotFound("no booked appointment for this ID number today")


def check_in(
    ctx: Ctx, code: str | None = None, id_number: str | None = None, kiosk: str | None = None
) -> TicketRecord:
    """Check in at the kiosk: the appointment becomes a ticket served first at its slot time
    (printed on ``kiosk``'s printer, see `kiosk.tickets.issue`)."""
    if (code is None) == (id_number is None):
        raise Invalid("give either code or id_number")
    appointment = _by_code(ctx, code) if code is not None else _by_id_number(ctx, id_number or "")
    if appointment.status != "booked":
        raise Conflict(f"appointment {appointment.code} is {appointment.status}")
    slot = _slot(ctx, appointment.slot_id)
    today = ctx.now.astimezone(ctx.zone).date()
    if slot.day != today:
        raise Conflict(f"appointment {appointment.code} is for {slot.day}, not today ({today})")
    late = slot.end + timedelta(minutes=ctx.config.appointment_late_minutes)
    if ctx.now > late:
        raise Conflict(
            f"appointment {appointment.code}'s slot ended at "
            f"{slot.end.astimezone(ctx.zone):%H:%M}: please take a regular ticket"
        )
    service = service_by_id(ctx.session, slot.service_id)
    assert appointment.id is not None
    ticket = issue(ctx, service.code, appointment_id=appointment.id, due_at=slot.start, kiosk=kiosk)
    appointment.status = "checked_in"
    appointment.ticket_id = ticket.id
    ctx.session.add(appointment)
    ctx.emit("appointment.checked_in", appointment_id=appointment.id, ticket_id=ticket.id)
    return ticket


def slot_public(ctx: Ctx, slot: AppointmentSlot) -> dict[str, Any]:
    """A slot with its service code and free places."""
    service = service_by_id(ctx.session, slot.service_id)
    return {
        **slot.model_dump(mode="json"),
        "service": service.code,
        "free": max(0, slot.capacity - slot.booked),
    }


def appointment_public(appointment: Appointment) -> dict[str, Any]:
    """A booking as the API shows it (never the ID hash or salt)."""
    return appointment.model_dump(mode="json", exclude={"id_hash", "id_salt"})
