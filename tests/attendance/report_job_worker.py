"""A report worker that never finishes (a spawned process imports it by name): the job stays
running until the service's side terminates it."""

from __future__ import annotations

import threading

from attendance.report_worker import Progress
from hallbase.settings import Settings


def hang(_job_id: int, _url: str, _settings: Settings, _folder: str, _done: Progress) -> None:
    """Wait until killed."""
    threading.Event().wait()
