"""The `[alerts]` section of the hall file: where alerts go, when they repeat, per-kind policy.

    [alerts]
    outlets = ["mqtt"]              # where every kind goes unless its policy says otherwise
    repeat_minutes = 10             # an unacknowledged critical alert repeats this often (0: never)
    repeat_max = 6                  # at most this many repeats
    escalate_minutes = 30           # then the escalation contact is alerted (0: never)
    escalation_outlets = ["mqtt"]   # where the escalation goes (topic .../alerts/alert.escalation)
    quiet_hours = { start = "20:00", end = "07:30" }   # optional; may span midnight

    [alerts.kinds."attendance.late"]
    severity = "info"               # override the severity the service gives it
    enabled = true                  # false: never stored, never sent
    outlets = ["mqtt", "dingtalk"]
    quiet = "hold"                  # in quiet hours: hold (sent when they end), drop, or send
    dedup_minutes = 30              # one alert per subject (person, window, device) this often

    [alerts.dingtalk]               # 钉钉群机器人
    webhook = "https://oapi.dingtalk.com/robot/send?access_token=..."
    secret = "SEC..."               # the robot's signing secret (加签); or secret_env = "NAME"

    [alerts.wecom]                  # 企业微信群机器人
    webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."

Without a ``quiet`` of its own, an info alert is dropped in quiet hours and others are held.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hallbase.fields import LocalTime

Outlet = Literal["mqtt", "dingtalk", "wecom"]
Severity = Literal["info", "warning", "critical"]
QuietAction = Literal["hold", "drop", "send"]
KindName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,39}$")]
Webhook = Annotated[str, Field(pattern=r"^https?://[^\s]{1,500}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuietHours(_Strict):
    """Local times; ``end`` before ``start`` spans midnight."""

    start: LocalTime
    end: LocalTime

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet_hours: start and end must differ")
        return self


class KindPolicy(_Strict):
    """One kind's policy; a setting left out follows the section's."""

    enabled: bool = True
    severity: Severity | None = None
    outlets: tuple[Outlet, ...] | None = None
    quiet: QuietAction | None = None
    dedup_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60)


class RobotSection(_Strict):
    """A group robot's webhook (DingTalk or WeCom) and its signing secret, if any."""

    webhook: Webhook
    secret: str = Field(default="", max_length=200)
    secret_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]{0,63}$")
    per_minute: int = Field(default=20, ge=1, le=20)  # both platforms allow 20 a minute

    @property
    def signing_secret(self) -> str:
        """``secret``, else the environment variable ``secret_env`` names ("" if neither)."""
        if self.secret or self.secret_env is None:
            return self.secret
        return os.environ.get(self.secret_env, "")


class AlertsSection(_Strict):
    """How alerts reach people (see the module docstring)."""

    outlets: tuple[Outlet, ...] = ("mqtt",)
    repeat_minutes: int = Field(default=10, ge=0, le=24 * 60)
    repeat_max: int = Field(default=6, ge=0, le=100)
    escalate_minutes: int = Field(default=30, ge=0, le=24 * 60)
    escalation_outlets: tuple[Outlet, ...] = ("mqtt",)
    quiet_hours: QuietHours | None = None
    kinds: dict[KindName, KindPolicy] = {}
    dingtalk: RobotSection | None = None
    wecom: RobotSection | None = None

    @model_validator(mode="after")
    def _outlets_configured(self) -> AlertsSection:
        named = [("outlets", self.outlets), ("escalation_outlets", self.escalation_outlets)]
        named += [(f"kinds.{k}.outlets", p.outlets or ()) for k, p in self.kinds.items()]
        for key, outlets in named:
            for outlet in outlets:
                if outlet != "mqtt" and getattr(self, outlet) is None:
                    raise ValueError(f"{key}: outlet {outlet!r} needs an [alerts.{outlet}] section")
        if self.escalate_minutes and self.repeat_minutes > self.escalate_minutes:
            raise ValueError(
                "repeat_minutes must not exceed escalate_minutes "
                f"({self.repeat_minutes} > {self.escalate_minutes})"
            )
        return self

    def policy(self, kind: str) -> KindPolicy:
        """The policy of ``kind`` (the defaults when the hall file names none)."""
        return self.kinds.get(kind) or DEFAULT_POLICY

    def outlets_of(self, kind: str) -> tuple[Outlet, ...]:
        """Where alerts of ``kind`` go."""
        own = self.policy(kind).outlets
        if own is None and kind == "alert.escalation":
            return self.escalation_outlets
        return self.outlets if own is None else own


DEFAULT_POLICY = KindPolicy()
