"""``motcua report`` and ``motcua simulate``: the office head's reports and a simulated year, from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from ..cli_support import CommandError, add_office_options, default_db_path
from ..config import load_config


def register(subcommands: argparse._SubParsersAction) -> None:
    """Add ``report`` and ``simulate``."""
    report = subcommands.add_parser("report", help="the office head's report of a period (JSON, CSV or XLSX)")
    add_office_options(report)
    report.add_argument("--from", dest="first", help="first day YYYY-MM-DD (default: today)")
    report.add_argument("--to", dest="last", help="last day YYYY-MM-DD, inclusive (default: --from or today)")
    report.add_argument("--period", choices=("day", "month", "quarter", "year"),
                        help="instead of --from/--to: the period holding --date (default today)")
    report.add_argument("--date", help="a day inside --period, YYYY-MM-DD")
    report.add_argument("--format", choices=("json", "csv", "csv-vi", "xlsx", "docx"), default="json")
    report.add_argument("--output", "-o", type=Path,
                        help="file to write (default: standard output; XLSX/DOCX: bao-cao-FROM-TO.xlsx/.docx)")
    report.add_argument("--charts", type=Path, metavar="DIR", help="also write the charts as PNG files into DIR")
    report.add_argument("--today", help="the day the report is made, YYYY-MM-DD (default: the office's today); "
                                        "days before it are final and get summarised")
    report.set_defaults(handler=cmd_report)

    simulate = subcommands.add_parser("simulate", help="fill a database with a realistic simulated office year")
    simulate.add_argument("--office", "--config", dest="config", type=Path, default=None,
                          help="office TOML file (default: $MOTCUA_CONFIG, then the sample commune office)")
    simulate.add_argument("--db", type=Path, required=True,
                          help="SQLite database to fill (new, or with only earlier days)")
    simulate.add_argument("--days", type=int, default=365)
    simulate.add_argument("--end", help="last simulated day YYYY-MM-DD (default: yesterday)")
    simulate.add_argument("--seed", type=int, default=2026, help="random seed: the same seed gives the same year")
    simulate.add_argument("--workers", type=int, help="processes playing months in parallel (default: one per core)")
    simulate.add_argument("--tickets-per-day", type=float, help="override [reports.simulation] tickets_per_day")
    simulate.set_defaults(handler=cmd_simulate)


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} must be a date YYYY-MM-DD, not {text!r}") from None


def cmd_report(args: argparse.Namespace) -> int:
    """Compute a period's report from the database and write it."""
    from ..core.actions import service_day
    from ..store.db import connect
    from ..store.schema import apply_migrations
    from .charts import CHARTS
    from .docx_report import to_docx
    from .export import to_csv, to_people_csv, to_xlsx
    from .service import PeriodError, Reports, parse_period

    config = load_config(args.config)
    db_path = args.db or default_db_path()
    if not db_path.exists():
        raise CommandError(f"no database at {db_path}; run `motcua init` or pass --db")
    today = _date(args.today, "--today") or service_day(config.office, datetime.now(UTC))
    query = {"from": args.first, "to": args.last, "period": args.period, "date": args.date}
    try:
        first, last = parse_period({k: v for k, v in query.items() if v}, today)
    except PeriodError as exc:
        raise CommandError(str(exc)) from None
    with connect(db_path) as db:
        apply_migrations(db)
        report = Reports(config).summary(db.conn, first, last, today=today, fresh=True)
    if args.format == "json":
        data = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif args.format == "csv":
        data = to_csv(report).encode("utf-8-sig")
    elif args.format == "csv-vi":
        data = to_people_csv(report).encode("utf-8-sig")
    elif args.format == "docx":
        data = to_docx(report, report["satisfaction"]["paragraphs"])
    else:
        data = to_xlsx(report)
    output = args.output
    if output is None and args.format in ("xlsx", "docx"):
        output = Path(f"bao-cao-{first}-{last}.{args.format}")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        print(f"Report {first} → {last} written to {output}", file=sys.stderr)
    if args.charts:
        args.charts.mkdir(parents=True, exist_ok=True)
        for name, render in CHARTS.items():
            (args.charts / f"{name}.png").write_bytes(render(report))
        print(f"Charts written to {args.charts}/", file=sys.stderr)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    """Simulate days of the office through the queue rules into a database."""
    from dataclasses import replace

    from ..store.db import connect
    from ..store.schema import apply_migrations
    from .settings import report_settings
    from .simulate import Profile, simulate

    config = load_config(args.config)
    if not 1 <= args.days <= 3660:
        raise CommandError("--days must be between 1 and 3660")
    end = _date(args.end, "--end") or date.today() - timedelta(days=1)
    first = end - timedelta(days=args.days - 1)
    started = time.perf_counter()
    with connect(args.db) as db:
        apply_migrations(db)
        db.conn.execute("PRAGMA synchronous = NORMAL")  # a generated database: speed over power-cut safety
        profile = Profile.from_config(config.office, report_settings(config).simulation)
        if args.tickets_per_day is not None:
            profile = replace(profile, tickets_per_day=args.tickets_per_day)
        try:
            result = simulate(config, db.conn, first, args.days, seed=args.seed, profile=profile, workers=args.workers,
                              progress=lambda day: print(f"  … {day:%m/%Y}", file=sys.stderr))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    elapsed = time.perf_counter() - started
    print(f"Simulated {result.days} days ({result.open_days} open) of {config.office.name}: "
          f"{result.tickets:,} tickets, {result.ratings:,} ratings, {first} → {end}, in {elapsed:.1f} s → {args.db}")
    return 0
