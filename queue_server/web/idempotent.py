"""Idempotent ticket issue over HTTP: hash the request, replay or issue, remember.

POST /api/tickets and POST /api/result-tickets share one contract: an
``Idempotency-Key`` header is required; a retry with the same key and the
same request gets the same ticket back (200), the same key with another
request is refused (409), and a device at its rate limit still gets back a
ticket it was already given. The key is kept in the ticket's own transaction
(see ``queue_server.store.idempotency``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from flask import Response, current_app, jsonify, request

from ..auth import Principal
from ..core import views
from ..core.model import Ticket
from ..engine import CommandContext
from ..store import idempotency, repository
from .context import engine, read_conn
from .errors import ApiError
from .rate_limit import RateLimiter
from .request_input import with_status_link

MAX_IDEMPOTENCY_KEY = 128


def idempotency_key() -> str:
    """The request's Idempotency-Key header, required and bounded."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(422, "missing_idempotency_key",
                       "Thiếu tiêu đề Idempotency-Key: xin gửi một chuỗi ngẫu nhiên, giữ nguyên ở mọi lần gửi lại "
                       "của cùng một yêu cầu.")
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise ApiError(422, "invalid_idempotency_key",
                       f"Idempotency-Key không được chứa ký tự điều khiển và dài tối đa {MAX_IDEMPOTENCY_KEY} ký tự.")
    return key


def request_hash(parts: Sequence[Any]) -> str:
    """A stable fingerprint of what the request asks for (the same on every retry of it)."""
    return hashlib.sha256(json.dumps(list(parts), ensure_ascii=False).encode("utf-8")).hexdigest()


def issue_once(principal: Principal, key: str, parts: Sequence[Any],
               issue: Callable[[CommandContext], Ticket]) -> tuple[Response, int]:
    """Answer 201 with a new ticket from ``issue``, or 200 with the one this key already got.

    ``issue`` runs in the writer and must ``ctx.apply`` its outcome; the key
    is remembered after it in the same transaction.
    """
    limiter: RateLimiter = current_app.extensions["motcua.ticket_limiter"]
    if not limiter.allow(principal.key) and not idempotency.is_used(read_conn(), principal.key, key):
        raise ApiError(429, "too_many_tickets", "Máy này đã lấy quá nhiều số trong một phút vừa qua; xin đợi một chút.")
    fingerprint = request_hash(parts)

    def run(ctx: CommandContext) -> tuple[dict[str, Any], bool]:
        earlier = _replayed_view(ctx, principal.key, key, fingerprint)
        if earlier is not None:
            return earlier, False
        ticket = issue(ctx)
        idempotency.remember(ctx.conn, principal.key, key, fingerprint, ticket.id, ctx.now)
        return ctx.ticket_view(ticket), True

    view, created = engine().execute(run, actor=principal.name)
    return jsonify({"ticket": with_status_link(view)}), 201 if created else 200


def _replayed_view(ctx: CommandContext, principal: str, key: str, fingerprint: str) -> dict[str, Any] | None:
    """The view of the ticket an earlier request with this key got, or None; 409 if it asked for something else."""
    earlier = idempotency.look_up(ctx.conn, principal, key)
    if earlier is None:
        return None
    if earlier.request_hash != fingerprint:
        raise ApiError(409, "idempotency_key_reused",
                       "Idempotency-Key này đã dùng cho một yêu cầu khác; xin dùng khóa mới cho phiếu mới.")
    ticket = ctx.state.tickets.get(earlier.ticket_id) or repository.load_ticket(ctx.conn, earlier.ticket_id)
    if ticket is None:  # the tickets table keeps every ticket a key was given for
        raise LookupError(f"ticket {earlier.ticket_id} of an idempotency key is missing")
    return views.ticket_view(ctx.state, ctx.office, ticket, ctx.now)
