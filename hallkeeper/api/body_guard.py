"""Refuse JSON request bodies nested deeper than any request of this API needs.

Python's JSON parser recurses once per level: a body of a few thousand `[` makes it raise
RecursionError, which no route expects. This middleware sits outside every other part of the
app and answers such a body with a 422 in FastAPI's own error format before anything parses it.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The deepest body the API takes is a schedule: {"slots": [{...}]}. Room to spare.
MAX_JSON_DEPTH = 32
# Strings (with their escapes) hide brackets; every other byte that matters is a bracket.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


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


def _is_json(scope: Scope) -> bool:
    """FastAPI parses a body as JSON without a content type, or with a JSON one."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind = bytes(value).split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return True


class JsonDepthLimit:
    """ASGI middleware: a JSON body nested deeper than MAX_JSON_DEPTH gets a 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        raw = b"".join(m.get("body", b"") for m in messages)
        if too_deep(raw):
            await _refuse(send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send) -> None:
    detail = [
        {
            "type": "json_too_deep",
            "loc": ["body"],
            "msg": f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
            "input": None,
        }
    ]
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
