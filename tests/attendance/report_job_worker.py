"""A report worker that never finishes (a spawned process imports it by name): the job stays
running until the service's side terminates it."""

from __future__ import annotations

import threading

from hallbase.settings import Settings


def hang(_job_id: int, _url: str, _settings: Settings, _folder: str) -> None:
    """Wait until killed."""
    threading.Event().wait()
