"""Many kiosks and windows at once, through two engines (two service instances) on one database:
no number is issued twice, no ticket is called by two windows, nothing is lost."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Engine

from hallbase.db import make_engine
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk import calling
from kiosk.api.common import Queue
from kiosk.config import QueueConfig
from kiosk.errors import Conflict
from kiosk.events import EventBus
from kiosk.tickets import issue
from tests.helpers.queue import MONDAY_9AM, Clock

SERVICES = ("social_security", "consult", "housing_fund")
WINDOWS = (3, 5, 7, 8)  # overlapping: 3 C; 5 E; 7 Z, C, E; 8 Z
KIOSKS, PER_KIOSK = 8, 15


def _run_all(workers: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(workers))

    def wrap(work: Callable[[], None]) -> None:
        try:
            barrier.wait(10)
            work()
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_many_kiosks_and_windows_at_once(any_engine: Engine, settings: Settings) -> None:
    create_app(settings, engine=any_engine)  # migrate and seed
    second = make_engine(any_engine.url.render_as_string(hide_password=False))
    config = replace(QueueConfig(), max_waiting=10_000)
    queues = [
        Queue(engine, settings, config, EventBus(), Clock(MONDAY_9AM))
        for engine in (any_engine, second)
    ]
    issued: list[tuple[str, int]] = []
    lock = threading.Lock()

    def kiosk(k: int) -> Callable[[], None]:
        def work() -> None:
            queue = queues[k % 2]
            for i in range(PER_KIOSK):
                service = SERVICES[(k + i) % len(SERVICES)]
                got = queue.write(lambda ctx, s=service: (lambda t: (t.code, t.id))(issue(ctx, s)))
                with lock:
                    issued.append(got)

        return work

    _run_all([kiosk(k) for k in range(KIOSKS)])
    codes = [code for code, _ in issued]
    assert len(codes) == KIOSKS * PER_KIOSK == len(set(codes))
    for prefix in "CZE":
        numbers = sorted(int(c[1:]) for c in codes if c[0] == prefix)
        assert numbers == list(range(1, len(numbers) + 1))  # no gap, no repeat

    called: list[tuple[int, int]] = []

    def window(n: int, queue: Queue) -> Callable[[], None]:
        def work() -> None:
            while True:
                try:
                    ticket_id = queue.write(lambda ctx: calling.call_next(ctx, n).id)
                except Conflict as exc:
                    assert "nobody is waiting" in exc.detail
                    return
                with lock:
                    called.append((n, ticket_id or 0))
                queue.write(lambda ctx: calling.no_show(ctx, n))

        return work

    _run_all([window(n, queues[i % 2]) for i, n in enumerate(WINDOWS)])
    twice = [tid for tid, count in Counter(t for _, t in called).items() if count > 1]
    assert twice == []
    assert sorted(t for _, t in called) == sorted(tid for _, tid in issued)
    assert {n for n, _ in called} >= {3, 7, 8}  # the work really was shared
    second.dispose()
