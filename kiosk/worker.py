"""Slow work (network, printing, speech) off the UI thread; results back on it.

``Worker(post)`` runs jobs on a small thread pool and hands each result or
exception to ``post`` — in the app that schedules the callback on Kivy's main
thread (``Clock.schedule_once``); in tests it can call directly.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

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

        future = self.pool.submit(job)
        future.add_done_callback(finished)
        return future

    def shutdown(self) -> None:
        """Stop taking jobs; running ones finish on their own (their answers are dropped)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
