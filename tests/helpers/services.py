"""The machine's services: where they are, and skipping (failing in CI) when one is missing."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get(
    "HALLKEEPER_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MQTT_URL = os.environ.get("HALLKEEPER_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


def service_missing(name: str, reason: str) -> None:
    """Skip when a machine service is missing; in CI that is a failure, never a skip."""
    message = f"{name} is not reachable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: services must be up)")
    pytest.skip(message)


def reset_pg(url: str) -> None:
    """Empty the PostgreSQL database at ``url``: a new public schema."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
