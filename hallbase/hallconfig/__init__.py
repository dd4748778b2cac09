"""The hall configuration file (`config/hall.toml`): its schema and a loader with exact errors."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hallbase.errors import ConfigError
from hallbase.fields import LocalTime, OneLine
from hallbase.hallconfig.alerts import AlertsSection
from hallbase.hallconfig.privacy import PrivacySection
from hallbase.hallconfig.queue_devices import QueueDevicesSection, board_problems
from hallbase.hallconfig.schedules import schedule_problem
from hallbase.hallconfig.voice import VoiceSection
from hallbase.words import Lang

PIN_PATTERN = r"^[0-9]{1,9}$"
STAFF_NO_PATTERN = r"^[A-Za-z0-9_-]{1,20}$"
MONTH_DAY_PATTERN = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"

Category = Literal["在编", "聘用"]
Role = Literal["staff", "window_lead", "leader_in_charge", "director", "duty_chief", "admin"]
WindowKind = Literal["comprehensive", "special", "acceptance", "consultation", "complaint"]
ServiceKind = Literal["instant", "committed"]
SlotName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
# A staff member's name goes to every terminal's user list and onto boards: one line.
StaffName = Annotated[OneLine, Field(min_length=1, max_length=40)]
Minutes = Annotated[int, Field(ge=1, le=24 * 60)]
Quota = Annotated[int, Field(ge=1, le=100_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HallSection(_Strict):
    name: OneLine = Field(min_length=1)
    # Short name on shared infrastructure (a city's MQTT broker): part of the client id.
    code: str = Field(default="hall", pattern=r"^[A-Za-z0-9_-]{1,20}$")
    name_en: OneLine = ""
    timezone: str = "Asia/Shanghai"
    go_live: date | None = None
    language: Lang = "zh"  # zh, en, or a language the hall added (HALLKEEPER_WORDS_DIR)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ApprovalStep(_Strict):
    role: Role
    max_days: float | None = Field(default=None, gt=0)


class AttendanceSection(_Strict):
    late_threshold_minutes: int = Field(default=15, ge=0, le=240)
    off_post_absent_minutes: int = Field(default=30, ge=1, le=480)
    # 暂离 forgiven before it is off post (0: none, the published rule); see the README.
    off_post_grace_minutes: int = Field(default=15, ge=0, le=480)
    off_post_grace_per: Literal["period", "day"] = "period"
    missing_makes_absent: bool = True
    return_to_unit_events: int = Field(default=4, ge=1)
    return_to_unit_absent_days: float = Field(default=2, ge=0)
    deduction_per_violation: float = Field(default=2, ge=0)
    deduction_per_lost_record: float = Field(default=5, ge=0)
    escalation_period: Literal["year", "month"] = "year"
    # Requests: the most make-up punches (补卡) one person may have in a month (None: no limit).
    makeup_monthly_limit: int | None = Field(default=None, ge=1, le=31)
    # A working day still provisional (a terminal not synced, a request undecided) this long
    # after it ends is alerted (attendance.provisional_overdue).
    settle_within_hours: int = Field(default=24, ge=1, le=31 * 24)
    # A PIN given to a staff member takes over its unmapped punches (from the start date on).
    credit_unmapped_punches: bool = True
    approval_chain: tuple[ApprovalStep, ...] = (
        ApprovalStep(role="window_lead", max_days=0.5),
        ApprovalStep(role="leader_in_charge", max_days=2),
        ApprovalStep(role="director"),
    )

    @model_validator(mode="after")
    def _grace_below_absence(self) -> AttendanceSection:
        if self.off_post_grace_minutes > self.off_post_absent_minutes:
            raise ValueError(
                "off_post_grace_minutes must not exceed off_post_absent_minutes "
                f"({self.off_post_grace_minutes} > {self.off_post_absent_minutes})"
            )
        return self

    @field_validator("approval_chain")
    @classmethod
    def _chain_ascends(cls, chain: tuple[ApprovalStep, ...]) -> tuple[ApprovalStep, ...]:
        if not chain:
            raise ValueError("the approval chain needs at least one step")
        limits = [step.max_days for step in chain]
        if limits[-1] is not None:
            raise ValueError(
                "the last approval step must have no max_days (it approves any length)"
            )
        if any(limit is None for limit in limits[:-1]):
            raise ValueError("only the last approval step may omit max_days")
        bounded = [limit for limit in limits[:-1] if limit is not None]
        if bounded != sorted(set(bounded)):
            raise ValueError("approval steps must be in strictly increasing order of max_days")
        return chain


class SlotEntry(_Strict):
    name: SlotName
    due: LocalTime
    kind: Literal["in", "out"] | None = None
    half: Literal["am", "pm"] | None = None
    window_start: LocalTime | None = None
    window_end: LocalTime | None = None

    @model_validator(mode="after")
    def _kind_known(self) -> SlotEntry:
        if self.kind is None and not self.name.endswith(("in", "out")):
            raise ValueError(f"slot {self.name!r}: give kind = 'in' or 'out'")
        return self

    @property
    def slot_kind(self) -> Literal["in", "out"]:
        """Whether the slot takes a sign-in or a sign-out; named slots imply it."""
        if self.kind is not None:
            return self.kind
        return "out" if self.name.endswith("out") else "in"

    @property
    def slot_half(self) -> Literal["am", "pm"]:
        """The half day a slot belongs to; `am_*`/`in` are morning, others afternoon."""
        if self.half is not None:
            return self.half
        return "am" if self.name.startswith("am") or self.name == "in" else "pm"


class ScheduleEntry(_Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    label: str = ""
    default: bool = False
    valid_from: Annotated[str, Field(pattern=MONTH_DAY_PATTERN)] | None = None
    valid_to: Annotated[str, Field(pattern=MONTH_DAY_PATTERN)] | None = None
    slots: tuple[SlotEntry, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _season_pair(self) -> ScheduleEntry:
        if (self.valid_from is None) != (self.valid_to is None):
            raise ValueError("valid_from and valid_to go together")
        return self


class UnitEntry(_Strict):
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
    name: OneLine = Field(min_length=1, max_length=100)


class StaffEntry(_Strict):
    staff_no: Annotated[str, Field(pattern=STAFF_NO_PATTERN)]
    name: StaffName
    pin: Annotated[str, Field(pattern=PIN_PATTERN)]
    unit: str
    category: Category
    role: Role = "staff"
    start_date: date | None = None
    end_date: date | None = None
    schedule: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> StaffEntry:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class ServiceFields(BaseModel):
    """A service's fields as the hall file and the admin API take them (but its documents)."""

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
    name: OneLine = Field(min_length=1, max_length=100)
    name_en: OneLine = Field(default="", max_length=100)
    group: OneLine = Field(default="", max_length=40)
    prefix: Annotated[str, Field(pattern=r"^[A-Z]$")]
    kind: ServiceKind = "instant"
    promised_days: int | None = Field(default=None, ge=1, le=365)
    max_wait_minutes: Minutes = 30
    max_service_minutes: Minutes = 20
    daily_quota: Quota | None = None
    open_from: LocalTime = time(8, 30)
    open_to: LocalTime = time(17, 30)


class ServiceEntry(_Strict, ServiceFields):
    documents: tuple[OneLine, ...] = ()

    @model_validator(mode="after")
    def _committed_has_days(self) -> ServiceEntry:
        if self.kind == "committed" and self.promised_days is None:
            raise ValueError("a committed service (承诺件) needs promised_days")
        if self.open_to <= self.open_from:
            raise ValueError("open_to must be after open_from")
        return self


class WindowEntry(_Strict):
    number: int = Field(ge=1, le=999)
    name: OneLine = Field(min_length=1, max_length=100)
    kind: WindowKind = "comprehensive"
    services: tuple[str, ...] = Field(min_length=1)
    a_post: str
    b_post: str | None = None


DeviceProtocol = Literal["zk_tcp", "zk_udp", "adms", "serial"]


class DeviceEntry(_Strict):
    """A fingerprint terminal or punch reader the hall runs."""

    serial: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
    name: str = ""
    protocol: DeviceProtocol
    address: str = ""  # host:port for ZK, a serial port path or URL for serial; empty for ADMS
    timezone: str | None = None  # the device's zone; default the hall's
    installed_on: date | None = None
    comm_key: int = Field(default=0, ge=0, le=999_999_999)
    name_encoding: str = "gbk"
    poll_seconds: float = Field(default=30, ge=1, le=3600)
    timeout_seconds: float = Field(default=10, gt=0, le=300)
    clock_drift_max_seconds: int = Field(default=60, ge=1)
    correct_clock: bool = False
    clock_check_seconds: float = Field(default=3600, ge=10, le=86_400)  # while connected
    log_reread_seconds: float = Field(default=300, ge=5, le=86_400)  # while listening live
    log_warn_percent: int = Field(default=80, ge=1, le=100)  # alert when the log is this full
    clear_log: bool = False  # clear a ZK terminal's log after a verified download
    baudrate: int = Field(default=9600, ge=300, le=921_600)

    @model_validator(mode="after")
    def _address_fits(self) -> DeviceEntry:
        if self.protocol in ("zk_tcp", "zk_udp"):
            host, _, port = self.address.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"a ZK terminal needs address host:port, not {self.address!r}")
        if self.protocol == "serial" and not self.address:
            raise ValueError("a serial reader needs address (e.g. /dev/ttyUSB0)")
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        return self


class QueueSection(_Strict):
    """How the hall runs its queue (排队叫号)."""

    reset_hour: int = Field(default=0, ge=0, le=23)  # numbers restart at this local hour
    priority_reasons: tuple[Literal["elderly", "disabled", "military"], ...] = (
        "elderly",
        "disabled",
        "military",
    )  # 绿色通道
    priority_first: bool = True
    recall_limit: int = Field(default=3, ge=0, le=20)
    appointment_early_minutes: int = Field(default=0, ge=0, le=240)
    appointment_late_minutes: int = Field(default=30, ge=0, le=240)
    max_waiting: int = Field(default=100, ge=1)  # waiting per service above this: an alert
    default_service_minutes: float = Field(default=8.0, gt=0, le=240)


class HolidayEntry(_Strict):
    date: date
    workday: bool
    note: str = ""


class HallConfig(_Strict):
    hall: HallSection
    attendance: AttendanceSection = AttendanceSection()
    queue: QueueSection = QueueSection()
    queue_devices: QueueDevicesSection | None = None
    voice: VoiceSection = VoiceSection()
    privacy: PrivacySection = PrivacySection()
    alerts: AlertsSection = AlertsSection()
    schedules: tuple[ScheduleEntry, ...] = Field(min_length=1)
    units: tuple[UnitEntry, ...] = ()
    staff: tuple[StaffEntry, ...] = ()
    services: tuple[ServiceEntry, ...] = ()
    windows: tuple[WindowEntry, ...] = ()
    holidays: tuple[HolidayEntry, ...] = ()
    devices: tuple[DeviceEntry, ...] = ()


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _cross_check(cfg: HallConfig) -> list[tuple[str, str]]:
    """Checks that span sections: references, uniqueness, schedule slot order."""
    problems: list[tuple[str, str]] = []

    def unique(section: str, key: str, values: list[Any]) -> None:
        seen: set[Any] = set()
        for i, value in enumerate(values):
            if value in seen:
                problems.append((f"{section}[{i}].{key}", f"duplicate {key} {value!r}"))
            seen.add(value)

    unique("units", "code", [u.code for u in cfg.units])
    unique("staff", "staff_no", [s.staff_no for s in cfg.staff])
    unique("staff", "pin", [s.pin for s in cfg.staff])
    unique("services", "code", [s.code for s in cfg.services])
    unique("services", "prefix", [s.prefix for s in cfg.services])
    unique("windows", "number", [w.number for w in cfg.windows])
    unique("schedules", "name", [s.name for s in cfg.schedules])
    unique("holidays", "date", [h.date for h in cfg.holidays])
    unique("devices", "serial", [d.serial for d in cfg.devices])

    defaults = [s.name for s in cfg.schedules if s.default]
    if len(defaults) != 1:
        problems.append(("schedules", f"exactly one schedule must be default, found {defaults}"))
    for i, sched in enumerate(cfg.schedules):
        problem = schedule_problem(sched)
        if problem:
            problems.append((f"schedules[{i}]", f"schedule {sched.name!r}: {problem}"))

    units = {u.code for u in cfg.units}
    schedules = {s.name for s in cfg.schedules}
    staff = {s.staff_no for s in cfg.staff}
    services = {s.code for s in cfg.services}
    for i, person in enumerate(cfg.staff):
        if person.unit not in units:
            problems.append((f"staff[{i}].unit", f"unknown unit {person.unit!r}"))
        if person.schedule is not None and person.schedule not in schedules:
            problems.append((f"staff[{i}].schedule", f"unknown schedule {person.schedule!r}"))
    numbers = {w.number for w in cfg.windows}
    for i, wd in enumerate(cfg.queue_devices.windows if cfg.queue_devices else ()):
        if wd.number not in numbers:
            problems.append((f"queue_devices.windows[{i}].number", f"no window {wd.number}"))
    if cfg.queue_devices is not None:
        problems += board_problems(cfg.queue_devices, [s.prefix for s in cfg.services])
    for i, window in enumerate(cfg.windows):
        for j, code in enumerate(window.services):
            if code not in services:
                problems.append((f"windows[{i}].services[{j}]", f"unknown service {code!r}"))
        if len(set(window.services)) != len(window.services):
            problems.append((f"windows[{i}].services", "a service is listed twice"))
        for post in ("a_post", "b_post"):
            no = getattr(window, post)
            if no is not None and no not in staff:
                problems.append((f"windows[{i}].{post}", f"unknown staff number {no!r}"))
        if window.b_post is not None and window.b_post == window.a_post:
            problems.append((f"windows[{i}].b_post", "the B post must be another person"))
    return problems


def parse_config(data: dict[str, Any], source: str) -> HallConfig:
    """Validate a parsed TOML document; raise ConfigError listing every problem with its key."""
    try:
        cfg = HallConfig.model_validate(data)
    except ValidationError as exc:
        problems = [(_location(tuple(err["loc"])), err["msg"]) for err in exc.errors()]
        raise ConfigError(source, problems) from None
    problems = _cross_check(cfg)
    if problems:
        raise ConfigError(source, problems)
    return cfg


def load_config(path: Path) -> HallConfig:
    """Read and validate the hall configuration file at ``path``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), [("(file)", f"cannot read: {exc.strerror or exc}")]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [("(file)", f"not UTF-8 at byte {exc.start}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [("(syntax)", str(exc))]) from None
    return parse_config(data, str(path))
