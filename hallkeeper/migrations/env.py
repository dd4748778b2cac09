"""Alembic environment: runs on the engine the service hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import attendance.models  # noqa: F401 - registers the attendance tables
import hallbase.auth.models  # registers the accounts, keys and audit tables
import hallbase.models  # noqa: F401 - registers the shared tables
import kiosk.models  # noqa: F401 - registers the queue's tables

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
