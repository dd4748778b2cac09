"""TLS to the broker: the context of ``mqtts://`` connections, and what a failed one means.

``HALLKEEPER_MQTT_CA_FILE`` names the CA certificate(s) the broker's certificate must chain to
(without it, the system's trusted CAs); ``HALLKEEPER_MQTT_CERT_FILE`` and
``HALLKEEPER_MQTT_KEY_FILE`` the client certificate and its key, for brokers that require one
(``require_certificate true`` in Mosquitto). The settings check that the files exist
(`hallbase.settings.load_settings`); here their content is loaded, once, at start, so a file
that is not what it should be stops the start with its variable and path named.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from hallbase.errors import ConfigError


@dataclass(frozen=True)
class TlsFiles:
    """The TLS files of the broker connection (each None: not given)."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


def tls_context(files: TlsFiles) -> ssl.SSLContext:
    """A client context that verifies the broker's certificate and host name."""
    try:
        context = ssl.create_default_context(
            cafile=str(files.ca_file) if files.ca_file is not None else None
        )
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(
            "environment",
            [("HALLKEEPER_MQTT_CA_FILE", f"{files.ca_file}: not a PEM CA certificate ({exc})")],
        ) from None
    if files.cert_file is not None:
        try:
            context.load_cert_chain(
                str(files.cert_file),
                str(files.key_file) if files.key_file is not None else None,
            )
        except (ssl.SSLError, OSError) as exc:
            where = f"{files.cert_file}" + (f" with {files.key_file}" if files.key_file else "")
            raise ConfigError(
                "environment",
                [
                    (
                        "HALLKEEPER_MQTT_CERT_FILE",
                        f"{where}: not a PEM certificate and its private key ({exc})",
                    )
                ],
            ) from None
    return context


def explain(exc: BaseException | None, files: TlsFiles) -> str:
    """What a failed connection attempt means, for the log and /healthz."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        against = (
            f"HALLKEEPER_MQTT_CA_FILE={files.ca_file}"
            if files.ca_file is not None
            else "the system's trusted CAs (set HALLKEEPER_MQTT_CA_FILE)"
        )
        refused = f"the broker's TLS certificate was refused: {exc.verify_message}"
        return f"{refused} (checked against {against})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake with the broker failed: {exc.reason or exc}"
    if exc is None:
        return "connection failed"
    return f"connection failed: {exc}"
