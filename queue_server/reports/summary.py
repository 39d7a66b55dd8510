"""The office head's report of one period, computed from plain rows (no SQL, no clock).

Definitions (docs/reports.md):
- issued: every ticket of the period; served: ``done``; no-show: ``no_show``;
  transferred: tickets moved at least once; cancelled: left when the day closed.
- wait: issue → (last) call, over tickets called and not marked no-show;
  service: call, or arrival at the counter when the clerk pressed "start",
  → done, over served tickets.
- a ticket counts under its final service, counter and clerk.
- shares: percent of the ratings that answered, rounded half up to one decimal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from ..core.office import Office
from .queries import PeriodRows
from .settings import RatingSettings
from .stats import WEEKDAY_LABELS, describe, share, shares, weekday_hour_heatmap

NO_CLERK = "—"


class _Group:
    """Totals of one service, counter or clerk."""

    __slots__ = ("counts", "waits", "services")

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.waits: list[float] = []
        self.services: list[float] = []

    def count(self, status: str, transferred: int, tickets: int) -> None:
        counts = self.counts
        counts["issued"] += tickets
        counts[status] += tickets
        if transferred:
            counts["transferred"] += tickets

    def view(self) -> dict[str, Any]:
        c = self.counts
        return {
            "tickets": {"issued": c["issued"], "served": c["done"], "no_show": c["no_show"],
                        "transferred": c["transferred"], "cancelled": c["cancelled"],
                        "open": c["waiting"] + c["called"] + c["serving"]},
            "wait_s": describe(self.waits).as_dict(),
            "service_s": describe(self.services).as_dict(),
        }


def _tally(rows: PeriodRows) -> tuple[_Group, dict[str, _Group], dict[int, _Group], dict[str, _Group]]:
    """Group counts and durations by the whole office, service, counter and clerk."""
    total = _Group()
    by_service: defaultdict[str, _Group] = defaultdict(_Group)
    by_counter: defaultdict[int, _Group] = defaultdict(_Group)
    by_clerk: defaultdict[str, _Group] = defaultdict(_Group)
    for (service, counter, clerk), cell in rows.cells.items():
        groups = [total, by_service[service]]
        if counter is not None:
            groups += [by_counter[counter], by_clerk[clerk or NO_CLERK]]
        for (status, transferred), tickets in cell.counts.items():
            for group in groups:
                group.count(status, transferred, tickets)
        for group in groups:
            group.waits += cell.waits
            group.services += cell.services
    return total, by_service, by_counter, by_clerk


def build_report(office: Office, ratings: RatingSettings, first: date, last: date, rows: PeriodRows) -> dict[str, Any]:
    """The whole report: totals, per service/counter/clerk, heatmap, satisfaction."""
    total, by_service, by_counter, by_clerk = _tally(rows)
    satisfaction = _Satisfaction(ratings, rows.ratings)
    report: dict[str, Any] = {
        "office": office.name,
        "period": {"from": first.isoformat(), "to": last.isoformat(), "days": (last - first).days + 1,
                   "timezone": office.timezone},
        **total.view(),
        "satisfaction": satisfaction.overall(rows.answers),
        "by_service": [], "by_counter": [], "by_clerk": [],
        "heatmap": {"weekdays": list(WEEKDAY_LABELS), "hours": list(range(24)),
                    "counts": weekday_hour_heatmap(rows.issued_hours.items(), office.timezone)},
    }
    known_services = [s.code for s in office.services]
    for code in known_services + sorted(set(by_service) - set(known_services)):
        service = office.service(code)
        report["by_service"].append({"code": code, "name": service.name if service else code,
                                     "target_wait_minutes": service.target_wait_minutes if service else None,
                                     **by_service[code].view(), "satisfaction": satisfaction.of("service", code)})
    for counter in office.counters:
        report["by_counter"].append({"number": counter.number, "name": counter.name,
                                     **by_counter[counter.number].view(),
                                     "satisfaction": satisfaction.of("counter", counter.number)})
    for clerk in sorted(set(by_clerk) | satisfaction.clerks()):
        report["by_clerk"].append({"clerk": clerk, **by_clerk[clerk].view(),
                                   "satisfaction": satisfaction.of("clerk", clerk)})
    return report


class _Satisfaction:
    """Rating counts of a period, by level, per service, counter and clerk."""

    def __init__(self, settings: RatingSettings, rating_rows: Iterable[tuple]) -> None:
        self.settings = settings
        self.levels = [lv.code for lv in settings.levels]
        self.total: Counter[str] = Counter()
        self.groups: dict[tuple[str, Any], Counter[str]] = defaultdict(Counter)
        for service, counter, clerk, overall, count in rating_rows:
            self.total[overall] += count
            self.groups["service", service][overall] += count
            self.groups["counter", counter][overall] += count
            self.groups["clerk", clerk or NO_CLERK][overall] += count

    def clerks(self) -> set[str]:
        return {key for kind, key in self.groups if kind == "clerk"}

    def _view(self, counts: Counter[str]) -> dict[str, Any]:
        rated = sum(counts.values())
        levels = shares(counts, self.levels, rated)
        labels = {lv.code: lv.label for lv in self.settings.levels}
        for level in levels:
            level["label"] = labels[level["code"]]
        satisfied = sum(counts[lv.code] for lv in self.settings.levels if lv.satisfied)
        return {"ratings": rated, "levels": levels, "satisfied_share": share(satisfied, rated)}

    def of(self, kind: str, key: Any) -> dict[str, Any]:
        """Shares of one service, counter or clerk."""
        return self._view(self.groups.get((kind, key), Counter()))

    def overall(self, answer_rows: Iterable[tuple]) -> dict[str, Any]:
        """Shares of the whole office, per criterion and question, and the reasons given."""
        view = self._view(self.total)
        answered: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for kind, code, value, count in answer_rows:
            answered[kind, code][value] += count
        view["criteria"] = [self._question(c, answered["criterion", c.code]) for c in self.settings.criteria]
        view["questions"] = [self._question(q, answered["question", q.code]) for q in self.settings.questions]
        low = sum(self.total[lv.code] for lv in self.settings.levels if lv.asks_reasons)
        reasons = [{"code": r.code, "label": r.label, "count": answered["reason", r.code][""],
                    "share": share(answered["reason", r.code][""], low)} for r in self.settings.reasons]
        view["reasons"] = {"low_ratings": low, "items": reasons}
        return view

    @staticmethod
    def _question(question: Any, counts: Counter[str]) -> dict[str, Any]:
        answered = sum(counts[a.code] for a in question.answers)
        items = shares(counts, [a.code for a in question.answers], answered)
        for item, answer in zip(items, question.answers, strict=True):
            item["label"] = answer.label
        return {"code": question.code, "label": question.label, "answered": answered, "answers": items}
