"""Benchmark of the wait promise (issue 14.5) against a simulated month of the commune office.

Each simulated citizen takes a ticket; at that instant the bench asks both formulas how long the
wait will be: the flat one (people ahead × usual service time ÷ open counters, the estimate until
issue 14.5) and the projection of ``queue_server.core.estimate`` (services in progress, the open
counters, the working hours). When the ticket is called, the real wait is known. Printed per formula:

- the median absolute error of the promise, in minutes;
- the share of tickets whose real wait exceeds the promise by more than 10 minutes;
- both as computed (seconds) and as worded on the paper ("khoảng 25 phút": rounded up, to 5 beyond
  10 minutes; "dưới 1 phút" counts as met at once; a clock-time note as its seconds);
- over all tickets and over those that had to queue (someone ahead, or no idle counter of the field);
- how many tickets were never called that day, and how many of them had been warned.

Two office habits are played: clerks who serve everyone holding a number before lunch and closing
(the simulator's default), and clerks who stop calling at 11:30 and 17:00 (the case issue 14.5 names).
Bounded and seeded: one month (March 2026, 22 working days), seed 2026; about two seconds.

Run: .venv/bin/python bench/waits.py [--seed 2026] [--month 2026-03]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from queue_server.config import load_config  # noqa: E402
from queue_server.core.estimate import NOTE_MAY_MISS_TODAY, estimate_wait, flat_wait_s  # noqa: E402
from queue_server.core.model import Ticket  # noqa: E402
from queue_server.core.selection import people_ahead  # noqa: E402
from queue_server.reports.settings import report_settings  # noqa: E402
from queue_server.reports.simulate import Profile, Simulator, month_chunks  # noqa: E402
from wording import wait_minutes  # noqa: E402

COMMUNE = PROJECT / "config" / "commune.toml"
LATE_S = 10 * 60  # "exceeds the promise by more than 10 minutes"


@dataclass
class Promise:
    """What each formula promised a ticket when it was issued."""

    ticket: Ticket
    flat_s: int
    new_s: int
    new_warned: bool  # the new formula said today's service may end first
    flat_shown_s: int  # the promise as the paper words it ("khoảng 25 phút": rounded up, to 5 beyond 10 min)
    new_shown_s: int
    queued: bool  # someone was ahead, or no counter of the field was idle: the citizen could not walk straight up


class PromisingSimulator(Simulator):
    """The simulator, noting both promises the moment each ticket is issued."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.promises: list[Promise] = []

    def issue(self, service: str, priority: str | None, at: datetime) -> Ticket:
        ticket = super().issue(service, priority, at)
        ahead = people_ahead(self.state, self.office, ticket, at)
        estimate = estimate_wait(self.state, self.office, service, ahead, at)
        idle = any(self.state.counters[c.number].state == "idle" for c in self.office.counters_for(service))
        flat = flat_wait_s(self.state, self.office, service, ahead)
        self.promises.append(Promise(ticket, flat_s=flat, new_s=estimate.wait_s,
                                     new_warned=estimate.note == NOTE_MAY_MISS_TODAY, queued=ahead > 0 or not idle,
                                     flat_shown_s=shown_s(flat, None),
                                     new_shown_s=shown_s(estimate.wait_s, estimate.note)))
        return ticket


def shown_s(seconds: int, note: str | None) -> int:
    """The wait the citizen reads: "dưới 1 phút" (met at once), the rounded minutes, or a clock time (as is)."""
    if note is not None:
        return seconds
    return 0 if seconds < 60 else wait_minutes(seconds) * 60


@dataclass
class Score:
    """One formula's record over the month."""

    median_error_min: float
    late_share: float
    called: int
    never_called: int
    warned: int


def score(promises: list[Promise], pick: str) -> Score:
    """Median absolute error and share late by more than 10 minutes, over the tickets called."""
    errors, late, never, warned = [], 0, 0, 0
    for p in promises:
        promised = getattr(p, pick)
        if p.ticket.called_at is None:
            never += 1
            warned += pick.startswith("new") and p.new_warned
            continue
        real = (p.ticket.called_at - p.ticket.issued_at).total_seconds()
        errors.append(abs(real - promised))
        late += real - promised > LATE_S
    return Score(statistics.median(errors) / 60, late / len(errors), len(errors), never, warned)


def run(month: date, seed: int, stop_at_breaks: bool, load: float = 1.0) -> tuple[list[Promise], float]:
    """Play the month; returns the promises (tickets carry their real call) and the seconds taken.

    ``load`` multiplies the profile's tickets per day (1.5: a busy month, counters about three-quarters busy).
    """
    config = load_config(COMMUNE)
    profile = Profile.from_config(config.office, report_settings(config).simulation)
    profile = dataclasses.replace(profile, calls_stop_at_breaks=stop_at_breaks,
                                  tickets_per_day=profile.tickets_per_day * load)
    first, days = month_chunks(month, 40)[0]  # the month's own days
    sim = PromisingSimulator(config, seed=seed, profile=profile)
    started = time.perf_counter()
    sim.play(first, days)
    return sim.promises, time.perf_counter() - started


def report(title: str, promises: list[Promise], seconds: float) -> bool:
    """Print both formulas' scores; True when the new one beats the flat one on both figures.

    Over all tickets most citizens walk straight up to an idle counter (both formulas promise 0 and
    are right), so the median error is also shown over the tickets that had to queue.
    """
    print(f"\n{title}: {len(promises)} tickets, simulated in {seconds:.1f} s")
    print(f"  {'tickets':<22} {'formula':<26} {'median |error|':>15} {'late > 10 min':>14}"
          f"   as worded: {'median |error|':>14} {'late > 10 min':>14}")
    better = True
    queued = [p for p in promises if p.queued]
    for label, group in ((f"all {len(promises)}", promises), (f"queued at issue {len(queued)}", queued)):
        flat, new = score(group, "flat_s"), score(group, "new_s")
        flat_shown, new_shown = score(group, "flat_shown_s"), score(group, "new_shown_s")
        for name, s, shown in (("flat (until issue 14.5)", flat, flat_shown),
                               ("projection (estimate.py)", new, new_shown)):
            print(f"  {label:<22} {name:<26} {s.median_error_min:11.1f} min {s.late_share * 100:12.1f} %"
                  f"               {shown.median_error_min:10.1f} min {shown.late_share * 100:12.1f} %")
        for old_score, new_score in ((flat, new), (flat_shown, new_shown)):
            better &= new_score.median_error_min <= old_score.median_error_min
            better &= new_score.late_share < old_score.late_share
        if new.never_called:
            print(f"  never called that day: {new.never_called}; warned 'Có thể không kịp phục vụ hôm nay': "
                  f"{new.warned}")
    print("  the projection beats the flat formula (median error no worse, fewer late by > 10 min)" if better
          else "  the projection does NOT beat the flat formula on both figures")
    return better


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--month", default="2026-03", help="YYYY-MM (default 2026-03)")
    args = parser.parse_args()
    month = date.fromisoformat(args.month + "-01")
    scenarios = (("Commune profile; clerks serve everyone holding a number (simulator default)", False, 1.0),
                 ("Commune profile; clerks stop calling at 11:30 and 17:00", True, 1.0),
                 ("Busy month (1.5 × tickets); clerks stop calling at 11:30 and 17:00", True, 1.5))
    both = [report(title, *run(month, args.seed, stop, load)) for title, stop, load in scenarios]
    return 0 if all(both) else 1


if __name__ == "__main__":
    raise SystemExit(main())
