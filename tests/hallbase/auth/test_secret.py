"""Production refuses a missing, short or example session secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallbase.errors import ConfigError
from hallbase.settings import DEVELOPMENT_SECRET, load_settings

EXAMPLE = Path(__file__).parents[3] / "deploy" / "hallkeeper.env.example"


def _production(tmp_path: Path, secret: str) -> None:
    load_settings(
        data_dir=tmp_path,
        environment="production",
        id_pepper="p" * 40,
        session_secret=secret,
    )


def _example_values() -> dict[str, str]:
    lines = EXAMPLE.read_text("utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key: value for key, value in pairs}


@pytest.mark.parametrize(
    "secret",
    [
        "",
        "short",
        "x" * 31,
        DEVELOPMENT_SECRET,
        "change-me-to-a-long-random-string",
        "REPLACE-with-a-long-random-string-of-yours",
    ],
)
def test_weak_or_example_secrets_are_refused(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _production(tmp_path, secret)
    assert "HALLKEEPER_SESSION_SECRET" in str(caught.value)


def test_the_shipped_example_does_not_start_and_a_generated_secret_does(tmp_path: Path) -> None:
    example = _example_values()
    with pytest.raises(ConfigError) as caught:
        _production(tmp_path, example["HALLKEEPER_SESSION_SECRET"])
    assert "must be set" in str(caught.value)
    _production(tmp_path, "k3J9vQ2mX7pL0aZ5rT8wY1cN4bF6hD2sG9eU3iO7")
    development = load_settings(data_dir=tmp_path)
    assert development.auth_secret == DEVELOPMENT_SECRET and not development.secure_cookies
