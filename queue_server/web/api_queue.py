"""The queue endpoints of the device protocol v1: services, counters, tickets, clerk actions.

Each route parses its input, runs one rule in the engine, and answers with
the public views. Roles are checked on every state change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request

from ..core import actions, views
from ..core.errors import UnknownTicket
from ..core.model import Outcome, Ticket
from ..core.office import KIOSK_PRIORITY_CODES
from ..engine import CommandContext
from ..store import repository
from .context import engine, read_conn
from .errors import ApiError
from .idempotent import idempotency_key, issue_once
from .request_input import field, json_body, with_status_link
from .sessions import current_principal, require, require_counter_clerk

bp = Blueprint("queue_api", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> Any:
    """Liveness for monitors and devices; ``warnings`` tells the admin of a nearly full disk, ``sync`` how far
    the province hub is behind (an office that syncs: docs/hub.md)."""
    from ..hub.sync_worker import sync_status

    answer: dict[str, Any] = {"status": "ok"}
    reserve = current_app.extensions.get("motcua.disk_reserve")
    if reserve is not None and reserve.low():
        answer["warnings"] = ["disk_nearly_full"]
    sync = sync_status(read_conn(), current_app.extensions.get("motcua.sync_worker"))
    if sync is not None:
        answer["sync"] = sync
    return answer


@bp.get("/services")
def list_services() -> Any:
    """Services with waiting counts and the estimated wait of a new ticket."""
    return {"services": engine().read(lambda state, now: views.services_view(state, engine().office, now))}


@bp.get("/counters")
def list_counters() -> Any:
    """Counters with their state and current ticket."""
    return {"counters": engine().read(lambda state, now: views.counters_view(state, engine().office, now))}


@bp.post("/tickets")
def issue_ticket() -> Any:
    """Take a ticket; the Idempotency-Key makes retries safe."""
    principal = require("kiosk", "clerk", "admin")
    key = idempotency_key()
    body = json_body()
    service = field(body, "service", str, max_length=16)
    priority = field(body, "priority", str, required=False, max_length=16)
    procedure = field(body, "procedure", str, required=False, max_length=32)
    if priority == "appointment" or (principal.role == "kiosk" and priority not in (None, *KIOSK_PRIORITY_CODES)):
        raise ApiError(422, "invalid_priority",
                       f"Xin chọn một trong {', '.join(KIOSK_PRIORITY_CODES)} hoặc để trống; "
                       "khách có lịch hẹn nhận số khi quét mã đặt lịch.")
    new_token = engine().new_token

    def issue(ctx: CommandContext) -> Ticket:
        ticket, outcome = actions.issue_ticket(
            ctx.state, ctx.office, service, ctx.now, priority=priority, procedure=procedure,
            device=principal.name, status_token=new_token(),
        )
        ctx.apply(outcome)
        return ticket

    return issue_once(principal, key, [service, priority, procedure], issue)


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int) -> Any:
    """A ticket's status; its status link and procedure only for the device that issued it, and staff."""
    view, device = _full_view(ticket_id)
    principal = current_principal()
    private = principal is not None and (principal.role in ("clerk", "admin")
                                         or (principal.kind == "device" and principal.name == device))
    return {"ticket": with_status_link(view) if private else views.public_ticket_view(view)}


@bp.get("/tickets")
def find_ticket_by_number() -> Any:
    """Today's ticket with a printed number (``?number=C003``): a reprint starts from what is on the paper.

    Staff and kiosks only, so nobody walks today's numbers from outside.
    """
    require("clerk", "admin", "kiosk")
    number = str(request.args.get("number") or "").strip().upper()
    if not number:
        raise ApiError(422, "invalid_field", "Thiếu số phiếu: ?number=C003 (số in trên phiếu hôm nay).")
    found = engine().read(lambda state, now: _today_by_number(state, number))
    if found is None:
        raise UnknownTicket(f"Hôm nay không có phiếu số {number}; xin kiểm tra lại số trên phiếu.")
    return get_ticket(found)


def _today_by_number(state: Any, number: str) -> int | None:
    """The id of the service day's latest ticket printed with ``number`` (numbers restart each day)."""
    ids = [t.id for t in state.tickets.values() if t.number == number and t.day == state.day]
    return max(ids) if ids else None


@bp.get("/status/<token>")
def get_ticket_by_token(token: str) -> Any:
    """A ticket's public status by the unguessable token of its QR code (the caller has the link already)."""
    found = engine().read(lambda state, now: state.by_token.get(token))
    if found is None:
        ticket = repository.load_ticket_by_token(read_conn(), token)
        if ticket is None:
            raise ApiError(404, "unknown_ticket", "Đường dẫn phiếu này không đúng; xin quét lại mã QR trên phiếu.")
        found = ticket.id
    return {"ticket": views.public_ticket_view(_full_view(found)[0])}


def _full_view(ticket_id: int) -> tuple[dict[str, Any], str | None]:
    """A ticket's whole view (live or from the database) and the device that issued it."""
    found = engine().read(lambda state, now: _view_if_live(state, now, ticket_id))
    if found is None:
        ticket = repository.load_ticket(read_conn(), ticket_id)
        if ticket is None:
            raise UnknownTicket(f"Không có phiếu {ticket_id}; xin kiểm tra lại số trên phiếu.")
        found = engine().read(lambda state, now: (views.ticket_view(state, engine().office, ticket, now),
                                                  ticket.device))
    return found


def _view_if_live(state, now, ticket_id: int) -> tuple[dict[str, Any], str | None] | None:
    ticket = state.tickets.get(ticket_id)
    return (views.ticket_view(state, engine().office, ticket, now), ticket.device) if ticket else None


# -- clerk actions ------------------------------------------------------------------
# Every action has one shape: check the clerk serves this counter, read the
# body (if any), then run one rule in the writer through one of two helpers.

TicketRule = Callable[[CommandContext], tuple[Ticket | None, Outcome]]
CounterRule = Callable[[CommandContext], Outcome]


def _clerk_of(counter: int) -> str:
    """The signed-in clerk (or admin) of this counter, checked before anything else is read."""
    return require_counter_clerk(counter).name


def _ticket_action(clerk: str, rule: TicketRule) -> Any:
    """Run a ticket rule in the writer; the ticket with its status link, or 204 when the rule gives none."""
    def run(ctx: CommandContext) -> dict[str, Any] | None:
        ticket, outcome = rule(ctx)
        ctx.apply(outcome)
        return ctx.ticket_view(ticket) if ticket is not None else None

    view = engine().execute(run, actor=clerk)
    return {"ticket": with_status_link(view)} if view is not None else Response(status=204)


def _counter_state_action(clerk: str, counter: int, rule: CounterRule) -> Any:
    """Run a rule that changes the counter itself (pause, resume, close); the counter's view."""
    def run(ctx: CommandContext) -> dict[str, Any]:
        ctx.apply(rule(ctx))
        return {"counter": views.counter_view(ctx.state, ctx.office, counter, ctx.now)}

    return engine().execute(run, actor=clerk)


@bp.post("/counters/<int:counter>/call-next")
def call_next(counter: int) -> Any:
    """Call the next ticket (ending the one in progress); 204 when nobody waits."""
    clerk = _clerk_of(counter)
    return _ticket_action(clerk, lambda ctx: actions.call_next(ctx.state, ctx.office, counter, ctx.now, clerk=clerk))


@bp.post("/counters/<int:counter>/call")
def call_ticket(counter: int) -> Any:
    """Call one chosen ticket out of order, by id or printed number ("A012"); also a no-show back within the grace."""
    clerk = _clerk_of(counter)
    body = json_body()
    if isinstance(body.get("ticket"), str):
        number = field(body, "ticket", str, max_length=16)
        return _ticket_action(clerk, lambda ctx: actions.call_ticket_number(ctx.state, ctx.office, counter, number,
                                                                            ctx.now, clerk=clerk))
    ticket_id = field(body, "ticket", int)
    return _ticket_action(clerk, lambda ctx: actions.call_ticket(ctx.state, ctx.office, counter, ticket_id, ctx.now,
                                                                 clerk=clerk))


@bp.post("/counters/<int:counter>/recall")
def recall(counter: int) -> Any:
    """Announce the current ticket again."""
    return _ticket_action(_clerk_of(counter), lambda ctx: actions.recall(ctx.state, ctx.office, counter, ctx.now))


@bp.post("/counters/<int:counter>/start")
def start_serving(counter: int) -> Any:
    """The called citizen is at the counter."""
    return _ticket_action(_clerk_of(counter),
                          lambda ctx: actions.start_serving(ctx.state, ctx.office, counter, ctx.now))


@bp.post("/counters/<int:counter>/no-show")
def no_show(counter: int) -> Any:
    """The called citizen did not come."""
    return _ticket_action(_clerk_of(counter), lambda ctx: actions.mark_no_show(ctx.state, ctx.office, counter, ctx.now))


@bp.post("/counters/<int:counter>/complete")
def complete(counter: int) -> Any:
    """The current ticket is done."""
    return _ticket_action(_clerk_of(counter), lambda ctx: actions.complete(ctx.state, ctx.office, counter, ctx.now))


@bp.post("/counters/<int:counter>/transfer")
def transfer(counter: int) -> Any:
    """Send the current ticket to another service or counter, keeping its place by issue time."""
    clerk = _clerk_of(counter)
    body = json_body()
    service = field(body, "service", str, required=False, max_length=16)
    to_counter = field(body, "counter", int, required=False)
    # Bounded again after NFC by the rule: a decomposed (NFD) note may take three code points a letter.
    note = field(body, "note", str, required=False, max_length=3 * actions.MAX_TRANSFER_NOTE_LENGTH)
    return _ticket_action(clerk, lambda ctx: actions.transfer(ctx.state, ctx.office, counter, ctx.now,
                                                              service_code=service, to_counter=to_counter, note=note))


@bp.post("/counters/<int:counter>/pause")
def pause(counter: int) -> Any:
    """Pause with a reason shown on the lobby screen."""
    clerk = _clerk_of(counter)
    reason = field(json_body(), "reason", str, max_length=200)
    return _counter_state_action(clerk, counter, lambda ctx: actions.pause(ctx.state, ctx.office, counter, reason,
                                                                            ctx.now))


@bp.post("/counters/<int:counter>/resume")
def resume(counter: int) -> Any:
    """End a pause."""
    return _counter_state_action(_clerk_of(counter), counter,
                                 lambda ctx: actions.resume(ctx.state, ctx.office, counter, ctx.now))


@bp.post("/counters/<int:counter>/close")
def close(counter: int) -> Any:
    """Close the counter at the end of a shift."""
    return _counter_state_action(_clerk_of(counter), counter,
                                 lambda ctx: actions.close_counter(ctx.state, ctx.office, counter, ctx.now))
