"""Today's counters from /admin (issue 15.1): which fields each counter takes, back to the office file's.

Offices reassign counters often (a clerk on leave, a queue for land papers);
the change goes through the queue's writer like any other, so the next
ticket is chosen by it, and the boards and consoles hear ``counter.changed``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from .. import staff
from ..core.model import Event, Outcome
from ..core.office import Office, with_counter_services
from ..engine import CommandContext
from ..store import counter_fields
from .context import engine
from .errors import ApiError
from .request_input import json_body
from .sessions import require

bp = Blueprint("admin_counters", __name__, url_prefix="/api")


def _reassign(number: int, services: tuple[str, ...], admin: str, back_to_file: bool = False):
    """The command: new fields (``back_to_file``: the office file's again), saved, audited and announced."""

    def run(ctx: CommandContext) -> dict[str, Any]:
        office: Office = with_counter_services(ctx.office, number, services)
        if back_to_file:
            counter_fields.forget(ctx.conn, number)
        counter = office.counter(number)
        assert counter is not None  # with_counter_services refused an unknown counter
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
