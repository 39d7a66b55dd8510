"""What the province dashboard shows, read from the rollups (``rollups.py``) and the offices' small tables.

Two questions, each one or two SQL statements however long the period:
"every office today" reads one ``hub_office_days`` row per office (its own
today, in its own time zone) and the latest ``devices`` and
``counters_today`` snapshots; "the ranking" sums the period's rows per office
and finds each office's p90 wait from the minute histogram with a running
total. No citizen's name or phone is read here: only counts and device names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from ..reports.stats import share
from .rollups import DEFAULT_TIMEZONE, office_rules

SILENT_OFFICE = timedelta(minutes=30)
"""An office heard from longer ago is flagged: its worker ships every 10 s, and devices every 5 minutes."""
SILENT_DEVICE = timedelta(minutes=5)
"""A kiosk or a board not seen for this long (and not holding the live feed) counts as silent."""
PRINTER_WORDS = {"paper_out": "máy in hết giấy", "cover_open": "nắp máy in đang mở", "offline": "máy in tạm ngừng",
                 "unreachable": "không kết nối được máy in", "printer_error": "máy in báo lỗi"}
"""The printer's fault codes (printers/faults.py; not imported: the hub has no printer extra)."""
WATCHED_ROLES = {"kiosk": "Ki-ốt", "display": "Bảng hiển thị"}
"""Devices whose silence is a fault: the citizen cannot take a ticket or cannot see the calls."""


@dataclass
class OfficeToday:
    """One office's line of "Mọi trung tâm hôm nay"."""

    code: str
    name: str
    revoked: bool
    day: date
    last_contact_at: datetime | None
    last_contact: str
    """dd/mm/yyyy HH:MM in the office's time zone, or "chưa liên lạc"."""
    silent: bool
    waiting: int
    served: int
    tickets: int
    open_counters: int | None
    longest_wait_minutes: int | None
    longest_target_minutes: int | None
    longest_service: str | None
    faults: list[str] | None
    """None when the office has not sent its devices yet (the page shows "—")."""

    @property
    def over_target(self) -> bool:
        return (self.longest_wait_minutes is not None and self.longest_target_minutes is not None
                and self.longest_wait_minutes > self.longest_target_minutes)

    @property
    def problems(self) -> tuple[int, int, int, int, int]:
        """Sort key, largest first: silent offices, then faults, then a wait past target, then the longest waits."""
        return (int(self.silent and not self.revoked), len(self.faults or ()), int(self.over_target),
                self.longest_wait_minutes or 0, self.waiting)


TODAY_SQL = """
SELECT o.code, o.name, o.revoked_at IS NOT NULL, o.last_contact_at, o.settings, d.tickets, d.served, d.waiting,
       d.oldest_waiting
FROM hub_offices AS o
LEFT JOIN hub_office_days AS d ON d.office = o.code
     AND d.day = (%(now)s::timestamptz AT TIME ZONE coalesce(o.settings->'office'->>'timezone', %(zone)s))::date
"""

RECORDS_SQL = "SELECT office, kind, data FROM hub_office_records WHERE kind IN ('devices', 'counters_today')"


def offices_today(conn: psycopg.Connection, now: datetime) -> list[OfficeToday]:
    """Every office's today, problems first (then by code)."""
    records = _records(conn)
    rows = conn.execute(TODAY_SQL, {"now": now, "zone": DEFAULT_TIMEZONE}).fetchall()
    found = [_office_today(row, records, now) for row in rows]
    found.sort(key=lambda o: o.code)
    found.sort(key=lambda o: o.problems, reverse=True)
    return found


def _records(conn: psycopg.Connection) -> dict[tuple[str, str], Any]:
    """The latest small-table snapshots of every office (none at a hub whose offices do not send them yet)."""
    exists = conn.execute("SELECT to_regclass('hub_office_records') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return {}
    return {(office, kind): data for office, kind, data in conn.execute(RECORDS_SQL)}


def _office_today(row: tuple[Any, ...], records: dict[tuple[str, str], Any], now: datetime) -> OfficeToday:
    code, name, revoked, contact, settings, tickets, served, waiting, oldest = row
    rules = office_rules(settings)
    zone = ZoneInfo(rules.timezone)
    longest = _longest_wait(oldest or {}, rules.targets, now)
    devices = records.get((code, "devices"))
    return OfficeToday(
        code=code, name=name, revoked=revoked, day=now.astimezone(zone).date(), last_contact_at=contact,
        last_contact=dmy_hm(contact, zone) if contact else "chưa liên lạc",
        silent=contact is None or now - contact > SILENT_OFFICE,
        waiting=waiting or 0, served=served or 0, tickets=tickets or 0,
        open_counters=open_counters(records.get((code, "counters_today"))),
        longest_wait_minutes=longest[0] if longest else None,
        longest_target_minutes=longest[1] if longest else None,
        longest_service=rules.service_names.get(longest[2], longest[2]) if longest else None,
        faults=device_faults(devices, now, zone) if devices is not None else None)


def _longest_wait(oldest: dict[str, str], targets: dict[str, int], now: datetime) -> tuple[int, int | None, str] | None:
    """(minutes, that service's target, service) of the citizen waiting longest now, measured against the target.

    The wait that is furthest past its own service's target comes first: 25
    minutes for a 20-minute field is worse than 28 for a 30-minute one.
    """
    waits = []
    for service, issued_at in oldest.items():
        minutes = max(0, int((now - _parse_time(issued_at)).total_seconds() // 60))
        target = targets.get(service)
        waits.append((minutes / target if target else 0.0, minutes, target, service))
    if not waits:
        return None
    _, minutes, target, service = max(waits)
    return minutes, target, service


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def dmy_hm(moment: datetime, zone: ZoneInfo) -> str:
    """dd/mm/yyyy HH:MM in a time zone: how people here read a moment."""
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def open_counters(data: Any) -> int | None:
    """How many counters are open now, from the office's ``counters_today`` snapshot; None without one.

    Read leniently (a list of counters with ``open``/``state``, or ``{"open": [...]}``, or
    ``{"counters": [...]}``): an office on an older version must show "—", not break the page.
    """
    if isinstance(data, dict):
        if isinstance(data.get("open"), list):
            return len(data["open"])
        if isinstance(data.get("open_counters"), list):
            return len(data["open_counters"])
        data = data.get("counters")
    if not isinstance(data, list):
        return None
    return sum(1 for counter in data if isinstance(counter, dict) and _is_open(counter))


def _is_open(counter: dict[str, Any]) -> bool:
    if isinstance(counter.get("open"), bool):
        return bool(counter["open"])
    state = counter.get("state")
    return isinstance(state, str) and state not in ("closed", "")


def device_faults(devices: Any, now: datetime, zone: ZoneInfo) -> list[str]:
    """One line per fault: a part reporting not ok (printer out of paper, cover open, camera lost), or a kiosk
    or board silent for more than five minutes. Device names only: nothing about a citizen."""
    faults: list[str] = []
    for device in devices if isinstance(devices, list) else []:
        if not isinstance(device, dict):
            continue
        name = str(device.get("name") or "?")
        status = device.get("status")
        for part, report in sorted(status.items() if isinstance(status, dict) else ()):
            if isinstance(report, dict) and report.get("ok") is False:
                faults.append(f"{name}: {_fault_words(part, report)}")
        silence = _silence(device, now, zone)
        if silence:
            faults.append(f"{name}: {silence}")
    return faults


def _fault_words(part: str, report: dict[str, Any]) -> str:
    """A part's fault in words: the printer's own Vietnamese for its codes ("Máy in hết giấy"), else its message."""
    code = str(report.get("code") or "")
    if part == "camera":
        return "mất camera"
    if part == "printer" and code in PRINTER_WORDS:
        return PRINTER_WORDS[code]
    words = str(report.get("message") or "") or code or "báo lỗi"
    return f"{part} – {words}"


def _silence(device: dict[str, Any], now: datetime, zone: ZoneInfo) -> str | None:
    role = WATCHED_ROLES.get(str(device.get("role")))
    if role is None or device.get("connected") is True:
        return None
    seen = device.get("last_seen_at")
    if not isinstance(seen, str) or not seen:
        return f"{role} chưa liên lạc"
    try:
        moment = _parse_time(seen)
    except ValueError:
        return f"{role} chưa liên lạc"
    if now - moment <= SILENT_DEVICE:
        return None
    return f"{role} im lặng từ {dmy_hm(moment, zone)}"


# -- the ranking -------------------------------------------------------------------------------------

RANKING_SQL = """
WITH d AS (
    SELECT office, sum(tickets) AS tickets, sum(served) AS served, sum(no_show) AS no_show, sum(waited) AS waited,
           sum(wait_sum_s) AS wait_sum_s, sum(targeted) AS targeted, sum(within_target) AS within_target,
           sum(ballots) AS ballots, sum(satisfied) AS satisfied
    FROM hub_office_days WHERE day BETWEEN %(first)s AND %(last)s GROUP BY office
),
w AS (
    SELECT office, minute, sum(tickets) AS n FROM hub_office_day_waits
    WHERE day BETWEEN %(first)s AND %(last)s GROUP BY office, minute
),
c AS (
    SELECT office, minute, sum(n) OVER (PARTITION BY office ORDER BY minute) AS running,
           sum(n) OVER (PARTITION BY office) AS total FROM w
),
p AS (SELECT office, min(minute) AS p90 FROM c WHERE running >= ceil(0.9 * total) GROUP BY office)
SELECT o.code, o.name, coalesce(d.tickets, 0), coalesce(d.served, 0), coalesce(d.no_show, 0),
       coalesce(d.waited, 0), coalesce(d.wait_sum_s, 0), coalesce(d.targeted, 0), coalesce(d.within_target, 0),
       coalesce(d.ballots, 0), coalesce(d.satisfied, 0), p.p90
FROM hub_offices AS o LEFT JOIN d ON d.office = o.code LEFT JOIN p ON p.office = o.code
"""


@dataclass
class RankRow:
    """One office's figures over a period."""

    code: str
    name: str
    tickets: int
    served: int
    no_show: int
    waited: int
    wait_sum_s: float
    targeted: int
    within_target: int
    ballots: int
    satisfied: int
    p90_wait_minutes: int | None
    """Nearest-rank 90th percentile of the waits floored to whole minutes."""
    rank: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def satisfied_share(self) -> float | None:
        return share(self.satisfied, self.ballots)

    @property
    def within_target_share(self) -> float | None:
        return share(self.within_target, self.targeted)

    @property
    def no_show_share(self) -> float | None:
        return share(self.no_show, self.tickets)

    @property
    def mean_wait_minutes(self) -> float | None:
        return round(self.wait_sum_s / self.waited / 60, 1) if self.waited else None


SORTS: dict[str, Callable[[RankRow], Any]] = {
    "satisfied": lambda r: r.satisfied_share,
    "ballots": lambda r: r.ballots,
    "tickets": lambda r: r.tickets,
    "mean_wait": lambda r: r.mean_wait_minutes,
    "p90_wait": lambda r: r.p90_wait_minutes,
    "within_target": lambda r: r.within_target_share,
    "no_show": lambda r: r.no_show_share,
    "name": lambda r: r.name,
}
"""Columns the ranking can be sorted by; an office without a figure (no ballots…) always goes last."""


def ranking(conn: psycopg.Connection, first: date, last: date) -> list[RankRow]:
    """Every office over [first, last] (office-local days), ranked by satisfaction share (then ballots, code).

    ``rank`` is the place by satisfaction share; offices without a ballot
    have none (0) and come last.
    """
    rows = [RankRow(*(_number(v) for v in row)) for row in
            conn.execute(RANKING_SQL, {"first": first, "last": last}).fetchall()]
    ordered = sort_rows(rows, "satisfied", descending=True)
    for place, row in enumerate(ordered, start=1):
        row.rank = place if row.ballots else 0
    return ordered


def _number(value: Any) -> Any:
    """PostgreSQL's sums are numerics: ints as int, others as float."""
    if value is None or isinstance(value, (str, int)):
        return value
    as_float = float(value)
    return int(as_float) if as_float.is_integer() and not isinstance(value, float) else as_float


def sort_rows(rows: list[RankRow], key: str, descending: bool) -> list[RankRow]:
    """Rows sorted by one column, ties by ballots (more first) then code; missing figures last either way."""
    measure = SORTS.get(key, SORTS["satisfied"])
    ordered = sorted(rows, key=lambda r: r.code)
    ordered.sort(key=lambda r: r.ballots, reverse=True)
    present = [r for r in ordered if measure(r) is not None]
    missing = [r for r in ordered if measure(r) is None]
    present.sort(key=measure, reverse=descending)
    return present + missing


def p90_of_minutes(waits_s: list[float]) -> int | None:
    """The definition the histogram implements, for checks: nearest-rank p90 of the floored minutes."""
    minutes = sorted(math.floor(w / 60) for w in waits_s if w >= 0)
    if not minutes:
        return None
    return minutes[math.ceil(0.9 * len(minutes)) - 1]
