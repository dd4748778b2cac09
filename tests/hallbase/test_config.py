"""The hall configuration file: the shipped one loads; every mistake names file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from hallbase.errors import ConfigError
from hallbase.hallconfig import load_config, parse_config
from hallbase.settings import REPO_CONFIG, load_settings


def shipped() -> dict[str, Any]:
    return tomllib.loads(REPO_CONFIG.read_text("utf-8"))


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ConfigError) as info:
        parse_config(data, "hall.toml")
    assert info.value.source == "hall.toml"
    return info.value.problems


def test_shipped_config_loads() -> None:
    cfg = load_config(REPO_CONFIG)
    assert cfg.hall.name == "示范市政务服务中心"
    assert [s.name for s in cfg.schedules if s.default] == ["four_punch"]
    four = next(s for s in cfg.schedules if s.name == "four_punch")
    assert [(s.name, s.slot_kind, s.slot_half) for s in four.slots] == [
        ("am_in", "in", "am"),
        ("am_out", "out", "am"),
        ("pm_in", "in", "pm"),
        ("pm_out", "out", "pm"),
    ]
    assert all(w.a_post for w in cfg.windows)


def test_unknown_unit_names_the_staff_entry() -> None:
    data = shipped()
    data["staff"][3]["unit"] = "NOWHERE"
    assert ("staff[3].unit", "unknown unit 'NOWHERE'") in problems_of(data)


def test_duplicate_staff_number_and_pin() -> None:
    data = shipped()
    data["staff"][1]["staff_no"] = data["staff"][0]["staff_no"]
    data["staff"][2]["pin"] = data["staff"][0]["pin"]
    found = dict(problems_of(data))
    assert "duplicate staff_no" in found["staff[1].staff_no"]
    assert "duplicate pin" in found["staff[2].pin"]


def test_malformed_pin_is_refused_with_its_key() -> None:
    data = shipped()
    data["staff"][0]["pin"] = "12a4"
    keys = [key for key, _ in problems_of(data)]
    assert keys == ["staff[0].pin"]


def test_bad_time_zone() -> None:
    data = shipped()
    data["hall"]["timezone"] = "Asia/Beijing"
    ((key, message),) = problems_of(data)
    assert key == "hall.timezone" and "Asia/Beijing" in message


def test_out_of_order_schedule_is_refused_with_its_name() -> None:
    data = shipped()
    slots = data["schedules"][0]["slots"]
    slots[1]["due"], slots[2]["due"] = slots[2]["due"], slots[1]["due"]
    ((key, message),) = problems_of(data)
    assert key == "schedules[0]"
    assert "'four_punch'" in message and "out of order" in message


def test_overlapping_slot_windows_are_refused() -> None:
    data = shipped()
    sched = data["schedules"][2]
    sched["slots"][0]["window_end"] = "13:00"
    sched["slots"][1]["window_start"] = "12:00"
    ((key, message),) = problems_of(data)
    assert key == "schedules[2]" and "'two_punch'" in message and "overlap" in message


def test_window_references_are_checked() -> None:
    data = shipped()
    data["windows"][0]["services"] = ["company_setup", "nope"]
    data["windows"][1]["b_post"] = data["windows"][1]["a_post"]
    found = dict(problems_of(data))
    assert found["windows[0].services[1]"] == "unknown service 'nope'"
    assert "another person" in found["windows[1].b_post"]


def test_committed_service_needs_promised_days() -> None:
    data = shipped()
    del data["services"][0]["promised_days"]
    ((key, message),) = problems_of(data)
    assert key == "services[0]" and "promised_days" in message


def test_unknown_key_is_refused() -> None:
    data = shipped()
    data["hall"]["colour"] = "red"
    ((key, _message),) = problems_of(data)
    assert key == "hall.colour"


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "hall.toml"
    bad.write_text('[hall]\nname = "x\n', "utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert str(bad) in str(info.value) and "(syntax)" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.toml")


def test_settings_refuse_half_configured_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALLKEEPER_PORT", "99999")
    with pytest.raises(ConfigError) as info:
        load_settings(data_dir=tmp_path)
    assert info.value.problems[0][0] == "HALLKEEPER_PORT"
    monkeypatch.delenv("HALLKEEPER_PORT")
    # Production needs the session secret (people's sessions, tokens, keys): no shared token.
    with pytest.raises(ConfigError, match="HALLKEEPER_SESSION_SECRET"):
        load_settings(data_dir=tmp_path, environment="production", id_pepper="p" * 40)
    with pytest.raises(ConfigError, match="HALLKEEPER_MQTT_URL"):
        load_settings(data_dir=tmp_path, mqtt_url="tcp://localhost")
    monkeypatch.setenv("HALLKEEPER_MQTT_PROTOCOL", "4")
    with pytest.raises(ConfigError) as info:
        load_settings(data_dir=tmp_path)
    assert info.value.problems[0][0] == "HALLKEEPER_MQTT_PROTOCOL"
    monkeypatch.setenv("HALLKEEPER_MQTT_PROTOCOL", "5")
    assert load_settings(data_dir=tmp_path).mqtt_protocol == "5"
    monkeypatch.delenv("HALLKEEPER_MQTT_PROTOCOL")
    with pytest.raises(ConfigError, match="HALLKEEPER_TIMEZONE"):
        load_settings(data_dir=tmp_path, timezone="Mars/Olympus")
    broken = tmp_path / "broken.toml"
    broken.write_text("[hall]\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(data_dir=tmp_path, config=broken)
    assert info.value.source == str(broken)


def test_mqtt_tls_files_are_checked_at_start(tmp_path: Path) -> None:
    """A missing TLS file stops the start with its variable and its path named."""
    ca = tmp_path / "ca.pem"
    ca.write_text("not read here", "utf-8")
    absent = tmp_path / "absent" / "client.pem"
    with pytest.raises(ConfigError) as info:
        load_settings(
            data_dir=tmp_path, mqtt_url="mqtts://broker", mqtt_ca_file=ca, mqtt_cert_file=absent
        )
    assert info.value.problems == [("HALLKEEPER_MQTT_CERT_FILE", f"no such file: {absent}")]
    with pytest.raises(ConfigError) as info:
        load_settings(data_dir=tmp_path, mqtt_url="mqtts://broker", mqtt_key_file=ca)
    assert info.value.problems == [
        ("HALLKEEPER_MQTT_KEY_FILE", "needs HALLKEEPER_MQTT_CERT_FILE as well")
    ]
    with pytest.raises(ConfigError) as info:
        load_settings(data_dir=tmp_path, mqtt_url="mqtt://broker", mqtt_ca_file=ca)
    assert info.value.problems[0][0] == "HALLKEEPER_MQTT_CA_FILE"
    assert "mqtts://" in info.value.problems[0][1]
    settings = load_settings(data_dir=tmp_path, mqtt_url="mqtts://broker", mqtt_ca_file=ca)
    assert settings.mqtt_ca_file == ca


def test_queue_section_is_checked_and_reaches_the_queue(tmp_path: Path) -> None:
    data = shipped()
    data["queue"]["reset_hour"] = 24
    data["queue"]["priority_reasons"] = ["elderly", "vip"]
    keys = [key for key, _ in problems_of(data)]
    assert keys == ["queue.reset_hour", "queue.priority_reasons[1]"]

    from hallkeeper.app import queue_config

    settings = load_settings(data_dir=tmp_path, id_pepper="s3cret-pepper")
    config = queue_config(settings)
    assert (config.recall_limit, config.id_pepper) == (3, "s3cret-pepper")
    assert config.priority_reasons == ("elderly", "disabled", "military")
    with pytest.raises(ConfigError, match="HALLKEEPER_ID_PEPPER"):
        load_settings(data_dir=tmp_path, environment="production", id_pepper="")


def test_off_post_grace_is_checked() -> None:
    data = shipped()
    data["attendance"]["off_post_grace_minutes"] = 45  # past the 30-minute absence
    ((key, message),) = problems_of(data)
    assert key == "attendance" and "off_post_grace_minutes" in message
    data = shipped()
    data["attendance"]["off_post_grace_per"] = "week"
    ((key, _message),) = problems_of(data)
    assert key == "attendance.off_post_grace_per"
