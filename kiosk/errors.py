"""Errors the queue reports to its callers: each maps to one HTTP status with a clear detail."""

from __future__ import annotations

from typing import Self


class QueueError(Exception):
    """A refused request; ``status`` is the HTTP status and the message the ``detail``.

    ``code`` names the refusal for programs; ``zh`` is the message in Chinese (pages show it);
    `coded` takes it in every language from the catalogue (``queue.error.<code>``).
    """

    status = 409

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        zh: str | None = None,
        words: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail
        self.code = code
        self.zh = zh
        self.words = words  # the message in every language, when it comes from the catalogue
        super().__init__(detail)

    @classmethod
    def coded(cls, code: str, /, **fields: object) -> Self:
        """The refusal ``code`` in every language from the words catalogue."""
        from kiosk.words import both

        words = both(f"error.{code}", **fields)
        return cls(words["en"], code=code, zh=words["zh"], words=words)

    def body(self) -> dict[str, object]:
        """The JSON answer: detail (English), code, message in zh, en and any other language."""
        default = {404: "not_found", 422: "invalid"}.get(self.status, "conflict")
        message = self.words or {"zh": self.zh or self.detail, "en": self.detail}
        return {"detail": self.detail, "code": self.code or default, "message": message}


class NotFound(QueueError):
    """Something named in the request does not exist (a window, service, ticket, slot)."""

    status = 404


class Invalid(QueueError):
    """The request itself is wrong (a bad value, a window that does not serve that service)."""

    status = 422


class Conflict(QueueError):
    """The request is fine but the hall's state refuses it now (nobody waiting, slot full)."""

    status = 409


class Throttled(QueueError):
    """Too many requests of one kind from one address: try again after ``seconds``."""

    status = 429

    def __init__(self, seconds: int) -> None:
        from kiosk.words import both

        words = both("error.too_many", seconds=seconds)
        super().__init__(words["en"], code="too_many", zh=words["zh"], words=words)
        self.headers = {"Retry-After": str(seconds)}
