"""Today's counters from /admin (issue 15.1): which fields each counter takes, back to the office file's,
and a counter closed or opened for today (the rule: ``core.today_counters``).

Offices reassign counters often (a clerk on leave, a queue for land papers);
the change goes through the queue's writer like any other, so the next
ticket is chosen by it, and the boards and consoles hear ``counter.changed``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from .. import staff
from ..core import open_counters, today_counters, views
from ..core.actions import service_day
from ..core.model import Event, Outcome
from ..core.office import Office
from ..engine import CommandContext
from ..store import counter_closures, counter_fields
from .context import engine
from .errors import ApiError
from .request_input import json_body
from .sessions import require

bp = Blueprint("admin_counters", __name__, url_prefix="/api")


def _reassign(number: int, services: tuple[str, ...], admin: str, back_to_file: bool = False):
    """The command: new fields (``back_to_file``: the office file's again), saved, audited and announced."""

    def run(ctx: CommandContext) -> dict[str, Any]:
        office: Office = today_counters.reassign(ctx.state, ctx.office, number, services)
        counter = office.counter(number)
        assert counter is not None  # with_counter_services refused an unknown counter
        if back_to_file:
            counter_fields.forget(ctx.conn, number)
        chosen = list(counter.services)
        if not back_to_file:
            counter_fields.save(ctx.conn, number, counter.services, admin, ctx.now.isoformat(timespec="seconds"))
        ctx.office = office
        staff.audit(ctx.conn, admin, "counter.fields", str(number), {"services": chosen}, now=ctx.now)
        ctx.apply(Outcome(events=[Event("counter.changed", {"services": chosen}, counter=number)]))
        return {"number": number, "services": chosen}

    return run


@bp.put("/counters/<int:counter>/services")
def set_counter_services(counter: int) -> Any:
    """``{"services": ["HT", "VP"]}``: the fields this counter takes from now on (admin)."""
    admin = require("admin")
    services = json_body().get("services")
    if not isinstance(services, list) or not all(isinstance(code, str) for code in services):
        raise ApiError(422, "invalid_field", 'Xin gửi "services": danh sách mã lĩnh vực, ví dụ ["HT", "VP"].')
    return {"counter": engine().execute(_reassign(counter, tuple(services), admin.name), actor=admin.name)}


@bp.delete("/counters/<int:counter>/services")
def reset_counter_services(counter: int) -> Any:
    """Back to the fields the office file gives this counter (admin)."""
    admin = require("admin")
    base = next((c for c in engine().config.office.counters if c.number == counter), None)
    if base is None:
        raise ApiError(404, "unknown_counter", f"Không có quầy {counter}.")
    command = _reassign(counter, base.services, admin.name, back_to_file=True)
    return {"counter": engine().execute(command, actor=admin.name)}


def _close_or_open(number: int, admin: str, close: bool):
    """The command: the counter closed (or opened) for today, saved, audited and announced."""

    def run(ctx: CommandContext) -> dict[str, Any]:
        rule = today_counters.close_for_today if close else today_counters.open_for_today
        outcome = rule(ctx.state, ctx.office, number, ctx.now)
        day = ctx.state.day or service_day(ctx.office, ctx.now)
        if close:
            counter_closures.save(ctx.conn, number, day, admin, ctx.now.isoformat(timespec="seconds"))
        else:
            counter_closures.forget(ctx.conn, number)
        staff.audit(ctx.conn, admin, "counter.close_today" if close else "counter.open_today", str(number),
                    {"day": day.isoformat()}, now=ctx.now)
        ctx.apply(outcome)
        return {"counter": views.counter_view(ctx.state, ctx.office, number, ctx.now),
                "unserved": [s.name for s in open_counters.unserved_today(ctx.state, ctx.office)]}

    return run


@bp.post("/counters/<int:counter>/close-today")
def close_counter_today(counter: int) -> Any:
    """Close a counter for the rest of today: out of routing and estimates, its fields to the others (admin)."""
    admin = require("admin")
    return engine().execute(_close_or_open(counter, admin.name, close=True), actor=admin.name)


@bp.post("/counters/<int:counter>/open-today")
def open_counter_today(counter: int) -> Any:
    """Open again a counter closed for today; it starts calling when its clerk calls (admin)."""
    admin = require("admin")
    return engine().execute(_close_or_open(counter, admin.name, close=False), actor=admin.name)
