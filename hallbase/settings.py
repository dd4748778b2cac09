"""Service settings: `HALLKEEPER_*` environment variables over the hall configuration file."""

from __future__ import annotations

import hashlib
import os
import re
import socket
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hallbase.db import SQLITE_CACHE_MIB, SQLITE_MMAP_MIB
from hallbase.errors import ConfigError
from hallbase.hallconfig import HallConfig, load_config
from hallbase.words import use_dir

# The shipped hall: in a checkout `hallbase/default_hall.toml` links to `config/hall.toml`
# (the documented place), and a wheel carries a copy of it, so an installed service finds it.
REPO_CONFIG = (Path(__file__).parent / "default_hall.toml").resolve()
DEVELOPMENT_SECRET = "hallkeeper-development-only-session-secret"
MIN_SECRET_LENGTH = 32
# Values that deploy/hallkeeper.env.example has shown: never a production secret.
EXAMPLE_SECRETS = frozenset(
    {
        DEVELOPMENT_SECRET,
        "change-me-to-a-long-random-string",
        "change-me-to-another-long-random-string",
    }
)


class Settings(BaseSettings):
    """Process-wide settings; every field can be set as HALLKEEPER_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="HALLKEEPER_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    config: Path = REPO_CONFIG
    data_dir: Path = Path("data")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite")
    sqlite_cache_mib: int = Field(
        default=SQLITE_CACHE_MIB, ge=1, le=64 * 1024, description="SQLite page cache per connection"
    )
    sqlite_mmap_mib: int = Field(
        default=SQLITE_MMAP_MIB, ge=0, le=64 * 1024, description="SQLite memory map; 0: none"
    )
    mqtt_url: str | None = Field(default=None, description="mqtt://host:port; none: no broker")
    mqtt_topic: str = Field(
        default="hallkeeper", pattern=r"^[^#+\s]+$", description="topic prefix for alerts"
    )
    mqtt_protocol: Literal["3.1.1", "5"] = Field(
        default="3.1.1", description="the MQTT version spoken to the broker: 3.1.1 or 5"
    )
    mqtt_ca_file: Path | None = Field(
        default=None,
        description="CA certificate(s), PEM, that the broker's certificate must chain to",
    )
    mqtt_cert_file: Path | None = Field(
        default=None, description="client certificate, PEM, for brokers that require one"
    )
    mqtt_key_file: Path | None = Field(
        default=None, description="the client certificate's private key, PEM"
    )
    mqtt_discovery: str | None = Field(
        default=None,
        pattern=r"^[^#+\s]+$",
        description="Home Assistant discovery prefix (e.g. homeassistant); none: no discovery",
    )
    timezone: str | None = Field(default=None, description="overrides hall.timezone")
    id_pepper: str | None = Field(
        default=None, description="secret mixed into the hashes of citizens' ID numbers"
    )
    words_dir: Path | None = Field(
        default=None, description="folder of the hall's own language files (<code>.toml)"
    )
    public_url: str | None = Field(
        default=None,
        description="the address citizens' phones reach the service at (the ticket's QR code)",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    instance_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]{1,40}$",
        description="this instance's name on the broker; default: host name and data dir hash",
    )
    session_secret: str | None = Field(
        default=None,
        description="key of the stored digests of sessions, API tokens and machine keys",
    )
    session_idle_minutes: int = Field(default=60, ge=1, le=24 * 60)
    session_max_hours: int = Field(default=12, ge=1, le=24 * 30)

    @field_validator(
        "session_secret",
        "database_url",
        "mqtt_url",
        "mqtt_ca_file",
        "mqtt_cert_file",
        "mqtt_key_file",
        "mqtt_discovery",
        "timezone",
        "id_pepper",
        "instance_id",
        "words_dir",
        "public_url",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        return None if value is None else check_public_url(value)

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hallkeeper.db').resolve()}"

    @property
    def auth_secret(self) -> str:
        """HALLKEEPER_SESSION_SECRET; outside production a fixed development key if unset."""
        return self.session_secret or DEVELOPMENT_SECRET

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS in production."""
        return self.environment == "production"

    @cached_property
    def instance(self) -> str:
        """HALLKEEPER_INSTANCE_ID, else `<host>-<hash of the data dir>`: stable across restarts,
        different for two instances on one machine (each has its own data directory)."""
        if self.instance_id:
            return self.instance_id
        host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:24] or "host"
        digest = hashlib.sha1(str(self.data_dir.resolve()).encode()).hexdigest()[:8]
        return f"{host}-{digest}"

    @cached_property
    def hall(self) -> HallConfig:
        """The validated hall configuration (loaded once)."""
        return load_config(self.config)

    @property
    def zone(self) -> ZoneInfo:
        """The hall's time zone: HALLKEEPER_TIMEZONE, else hall.timezone."""
        return ZoneInfo(self.timezone or self.hall.hall.timezone)


def check_public_url(value: str) -> str:
    """An absolute http(s) address with a host and no query, fragment or credentials; the
    trailing slash is dropped (paths are added to it)."""
    parts = urlsplit(value.strip())
    problem = None
    if parts.scheme not in ("http", "https"):
        problem = "must start with http:// or https://"
    elif not parts.hostname:
        problem = "has no host name"
    elif parts.username or parts.password:
        problem = "must not carry a user name or password"
    elif parts.query or parts.fragment or "?" in value or "#" in value:
        problem = "must not have a query (?) or a fragment (#)"
    elif any(c.isspace() for c in value.strip()):
        problem = "must not contain spaces"
    else:
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            problem = "has a bad port number"
    if problem:
        raise ValueError(f"{value!r} {problem} (e.g. https://hall.example.gov.cn)")
    return value.strip().rstrip("/")


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment and check everything; never half-configured."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = [
            ("HALLKEEPER_" + "_".join(str(p) for p in err["loc"]).upper(), err["msg"])
            for err in exc.errors()
        ]
        raise ConfigError("environment", problems) from None
    try:
        use_dir(settings.words_dir)  # before the hall file, which names its language
    except (ValueError, OSError) as exc:
        raise ConfigError("environment", [("HALLKEEPER_WORDS_DIR", str(exc))]) from None
    settings.hall  # noqa: B018 - load and validate the hall file now, not on first use
    if settings.timezone:
        try:
            ZoneInfo(settings.timezone)
        except (ValueError, KeyError) as exc:
            raise ConfigError(
                "environment", [("HALLKEEPER_TIMEZONE", f"unknown time zone: {exc}")]
            ) from None
    if settings.environment == "production" and not settings.id_pepper:
        raise ConfigError(
            "environment",
            [("HALLKEEPER_ID_PEPPER", "must be set when HALLKEEPER_ENVIRONMENT=production")],
        )
    if settings.environment == "production":
        _check_session_secret(settings.session_secret)
    if settings.mqtt_url and not settings.mqtt_url.startswith(("mqtt://", "mqtts://")):
        raise ConfigError(
            "environment", [("HALLKEEPER_MQTT_URL", "must start with mqtt:// or mqtts://")]
        )
    _check_mqtt_files(settings)
    return settings


def _check_mqtt_files(settings: Settings) -> None:
    """The TLS files exist and can be read, and go with an ``mqtts://`` broker."""
    files = {
        "HALLKEEPER_MQTT_CA_FILE": settings.mqtt_ca_file,
        "HALLKEEPER_MQTT_CERT_FILE": settings.mqtt_cert_file,
        "HALLKEEPER_MQTT_KEY_FILE": settings.mqtt_key_file,
    }
    problems: list[tuple[str, str]] = []
    tls = (settings.mqtt_url or "").startswith("mqtts://")
    for name, path in files.items():
        if path is None:
            continue
        if not tls:
            problems.append((name, "needs a HALLKEEPER_MQTT_URL starting with mqtts://"))
        elif not path.is_file():
            problems.append((name, f"no such file: {path}"))
        elif not os.access(path, os.R_OK):
            problems.append((name, f"cannot be read by this user: {path}"))
    if settings.mqtt_key_file is not None and settings.mqtt_cert_file is None:
        problems.append(("HALLKEEPER_MQTT_KEY_FILE", "needs HALLKEEPER_MQTT_CERT_FILE as well"))
    if problems:
        raise ConfigError("environment", problems)


def _check_session_secret(secret: str | None) -> None:
    """Production needs a long session secret that no example shows."""
    problem = None
    if not secret:
        problem = "must be set when HALLKEEPER_ENVIRONMENT=production"
    elif secret in EXAMPLE_SECRETS or secret.lower().startswith(("change-me", "replace")):
        problem = "is an example value: generate one (see deploy/README.md)"
    elif len(secret) < MIN_SECRET_LENGTH:
        problem = f"is too short: at least {MIN_SECRET_LENGTH} characters"
    if problem:
        raise ConfigError("environment", [("HALLKEEPER_SESSION_SECRET", problem)])
