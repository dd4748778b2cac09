"""The hall file's `[queue_devices]` line settings, board widths and texts, and keypad codes:
what `hallkeeper config check` accepts, what it refuses and how it says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from devices.keypad.keys import DEFAULT_TABLE, KeyPress, encode_event
from hallbase.errors import ConfigError
from hallbase.hallconfig import load_config
from hallbase.hallconfig.queue_devices import QueueDevicesSection, WindowDevices
from hallbase.settings import REPO_CONFIG
from hallkeeper.cli import app
from kiosk.hardware.keypads import key_table

runner = CliRunner()


def hall_file(tmp_path: Path, devices: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(REPO_CONFIG.read_text("utf-8") + "\n" + devices, "utf-8")
    return path


BOARDS_57600 = """
[queue_devices]
led_bus = "/dev/ttyUSB0"
led_baudrate = 57600
led_parity = "even"
keypad_bus = "/dev/ttyUSB1"
printer = "/dev/ttyS0"
printer_baudrate = 19200

[[queue_devices.windows]]
number = 3
board = 3
keypad = 3
evaluator = 103

[[queue_devices.windows]]
number = 8
board = 8
"""


def test_boards_at_57600_pass_config_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HALLKEEPER_DATA_DIR", str(tmp_path))
    path = hall_file(tmp_path, BOARDS_57600)
    result = runner.invoke(app, ["config", "check", str(path)])
    assert result.exit_code == 0, result.output
    section = load_config(path).queue_devices
    assert section is not None
    assert (section.led_baudrate, section.led_parity, section.printer_baudrate) == (
        57600,
        "even",
        19200,
    )
    assert section.board_widths() == {3: 16, 8: 16}


def test_a_rate_no_board_runs_at_is_refused_by_name(tmp_path: Path) -> None:
    path = hall_file(tmp_path, BOARDS_57600.replace("57600", "56000"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "queue_devices.led_baudrate" in str(caught.value)
    assert "56000 is not a standard baud rate" in str(caught.value)
    bad_parity = BOARDS_57600.replace('"even"', '"mark"')
    with pytest.raises(ConfigError, match=r"queue_devices\.led_parity"):
        load_config(hall_file(tmp_path, bad_parity))


def test_the_default_texts_fit_a_16_column_board() -> None:
    section = QueueDevicesSection(
        led_bus="/dev/x",
        hall_board=200,
        windows=tuple(WindowDevices(number=n, board=n) for n in (3, 12, 99)),
    )
    from hallbase.hallconfig.queue_devices import board_problems, call_text, state_text

    assert board_problems(section, ["C"]) == []
    for window in (3, 12, 99):
        for text in (
            call_text(section, "C888", window),
            *(state_text(section, window, s) for s in ("idle", "paused", "away")),
        ):
            assert len(text.encode("gbk")) <= 16, text
    assert call_text(section, "C001", 12) == "请C001到12号窗口"


def with_line(line: str) -> str:
    """The boards' section with ``line`` added to [queue_devices]."""
    return BOARDS_57600.replace("[queue_devices]\n", f"[queue_devices]\n{line}\n")


def test_a_text_too_wide_for_its_board_is_refused(tmp_path: Path) -> None:
    wide = with_line('board_text = "请{number}号到{window}号窗口办理"')
    with pytest.raises(ConfigError) as caught:
        load_config(hall_file(tmp_path, wide))
    message = str(caught.value)
    assert "queue_devices.board_text" in message and "16-column board" in message
    # a wider board takes it
    roomy = with_line('board_text = "请{number}号到{window}号窗口办理"\nboard_columns = 32')
    assert load_config(hall_file(tmp_path, roomy)).queue_devices is not None
    unknown = with_line('board_text = "{ticket}"')
    with pytest.raises(ConfigError, match="unknown field"):
        load_config(hall_file(tmp_path, unknown))


VENDOR_CODES = """
[queue_devices.keypad_codes]
function = 0x05
call = 0x21
recall = 0x22
ok = 0x2F
no_show_digit = 1
score_function = 0x30
scores = { 1 = 1, 2 = 3, 3 = 5 }
"""


def test_keypad_codes_are_configuration(tmp_path: Path) -> None:
    section = load_config(hall_file(tmp_path, BOARDS_57600 + VENDOR_CODES))
    assert section.queue_devices is not None
    table = key_table(section.queue_devices.keypad_codes)
    assert encode_event(KeyPress(3, "call"), table) == bytes.fromhex(
        "ff 68 03 03 68 03 05 21 29 16"
    )
    assert encode_event(KeyPress(3, "no_show"), table) == bytes.fromhex(
        "ff 68 04 04 68 03 05 01 2f 38 16"
    )
    assert dict(table.scores) == {1: 1, 2: 3, 3: 5}
    # the defaults are the published layout
    default = key_table(QueueDevicesSection().keypad_codes)
    assert dict(default.keys) == dict(DEFAULT_TABLE.keys)
    assert dict(default.ok_digits) == dict(DEFAULT_TABLE.ok_digits)
    assert dict(default.scores) == dict(DEFAULT_TABLE.scores)


def test_clashing_keypad_codes_are_refused(tmp_path: Path) -> None:
    clash = VENDOR_CODES.replace("recall = 0x22", "recall = 0x21")
    with pytest.raises(ConfigError, match="call and recall have the same code 0x21"):
        load_config(hall_file(tmp_path, BOARDS_57600 + clash))
    digit = VENDOR_CODES + "suspend_digit = 1\n"
    with pytest.raises(ConfigError, match="need different digits"):
        load_config(hall_file(tmp_path, BOARDS_57600 + digit))


def test_a_lease_renewed_no_faster_than_it_runs_out_is_refused(tmp_path: Path) -> None:
    slow = "[queue_devices]\nlease_s = 20\nlease_renew_s = 20\n"
    with pytest.raises(ConfigError, match=r"lease_renew_s \(20.0\) must be less than lease_s"):
        load_config(hall_file(tmp_path, slow))
    section = load_config(hall_file(tmp_path, "[queue_devices]\nlease_renew_s = 5\n")).queue_devices
    assert section is not None and (section.lease_s, section.lease_renew_s) == (30.0, 5.0)
