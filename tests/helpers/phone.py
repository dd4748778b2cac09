"""The phone pages in a browser: a 390x844 touch context, logged in as someone."""

from __future__ import annotations

from typing import Any

from tests.helpers.pages import log_in

PHONE = {"width": 390, "height": 844}


def phone(browser: Any, url: str, username: str, password: str, lang: str = "zh-CN") -> Any:
    """A new phone-sized touch context of ``browser``, logged in (close it when done)."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2, locale=lang
    )
    context.set_default_timeout(10_000)
    log_in(context, url, username, password)
    return context


def citizen_phone(browser: Any, lang: str = "zh-CN") -> Any:
    """A new phone-sized touch context of ``browser`` with no login: a citizen's phone."""
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2, locale=lang
    )
    context.set_default_timeout(10_000)
    return context
