"""The attendance rules as pure functions over frozen types (hall-rules.md §1).

No I/O and no clock: `now` is always passed in, the working-day calendar comes in as data.
Start at `evaluate` (its docstring is the theory of operation).
"""

from attendance_engine.calendar import WorkCalendar
from attendance_engine.cover import (
    CoverVerdict,
    SubstituteCheck,
    check_leave_substitute,
    present_staff,
    window_cover,
)
from attendance_engine.duty import DutyRecord, PresenceLine, duty_record, unrecorded
from attendance_engine.escalation import EscalationStep, escalate, ladder_step
from attendance_engine.evaluate import (
    decision_times,
    evaluate_day,
    evaluate_days,
    evaluate_slot,
    expected_on,
)
from attendance_engine.leave import approver_for, approver_for_leave, leave_days
from attendance_engine.month import (
    MonthSummary,
    affected_days,
    evaluate_month,
    month_days,
    summarize_month,
)
from attendance_engine.results import DAY_STATUS_ORDER, DayResult, OffPostEvent, SlotResult
from attendance_engine.rules import ApprovalStep, LadderStep, Rules
from attendance_engine.schedule import (
    Schedule,
    ScheduleError,
    SlotSpec,
    four_punch_schedule,
    hall_y_schedule,
    pick_schedule,
    two_punch_schedule,
)
from attendance_engine.score import grade, score
from attendance_engine.types import (
    AwayPeriod,
    Fact,
    Facts,
    Leave,
    MakeUp,
    OutRegistration,
    PunchFact,
    StaffInfo,
    Status,
)
from attendance_engine.violations import Violation, all_violations, day_violations

__all__ = [
    "DAY_STATUS_ORDER",
    "ApprovalStep",
    "AwayPeriod",
    "CoverVerdict",
    "DayResult",
    "DutyRecord",
    "EscalationStep",
    "Fact",
    "Facts",
    "LadderStep",
    "Leave",
    "MakeUp",
    "MonthSummary",
    "OffPostEvent",
    "OutRegistration",
    "PresenceLine",
    "PunchFact",
    "Rules",
    "Schedule",
    "ScheduleError",
    "SlotResult",
    "SlotSpec",
    "StaffInfo",
    "Status",
    "SubstituteCheck",
    "Violation",
    "WorkCalendar",
    "affected_days",
    "all_violations",
    "approver_for",
    "approver_for_leave",
    "check_leave_substitute",
    "day_violations",
    "decision_times",
    "duty_record",
    "escalate",
    "evaluate_day",
    "evaluate_days",
    "evaluate_month",
    "evaluate_slot",
    "expected_on",
    "four_punch_schedule",
    "grade",
    "hall_y_schedule",
    "ladder_step",
    "leave_days",
    "month_days",
    "pick_schedule",
    "present_staff",
    "score",
    "summarize_month",
    "two_punch_schedule",
    "unrecorded",
    "window_cover",
]
