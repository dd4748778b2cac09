"""`hallkeeper user|key|audit`: the first admin, passwords, machine keys, the chain's check."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hallbase.db import make_engine
from hallbase.settings import load_settings
from hallkeeper.app import create_app
from hallkeeper.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HALLKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HALLKEEPER_DATABASE_URL", raising=False)
    return tmp_path


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_first_admin_then_login_then_a_new_password(env: Path) -> None:
    code, output = _run("user", "add", "root", "--role", "admin", "--password-stdin",
                        stdin="first passphrase\n")  # fmt: skip
    assert code == 0 and "account root created: admin (hall)" in output, output
    code, output = _run("user", "add", "root", "--role", "admin", "--password-stdin",
                        stdin="first passphrase\n")  # fmt: skip
    assert code == 2 and "taken" in output
    code, output = _run("user", "add", "x", "--role", "admin", "--password-stdin", stdin="short\n")
    assert code == 2 and "at least 10 characters" in output
    code, output = _run("user", "add", "lead", "--role", "window_lead", "--password-stdin",
                        stdin="some passphrase\n")  # fmt: skip
    assert code == 2 and "unit:<code> or window:<n>" in output
    assert _run("config", "apply")[0] == 0  # the staff that accounts link to
    code, output = _run("user", "add", "lead", "--role", "window_lead", "--scope", "unit:SCJ",
                        "--staff-no", "SC001", "--name", "王芳", "--password-stdin",
                        stdin="lead passphrase\n")  # fmt: skip
    assert code == 0, output
    code, output = _run("user", "list")
    assert "root" in output and "window_lead (unit:SCJ)" in output and "王芳" in output
    settings = load_settings()
    with TestClient(create_app(settings)) as client:
        good = {"username": "root", "password": "first passphrase"}
        assert client.post("/api/v1/auth/login", json=good).status_code == 200
        code, output = _run("user", "passwd", "root", "--password-stdin", stdin="second phrase\n")
        assert code == 0, output
        assert client.get("/api/v1/auth/me").status_code == 401  # its sessions ended
        assert client.post("/api/v1/auth/login", json=good).status_code == 401
        good["password"] = "second phrase"
        assert client.post("/api/v1/auth/login", json=good).status_code == 200


def test_machine_keys_are_printed_once_and_revoked(env: Path) -> None:
    code, output = _run("key", "add", "大厅取号机", "--kind", "kiosk")
    assert code == 0, output
    key = output.strip().splitlines()[-1]
    assert key.startswith("hkm_") and len(key) > 40
    assert _run("key", "add", "x", "--kind", "toaster")[0] == 2
    assert _run("key", "add", "x", "--kind", "kiosk", "--scope", "self")[0] == 2
    code, output = _run("key", "list")
    assert key[:12] in output and key not in output
    with TestClient(create_app(load_settings())) as client:
        me = client.get("/api/v1/auth/me", headers={"X-Hall-Key": key})
        assert me.json()["machine_kind"] == "kiosk"
        assert _run("key", "revoke", "1") == (0, "key 1 revoked\n")
        assert client.get("/api/v1/auth/me", headers={"X-Hall-Key": key}).status_code == 401
    assert _run("key", "revoke", "9")[0] == 2


def test_audit_verify_names_the_first_broken_entry(env: Path) -> None:
    assert _run("audit", "verify") == (0, "chain intact, 0 entries\n")
    for name in ("a1", "a2", "a3"):
        _run("key", "add", name, "--kind", "hall_board")
    assert _run("key", "revoke", "2")[0] == 0
    assert _run("audit", "verify") == (0, "chain intact, 4 entries\n")
    engine = make_engine(load_settings().effective_database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2")
    engine.dispose()
    code, output = _run("audit", "verify")
    assert code == 1 and "chain broken at entry 2: edited" in output
