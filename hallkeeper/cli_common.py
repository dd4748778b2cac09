"""What every `hallkeeper` command group shares: its consoles, the error exit, the hall's
settings and database opened for a command, and the operating-system user as the actor."""

from __future__ import annotations

import getpass
import logging
from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine

from hallbase.auth import Actor
from hallbase.db import settings_engine
from hallbase.errors import ConfigError
from hallbase.settings import Settings, load_settings
from hallkeeper import migrations

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)
QUIET_LOG = "%(levelname)s %(name)s: %(message)s"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``message`` as an error and end the command with exit status ``code``."""
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    raise typer.Exit(code)


def command_settings(
    level: int = logging.WARNING, fmt: str = QUIET_LOG, **overrides: object
) -> Settings:
    """The hall's settings for a command; a bad value ends it with the problem named."""
    logging.basicConfig(level=level, format=fmt)
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        fail(str(exc))


def open_hall() -> tuple[Settings, Engine]:
    """Settings and the database, migrated to the current schema."""
    settings = command_settings()
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    return settings, engine


def cli_actor() -> Actor:
    """Who a command's changes are audited as: the operating-system user."""
    return Actor("cli", getpass.getuser())
