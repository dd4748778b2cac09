"""Errors of the service shell that users see: each names where the problem is."""

from __future__ import annotations

from hallbase.words import each


class ConfigError(Exception):
    """A configuration problem: the source (file or variable), the key, and what is wrong."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [f"{source}: {key}: {msg}" for key, msg in problems]
        super().__init__("invalid configuration:\n  " + "\n  ".join(lines))


class RowError(ValueError):
    """One bad row of an imported file."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


class CodedError(Exception):
    """A refused API request with a stable ``code`` and its message in Chinese and English
    (and any language the hall added).

    Answered as ``{"detail": <English>, "code": ..., "message": {"zh": ..., "en": ...}}``:
    ``detail`` stays the English text older callers read; pages show ``message`` in their
    own language.
    """

    def __init__(self, status: int, code: str, message: dict[str, str]) -> None:
        super().__init__(message["en"])
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, object]:
        """The JSON answer."""
        return {"detail": self.message["en"], "code": self.code, "message": self.message}


def error_message(code: str, **fields: object) -> dict[str, str]:
    """The message of refusal ``code`` (``attendance.error.<code>``) in every language."""
    return each(f"attendance.error.{code}", **fields)
