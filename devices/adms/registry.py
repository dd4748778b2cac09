"""The start of newer ADMS firmware (PUSH 3.x): registry, push options and ping; no I/O.

After the usual ``GET /iclock/cdata?options=all`` such a terminal posts its parameters to
``POST /iclock/registry?SN=..`` as one comma-separated ``key=value`` line (optional keys start
with ``~``, e.g. ``DeviceType=att,~DeviceName=..,FirmVer=..,PushVersion=3.1.2``) and wants
``RegistryCode=<code>`` back (up to 32 characters; firmware checks that it is there, ``OK`` is
not enough). It then fetches its options from ``/iclock/push`` (GET or POST): ``key=value``
lines such as ``ServerVersion``, ``ServerName``, ``PushVersion``, ``ErrorDelay``,
``RequestDelay``, ``TransTimes``, ``TransInterval``, ``TransTables``, ``Realtime``,
``TimeoutSec``. ``/iclock/ping`` is a keep-alive answered ``OK``. Some models append
``.aspx`` to every path.
"""

from __future__ import annotations

import hashlib
import re

from devices.adms.protocol import HandshakeOptions
from devices.adms.text import decode_text, validate_sn

_MAX_PARAMETERS = 64
_KEY_RE = re.compile(r"~?[A-Za-z][A-Za-z0-9_]{0,63}")
_MAX_VALUE = 128
SERVER_NAME = "HallKeeper"
PUSH_VERSION = "3.1.2"
# Only attendance records and users: templates and photos never leave the terminal.
TRANS_TABLES = "User Transaction"


def parse_registry(body: bytes) -> dict[str, str]:
    """The parameters of a registry post by key without ``~``; unreadable pairs are skipped."""
    params: dict[str, str] = {}
    text = decode_text(body[:16384]).replace("\r", "").replace("\n", ",")
    for pair in text.split(",")[:_MAX_PARAMETERS]:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if sep and _KEY_RE.fullmatch(key):
            params[key.lstrip("~")] = value.strip()[:_MAX_VALUE]
    return params


def registry_code(sn: str) -> str:
    """The terminal's registry code: ten digits derived from its serial, stable across
    restarts of the service, so a terminal that registers again gets the same code."""
    digest = hashlib.sha256(validate_sn(sn).encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**10:010d}"


def registry_response(sn: str) -> str:
    """The answer to an accepted registry post."""
    return f"RegistryCode={registry_code(sn)}\n"


def push_response(options: HandshakeOptions, server_version: str, timeout: int = 10) -> str:
    """The options a PUSH 3.x terminal reads from ``/iclock/push``."""
    lines = [
        f"ServerVersion={server_version}",
        f"ServerName={SERVER_NAME}",
        f"PushVersion={PUSH_VERSION}",
        f"ErrorDelay={options.error_delay}",
        f"RequestDelay={options.delay}",
        f"TransTimes={options.trans_times}",
        f"TransInterval={options.trans_interval}",
        f"TransTables={TRANS_TABLES}",
        f"Realtime={int(options.realtime)}",
        f"TimeZone={options.time_zone}",
        f"TimeoutSec={timeout}",
        f"ATTLOGStamp={options.attlog_stamp}",  # None: send everything, as at handshake
        f"OPERLOGStamp={options.operlog_stamp}",
    ]
    return "\n".join(lines) + "\n"
