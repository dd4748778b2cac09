"""The attendance room's tables: punches, terminals, requests, verdicts (SQLModel)."""

from attendance.models.days import (
    ContextVersion,
    DayVerdict,
    DutySignature,
    LeaveRequest,
    MakeUpPunch,
    OutRegistration,
    WindowAway,
    WindowCoverVerdict,
)
from attendance.models.privacy import OffboardStep, RetentionMark
from attendance.models.punch import Device, Punch, PunchAssignment, QuarantinedRecord
from attendance.models.report_job import ReportJob
from attendance.models.terminal import AdmsStamp, DeviceCommand

__all__ = [
    "AdmsStamp",
    "ContextVersion",
    "DayVerdict",
    "Device",
    "DeviceCommand",
    "DutySignature",
    "LeaveRequest",
    "MakeUpPunch",
    "OffboardStep",
    "OutRegistration",
    "Punch",
    "PunchAssignment",
    "QuarantinedRecord",
    "ReportJob",
    "RetentionMark",
    "WindowAway",
    "WindowCoverVerdict",
]
