"""Link health: one log line when a link goes down, one when it comes back."""

from __future__ import annotations

import logging

import pytest

from devices.common.health import LinkHealth

LOGGER = "tests.devices.common.health"


def _messages(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


def test_logs_once_down_and_once_up(caplog: pytest.LogCaptureFixture) -> None:
    health = LinkHealth(logging.getLogger(LOGGER), "LED bus /dev/ttyX")
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    assert not health.available
    health.up()  # first contact: nothing was down, nothing to say
    assert health.available
    for attempt in range(3):
        health.down(OSError(f"gone {attempt}"))
        assert not health.available
    health.up()
    health.up()
    assert health.available
    assert _messages(caplog) == [
        (LOGGER, logging.WARNING, "LED bus /dev/ttyX unavailable: gone 0"),
        (LOGGER, logging.INFO, "LED bus /dev/ttyX recovered"),
    ]


def test_each_outage_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    health = LinkHealth(logging.getLogger(LOGGER), "printer p")
    caplog.set_level(logging.INFO, logger=LOGGER)
    for _ in range(2):
        health.down(TimeoutError("silent"))
        health.up()
    assert [m for _, _, m in _messages(caplog)] == [
        "printer p unavailable: silent",
        "printer p recovered",
    ] * 2


def test_custom_recovery_line_and_first_connect(caplog: pytest.LogCaptureFixture) -> None:
    health = LinkHealth(
        logging.getLogger(LOGGER),
        "serial reader R1",
        recovered="available again on /dev/pts/9",
        recovered_level=logging.WARNING,
        connected="connected on /dev/pts/9",
    )
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    health.up()
    health.down(OSError("unplugged"))
    health.up()
    assert _messages(caplog) == [
        (LOGGER, logging.DEBUG, "serial reader R1 connected on /dev/pts/9"),
        (LOGGER, logging.WARNING, "serial reader R1 unavailable: unplugged"),
        (LOGGER, logging.WARNING, "serial reader R1 available again on /dev/pts/9"),
    ]


def test_clear_is_silent_and_keeps_the_outage_open(caplog: pytest.LogCaptureFixture) -> None:
    health = LinkHealth(logging.getLogger(LOGGER), "keypad bus k")
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    health.up()
    health.clear()
    assert not health.available
    assert caplog.records == []
    health.down(OSError("x"))
    health.clear()
    health.up()  # the outage logged before the clear still gets its recovery line
    assert [m for _, _, m in _messages(caplog)] == [
        "keypad bus k unavailable: x",
        "keypad bus k recovered",
    ]
