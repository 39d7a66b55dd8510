"""Glue between the web/CLI adapters and the pure report code: settings, periods, a short cache.

Nothing here knows Flask; ``api`` and ``cli`` both call it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

from ..config import OfficeConfig
from ..staff import full_names
from .dossiers import figures as dossier_figures
from .narrative import satisfaction_paragraphs
from .queries import period_rows
from .settings import RatingSettings, ReportSettings, rating_settings, report_settings
from .stats import period_bounds
from .store import has_dossiers, load_dossiers
from .summary import build_report

MAX_PERIOD_DAYS = 3 * 366 + 1
"""A report spans at most about three years: longer scans would hold a server thread for long."""

CACHE_SECONDS = 20.0
"""The dashboard asks for one period's summary and charts together; compute it once for all of them."""


class PeriodError(ValueError):
    """A period that cannot be reported; the message says how to write one."""


def parse_period(args: Mapping[str, str], today: date) -> tuple[date, date]:
    """``from``/``to`` (inclusive dates) or ``period=day|month|quarter|year`` [+ ``date``]; default today."""
    kind = (args.get("period") or "").strip()
    if kind:
        try:
            anchor = date.fromisoformat(args["date"]) if args.get("date") else today
            return period_bounds(kind, anchor)
        except ValueError:
            raise PeriodError("Kỳ báo cáo không đúng: dùng period=day|month|quarter|year và date=YYYY-MM-DD.") from None
    try:
        first = date.fromisoformat(args["from"]) if args.get("from") else None
        last = date.fromisoformat(args["to"]) if args.get("to") else None
    except ValueError:
        raise PeriodError("Xin viết ngày dạng YYYY-MM-DD, ví dụ from=2026-07-01&to=2026-09-30.") from None
    first = first or last or today
    last = last or (today if first <= today else first)
    if last < first:
        raise PeriodError("Ngày kết thúc ('to') đứng trước ngày bắt đầu ('from'); xin đổi chỗ hai ngày.")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError(f"Một báo cáo gồm tối đa {MAX_PERIOD_DAYS} ngày; xin chia nhỏ kỳ báo cáo.")
    return first, last


class Reports:
    """One office's report settings and a small cache of recent summaries."""

    def __init__(self, config: OfficeConfig) -> None:
        self.config = config
        self.office = config.office
        self.ratings: RatingSettings = rating_settings(config)
        self.settings: ReportSettings = report_settings(config)
        self._cache: dict[tuple[date, date], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def summary(self, conn: sqlite3.Connection, first: date, last: date, *, today: date | None = None,
                fresh: bool = False) -> dict[str, Any]:
        """The report of a period (cached for a few seconds); days before ``today`` come from day summaries."""
        key = (first, last)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and not fresh and now - hit[0] < CACHE_SECONDS:
                return hit[1]
        report = build_report(self.office, self.ratings, first, last, period_rows(conn, first, last, today))
        satisfaction = report["satisfaction"]
        satisfaction["paragraphs"] = satisfaction_paragraphs(satisfaction, self.settings.share_rounding)
        names = full_names(conn)
        for row in report["by_clerk"]:  # reports name the officer ("Nguyễn Văn A"), not the login ("quay1")
            row["name"] = names.get(row["clerk"], row["clerk"])
        report["dossiers"] = (dossier_figures(load_dossiers(conn, first, last), first, last, today or last)
                              if has_dossiers(conn) else None)
        with self._lock:
            if len(self._cache) > 16:
                self._cache.clear()
            self._cache[key] = (now, report)
        return report

    def forget(self) -> None:
        """Drop cached summaries (after a new rating, so the head sees it)."""
        with self._lock:
            self._cache.clear()

