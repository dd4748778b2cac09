"""The queue's words (``queue.*`` in the catalogue, hallbase.words): Simplified Chinese by
default, English and any language the hall adds available."""

from __future__ import annotations

from hallbase.words import Lang, each, t

__all__ = ["Lang", "announcement", "both", "word"]


def word(key: str, lang: Lang = "zh", **fields: object) -> str:
    """The text for ``queue.<key>``; an unknown key shows as its catalogue key (a visible gap)."""
    return t(f"queue.{key}", lang, **fields)


def announcement(code: str, window: int, *, repeat: bool = False) -> dict[Lang, str]:
    """The call's voice and board text in every language: 请A001号到3号窗口办理."""
    return each("queue.recall" if repeat else "queue.call", code=code, window=window)


def both(key: str, **fields: object) -> dict[Lang, str]:
    """The text for ``queue.<key>`` in every language present (Chinese and English at least)."""
    return each(f"queue.{key}", **fields)
