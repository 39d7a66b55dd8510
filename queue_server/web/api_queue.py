"""The queue endpoints of the device protocol v1: services, counters, tickets, clerk actions.

Each route parses its input, runs one rule in the engine, and answers with
the public views. Roles are checked on every state change.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from flask import Blueprint, Response, current_app, jsonify, request

from ..core import actions, views
from ..core.errors import UnknownTicket
from ..core.office import KIOSK_PRIORITY_CODES
from ..engine import CommandContext
from ..store import repository
from .context import engine, read_conn
from .rate_limit import RateLimiter
from .request_input import field, json_body, with_status_link
from .sessions import current_principal, require, require_counter_clerk
from .errors import ApiError

bp = Blueprint("queue_api", __name__, url_prefix="/api")

MAX_IDEMPOTENCY_KEY = 128


@bp.get("/health")
def health() -> Any:
    """Liveness for monitors and devices."""
    return {"status": "ok"}


@bp.get("/services")
def list_services() -> Any:
    """Services with waiting counts and the estimated wait of a new ticket."""
    return {"services": engine().read(lambda state, now: views.services_view(state, engine().office))}


@bp.get("/counters")
def list_counters() -> Any:
    """Counters with their state and current ticket."""
    return {"counters": engine().read(lambda state, now: views.counters_view(state, engine().office, now))}


@bp.post("/tickets")
def issue_ticket() -> Any:
    """Take a ticket; the Idempotency-Key makes retries safe."""
    principal = require("kiosk", "clerk", "admin")
    key = _idempotency_key()
    body = json_body()
    service = field(body, "service", str, max_length=16)
    priority = field(body, "priority", str, required=False, max_length=16)
    procedure = field(body, "procedure", str, required=False, max_length=32)
    if priority == "appointment" or (principal.role == "kiosk" and priority not in (None, *KIOSK_PRIORITY_CODES)):
        raise ApiError(422, "invalid_priority",
                       f"Choose one of {', '.join(KIOSK_PRIORITY_CODES)} or none; appointments get their ticket at check-in.")
    limiter: RateLimiter = current_app.extensions["motcua.ticket_limiter"]
    if not limiter.allow(principal.key) and not _key_already_used(principal.key, key):
        raise ApiError(429, "too_many_tickets", "Too many tickets from this device in the last minute; wait a little.")
    queue = engine()
    request_hash = hashlib.sha256(
        json.dumps([service, priority, procedure], ensure_ascii=False).encode("utf-8")
    ).hexdigest()

    def run(ctx: CommandContext) -> tuple[dict[str, Any], bool]:
        replay = _replayed_ticket(ctx, principal.key, key, request_hash)
        if replay is not None:
            return replay, False
        ticket, outcome = actions.issue_ticket(
            ctx.state, ctx.office, service, ctx.now, priority=priority, procedure=procedure,
            device=principal.name, status_token=queue.new_token(),
        )
        ctx.apply(outcome)
        remember_idempotency_key(ctx, principal.key, key, request_hash, ticket.id)
        return ctx.ticket_view(ticket), True

    ticket_view, created = queue.execute(run, actor=principal.name)
    return jsonify({"ticket": with_status_link(ticket_view)}), 201 if created else 200


def _idempotency_key() -> str:
    """The request's Idempotency-Key header, required and bounded."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(422, "missing_idempotency_key",
                       "Send an Idempotency-Key header (a random string, the same on every retry of this request).")
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise ApiError(422, "invalid_idempotency_key", f"The Idempotency-Key must be printable and at most {MAX_IDEMPOTENCY_KEY} characters.")
    return key


def _key_already_used(principal: str, key: str) -> bool:
    """True when this request is a retry: a kiosk at its limit still gets back the ticket it was given."""
    row = read_conn().execute(
        "SELECT 1 FROM idempotency_keys WHERE principal = ? AND key = ?", (principal, key)
    ).fetchone()
    return row is not None


def remember_idempotency_key(ctx: CommandContext, principal: str, key: str, request_hash: str, ticket_id: int) -> None:
    """Store the key with its ticket in the command's transaction, so a retry finds it."""
    ctx.conn.execute(
        "INSERT INTO idempotency_keys (principal, key, request_hash, ticket_id, created_at) VALUES (?, ?, ?, ?, ?)",
        (principal, key, request_hash, ticket_id, repository.to_db_time(ctx.now)),
    )


def _replayed_ticket(ctx: CommandContext, principal: str, key: str, request_hash: str) -> dict[str, Any] | None:
    """The ticket an earlier request with this key got, or None; 409 if the body differs."""
    row = ctx.conn.execute(
        "SELECT request_hash, ticket_id FROM idempotency_keys WHERE principal = ? AND key = ?", (principal, key)
    ).fetchone()
    if row is None:
        return None
    if row[0] != request_hash:
        raise ApiError(409, "idempotency_key_reused",
                       "This Idempotency-Key was used for a different request; use a new key for a new ticket.")
    ticket = ctx.state.tickets.get(row[1]) or repository.load_ticket(ctx.conn, row[1])
    return views.ticket_view(ctx.state, ctx.office, ticket, ctx.now)


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int) -> Any:
    """A ticket's status; its status link and procedure only for the device that issued it, and staff."""
    view, device = _full_view(ticket_id)
    principal = current_principal()
    private = principal is not None and (principal.role in ("clerk", "admin")
                                         or (principal.kind == "device" and principal.name == device))
    return {"ticket": with_status_link(view) if private else views.public_ticket_view(view)}


@bp.get("/status/<token>")
def get_ticket_by_token(token: str) -> Any:
    """A ticket's public status by the unguessable token of its QR code (the caller has the link already)."""
    found = engine().read(lambda state, now: state.by_token.get(token))
    if found is None:
        ticket = repository.load_ticket_by_token(read_conn(), token)
        if ticket is None:
            raise ApiError(404, "unknown_ticket", "This ticket link is not valid; scan the QR code on the ticket again.")
        found = ticket.id
    return {"ticket": views.public_ticket_view(_full_view(found)[0])}


def _full_view(ticket_id: int) -> tuple[dict[str, Any], str | None]:
    """A ticket's whole view (live or from the database) and the device that issued it."""
    found = engine().read(lambda state, now: _view_if_live(state, now, ticket_id))
    if found is None:
        ticket = repository.load_ticket(read_conn(), ticket_id)
        if ticket is None:
            raise UnknownTicket(f"There is no ticket {ticket_id}; check the number on the paper.")
        found = engine().read(lambda state, now: (views.ticket_view(state, engine().office, ticket, now), ticket.device))
    return found


def _view_if_live(state, now, ticket_id: int) -> tuple[dict[str, Any], str | None] | None:
    ticket = state.tickets.get(ticket_id)
    return (views.ticket_view(state, engine().office, ticket, now), ticket.device) if ticket else None


# -- clerk actions ------------------------------------------------------------------

def _counter_action(counter: int, rule: Callable[[CommandContext], Any]) -> Any:
    """Run a clerk's action on their own counter in the engine."""
    principal = require_counter_clerk(counter)
    return engine().execute(rule, actor=principal.name), principal


def _ticket_answer(ctx: CommandContext, ticket) -> dict[str, Any]:
    return {"ticket": ctx.ticket_view(ticket)}


def _linked(answer: dict[str, Any] | None) -> dict[str, Any] | None:
    """A ticket answer from the writer (no request there) with its status link made absolute here."""
    return {**answer, "ticket": with_status_link(answer["ticket"])} if answer is not None else None


def _counter_answer(ctx: CommandContext, counter: int) -> dict[str, Any]:
    return {"counter": views.counter_view(ctx.state, ctx.office, counter, ctx.now)}


@bp.post("/counters/<int:counter>/call-next")
def call_next(counter: int) -> Any:
    """Call the next ticket (ending the one in progress); 204 when nobody waits."""
    clerk = require_counter_clerk(counter).name

    def run(ctx: CommandContext):
        ticket, outcome = actions.call_next(ctx.state, ctx.office, counter, ctx.now, clerk=clerk)
        ctx.apply(outcome)
        return _ticket_answer(ctx, ticket) if ticket else None

    answer = _linked(engine().execute(run, actor=clerk))
    return answer if answer is not None else Response(status=204)


@bp.post("/counters/<int:counter>/call")
def call_ticket(counter: int) -> Any:
    """Call one chosen ticket, e.g. a no-show who came back within the grace."""
    clerk = require_counter_clerk(counter).name
    ticket_id = field(json_body(), "ticket", int)

    def run(ctx: CommandContext):
        ticket, outcome = actions.call_ticket(ctx.state, ctx.office, counter, ticket_id, ctx.now, clerk=clerk)
        ctx.apply(outcome)
        return _ticket_answer(ctx, ticket)

    return _linked(engine().execute(run, actor=clerk))


def _simple_ticket_action(counter: int, rule) -> Any:
    def run(ctx: CommandContext):
        ticket, outcome = rule(ctx.state, ctx.office, counter, ctx.now)
        ctx.apply(outcome)
        return _ticket_answer(ctx, ticket)

    answer, _ = _counter_action(counter, run)
    return _linked(answer)


@bp.post("/counters/<int:counter>/recall")
def recall(counter: int) -> Any:
    """Announce the current ticket again."""
    return _simple_ticket_action(counter, actions.recall)


@bp.post("/counters/<int:counter>/start")
def start_serving(counter: int) -> Any:
    """The called citizen is at the counter."""
    return _simple_ticket_action(counter, actions.start_serving)


@bp.post("/counters/<int:counter>/no-show")
def no_show(counter: int) -> Any:
    """The called citizen did not come."""
    return _simple_ticket_action(counter, actions.mark_no_show)


@bp.post("/counters/<int:counter>/complete")
def complete(counter: int) -> Any:
    """The current ticket is done."""
    return _simple_ticket_action(counter, actions.complete)


@bp.post("/counters/<int:counter>/transfer")
def transfer(counter: int) -> Any:
    """Send the current ticket to another service or counter, keeping its place by issue time."""
    body = json_body()
    service = field(body, "service", str, required=False, max_length=16)
    to_counter = field(body, "counter", int, required=False)

    def run(ctx: CommandContext):
        ticket, outcome = actions.transfer(ctx.state, ctx.office, counter, ctx.now, service_code=service, to_counter=to_counter)
        ctx.apply(outcome)
        return _ticket_answer(ctx, ticket)

    answer, _ = _counter_action(counter, run)
    return _linked(answer)


@bp.post("/counters/<int:counter>/pause")
def pause(counter: int) -> Any:
    """Pause with a reason shown on the lobby screen."""
    reason = field(json_body(), "reason", str, max_length=200)

    def run(ctx: CommandContext):
        ctx.apply(actions.pause(ctx.state, ctx.office, counter, reason, ctx.now))
        return _counter_answer(ctx, counter)

    answer, _ = _counter_action(counter, run)
    return answer


@bp.post("/counters/<int:counter>/resume")
def resume(counter: int) -> Any:
    """End a pause."""
    def run(ctx: CommandContext):
        ctx.apply(actions.resume(ctx.state, ctx.office, counter, ctx.now))
        return _counter_answer(ctx, counter)

    answer, _ = _counter_action(counter, run)
    return answer


@bp.post("/counters/<int:counter>/close")
def close(counter: int) -> Any:
    """Close the counter at the end of a shift."""
    def run(ctx: CommandContext):
        ctx.apply(actions.close_counter(ctx.state, ctx.office, counter, ctx.now))
        return _counter_answer(ctx, counter)

    answer, _ = _counter_action(counter, run)
    return answer
