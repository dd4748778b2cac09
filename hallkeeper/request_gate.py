"""The one ASGI middleware in front of the whole app: body limits, JSON depth, security headers.

- **Body size.** Without a limit a single large POST to any route was read into memory whole
  (a 200 MB post took the process from 125 MB to 911 MB, and the memory stayed taken). A body
  is refused with 413 at once when its ``Content-Length`` is over its path's limit, and, for a
  chunked or lying body, as soon as the bytes read so far pass it; the answer names the limit
  so a terminal or a script can split what it sends. The limit is chosen by the longest
  matching path prefix.
- **JSON depth.** Python's JSON parser recurses once per level: a body of a few thousand ``[``
  makes it raise RecursionError, which no route expects. A JSON body nested deeper than any
  request of this API needs is answered with a 422 in FastAPI's own error format before
  anything parses it. The body is read for this check with its size counted as it comes, so
  the size limit holds for JSON bodies too.
- **Security headers** on every response, refusals included: content policy, no framing, no
  sniffing, no referrer. The pages load their scripts and styles from the app's own static
  files (no inline script, no style attribute; a ``<script type="application/json">`` data
  block is not run and needs no permission). A route that needs more sets its own
  ``Content-Security-Policy`` (the API documentation: `hallkeeper.api.routes.docs`), which is
  kept.

One middleware, not three: each layer of ASGI middleware costs every request its own calls
and its own wrapping of ``send``, and the floor's requests pay that on the event loop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB = 1024 * 1024
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
# The deepest body the API takes is a schedule: {"slots": [{...}]}. Room to spare.
MAX_JSON_DEPTH = 32
# Strings (with their escapes) hide brackets; every other byte that matters is a bracket.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_NO_BODY = frozenset({"GET", "HEAD"})


def too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in ``raw`` (taken as JSON) nest deeper than ``limit``."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # fewer brackets than the limit: the usual case, decided at once
    depth = 0
    for token in _TOKENS.finditer(raw):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


class RequestGate:
    """ASGI middleware: ``limits`` maps path prefixes to byte limits; ``default`` for the rest."""

    def __init__(self, app: ASGIApp, limits: Sequence[tuple[str, int]], default: int) -> None:
        self.app = app
        # Longest prefix first, so that the most specific rule wins.
        self.limits = sorted(limits, key=lambda item: len(item[0]), reverse=True)
        self.default = default

    def limit_for(self, path: str) -> int:
        """The byte limit for a request to ``path``."""
        for prefix, limit in self.limits:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse_size(secured, scope, limit)
            return
        if scope.get("method") in _NO_BODY:
            await self.app(scope, receive, secured)
        elif _is_json(scope):
            await self._json(scope, receive, secured, limit)
        else:
            await self._counted(scope, receive, secured, limit)

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Read the whole body (counting it against ``limit``), check its depth, then replay it."""
        body = _Counted(scope, receive, send, limit)
        messages: list[Message] = []
        while True:
            message = await body.receive()
            if body.refused:
                return  # answered 413: nothing more is read
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if too_deep(b"".join(m.get("body", b"") for m in messages)):
            await _refuse_depth(send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the body on as it comes, refusing it once the bytes read pass ``limit``."""
        body = _Counted(scope, receive, send, limit)
        try:
            await self.app(scope, body.receive, body.send)
        except Exception:
            if not body.refused:
                raise
            # The app failed on the body it was refused (a disconnect): already answered.


class _Counted:
    """A request's body counted against its limit as it is read. Past the limit the 413 is
    sent (unless an answer has begun) and the reader sees the client gone: it stops reading,
    and nothing more is kept; what the reader then sends instead of the 413 is dropped."""

    def __init__(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        self._scope, self._receive, self._send, self._limit = scope, receive, send, limit
        self._received = 0
        self.refused = self.started = False

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                self.refused = True
                if not self.started:
                    await _refuse_size(self._send, self._scope, self._limit)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused and not self.started:
            return  # the 413 has been sent in the app's place
        self.started = self.started or message["type"] == "http.response.start"
        await self._send(message)


def _is_json(scope: Scope) -> bool:
    """FastAPI parses a body as JSON without a content type, or with a JSON one."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind = bytes(value).split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return True


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(send: Send, status: int, kind: bytes, body: bytes) -> None:
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse_size(send: Send, scope: Scope, limit: int) -> None:
    """Answer 413 with the limit: plain text for terminals (/iclock), JSON elsewhere."""
    if str(scope.get("path", "")).startswith("/iclock"):
        body = f"ERROR: body too large: limit {limit} bytes".encode()
        await _answer(send, 413, b"text/plain; charset=utf-8", body)
        return
    detail = f"request body too large: the limit for this route is {limit} bytes"
    body = json.dumps({"detail": detail, "limit": limit}).encode()
    await _answer(send, 413, b"application/json", body)


async def _refuse_depth(send: Send) -> None:
    detail = [
        {
            "type": "json_too_deep",
            "loc": ["body"],
            "msg": f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
            "input": None,
        }
    ]
    await _answer(send, 422, b"application/json", json.dumps({"detail": detail}).encode())
