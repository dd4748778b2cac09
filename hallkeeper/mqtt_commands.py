"""Commands that arrive over MQTT: acknowledging an alert on ``<prefix>/<hall>/cmd/ack``.

The payload is JSON: ``{"id": 123, "token": "hkt_...", "note": "...", "ref": "..."}`` - the
alert's id (as the alert's payload and the API give it), the API token of the acknowledging
person's account (`hallkeeper key token ...`; its account must hold a role of
`hallbase.alert_ack.ACK_ROLES`), an optional note, and an optional reference that the answer
repeats. The answer goes to ``<prefix>/<hall>/cmd/ack/result``: ``{"ref", "id", "ok", ...}``
with ``error`` one of ``malformed``, ``credential_invalid``, ``forbidden``, ``not_found``,
``retained``; it never repeats the token.

A token on a broker is a credential on the wire: run the broker with TLS (``mqtts://``) and an
ACL that lets only the service's user read ``+/+/cmd/#`` (see the README). The relay clears
the topic's retained message after every command, so that no token stays on the broker, and
refuses a command that reaches it as a retained one (one left there before it subscribed). An
acknowledgement is idempotent, so a replayed command changes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from hallbase.alert_ack import ACK_ROLES, acknowledge
from hallbase.auth.resolve import bearer_person
from hallbase.db import write_session
from hallbase.fields import DB_INT_MAX

MAX_COMMAND_BYTES = 2048


def _parse(raw: bytes) -> dict[str, Any] | None:
    if len(raw) > MAX_COMMAND_BYTES:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    alert_id, token, note = body.get("id"), body.get("token"), body.get("note")
    if not isinstance(alert_id, int) or isinstance(alert_id, bool):
        return None
    if not 0 < alert_id <= DB_INT_MAX or not isinstance(token, str):
        return None
    if note is not None and (not isinstance(note, str) or len(note) > 200 or "\n" in note):
        return None
    return body


def handle_ack(
    engine: Engine, secret: str, raw: bytes, *, retained: bool, now: datetime
) -> dict[str, Any]:
    """Acknowledge the alert a command names; the answer to publish (never the token)."""
    body = _parse(raw)
    ref = body.get("ref") if body is not None else None
    answer: dict[str, Any] = {"ref": ref if isinstance(ref, str) else None}
    if retained:
        return answer | {"ok": False, "error": "retained"}
    if body is None:
        return answer | {"ok": False, "error": "malformed"}
    answer["id"] = body["id"]
    who = bearer_person(engine, secret, body["token"], now)
    if who is None:
        return answer | {"ok": False, "error": "credential_invalid"}
    if not who.has_role(*ACK_ROLES):
        return answer | {"ok": False, "error": "forbidden"}
    with write_session(engine) as session:
        done = acknowledge(session, body["id"], who, now=now, via="mqtt", note=body.get("note"))
        if done is None:
            return answer | {"ok": False, "error": "not_found"}
        acked_at = done.alert.acked_at
        return answer | {
            "ok": True,
            "new": done.new,
            "alert_id": done.alert.id,
            "acked_by": done.alert.acked_by,
            "acked_at": acked_at.isoformat() if acked_at else None,
        }
