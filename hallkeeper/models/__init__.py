"""Database tables (SQLModel). Import this package to register every table on the metadata."""

from hallkeeper.models.alert import AlertOutbox
from hallkeeper.models.hall import Hall, HolidayOverride, Unit
from hallkeeper.models.punch import Device, Punch, QuarantinedRecord
from hallkeeper.models.schedule import Schedule, ScheduleSlot
from hallkeeper.models.service import Service
from hallkeeper.models.staff import Staff
from hallkeeper.models.terminal import AdmsStamp, DeviceCommand
from hallkeeper.models.window import Window, WindowService

__all__ = [
    "AdmsStamp",
    "AlertOutbox",
    "Device",
    "DeviceCommand",
    "Hall",
    "HolidayOverride",
    "Punch",
    "QuarantinedRecord",
    "Schedule",
    "ScheduleSlot",
    "Service",
    "Staff",
    "Unit",
    "Window",
    "WindowService",
]
