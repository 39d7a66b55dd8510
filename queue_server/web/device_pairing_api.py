"""Pairing a kiosk or a lobby board by a code, and revoking a device, over HTTP (issue 15.1).

The new device has nothing, so ``POST /api/pairings`` takes no token (limited
per address); it then polls ``POST /api/pairings/claim`` with its secret
claim. The admin confirms on /admin (cookie session and CSRF) or with a
bearer token. The rules are in ``queue_server.device_pairing``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, current_app, jsonify, request

from .. import device_pairing, pairing
from ..core import views
from ..store.db import immediate_transaction
from .context import engine, read_conn
from .disk_guard import require_disk_reserve
from .errors import ApiError
from .openapi_schema import TEXT, error_responses, json_body, json_response, path_parameter
from .rate_limit import RateLimiter
from .request_input import field, request_base_url
from .request_input import json_body as read_json_body
from .sessions import require

bp = Blueprint("device_pairing", __name__, url_prefix="/api")

PAIRINGS_PER_MINUTE_PER_ADDRESS = 10  # a device asks again every 10 minutes; a restart loop, a few times more
POLL_SECONDS = 2  # how often the waiting device asks for its token: the admin sees it start at once
MAX_CLAIM = 100

T = TypeVar("T")


def _pairing_call(step: Callable[[sqlite3.Connection], T]) -> T:
    """Run a pairing step in one transaction; its refusals become the API's error shape."""
    try:
        with immediate_transaction(read_conn()) as conn:
            return step(conn)
    except device_pairing.PairingRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None


@bp.post("/pairings")
def start_pairing() -> Any:
    """A new kiosk or board asks for a code to show (no token: it has none yet)."""
    limiter = current_app.extensions.setdefault("motcua.pairing_limiter", RateLimiter(PAIRINGS_PER_MINUTE_PER_ADDRESS))
    if not limiter.allow(request.remote_addr or "?"):
        raise ApiError(429, "too_many_pairings", "Máy này xin quá nhiều mã ghép trong một phút; xin đợi một chút.")
    require_disk_reserve()
    body = read_json_body()
    role = body.get("role")
    if role not in device_pairing.PAIRED_ROLES:
        raise ApiError(422, "invalid_body", 'Xin gửi "role": "kiosk" hoặc "display".')
    label = " ".join((field(body, "label", str, required=False, max_length=device_pairing.MAX_LABEL) or "").split())
    started = _pairing_call(lambda conn: device_pairing.start(conn, role, label, engine().clock()))
    base = engine().office.public_url or request_base_url()
    return jsonify({"code": started.code, "claim": started.claim,
                    "expires_at": views.local_iso(started.expires_at, engine().office), "poll_seconds": POLL_SECONDS,
                    "confirm_url": f"{base}/admin?pair={started.code}#devices"}), 201


@bp.post("/pairings/claim")
def collect_pairing() -> Any:
    """The waiting device asks whether the admin confirmed; once yes, its token (only this once)."""
    claim = field(read_json_body(), "claim", str, max_length=MAX_CLAIM)
    return _pairing_call(lambda conn: device_pairing.collect(conn, claim, engine().clock()))


@bp.post("/admin/pairings")
def confirm_pairing() -> Any:
    """The admin types the code a device shows and the name it gets (admin)."""
    admin = require("admin")
    body = read_json_body()
    paired = _pairing_call(lambda conn: device_pairing.confirm(conn, admin.name, body.get("code"), body.get("name"),
                                                               engine().clock()))
    current_app.extensions["motcua.token_cache"].forget_all()  # a replaced device is out at its next request
    return jsonify(paired), 201


@bp.post("/devices/<path:name>/revoke")
def revoke_device(name: str) -> Any:
    """Stop a device's token from working, at once (a stolen or retired kiosk) (admin)."""
    admin = require("admin")
    revoked = _pairing_call(lambda conn: device_pairing.revoke(conn, admin.name, name, engine().clock()))
    current_app.extensions["motcua.token_cache"].forget_all()
    return revoked


_PAIRED = {"type": "object", "properties": {"name": TEXT, "role": {"type": "string", "enum": ["kiosk", "display"]}}}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/pairings": {"post": {
        "summary": "A new kiosk or board asks for a pairing code to show (no token; "
                   f"at most {PAIRINGS_PER_MINUTE_PER_ADDRESS} a minute per address)",
        "requestBody": json_body({"type": "object", "required": ["role"], "properties": {
            "role": {"type": "string", "enum": list(device_pairing.PAIRED_ROLES)},
            "label": {"type": "string", "maxLength": device_pairing.MAX_LABEL,
                      "description": "optional, e.g. the PC's host name"}}}),
        "responses": {"201": json_response({"type": "object", "properties": {
            "code": {"type": "string", "pattern": f"^[0-9]{{{pairing.CODE_DIGITS}}}$"},
            "claim": {"type": "string", "description": "the device's secret: send it to /api/pairings/claim"},
            "expires_at": {"type": "string", "format": "date-time"}, "poll_seconds": {"type": "integer"},
            "confirm_url": {"type": "string", "description": "what the device's QR opens: /admin with the code"}}},
            "Created"), **error_responses(400, 413, 422, 429, 503)}}},
    "/api/pairings/claim": {"post": {
        "summary": "The waiting device collects its token once the admin confirmed (410: start again)",
        "requestBody": json_body({"type": "object", "required": ["claim"], "properties": {"claim": TEXT}}),
        "responses": {"200": json_response({"type": "object", "required": ["state"], "properties": {
            "state": {"type": "string", "enum": [device_pairing.WAITING, device_pairing.PAIRED]},
            "token": {"type": "string", "description": "only with state paired, only this once"},
            "name": TEXT, "role": TEXT}}), **error_responses(400, 410, 422)}}},
    "/api/admin/pairings": {"post": {
        "summary": "Confirm the code a kiosk or board shows and name it; a device of that role and name is "
                   "replaced (admin)",
        "security": [{"bearer": []}],
        "requestBody": json_body({"type": "object", "required": ["code", "name"], "properties": {
            "code": {"type": "string", "description": "the 6 digits on the device's screen"},
            "name": {"type": "string", "maxLength": device_pairing.MAX_NAME}}}),
        "responses": {"201": json_response(_PAIRED, "Created"),
                      **error_responses(400, 401, 403, 404, 409, 422)}}},
    "/api/devices/{name}/revoke": {"post": {
        "summary": "Stop a device's token from working at once (admin)",
        "security": [{"bearer": []}], "parameters": [path_parameter("name", TEXT)],
        "responses": {"200": json_response({"type": "object", "properties": {
            "name": TEXT, "active": {"type": "boolean"}}}), **error_responses(401, 403, 404)}}},
}
"""These endpoints in OpenAPI form (merged into GET /api/openapi.json)."""
