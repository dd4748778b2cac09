"""Errors the queue reports to its callers: each maps to one HTTP status with a clear detail."""

from __future__ import annotations


class QueueError(Exception):
    """A refused request; ``status`` is the HTTP status and the message the ``detail``."""

    status = 409

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class NotFound(QueueError):
    """Something named in the request does not exist (a window, service, ticket, slot)."""

    status = 404


class Invalid(QueueError):
    """The request itself is wrong (a bad value, a window that does not serve that service)."""

    status = 422


class Conflict(QueueError):
    """The request is fine but the hall's state refuses it now (nobody waiting, slot full)."""

    status = 409
