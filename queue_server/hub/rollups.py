"""Per-office-per-day figures the province dashboard reads, kept in the ingest's own transaction.

A ranking over a year of 100 offices would otherwise parse ~1.5 million
jsonb ticket rows per request. Instead each batch recomputes, from the
partitions themselves, the office-days it touched (every day of a ticket or
rating it carried): one row of counts in ``hub_office_days`` and the day's
waits as whole minutes in ``hub_office_day_waits`` (a histogram, so a p90 of
any period is a sum and a running total, never a sort of raw waits).
Recomputing whole days, not adding the batch's rows, keeps them right under
replays and overlapping batches: the result depends only on what the
partitions hold.

Definitions are the office's reports' (``queue_server.reports.summary``):
a wait is issue → call over tickets called and not marked no-show
(negative ones, a clock stepped back, dropped); a ticket counts under its
final service; "within target" compares a wait with that service's
``target_wait_minutes``; satisfied are the levels the office marks
``satisfied``. Targets and levels are the office's settings as it last sent
them: a target changed later applies to the days recomputed after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import psycopg

from ..config import parse_config
from ..reports.settings import DEFAULT_LEVELS, rating_settings


@dataclass(frozen=True)
class OfficeRules:
    """What the figures need from an office's settings: targets and service names, satisfied levels, time zone."""

    targets: dict[str, int]
    """service code → target wait in minutes."""
    service_names: dict[str, str]
    satisfied: tuple[str, ...]
    timezone: str


DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


def office_rules(settings: dict[str, Any] | None) -> OfficeRules:
    """The rules of an office from the settings it shipped (the sample's defaults when it sent none yet)."""
    if not settings:
        return OfficeRules({}, {}, tuple(lv.code for lv in DEFAULT_LEVELS if lv.satisfied), DEFAULT_TIMEZONE)
    return _rules(json.dumps(settings, sort_keys=True, ensure_ascii=False))


@lru_cache(maxsize=512)
def _rules(settings_json: str) -> OfficeRules:
    """Parsed once per distinct settings (a batch every 10 s of 100 offices must not parse TOML-sized dicts)."""
    config = parse_config(json.loads(settings_json), "<hub>")
    office = config.office
    levels = rating_settings(config).levels
    return OfficeRules(targets={s.code: s.target_wait_minutes for s in office.services},
                       service_names={s.code: s.name for s in office.services},
                       satisfied=tuple(lv.code for lv in levels if lv.satisfied), timezone=office.timezone)


_TICKETS = """
    SELECT day, row->>'status' AS status, row->>'service' AS service, row->>'issued_at' AS issued_at,
           CASE WHEN row->>'status' IN ('called', 'serving', 'done') AND row->>'called_at' IS NOT NULL
                THEN extract(epoch FROM (row->>'called_at')::timestamptz
                                        - (row->>'issued_at')::timestamptz)::float8 END AS wait_s
    FROM tickets WHERE office = %(office)s AND day = ANY(%(days)s)
"""

REFRESH_DAYS = f"""
WITH t AS ({_TICKETS}),
targeted AS (
    SELECT t.*, (%(targets)s::jsonb ->> service)::float8 * 60 AS target_s FROM t WHERE wait_s >= 0
),
td AS (
    SELECT t.day, count(*) AS tickets, count(*) FILTER (WHERE status = 'done') AS served,
           count(*) FILTER (WHERE status = 'no_show') AS no_show,
           count(*) FILTER (WHERE status = 'waiting') AS waiting
    FROM t GROUP BY t.day
),
wd AS (
    SELECT day, count(*) AS waited, sum(wait_s) AS wait_sum_s, count(target_s) AS targeted,
           count(*) FILTER (WHERE wait_s <= target_s) AS within_target
    FROM targeted GROUP BY day
),
ow AS (
    SELECT day, jsonb_object_agg(service, oldest) AS oldest_waiting
    FROM (SELECT day, service, min(issued_at) AS oldest FROM t WHERE status = 'waiting' GROUP BY 1, 2) AS x
    GROUP BY day
),
rl AS (
    SELECT day, row->>'overall' AS overall, count(*) AS n FROM ratings
    WHERE office = %(office)s AND day = ANY(%(days)s) GROUP BY 1, 2
),
rd AS (
    SELECT day, sum(n) AS ballots, coalesce(sum(n) FILTER (WHERE overall = ANY(%(satisfied)s)), 0) AS satisfied,
           jsonb_object_agg(overall, n) AS levels
    FROM rl GROUP BY day
)
INSERT INTO hub_office_days (office, day, tickets, served, no_show, waiting, oldest_waiting, waited, wait_sum_s,
                             targeted, within_target, ballots, satisfied, levels)
SELECT %(office)s, d.day, coalesce(td.tickets, 0), coalesce(td.served, 0), coalesce(td.no_show, 0),
       coalesce(td.waiting, 0), coalesce(ow.oldest_waiting, '{{}}'), coalesce(wd.waited, 0),
       coalesce(wd.wait_sum_s, 0), coalesce(wd.targeted, 0), coalesce(wd.within_target, 0),
       coalesce(rd.ballots, 0), coalesce(rd.satisfied, 0), coalesce(rd.levels, '{{}}')
FROM (SELECT day FROM td UNION SELECT day FROM rd) AS d
LEFT JOIN td USING (day) LEFT JOIN wd USING (day) LEFT JOIN ow USING (day) LEFT JOIN rd USING (day)
"""
"""One row per touched office-day that holds a ticket or a rating."""

REFRESH_WAITS = f"""
INSERT INTO hub_office_day_waits (office, day, minute, tickets)
SELECT %(office)s, day, floor(wait_s / 60)::integer, count(*) FROM ({_TICKETS}) AS t
WHERE wait_s >= 0 GROUP BY day, 3
"""
"""The touched days' waits in whole minutes (floored): what a period's p90 is read from."""


def refresh_days(conn: psycopg.Connection, office: str, days: Iterable[date],
                 settings: dict[str, Any] | None = None) -> int:
    """Recompute the office's rows of these days from its partitions, inside the caller's transaction.

    ``settings`` are the ones the batch brought; without them the office's
    stored ones are used. Returns how many days were recomputed.
    """
    wanted = sorted(set(days))
    if not wanted:
        return 0
    if settings is None:
        row = conn.execute("SELECT settings FROM hub_offices WHERE code = %s", (office,)).fetchone()
        settings = row[0] if row else None
    rules = office_rules(settings)
    params = {"office": office, "days": wanted, "targets": json.dumps(rules.targets),
              "satisfied": list(rules.satisfied)}
    conn.execute("DELETE FROM hub_office_days WHERE office = %(office)s AND day = ANY(%(days)s)", params)
    conn.execute("DELETE FROM hub_office_day_waits WHERE office = %(office)s AND day = ANY(%(days)s)", params)
    conn.execute(REFRESH_DAYS, params)
    conn.execute(REFRESH_WAITS, params)
    return len(wanted)


def refresh_office(conn: psycopg.Connection, office: str) -> int:
    """Recompute every day the hub holds of an office (after a migration, a changed target, the bench's load)."""
    days = [day for (day,) in conn.execute(
        "SELECT day FROM tickets WHERE office = %(o)s UNION SELECT day FROM ratings WHERE office = %(o)s",
        {"o": office})]
    with conn.transaction():
        return refresh_days(conn, office, days)
