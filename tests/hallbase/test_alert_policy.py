"""The `[alerts]` section: its checks, and the per-kind policy applied as alerts are queued."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from hallbase.alert_policy import quiet_until, use_policy
from hallbase.alerts import Alert, raise_alert, raise_alerts
from hallbase.db import read_session, write_session
from hallbase.errors import ConfigError
from hallbase.hallconfig import parse_config
from hallbase.hallconfig.alerts import AlertsSection, QuietHours
from hallbase.models import AlertOutbox
from hallbase.settings import REPO_CONFIG

TZ = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 12, 2, 12, 0, tzinfo=TZ)


def problems(alerts: dict[str, Any]) -> list[tuple[str, str]]:
    data = tomllib.loads(REPO_CONFIG.read_text("utf-8")) | {"alerts": alerts}
    with pytest.raises(ConfigError) as info:
        parse_config(data, "hall.toml")
    return info.value.problems


def test_bad_settings_are_named_by_their_key() -> None:
    late = {"kinds": {"attendance.late": {"severity": "loud"}}}
    assert problems(late)[0][0] == "alerts.kinds.attendance.late.severity"
    (where, why), *_ = problems({"kinds": {"attendance.late": {"outlets": ["dingtalk"]}}})
    assert where == "alerts" and "kinds.attendance.late.outlets" in why and "dingtalk" in why
    assert problems({"kinds": {"Bad Kind": {}}})[0][0].startswith("alerts.kinds")
    assert "quiet_hours" in problems({"quiet_hours": {"start": "20:00", "end": "20:00"}})[0][1]
    assert "repeat_minutes" in problems({"repeat_minutes": 40, "escalate_minutes": 30})[0][1]
    robot = {"webhook": "ftp://x"}
    assert problems({"dingtalk": robot})[0][0] == "alerts.dingtalk.webhook"
    fine = {"outlets": ["mqtt", "wecom"], "wecom": {"webhook": "https://example.org/?key=k"}}
    data = tomllib.loads(REPO_CONFIG.read_text("utf-8")) | {"alerts": fine}
    assert parse_config(data, "hall.toml").alerts.outlets_of("x") == ("mqtt", "wecom")


def test_quiet_hours_across_midnight() -> None:
    night = QuietHours.model_validate({"start": "20:00", "end": "07:30"})
    assert quiet_until(night, TZ, NOON) is None
    evening = datetime(2026, 12, 2, 21, 0, tzinfo=TZ)
    assert quiet_until(night, TZ, evening) == datetime(2026, 12, 3, 7, 30, tzinfo=TZ)
    early = datetime(2026, 12, 3, 6, 0, tzinfo=TZ)
    assert quiet_until(night, TZ, early) == datetime(2026, 12, 3, 7, 30, tzinfo=TZ)
    lunch = QuietHours.model_validate({"start": "12:00", "end": "13:00"})
    assert quiet_until(lunch, TZ, NOON) == NOON + timedelta(hours=1)


def _stored(engine: Engine) -> dict[str, AlertOutbox]:
    with read_session(engine) as session:
        return {r.message_id: r for r in session.exec(select(AlertOutbox))}


def test_policy_decides_what_is_stored_and_how(engine: Engine) -> None:
    cfg = AlertsSection.model_validate(
        {
            "quiet_hours": {"start": "20:00", "end": "07:30"},
            "kinds": {
                "noise": {"enabled": False},
                "late": {"severity": "info", "dedup_minutes": 30},
                "absent": {"quiet": "send"},
            },
        }
    )
    use_policy(engine, cfg, TZ)
    with write_session(engine) as session:
        assert not raise_alert(session, kind="noise", key="1", payload={}, now=NOON)
        alerts = [
            Alert("late", "a", {"staff_no": "S1"}),
            Alert("late", "b", {"staff_no": "S1"}),  # the same person within 30 min
            Alert("late", "c", {"staff_no": "S2"}),
        ]
        assert raise_alerts(session, alerts, NOON) == 2
    with write_session(engine) as session:
        later = NOON + timedelta(minutes=31)
        assert raise_alert(session, kind="late", key="d", payload={"staff_no": "S1"}, now=later)
        evening = datetime(2026, 12, 2, 21, 0, tzinfo=TZ)
        assert raise_alert(session, kind="absent", key="n", payload={}, now=evening)
        assert raise_alert(session, kind="device", key="n", payload={}, now=evening)
        assert not raise_alert(session, kind="late", key="n", payload={}, now=evening)  # info
    rows = _stored(engine)
    assert sorted(rows) == ["absent:n", "device:n", "late:a", "late:c", "late:d"]
    assert {rows[k].severity for k in ("late:a", "late:c", "late:d")} == {"info"}
    assert rows["absent:n"].hold_until is None  # sent even in quiet hours
    assert rows["device:n"].hold_until == datetime(2026, 12, 2, 23, 30, tzinfo=UTC)
    use_policy(engine, AlertsSection(), TZ)  # a plain policy: stored as raised
    with write_session(engine) as session:
        assert raise_alert(session, kind="noise", key="2", payload={}, now=NOON)
