"""A shortcut to the queue's busiest routes: kiosks taking tickets, windows calling, starting
and finishing. Nearly every request of a busy hall is one of these four, and FastAPI's routing,
dependency solving and request wrapping cost the event loop more than the rest of the request.

The shortcut sits among the app's middleware (inside the server-error and body-limit ones),
recognises exactly these POSTs with a well-formed body and calls the very route functions
FastAPI would call; the queue's error handlers answer its errors as they would. Anything else
(other paths, another content type, a body that does not parse or validate) goes on to FastAPI
unchanged, with the body handed on as received, so that errors read exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, ValidationError
from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.api import tickets, windows
from kiosk.api.bodies import FinishIn, StaffIn, TicketIn
from kiosk.api.common import Queue, queue_of

TICKETS = "/api/v1/tickets"
WINDOWS = "/api/v1/windows/"
# Window actions: the route function and its optional body (None: the route takes none).
_ACTIONS: dict[str, tuple[Callable[..., Awaitable[Response]], type[BaseModel] | None]] = {
    "call-next": (windows.call_next, StaffIn),
    "start": (windows.start, None),
    "finish": (windows.finish, FinishIn),
}
_NUMBER_DIGITS = 9  # longer numbers take FastAPI's path (and its int validation)


class QueueFastPath:
    """ASGI middleware: the four busiest queue routes without FastAPI's routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope.get("root_path")
            or scope["app"].dependency_overrides  # overridden parts: FastAPI's path uses them
        ):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == TICKETS:
            await self._ticket(scope, receive, send)
            return
        if path.startswith(WINDOWS):
            number, _, action = path[len(WINDOWS) :].partition("/")
            route = _ACTIONS.get(action)
            digits = number.isascii() and number.isdigit() and len(number) <= _NUMBER_DIGITS
            if route is not None and digits:
                await self._window(scope, receive, send, int(number), *route)
                return
        await self.app(scope, receive, send)

    async def _ticket(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _json_body(scope, receive, TicketIn)
        if not isinstance(body.value, TicketIn):
            await self.app(scope, _replay(body, receive), send)
            return
        await self._answer(scope, receive, send, tickets.take_ticket(body.value, _queue(scope)))

    async def _window(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        number: int,
        route: Callable[..., Awaitable[Response]],
        model: type[BaseModel] | None,
    ) -> None:
        if model is None:  # FastAPI does not read a body the route does not take
            await self._answer(scope, receive, send, route(number, _queue(scope)))
            return
        body = await _json_body(scope, receive, model)
        if body.value is None and not body.empty:
            await self.app(scope, _replay(body, receive), send)
            return
        # An empty body is the route's default: no body (None).
        await self._answer(scope, receive, send, route(number, _queue(scope), body.value))

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, answer: Awaitable[Response]
    ) -> None:
        try:
            response = await answer
        except Exception as exc:
            # As ExceptionMiddleware would: the app's handler for the error's class, if any.
            handler = _handler(scope["app"], exc)
            if handler is None:
                raise
            request = Request(scope, receive)
            if is_async_callable(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
        await response(scope, receive, send)


def _queue(scope: Scope) -> Queue:
    """What `kiosk.api.common.get_queue` gives the routes."""
    return queue_of(scope["app"].state)


def _handler(app: FastAPI, exc: Exception) -> Callable[..., Any] | None:
    handlers = app.exception_handlers
    for cls in type(exc).__mro__:
        if cls in handlers and cls is not Exception:  # Exception's is the server error's
            handler: Callable[..., Any] = handlers[cls]
            return handler
    return None


class _Body:
    """The request's body messages as received, and the body validated as a model."""

    def __init__(self, messages: list[Message], value: BaseModel | None, empty: bool) -> None:
        self.messages = messages
        self.value = value  # None: empty, or not plainly valid JSON of the model
        self.empty = empty


async def _json_body(scope: Scope, receive: Receive, model: type[BaseModel]) -> _Body:
    """Read the body and validate it as ``model`` where it is plainly JSON of it; anything
    else (and a client gone mid-body) is left for FastAPI to judge."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return _Body(messages, None, empty=False)
        if not message.get("more_body", False):
            break
    raw = b"".join(m.get("body", b"") for m in messages)
    if not raw:
        return _Body(messages, None, empty=True)
    if _content_type(scope) != b"application/json":
        return _Body(messages, None, empty=False)
    try:
        data = json.loads(raw)
        value = model.model_validate(data) if isinstance(data, dict) else None
    except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
        value = None
    return _Body(messages, value, empty=False)


def _content_type(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value)
    return None


def _replay(body: _Body, receive: Receive) -> Receive:
    """A receive that hands over the messages already read, then waits as the original does."""
    pending = list(body.messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
