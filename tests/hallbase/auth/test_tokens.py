"""The stored digest of a credential: HMAC-SHA256, computed without letting the lock go."""

from __future__ import annotations

import threading
import time

from hallbase.auth.tokens import digest


def test_digest_is_hmac_sha256_hex() -> None:
    # RFC 4231, test case 2.
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert digest("Jefe", "what do ya want for nothing?") == expected
    assert digest("Jefe", "what do ya want for nothing!") != expected


def test_digest_keeps_the_interpreter_lock_while_another_thread_runs() -> None:
    """Each request computes a digest on the event loop. A digest that released the lock would
    wait for the busy thread to hand it back each time (about 2.5 ms a call, measured), which
    is how a busy database writer made every authenticated request late."""
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(range(100))

    worker = threading.Thread(target=busy, daemon=True)
    worker.start()
    try:
        time.sleep(0.05)  # the busy thread holds the lock by turns now
        started = time.perf_counter()
        for n in range(100):
            digest("a secret of the hall", f"hkm_{n:040d}")
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        worker.join()
    # Keeping the lock: about 0.2 ms for all 100. Letting it go: 100 waits of 1-5 ms.
    assert elapsed < 0.1, f"100 digests took {elapsed * 1000:.0f} ms beside a busy thread"
