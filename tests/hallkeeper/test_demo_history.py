"""The demo's history agrees with its go-live: no working day before it goes unpunched."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from hallbase.hallconfig import parse_config
from hallkeeper.demo import DemoHall, demo_config_text
from kiosk.hardware.simulated import free_port


def test_the_demo_goes_live_on_its_first_day_of_history(tmp_path: Path) -> None:
    demo = DemoHall(tmp_path, "127.0.0.1", free_port())
    try:
        first = min(p.at.astimezone(demo.zone).date() for p in demo.script)
        # Earlier working days would all be judged absent for everyone: none of them is.
        assert demo.settings.hall.hall.go_live == first
    finally:
        demo.stop()


def test_the_demo_hall_file_takes_the_go_live_it_is_given(tmp_path: Path) -> None:
    text = demo_config_text(4370, str(tmp_path / "tty"), date(2026, 12, 7), True, date(2026, 12, 1))
    cfg = parse_config(tomllib.loads(text), "demo.toml")
    assert cfg.hall.go_live == date(2026, 12, 1)
