"""Database tables (SQLModel). Import this package to register every table on the metadata."""

from hallbase.models.alert import AlertOutbox
from hallbase.models.attendance import (
    ContextVersion,
    DayVerdict,
    DutySignature,
    LeaveRequest,
    MakeUpPunch,
    OutRegistration,
    WindowAway,
    WindowCoverVerdict,
)
from hallbase.models.hall import Hall, HolidayOverride, HolidayYear, Unit
from hallbase.models.punch import Device, Punch, PunchAssignment, QuarantinedRecord
from hallbase.models.schedule import Schedule, ScheduleSlot
from hallbase.models.service import Service
from hallbase.models.staff import Staff
from hallbase.models.terminal import AdmsStamp, DeviceCommand
from hallbase.models.window import Window, WindowService, set_window_services

__all__ = [
    "AdmsStamp",
    "AlertOutbox",
    "ContextVersion",
    "DayVerdict",
    "Device",
    "DeviceCommand",
    "DutySignature",
    "Hall",
    "HolidayOverride",
    "HolidayYear",
    "LeaveRequest",
    "MakeUpPunch",
    "OutRegistration",
    "Punch",
    "PunchAssignment",
    "QuarantinedRecord",
    "Schedule",
    "ScheduleSlot",
    "Service",
    "Staff",
    "Unit",
    "Window",
    "WindowAway",
    "WindowCoverVerdict",
    "WindowService",
    "set_window_services",
]
