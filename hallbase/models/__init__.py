"""The shared tables (SQLModel): the hall model, schedules, the alert outbox, the device leases.

The rooms keep their own tables (`attendance.models`, `kiosk.models`): import those too to
register every table on the metadata.
"""

from hallbase.models.alert import AlertDelivery, AlertOutbox, AlertOutletCursor
from hallbase.models.hall import Hall, HolidayOverride, HolidayYear, Unit
from hallbase.models.lease import DeviceLease
from hallbase.models.schedule import Schedule, ScheduleSlot
from hallbase.models.service import Service
from hallbase.models.staff import Staff
from hallbase.models.window import (
    Window,
    WindowService,
    WindowStateHistory,
    set_window_services,
)

__all__ = [
    "AlertDelivery",
    "AlertOutbox",
    "AlertOutletCursor",
    "DeviceLease",
    "Hall",
    "HolidayOverride",
    "HolidayYear",
    "Schedule",
    "ScheduleSlot",
    "Service",
    "Staff",
    "Unit",
    "Window",
    "WindowService",
    "WindowStateHistory",
    "set_window_services",
]
