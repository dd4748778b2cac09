"""What binds an approved ADMS terminal besides its serial: a source address, a push key.

A terminal sends no header we could give it, only its serial (``SN=``), which anyone on the
hall's network can read off the device or a capture. An admin can bind a terminal further:

- to the address (or network, ``10.0.8.0/24``) it calls from: the peer address of the
  connection, so put no proxy in between, or the proxy's address is what is seen;
- to a shared key in its push URL: ``/iclock/cdata?SN=...&key=<key>``, or a path before
  ``/iclock`` (``/adms/<key>/iclock/cdata``) for firmware whose server address field takes a
  path. Most ZKTeco firmware lets one set only the server's address and port; bind those
  terminals by address.

Only the key's digest is stored (`hallbase.auth.tokens.digest`, with the session secret). A call
that does not match is refused as an unapproved one is, and logged with what failed.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlmodel import Session, select

from attendance.models import Device
from hallbase.auth import Actor
from hallbase.auth.audit import append
from hallbase.auth.tokens import digest, same

log = logging.getLogger(__name__)
KEY_PARAM = "key"
PATH_PARAM = "push_key"  # the router mounted again under /adms/{push_key}
KEY_BYTES = 24


@dataclass(frozen=True)
class Binding:
    """A terminal's binding: ``address`` ("" any) and the key's digest (None: no key)."""

    address: str = ""
    key_hash: str | None = None

    def public(self) -> dict[str, object]:
        """What the API shows: never the key or its digest."""
        return {"address": self.address or None, "key_set": self.key_hash is not None}


def parse_address(text: str) -> str:
    """An address or network in its normal form (``10.0.8.7``, ``10.0.8.0/24``); ValueError."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network)


def given_key(request: Request) -> str | None:
    """The push key in the terminal's URL (path or query), if any."""
    value = request.path_params.get(PATH_PARAM) or request.query_params.get(KEY_PARAM)
    return str(value) if value else None


def mismatch(request: Request, secret: str, binding: Binding) -> str | None:
    """Why this call does not come from the bound terminal (None: it may)."""
    if binding.address:
        peer = request.client.host if request.client is not None else ""
        try:
            inside = ipaddress.ip_address(peer) in ipaddress.ip_network(binding.address)
        except ValueError:
            inside = False
        if not inside:
            return f"source address {peer or '?'} is not {binding.address}"
    if binding.key_hash is not None:
        key = given_key(request)
        if key is None:
            return "no push key in the URL"
        if not same(digest(secret, key), binding.key_hash):
            return "wrong push key"
    return None


def refused(request: Request, secret: str, serial: str, binding: Binding) -> bool:
    """True (and logged) when the call does not match the terminal's binding."""
    why = mismatch(request, secret, binding)
    if why is not None:
        log.warning("ADMS terminal %s refused: %s", serial, why)
    return why is not None


def set_binding(
    session: Session,
    secret: str,
    actor: Actor,
    now: datetime,
    *,
    serial: str,
    address: str | None,
    key: str | None,
    generate_key: bool = False,
) -> tuple[Device, str | None]:
    """Replace terminal ``serial``'s binding (None: unbound); audited as ``device.bind``.
    Returns the device and the key when one was generated (shown once)."""
    device = session.exec(select(Device).where(Device.serial == serial)).first()
    if device is None:
        raise LookupError(serial)
    before = Binding(device.bind_address, device.push_key_hash).public()
    if generate_key:
        key = secrets.token_urlsafe(KEY_BYTES)
    device.bind_address = parse_address(address) if address else ""
    device.push_key_hash = digest(secret, key) if key else None
    session.add(device)
    session.flush()
    after = Binding(device.bind_address, device.push_key_hash).public()
    append(session, actor, "device.bind", f"device:{serial}", at=now, before=before, after=after)
    return device, key if generate_key else None
