"""The relay over TLS with a password and a client certificate, against a private Mosquitto
whose throw-away CA and certificates the test makes with openssl."""

from __future__ import annotations

import logging
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hallbase.alerts import raise_alert
from hallbase.db import write_session
from hallbase.errors import ConfigError
from hallkeeper.mqtt import MqttRelay
from hallkeeper.mqtt_tls import TlsFiles, tls_context
from tests.helpers.broker import Listener, PrivateBroker
from tests.helpers.services import service_missing
from tests.helpers.waiting import wait_until

NOW = datetime(2026, 11, 23, 0, 46, tzinfo=UTC)
USER, PASSWORD = "hallkeeper", "s3cret-for-the-test"


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _key_and_csr(directory: Path, name: str, subject: str) -> None:
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(directory / f"{name}.key"), "-out", str(directory / f"{name}.csr"),
        "-subj", subject,
    )  # fmt: skip


def _ca(directory: Path, name: str) -> Path:
    """A self-signed CA certificate ``<name>.pem`` with its key ``<name>.key``."""
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", str(directory / f"{name}.key"), "-out", str(directory / f"{name}.pem"),
        "-days", "2", "-subj", f"/CN={name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    return directory / f"{name}.pem"


def _signed(directory: Path, ca: str, name: str, extensions: str) -> Path:
    """A certificate ``<name>.pem`` for key ``<name>.key``, signed by CA ``ca``."""
    _key_and_csr(directory, name, f"/CN={name}")
    ext = directory / f"{name}.ext"
    ext.write_text(extensions, "utf-8")
    _openssl(
        "x509", "-req", "-in", str(directory / f"{name}.csr"),
        "-CA", str(directory / f"{ca}.pem"), "-CAkey", str(directory / f"{ca}.key"),
        "-CAcreateserial", "-out", str(directory / f"{name}.pem"), "-days", "2",
        "-extfile", str(ext),
    )  # fmt: skip
    return directory / f"{name}.pem"


@dataclass(frozen=True)
class Pki:
    ca: Path
    other_ca: Path  # a CA that signed nothing the broker shows
    client: TlsFiles  # the relay's files: the right CA, its client certificate and key
    server: Path
    server_key: Path


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    if shutil.which("openssl") is None:
        service_missing("openssl", "not installed")
    d = tmp_path / "pki"
    d.mkdir()
    ca = _ca(d, "hall-ca")
    other = _ca(d, "other-ca")
    server = _signed(
        d, "hall-ca", "server", "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "extendedKeyUsage=serverAuth\n"
    )  # fmt: skip
    client = _signed(d, "hall-ca", "client", "extendedKeyUsage=clientAuth\n")
    return Pki(ca, other, TlsFiles(ca, client, d / "client.key"), server, d / "server.key")


@pytest.fixture
def broker(tmp_path: Path, pki: Pki) -> Iterator[PrivateBroker]:
    """TLS only, a password and a client certificate required, nobody anonymous."""
    passwords = tmp_path / "passwords"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), USER, PASSWORD], check=True)
    passwords.chmod(0o600)
    listener = (
        f"cafile {pki.ca}\ncertfile {pki.server}\nkeyfile {pki.server_key}\n"
        f"require_certificate true\nallow_anonymous false\npassword_file {passwords}\n"
    )
    private = PrivateBroker(tmp_path, listener).start()
    yield private
    private.stop()


def test_an_alert_arrives_over_tls_with_password_and_client_certificate(
    engine: Engine, pki: Pki, broker: PrivateBroker
) -> None:
    url = f"mqtts://{USER}:{PASSWORD}@localhost:{broker.port}"
    relay = MqttRelay(engine, url, topic_prefix="hk", hall_code="h1", tls=pki.client)
    sub = Listener(
        "localhost",
        broker.port,
        "hk/h1/alerts/#",
        tls=tls_context(pki.client),
        auth=(USER, PASSWORD),
    )
    try:
        relay.start()
        wait_until(lambda: relay.status()["ok"], timeout=15)
        with write_session(engine) as session:
            raise_alert(session, kind="late", key="SC001:tls", payload={"n": 1}, now=NOW)
        topic, body, _retained = sub.until(lambda m: True)
        assert topic == "hk/h1/alerts/late" and body["message_id"] == "late:SC001:tls"
    finally:
        relay.stop()
        sub.close()


def test_a_broker_certificate_from_another_ca_is_refused_with_a_clear_error(
    engine: Engine, pki: Pki, broker: PrivateBroker, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = TlsFiles(pki.other_ca, pki.client.cert_file, pki.client.key_file)
    url = f"mqtts://{USER}:{PASSWORD}@localhost:{broker.port}"
    relay = MqttRelay(engine, url, topic_prefix="hk", hall_code="h1", tls=wrong)
    caplog.set_level(logging.ERROR, logger="hallkeeper.mqtt")
    try:
        relay.start()
        error = wait_until(lambda: relay.status()["error"], timeout=15)
        assert "TLS certificate was refused" in error and str(pki.other_ca) in error
        assert "HALLKEEPER_MQTT_CA_FILE" in error and f"localhost:{broker.port}" in error
        logged = [r.getMessage() for r in caplog.records if r.name == "hallkeeper.mqtt"]
        assert any("certificate was refused" in line for line in logged), logged
        assert relay.connects == 0 and not relay.status()["ok"]
    finally:
        relay.stop()


def test_tls_files_that_are_not_certificates_stop_the_start(tmp_path: Path, pki: Pki) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        tls_context(TlsFiles(ca_file=junk))
    assert info.value.problems[0][0] == "HALLKEEPER_MQTT_CA_FILE"
    assert str(junk) in info.value.problems[0][1]
    with pytest.raises(ConfigError) as info:
        tls_context(TlsFiles(pki.ca, junk, pki.client.key_file))
    assert info.value.problems[0][0] == "HALLKEEPER_MQTT_CERT_FILE"
    assert str(junk) in info.value.problems[0][1]
    assert isinstance(tls_context(pki.client), ssl.SSLContext)
