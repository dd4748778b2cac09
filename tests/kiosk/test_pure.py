"""The pure parts: the state tables, ID numbers, working days, the words, the settings."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.committed import add_working_days
from kiosk.config import QueueConfig
from kiosk.flow import (
    TICKET_STATES,
    TICKET_TRANSITIONS,
    WINDOW_TRANSITIONS,
    FlowError,
    is_open,
    ticket_next,
    window_next,
)
from kiosk.idcard import check_digit, id_hash, matches, normalise
from kiosk.words import announcement, both, word


def test_ticket_table_refuses_everything_not_listed() -> None:
    actions = {action for _, action in TICKET_TRANSITIONS}
    for state in TICKET_STATES:
        for action in actions:
            allowed = (state, action) in TICKET_TRANSITIONS
            if allowed:
                assert ticket_next("A001", state, action) == TICKET_TRANSITIONS[(state, action)]
            else:
                with pytest.raises(FlowError) as err:
                    ticket_next("A001", state, action)
                assert f"ticket A001 is {state}" in str(err.value)
    # terminal states accept nothing
    assert not [k for k in TICKET_TRANSITIONS if k[0] in ("finished", "no_show")]


def test_window_table() -> None:
    assert window_next(3, "idle", "call") == "serving"
    assert window_next(3, "serving", "release") == "idle"
    with pytest.raises(FlowError, match="window 3 is away"):
        window_next(3, "away", "call")
    with pytest.raises(FlowError, match="only an idle window can pause"):
        window_next(3, "serving", "pause")
    assert ("serving", "away") not in WINDOW_TRANSITIONS
    assert is_open("idle") and is_open("serving") and not is_open("paused") and not is_open("away")


def test_id_numbers() -> None:
    body = "11010519491231002"
    number = body + check_digit(body)
    assert number[-1] == "X"  # the published GB 11643 example
    assert normalise(number.lower()) == number
    with pytest.raises(ValueError, match="check digit"):
        normalise(body + "1")
    with pytest.raises(ValueError, match="17 digits"):
        normalise("12345")
    stored = id_hash(number, "salt1", "pepper")
    assert number not in stored and len(stored) == 64
    assert matches(number, "salt1", stored, "pepper")
    assert not matches(number, "salt2", stored, "pepper")
    assert not matches(number, "salt1", stored, "other")


def test_working_days_skip_weekends_and_holidays() -> None:
    def weekdays(day: date) -> bool:
        return day.weekday() < 5

    assert add_working_days(date(2026, 11, 27), 1, weekdays) == date(2026, 11, 30)  # Fri -> Mon
    assert add_working_days(date(2026, 11, 23), 5, weekdays) == date(2026, 11, 30)
    holiday = {date(2026, 11, 24)}
    assert add_working_days(
        date(2026, 11, 23), 1, lambda d: weekdays(d) and d not in holiday
    ) == date(2026, 11, 25)


def test_words() -> None:
    assert announcement("A001", 3) == {
        "zh": "请A001号到3号窗口办理",
        "en": "Ticket A001, please go to window 3",
    }
    assert "再次呼叫" in announcement("A001", 3, repeat=True)["zh"]
    assert both("window.away") == {"zh": "暂离", "en": "Away"}
    assert word("no.such.key") == "queue.no.such.key"  # the gap names its catalogue key


def test_config_checks() -> None:
    with pytest.raises(ValueError, match="reset_hour"):
        QueueConfig(reset_hour=24)
    with pytest.raises(ValueError, match="recall_limit"):
        QueueConfig(recall_limit=-1)
