"""Refuse request bodies over a per-path limit before they are read (pure ASGI middleware).

Without it a single large POST to any route was read into memory whole (a 200 MB post took
the process from 125 MB to 911 MB, and the memory stayed taken). A body is refused with 413
at once when its ``Content-Length`` is over the limit, and, for a chunked or lying body, as
soon as the bytes read so far pass it; the answer names the limit so a terminal or a script
can split what it sends. The limit is chosen by the longest matching path prefix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MB = 1024 * 1024


class BodyLimit:
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
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, scope, limit)
            return
        received = 0
        refused = started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _refuse(send, scope, limit)
                    # The app sees the client gone and stops reading; nothing more is kept.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused and not started:
                return  # the 413 has been sent in the app's place
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise
            # The app failed on the body it was refused (a disconnect): already answered.


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, scope: Scope, limit: int) -> None:
    """Answer 413 with the limit: plain text for terminals (/iclock), JSON elsewhere."""
    if str(scope.get("path", "")).startswith("/iclock"):
        body = f"ERROR: body too large: limit {limit} bytes".encode()
        kind = b"text/plain; charset=utf-8"
    else:
        detail = f"request body too large: the limit for this route is {limit} bytes"
        body = json.dumps({"detail": detail, "limit": limit}).encode()
        kind = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
