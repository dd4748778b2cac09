"""Headless Chromium (Debian's package) driven by Playwright against the real app on uvicorn."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.auth import add_account, api_token
from tests.helpers.live_server import live_server
from tests.helpers.pages import Hall
from tests.helpers.queue import MONDAY_9AM, Clock
from tests.helpers.services import IN_CI

CHROMIUM = os.environ.get("HALLKEEPER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Replaces playing audio (the board plays the service's WAV files): records what is played,
# counts a play started while another was still playing (an overlap) and any pause() (a cut);
# the test ends each one with __finishAudio(). The page still loads each WAV from the service.
AUDIO_STUB = """
(() => {
  window.__played = [];
  window.__overlaps = 0;
  window.__cuts = 0;
  let playing = null;
  const path = (media) => new URL(media.src).pathname;
  HTMLMediaElement.prototype.play = function () {
    if (playing) window.__overlaps += 1;
    playing = this;
    window.__played.push(path(this));
    return Promise.resolve();
  };
  HTMLMediaElement.prototype.pause = function () { window.__cuts += 1; };
  window.__finishAudio = () => {
    const media = playing;
    if (!media) return null;
    const ended = path(media); // the page may start the next one as this one ends
    playing = null;
    media.dispatchEvent(new Event("ended"));
    return ended;
  };
})();
"""


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests cannot run: {reason} (CI=true: install chromium)")
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module. Playwright's sync API runs an event loop in the
    main thread while it is open, and `asyncio.run` refuses to start inside one: tests of
    other modules, in whatever order they run, must not find it still open."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} not found (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def hall(any_engine: Engine, settings: Settings) -> Iterator[Hall]:
    clock = Clock(MONDAY_9AM)
    app = create_app(settings, engine=any_engine, clock=clock)
    with live_server(app) as url:
        add_account(app, "admin", "admin")
        yield Hall(
            app, url, clock, any_engine, {"Authorization": f"Bearer {api_token(app, 'admin')}"}
        )


@pytest.fixture
def context(browser: Any, hall: Hall) -> Iterator[Any]:
    """A touch-screen browser context at 1920x1080 with audio playing stubbed."""
    ctx = browser.new_context(
        viewport={"width": 1920, "height": 1080}, has_touch=True, locale="zh-CN"
    )
    ctx.add_init_script(AUDIO_STUB)
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()
