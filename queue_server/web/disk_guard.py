"""A nearly full disk: keep a reserve for the queue, and answer a full one with 503, not 500 (issue 17.11).

Tickets, calls and their events are small and must go on. Sign-ins,
device status reports and other writes that are not the queue are refused
(503, in Vietnamese) once the database's disk has less than the reserve
free, and the admin is warned in the log and by ``GET /api/health``.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app, request

from .errors import ApiError, error_response

log = logging.getLogger("motcua.disk")

DISK_RESERVE_BYTES = 64 * 1024 * 1024
"""Free space kept for the queue: 64 MiB is some 100,000 tickets with their events, days of a busy
office, so tickets go on while the admin frees space; other writes stop below it."""
CHECK_EVERY_SECONDS = 2.0  # free space is read at most this often (a flood of sign-ins costs no statvfs each)
WARN_EVERY_SECONDS = 60.0  # one log line a minute while the disk stays low

LOW_DISK_MESSAGE = ("Ổ đĩa của máy chủ sắp đầy nên tạm ngừng việc này; việc lấy số và gọi số vẫn tiếp tục. "
                    "Xin báo quản trị viên giải phóng dung lượng.")
FULL_DISK_MESSAGE = "Ổ đĩa của máy chủ đã đầy hoặc bị lỗi; xin thử lại sau và báo quản trị viên."
DISK_ERRORS = ("database or disk is full", "disk i/o error", "database is locked")
"""SQLite's words for a write the disk (or a long lock) refused: the client may retry later."""


def free_bytes(folder: Path) -> int:
    """Bytes free for this process on the disk holding ``folder``."""
    return shutil.disk_usage(folder).free


class DiskReserve:
    """Whether the database's disk has less free space than the reserve (read every few seconds)."""

    def __init__(self, folder: Path, reserve: int = DISK_RESERVE_BYTES,
                 free: Callable[[Path], int] = free_bytes, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder, self.reserve, self._free, self._clock = folder, reserve, free, clock
        self._checked_at = float("-inf")
        self._warned_at = float("-inf")
        self._low = False
        self._lock = threading.Lock()

    def low(self) -> bool:
        """True while free space is under the reserve; logs a warning for the admin once a minute."""
        now = self._clock()
        with self._lock:
            if now - self._checked_at >= CHECK_EVERY_SECONDS:
                self._checked_at = now
                try:
                    free = self._free(self.folder)
                except OSError:
                    free = self.reserve  # an unreadable disk is not reported as full here
                self._low = free < self.reserve
                if self._low and now - self._warned_at >= WARN_EVERY_SECONDS:
                    self._warned_at = now
                    log.warning("disk nearly full: %d MiB free under %s (reserve %d MiB); sign-ins and device "
                                "reports are refused until space is freed, tickets go on",
                                free // 2**20, self.folder, self.reserve // 2**20)
            return self._low


def require_disk_reserve() -> None:
    """Refuse (503) a write that is not the queue's when the disk is nearly full."""
    reserve: DiskReserve | None = current_app.extensions.get("motcua.disk_reserve")
    if reserve is not None and reserve.low():
        raise ApiError(503, "disk_nearly_full", LOW_DISK_MESSAGE)


def is_disk_error(exc: BaseException) -> bool:
    """True for SQLite's refusal of a write by a full or failing disk (or a lock held too long)."""
    return isinstance(exc, sqlite3.OperationalError) and any(words in str(exc).lower() for words in DISK_ERRORS)


def install_disk_guard(app: Flask, db_path: Path | str) -> None:
    """The app's disk reserve, and SQLite's disk errors answered 503 in the one error shape."""
    app.extensions["motcua.disk_reserve"] = DiskReserve(Path(db_path).resolve().parent)

    @app.errorhandler(sqlite3.OperationalError)
    def _sqlite_refused(exc: sqlite3.OperationalError):
        if not is_disk_error(exc):
            log.exception("unexpected database error on %s %s", request.method, request.path)
            return error_response(500, "server_error",
                                  "Lỗi máy chủ; quản trị viên của cơ quan xem được chi tiết trong nhật ký.")
        log.error("a write was refused by the database's disk on %s %s: %s", request.method, request.path, exc)
        response, status = error_response(503, "disk_full", FULL_DISK_MESSAGE)
        response.headers["Retry-After"] = "30"
        return response, status
