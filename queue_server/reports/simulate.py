"""A realistic year of an office, played through the queue rules with a fake clock.

Arrivals follow the hour of day (mornings peak), the weekday (Mondays
busiest) and the month (quiet around Tết); each field has its own service
time; some citizens do not come when called, a few are sent to another
field, and a share of those served rate the service (worse after long
waits). Every change is made by ``queue_server.core.actions`` exactly as
the server would; the day's tickets and ratings are then written in bulk.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
import os
import random
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..config import OfficeConfig
from ..core import actions
from ..core.model import DONE, QueueState, Ticket
from ..core.office import Office, Service
from ..store import repository
from .queries import summarise_days
from .settings import RatingSettings, rating_settings, report_settings
from .store import ANSWER_INSERT, RatingRecord, answer_rows

# Arrivals per local half-hour slot, relative (7:30–11:30 and 13:30–16:30; no new tickets at lunch or in
# the last half hour, as offices stop issuing numbers before closing).
ARRIVAL_SLOTS: tuple[tuple[float, float, float], ...] = (
    (7.5, 8.0, 0.8), (8.0, 9.0, 1.5), (9.0, 10.0, 1.7), (10.0, 11.0, 1.3), (11.0, 11.5, 0.7),
    (13.5, 14.0, 0.7), (14.0, 15.0, 1.0), (15.0, 16.0, 0.8), (16.0, 16.5, 0.4),
)
WEEKDAY_FACTOR = (1.25, 1.05, 1.0, 0.95, 0.9, 0.0, 0.0)
"""Monday is the busiest day; the office is closed at weekends (Saturday mornings: see ``saturday``)."""
MONTH_FACTOR = (1.15, 0.7, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0, 1.1)
"""Busy before Tết (January) and quiet around it (February); back-to-school paperwork in August–September."""
LUNCH = (11.5, 13.5)
CLOSING = 17.0
PRIORITY_SHARE = 0.08


@dataclass(frozen=True)
class Profile:
    """How busy the simulated office is; from ``[reports.simulation]`` with sensible defaults."""

    tickets_per_day: float
    service_minutes_scale: float = 1.0
    no_show_share: float = 0.05
    transfer_share: float = 0.02
    rating_share: float = 0.3
    saturday: bool = False
    # True: clerks call nobody in the lunch break or after closing (those still waiting are called
    # at 13:30, or not today); False: they serve everyone holding a number before they leave.
    calls_stop_at_breaks: bool = False

    @classmethod
    def from_config(cls, office: Office, table: Mapping[str, Any]) -> Profile:
        """Defaults keep every counter about half busy over a 7.5-hour day (mornings busier)."""
        scale = float(table.get("service_minutes_scale", 1.0))
        capacity = sum(450 / (_mean_service_minutes(office, c.services) * scale) for c in office.counters)
        return cls(tickets_per_day=float(table.get("tickets_per_day", round(capacity * 0.5))),
                   service_minutes_scale=scale,
                   no_show_share=float(table.get("no_show_share", 0.05)),
                   transfer_share=float(table.get("transfer_share", 0.02)),
                   rating_share=float(table.get("rating_share", 0.3)),
                   saturday=bool(table.get("saturday", False)))


def _mean_service_minutes(office: Office, codes: tuple[str, ...]) -> float:
    return sum(_known_service(office, c).default_service_minutes for c in codes) / len(codes)


def _known_service(office: Office, code: str) -> Service:
    """A service named by the office itself (a counter's, a ticket's), so it exists."""
    service = office.service(code)
    assert service is not None, code
    return service


@dataclass
class SimulationResult:
    """What was written."""

    days: int = 0
    open_days: int = 0
    tickets: int = 0
    ratings: int = 0
    first: date | None = None
    last: date | None = None


class _Day:
    """One office day played event by event."""

    def __init__(self, sim: Simulator, day: date) -> None:
        self.sim, self.day = sim, day
        self.zone = sim.zone
        self.midnight_utc = datetime.combine(day, time(0), self.zone).astimezone(UTC)
        self.steps: list[tuple[datetime, int, str, Any]] = []  # (when, order, what, counter or ticket)
        self.seq = 0
        self.idle: set[int] = set()
        self.clerk_of_counter = sim.clerks_for(day)
        self.clerk_of_ticket: dict[int, str] = {}

    def at_hour(self, hour: float) -> datetime:
        """A local hour of the day as UTC (offices do not open across a daylight-saving change)."""
        return self.midnight_utc + timedelta(hours=hour)

    def push(self, at: datetime, kind: str, data: Any = None) -> None:
        self.seq += 1
        heapq.heappush(self.steps, (at, self.seq, kind, data))

    def play(self, arrivals: list[tuple[datetime, str, str | None]]) -> list[Ticket]:
        """Run the day; returns every ticket of it (closed)."""
        sim = self.sim
        for at, service, priority in arrivals:
            self.push(at, "arrive", (service, priority))
        opening = self.at_hour(ARRIVAL_SLOTS[0][0])
        for counter in sim.office.counters:
            self.push(opening, "free", counter.number)
        handlers: dict[str, Callable[[datetime, Any], None]] = {
            "arrive": self._arrive, "free": self._free, "absent": self._absent, "start": self._start,
            "transfer": self._transfer}
        while self.steps:
            at, _, kind, data = heapq.heappop(self.steps)
            handlers[kind](at, data)
        tickets = list(sim.state.tickets.values())
        # Close the day as the server does at midnight: leftovers cancelled, counters closed.
        actions.start_day_if_new(sim.state, sim.office, self.at_hour(24))
        return tickets

    def _arrive(self, at: datetime, data: tuple[str, str | None]) -> None:
        service, priority = data
        self.sim.issue(service, priority, at)
        self._wake(service, at)

    def _free(self, at: datetime, counter: int) -> None:
        """A counter finished (or opened): call the next citizen, or rest.

        Clerks serve everyone who holds a number before they break for lunch
        or go home; a counter with nobody waiting rests until 13:30, or waits
        for the next arrival.
        """
        sim = self.sim
        local_hour = (at - self.midnight_utc).total_seconds() / 3600
        if sim.profile.calls_stop_at_breaks and self._rest(at, counter, local_hour):
            return
        ticket, _ = actions.call_next(sim.state, sim.office, counter, at, clerk=self.clerk_of_counter[counter])
        if ticket is None:
            if LUNCH[0] <= local_hour < LUNCH[1]:
                self.push(self.at_hour(LUNCH[1]), "free", counter)
            else:
                self.idle.add(counter)
            return
        self.clerk_of_ticket[ticket.id] = self.clerk_of_counter[counter]
        rng = sim.rng
        if rng.random() < sim.profile.no_show_share:
            self.push(at + timedelta(seconds=rng.uniform(60, 150)), "absent", counter)
            return
        walk = at + timedelta(seconds=rng.uniform(15, 75))
        self.push(walk, "start", counter)

    def _rest(self, at: datetime, counter: int, local_hour: float) -> bool:
        """Outside the working periods a counter calls nobody: it ends its citizen, then lunch or home."""
        at_lunch = LUNCH[0] <= local_hour < LUNCH[1]
        if not at_lunch and local_hour < CLOSING:
            return False
        if self.sim.state.current_ticket(counter) is not None:
            actions.complete(self.sim.state, self.sim.office, counter, at)
        if at_lunch:
            self.push(self.at_hour(LUNCH[1]), "free", counter)
        return True

    def _absent(self, at: datetime, counter: int) -> None:
        actions.mark_no_show(self.sim.state, self.sim.office, counter, at)
        self._free(at, counter)

    def _start(self, at: datetime, counter: int) -> None:
        sim = self.sim
        ticket, _ = actions.start_serving(sim.state, sim.office, counter, at)
        minutes = sim.service_minutes(ticket.service)
        kind = "transfer" if sim.rng.random() < sim.profile.transfer_share and len(sim.office.services) > 1 else "free"
        self.push(at + timedelta(minutes=minutes), kind, counter)

    def _transfer(self, at: datetime, counter: int) -> None:
        sim = self.sim
        ticket = sim.state.current_ticket(counter)
        assert ticket is not None  # a transfer is planned only while the counter serves someone
        others = [s.code for s in sim.office.services if s.code != ticket.service]
        target = sim.rng.choice(others)
        actions.transfer(sim.state, sim.office, counter, at, service_code=target)
        self._wake(target, at)
        self._free(at, counter)

    def _wake(self, service: str, at: datetime) -> None:
        for counter in self.sim.counters_of[service]:
            if counter in self.idle:
                self.idle.discard(counter)
                self.push(at, "free", counter)
                break


@dataclass
class ChunkRows:
    """Rows of some simulated days, with ids counted from 1 (renumbered when written)."""

    tickets: list[tuple] = field(default_factory=list)
    ratings: list[tuple] = field(default_factory=list)
    answers: list[tuple] = field(default_factory=list)
    days: int = 0
    open_days: int = 0


class Simulator:
    """Plays days of an office through the core; the rows are written by ``write_rows``."""

    def __init__(self, config: OfficeConfig, *, seed: int = 2026, profile: Profile | None = None) -> None:
        self.office = config.office
        self.zone = ZoneInfo(self.office.timezone)
        self.seed = seed
        self.rng = random.Random(seed)
        self.profile = profile or Profile.from_config(self.office, report_settings(config).simulation)
        self.ratings: RatingSettings = rating_settings(config)
        self.state: QueueState = actions.new_state(self.office)
        self.counters_of = {s.code: [c.number for c in self.office.counters_for(s.code)] for s in self.office.services}
        weights = {s.code: len(self.counters_of[s.code]) / _mean_service_minutes(self.office, (s.code,))
                   for s in self.office.services}
        self.service_codes = list(weights)
        self.service_weights = list(weights.values())
        # Counters differ a little in how citizens rate them (the same every run).
        quality = random.Random(f"quality:{self.office.name}")
        self.counter_quality = {c.number: quality.uniform(-0.08, 0.08) for c in self.office.counters}
        self.next_rating_id = 1

    # -- the office's people ----------------------------------------------------------------
    def clerks_for(self, day: date) -> dict[int, str]:
        """Each counter's own clerk; on about one day in ten a reserve clerk stands in."""
        clerks = {}
        for counter in self.office.counters:
            substitute = random.Random(f"{day}:{counter.number}").random() < 0.1
            clerks[counter.number] = f"duphong{counter.number % 2 + 1}" if substitute else f"quay{counter.number}"
        return clerks

    def service_minutes(self, service: str) -> float:
        """A log-normal service time around the field's usual minutes (a few take much longer)."""
        mean = _known_service(self.office, service).default_service_minutes * self.profile.service_minutes_scale
        sigma = 0.5
        return max(0.5, self.rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma))

    def issue(self, service: str, priority: str | None, at: datetime) -> Ticket:
        """A ticket from the kiosk, numbered by the core."""
        token = f"sim{self.seed:x}x{self.state.next_ticket_id:x}{self.rng.getrandbits(40):010x}"
        ticket, _ = actions.issue_ticket(self.state, self.office, service, at, priority=priority, device="kiosk-sim",
                                         status_token=token)
        return ticket
    # -- arrivals ---------------------------------------------------------------------------------
    def arrivals(self, day: date, midnight_utc: Callable[[float], datetime]) -> list[tuple[datetime, str, str | None]]:
        """The day's citizens: when they come, for which field, with which priority."""
        factor = WEEKDAY_FACTOR[day.weekday()] * MONTH_FACTOR[day.month - 1]
        slots = ARRIVAL_SLOTS
        if day.weekday() == 5 and self.profile.saturday:
            factor, slots = 0.5, tuple(s for s in ARRIVAL_SLOTS if s[1] <= LUNCH[0])
        if factor == 0:
            return []
        mean = self.profile.tickets_per_day * factor
        count = max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        total_weight = sum((end - start) * w for start, end, w in slots)
        people = []
        for start, end, weight in slots:
            share = (end - start) * weight / total_weight
            for _ in range(self._poisson_split(count, share)):
                hour = self.rng.uniform(start, end)
                service = self.rng.choices(self.service_codes, self.service_weights)[0]
                priority = self.rng.choice(("elderly", "disabled", "pregnant", "merit")) \
                    if self.rng.random() < PRIORITY_SHARE else None
                people.append((midnight_utc(hour), service, priority))
        people.sort(key=lambda p: p[0])
        return people

    def _poisson_split(self, count: int, share: float) -> int:
        return max(0, round(self.rng.gauss(count * share, math.sqrt(max(count * share * (1 - share), 1e-9)))))

    # -- ratings ------------------------------------------------------------------------------------
    def rate(self, ticket: Ticket, clerk: str | None) -> RatingRecord | None:
        """A rating from a share of served citizens; long waits and weak counters rate lower."""
        rng = self.rng
        if ticket.status != DONE or rng.random() >= self.profile.rating_share:
            return None
        service = _known_service(self.office, ticket.service)
        # A done ticket was called, served and finished at a counter.
        assert ticket.called_at is not None and ticket.finished_at is not None and ticket.counter is not None
        waited = (ticket.called_at - ticket.issued_at).total_seconds() / 60
        late = waited > service.target_wait_minutes
        good = 0.9 + self.counter_quality.get(ticket.counter, 0) - (0.25 if late else 0)
        levels = self.ratings.levels
        draw = rng.random()
        index = 0 if draw < good * 0.55 else 1 if draw < good else min(2 + int(rng.random() < 0.35), len(levels) - 1)
        index = min(index, len(levels) - 1)
        level = levels[index]
        criteria = {c.code: levels[min(len(levels) - 1, max(0, index + rng.choice((-1, 0, 0, 0, 1))))].code
                    for c in self.ratings.criteria if rng.random() < 0.4}
        answers = {q.code: rng.choices(q.answers, [0.55] + [0.45 / (len(q.answers) - 1)] * (len(q.answers) - 1))[0].code
                   for q in self.ratings.questions if rng.random() < 0.3}
        reasons: tuple[str, ...] = ()
        if level.asks_reasons and self.ratings.reasons:
            pool = [r.code for r in self.ratings.reasons]
            first = "waited_long" if late and "waited_long" in pool else rng.choice(pool)
            reasons = tuple(dict.fromkeys([first] + ([rng.choice(pool)] if rng.random() < 0.3 else [])))
        rated = ticket.finished_at + timedelta(seconds=rng.uniform(5, 25))
        return RatingRecord(ticket.id, ticket.day.isoformat(), repository.to_db_time(rated), ticket.service,
                            ticket.counter, clerk, level.code, criteria, answers, reasons, device="rating-sim")

    # -- the run ---------------------------------------------------------------------------------------
    def play(self, first: date, days: int) -> ChunkRows:
        """Simulate ``days`` days from ``first``; returns their rows."""
        rows = ChunkRows()
        for offset in range(days):
            day = first + timedelta(days=offset)
            played = _Day(self, day)
            tickets = played.play(self.arrivals(day, played.at_hour))
            self._rows(tickets, played.clerk_of_ticket, rows)
            rows.days += 1
            rows.open_days += bool(tickets)
        return rows

    def _rows(self, tickets: list[Ticket], clerks: dict[int, str], rows: ChunkRows) -> None:
        for ticket in tickets:
            rows.tickets.append((*ticket_row(ticket), clerks.get(ticket.id) if ticket.counter else None))
            record = self.rate(ticket, clerks.get(ticket.id))
            if record is None:
                continue
            rating_id = self.next_rating_id
            self.next_rating_id += 1
            rows.ratings.append((rating_id, record.ticket_id, record.day, record.rated_at, record.service,
                                 record.counter, record.clerk, record.overall, record.device))
            rows.answers += answer_rows(rating_id, record)


def play_chunk(config_path: str, first: date, days: int, seed: int, profile: Profile) -> ChunkRows:
    """One worker's share of the simulation (a month), from the office file (picklable arguments)."""
    from ..config import load_config

    return Simulator(load_config(config_path), seed=seed, profile=profile).play(first, days)


TICKET_INSERT_COLUMNS = (*repository.TICKET_COLUMNS, "clerk")

_FAST_COLUMNS = ("id", "day", "issued_service", "service", "seq", "number", "priority", "status", "procedure", "device",
                 "issued_at", "queued_at", "called_at", "served_at", "finished_at", "counter", "target_counter",
                 "recalls", "transfers", "status_token",
                 "transferred_from", "transferred_from_service", "transfer_note")


def _utc_text(moment: datetime | None) -> str | None:
    # The simulator's times are already UTC: the same text as repository.to_db_time, without converting.
    return None if moment is None else moment.isoformat(timespec="microseconds")


def _fast_ticket_row(t: Ticket) -> tuple[Any, ...]:
    """``repository.ticket_row`` for the simulator's UTC tickets, several times faster (a year has 300,000)."""
    return (t.id, t.day.isoformat(), t.issued_service, t.service, t.seq, t.number, t.priority, t.status, t.procedure,
            t.device, _utc_text(t.issued_at), _utc_text(t.queued_at), _utc_text(t.called_at), _utc_text(t.served_at),
            _utc_text(t.finished_at), t.counter, t.target_counter, t.recalls, t.transfers, t.status_token,
            t.transferred_from, t.transferred_from_service, t.transfer_note)


# Should the store's columns ever change, fall back to its own row builder.
ticket_row = _fast_ticket_row if repository.TICKET_COLUMNS == _FAST_COLUMNS else repository.ticket_row


def write_rows(conn: sqlite3.Connection, rows: ChunkRows, result: SimulationResult) -> None:
    """Insert a chunk's tickets, ratings and answers after the ids already in the database."""
    ticket_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM tickets").fetchone()[0]
    rating_base = conn.execute("SELECT COALESCE(MAX(id), 0) FROM ratings").fetchone()[0]
    conn.executemany(
        f"INSERT INTO tickets ({', '.join(TICKET_INSERT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(TICKET_INSERT_COLUMNS))})",
        [(row[0] + ticket_base, *row[1:]) for row in rows.tickets])
    conn.executemany("INSERT INTO ratings (id, ticket_id, day, rated_at, service, counter, clerk, overall, device) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     [(r[0] + rating_base, r[1] + ticket_base, *r[2:]) for r in rows.ratings])
    conn.executemany(ANSWER_INSERT, [(a[0] + rating_base, *a[1:]) for a in rows.answers])
    result.days += rows.days
    result.open_days += rows.open_days
    result.tickets += len(rows.tickets)
    result.ratings += len(rows.ratings)


def month_chunks(first: date, days: int) -> list[tuple[date, int]]:
    """The period cut at month starts: (first day, number of days) pieces."""
    chunks, day, end = [], first, first + timedelta(days=days)
    while day < end:
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        stop = min(following, end)
        chunks.append((day, (stop - day).days))
        day = stop
    return chunks


def simulate(config: OfficeConfig, conn: sqlite3.Connection, first: date, days: int, *, seed: int = 2026,
             profile: Profile | None = None, workers: int | None = None,
             progress: Callable[[date], None] | None = None, today: date | None = None) -> SimulationResult:
    """Simulate days from ``first`` into a database, a month per worker process and per transaction.

    Months are independent (the queue starts empty every morning), so they
    are played in parallel; each month has its own seed, so the result is
    the same whatever the number of workers. Days before ``today`` (default:
    the office's today) are summarised for reports as they are written.
    """
    latest = conn.execute("SELECT MAX(day) FROM tickets").fetchone()[0]
    if latest is not None and latest >= first.isoformat():
        raise ValueError(f"the database already has tickets up to {latest}; "
                         "simulate after that day or use a new database")
    profile = profile or Profile.from_config(config.office, report_settings(config).simulation)
    chunks = month_chunks(first, days)
    seeds = [seed * 1000 + index for index in range(len(chunks))]
    result = SimulationResult(first=first, last=first + timedelta(days=days - 1))
    today = today or actions.service_day(config.office, datetime.now(UTC))
    workers = workers if workers is not None else min(len(chunks), os.cpu_count() or 1)
    played: Iterator[ChunkRows]
    if workers <= 1:
        played = (play_chunk(str(config.path), start, count, s, profile)
                  for (start, count), s in zip(chunks, seeds, strict=True))
        _write_all(conn, played, chunks, result, progress, today)
        return result
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads and locks
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        played = pool.map(play_chunk, [str(config.path)] * len(chunks), [c[0] for c in chunks],
                          [c[1] for c in chunks], seeds, [profile] * len(chunks))
        _write_all(conn, played, chunks, result, progress, today)
    return result


def _write_all(conn: sqlite3.Connection, played, chunks, result: SimulationResult, progress,
               today: date) -> None:
    for rows, (start, count) in zip(played, chunks, strict=True):
        conn.execute("BEGIN IMMEDIATE")
        try:
            write_rows(conn, rows, result)
            # Days before today, summarised now while their rows are in the cache (as a report would later);
            # a simulated today stays live, since the server may still add tickets to it.
            last = min(start + timedelta(days=count - 1), today - timedelta(days=1))
            if start <= last:
                summarise_days(conn, start, last)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if progress:
            progress(start)
