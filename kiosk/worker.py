"""Slow work (network, printing, speech) off the UI thread; results back on it.

``Worker(post)`` runs jobs on a small thread pool and hands each result or
exception to ``post`` — in the app that schedules the callback on Kivy's main
thread before the next frame (``Clock.schedule_once(..., -1)``); in tests it can
call directly.

``settle(future, seconds)`` lets the UI thread wait a few milliseconds for a job
it has just started. A keystroke in the search uses it: the answer usually
comes back in about 10 ms, and waiting for it lets the letter and its results
appear in one frame instead of two, which on a software-rendered screen saves
a whole frame (~50 ms). The wait is bounded and never longer than a frame, so
a slow or absent server cannot freeze the UI; the answer then simply comes in a
later frame.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class Worker:
    """A few background threads; every callback runs through ``post`` (the UI thread)."""

    def __init__(self, post: Callable[[Callable[[], None]], None], threads: int = 4) -> None:
        self.post = post
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kiosk")
        self.pending = 0

    def submit(self, job: Callable[[], Any], on_done: Callback | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> Future:
        """Run ``job`` in the background; ``on_done(result)`` or ``on_error(exc)`` later on the UI thread."""
        self.pending += 1
        posted = threading.Event()

        def finished(future: Future) -> None:
            exc = future.exception()

            def deliver() -> None:
                self.pending -= 1
                if exc is not None:
                    if on_error is not None:
                        on_error(exc)
                    else:
                        log.error("background job failed: %r", exc)
                elif on_done is not None:
                    on_done(future.result())

            self.post(deliver)
            posted.set()

        future = self.pool.submit(job)
        future.posted = posted  # type: ignore[attr-defined]  # read by settle()
        future.add_done_callback(finished)
        return future

    @staticmethod
    def settle(future: Future, seconds: float) -> bool:
        """Wait at most ``seconds`` until the job's answer has been handed to ``post``; whether it was."""
        posted = getattr(future, "posted", None)
        return bool(posted is not None and posted.wait(seconds))

    def shutdown(self) -> None:
        """Stop taking jobs; running ones finish on their own (their answers are dropped)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
