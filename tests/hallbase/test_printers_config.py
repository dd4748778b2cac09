"""Several printers in the hall file (per kiosk, per window, USB printer class) and the
public address the ticket's QR code opens: what is accepted, and what is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallbase.errors import ConfigError
from hallbase.hallconfig import load_config
from hallbase.settings import REPO_CONFIG, load_settings

PRINTERS = """
[queue_devices]
printer = "192.168.1.50:9100"
printer_profile = "TM-T20II"

[[queue_devices.printers]]
name = "P1"
address = "/dev/usb/lp0"
profile = "POS-5890"
kiosks = ["kiosk-east"]

[[queue_devices.printers]]
name = "P2"
address = "usblp:/run/printers/lp1"
qr = "none"
kiosks = ["kiosk-west"]

[[queue_devices.windows]]
number = 3
printer = "P2"
"""


def hall_file(tmp_path: Path, devices: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(REPO_CONFIG.read_text("utf-8") + "\n" + devices, "utf-8")
    return path


def test_printers_with_profiles_kiosks_and_a_windows_printer(tmp_path: Path) -> None:
    section = load_config(hall_file(tmp_path, PRINTERS)).queue_devices
    assert section is not None
    main, p1, p2 = section.printer_setups()
    assert (main.name, main.kind, main.qr, main.cut, main.paper_mm, main.status) == (
        "main",
        "tcp",
        "native",
        True,
        80,
        True,
    )
    # POS-5890: no native QR, no cutter, 58 mm (escpos-printer-db); USB: no status checks.
    assert (p1.kind, p1.qr, p1.cut, p1.paper_mm, p1.status) == ("usblp", "raster", False, 58, False)
    assert (p2.kind, p2.qr, p2.cut) == ("usblp", "none", True)
    assert section.kiosk_printers() == {"kiosk-east": "P1", "kiosk-west": "P2"}
    assert section.default_printer() == "main"
    window = section.window(3)
    assert window is not None and window.printer == "P2"


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (('profile = "POS-5890"', 'profile = "XP-58"'), "queue_devices.printers[0].profile",
         "unknown printer profile 'XP-58'"),
        (('name = "P2"', 'name = "P1"'), "queue_devices", "the name 'P1' is used twice"),
        (('name = "P2"', 'name = "main"'), "queue_devices", "the name 'main' is used twice"),
        (('["kiosk-west"]', '["kiosk-east"]'), "queue_devices",
         "kiosk 'kiosk-east' is given to P1 and P2"),
        (('printer = "P2"', 'printer = "P9"'), "queue_devices",
         "window 3's printer 'P9' is not a printer"),
        (('qr = "none"', 'status = true'), "queue_devices", "write-only"),
        (('profile = "POS-5890"', 'profile = "POS-5890"\nqr = "native"'), "queue_devices",
         "profile POS-5890 has no native QR code"),
        (('"usblp:/run/printers/lp1"', '"usblp:lp1"'), "queue_devices.printers[1].address",
         "usblp: needs an absolute path"),
        (('"/dev/usb/lp0"', '"printer-east"'), "queue_devices.printers[0].address",
         "use host:port"),
    ],
)  # fmt: skip
def test_printer_mistakes_are_refused_by_name(
    tmp_path: Path, change: tuple[str, str], key: str, message: str
) -> None:
    assert change[0] in PRINTERS
    with pytest.raises(ConfigError) as caught:
        load_config(hall_file(tmp_path, PRINTERS.replace(*change, 1)))
    assert key in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://hall.example.gov.cn/", "https://hall.example.gov.cn"),
        ("http://10.0.0.5:8000/queue", "http://10.0.0.5:8000/queue"),
    ],
)
def test_public_url_is_kept_without_its_trailing_slash(
    tmp_path: Path, given: str, kept: str
) -> None:
    settings = load_settings(data_dir=tmp_path, database_url="", mqtt_url="", public_url=given)
    assert settings.public_url == kept


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("hall.example.gov.cn", "must start with http:// or https://"),
        ("ftp://hall.example.gov.cn", "must start with http:// or https://"),
        ("https://", "has no host name"),
        ("https://user:pw@hall.example.gov.cn", "user name or password"),
        ("https://hall.example.gov.cn/?a=1", "query"),
        ("https://hall.example.gov.cn/#x", "fragment"),
        ("https://hall.example.gov.cn:99999", "bad port"),
    ],
)
def test_a_bad_public_url_is_refused_by_name(tmp_path: Path, given: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(data_dir=tmp_path, database_url="", mqtt_url="", public_url=given)
    assert "HALLKEEPER_PUBLIC_URL" in str(caught.value) and message in str(caught.value)
