"""Database tables (SQLModel). Import this package to register every table on the metadata."""

from hallkeeper.models.alert import AlertOutbox
from hallkeeper.models.attendance import (
    ContextVersion,
    DayVerdict,
    DutySignature,
    LeaveRequest,
    MakeUpPunch,
    OutRegistration,
    WindowAway,
    WindowCoverVerdict,
)
from hallkeeper.models.hall import Hall, HolidayOverride, HolidayYear, Unit
from hallkeeper.models.punch import Device, Punch, PunchAssignment, QuarantinedRecord
from hallkeeper.models.schedule import Schedule, ScheduleSlot
from hallkeeper.models.service import Service
from hallkeeper.models.staff import Staff
from hallkeeper.models.terminal import AdmsStamp, DeviceCommand
from hallkeeper.models.window import Window, WindowService, set_window_services

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
