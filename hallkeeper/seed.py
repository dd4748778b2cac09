"""Load the hall configuration into the database: on first start or `hallkeeper config apply`."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from attendance.models import Device
from hallbase.hallconfig import HallConfig
from hallbase.models import Hall, HolidayOverride, Service, Staff, Unit, Window, set_window_services
from hallbase.schedules import save_schedule

log = logging.getLogger(__name__)
M = TypeVar("M", bound=SQLModel)


def _upsert(session: Session, model: type[M], key: str, value: Any, fields: dict[str, Any]) -> M:
    row = session.exec(select(model).where(getattr(model, key) == value)).first()
    if row is None:
        row = model(**{key: value}, **fields)
    else:
        for name, field_value in fields.items():
            setattr(row, name, field_value)
    session.add(row)
    return row


def is_seeded(session: Session) -> bool:
    """True once a hall row exists."""
    return session.exec(select(Hall)).first() is not None


def apply_config(session: Session, cfg: HallConfig) -> dict[str, int]:
    """Upsert everything the configuration names; rows it does not name are kept."""
    hall = session.exec(select(Hall)).first() or Hall(name=cfg.hall.name)
    hall.sqlmodel_update(cfg.hall.model_dump())
    session.add(hall)

    for unit in cfg.units:
        _upsert(session, Unit, "code", unit.code, {"name": unit.name})
    session.flush()
    for person in cfg.staff:
        fields = person.model_dump(exclude={"staff_no", "unit"})
        fields["unit_code"] = person.unit
        _upsert(session, Staff, "staff_no", person.staff_no, fields)

    for sched in cfg.schedules:
        save_schedule(session, sched)

    services: dict[str, Service] = {}
    for service in cfg.services:
        fields = service.model_dump(exclude={"code", "documents"})
        fields["documents"] = list(service.documents)
        services[service.code] = _upsert(session, Service, "code", service.code, fields)
    session.flush()
    for window in cfg.windows:
        fields = window.model_dump(exclude={"number", "services"})
        row = _upsert(session, Window, "number", window.number, fields)
        session.flush()
        ids = [services[code].id for code in window.services]
        assert row.id is not None and None not in ids
        set_window_services(session, row.id, [i for i in ids if i is not None])

    for device in cfg.devices:
        _upsert(
            session,
            Device,
            "serial",
            device.serial,
            {
                "name": device.name,
                "protocol": device.protocol,
                "address": device.address,
                "timezone": device.timezone or cfg.hall.timezone,
                "installed_on": device.installed_on,
                "approved": True,
            },
        )
    for holiday in cfg.holidays:
        existing = session.get(HolidayOverride, holiday.date)
        row_h = existing or HolidayOverride(day=holiday.date, workday=holiday.workday)
        row_h.workday, row_h.note = holiday.workday, holiday.note
        session.add(row_h)
    session.flush()
    counts = {
        "units": len(cfg.units),
        "staff": len(cfg.staff),
        "schedules": len(cfg.schedules),
        "services": len(cfg.services),
        "windows": len(cfg.windows),
        "holidays": len(cfg.holidays),
        "devices": len(cfg.devices),
    }
    log.info("hall configuration applied: %s", counts)
    return counts
