"""The device protocol as an OpenAPI 3.1 document at GET /api/openapi.json.

Other vendors' kiosks and screens integrate from this alone. The queue's own
paths are here; each part's paths dict is imported by name below, so the
document and the blueprints registered in ``web/app.py`` are wired the same
plain way (and this module never imports the app).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..appointments.openapi_paths import OPENAPI_PATHS as APPOINTMENTS_PATHS
from ..catalog.api import OPENAPI_PATHS as CATALOG_PATHS
from ..reports.openapi_paths import OPENAPI_PATHS as REPORTS_PATHS
from .device_pairing_api import OPENAPI_PATHS as PAIRING_PATHS
from .openapi_schema import COUNTER, INTEGER, TEXT, TICKET, error_responses, json_body, json_response, path_parameter

bp = Blueprint("openapi", __name__, url_prefix="/api")

PART_PATHS: tuple[dict[str, Any], ...] = (CATALOG_PATHS, REPORTS_PATHS, APPOINTMENTS_PATHS, PAIRING_PATHS)
"""The paths of the parts beside the queue (catalogue, reports, appointments, device pairing), merged into the
document."""


BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
"""The operation needs a session or device token (``Authorization: Bearer …``)."""
OBJECT: dict[str, Any] = {"type": "object"}


def _object(**properties: Any) -> dict[str, Any]:
    """A JSON object schema with these properties."""
    return {"type": "object", "properties": properties}


def _counter_action(summary: str, body: dict[str, Any] | None = None, returns: str = "ticket") -> dict[str, Any]:
    """POST /api/counters/{n}/…: a clerk's action, answering the ticket or the counter."""
    operation: dict[str, Any] = {
        "summary": summary,
        "security": BEARER,
        "parameters": [path_parameter("n")],
        "responses": {
            "200": json_response(_object(**{returns: TICKET if returns == "ticket" else COUNTER})),
            **error_responses(401, 403, 404, 409, 422),
        },
    }
    if body is not None:
        operation["requestBody"] = json_body(body)
    return {"post": operation}


def base_paths() -> dict[str, Any]:
    """The queue server's own endpoints."""
    return {**_public_paths(), **_ticket_paths(), **_counter_paths(), **_people_paths()}


def _public_paths() -> dict[str, Any]:
    """What anyone may read: liveness, services, counters, the live feed."""
    return {
        "/api/health": {"get": {"summary": "Liveness", "responses": {"200": json_response(OBJECT)}}},
        "/api/services": {"get": {
            "summary": "Services with waiting counts and estimated waits",
            "responses": {"200": json_response(_object(services={
                "type": "array", "items": {"$ref": "#/components/schemas/Service"}}))}}},
        "/api/counters": {"get": {
            "summary": "Counters with state and current ticket",
            "responses": {"200": json_response(_object(counters={"type": "array", "items": COUNTER}))}}},
        "/api/events": {"get": {
            "summary": "Server-Sent Events: snapshot, then ticket.* and counter.* events with ids",
            "description": "Also notice.changed (the office's notices, as in the snapshot's notices); every "
                           "event's data has at (the server's time). A resume's replay starts with an "
                           "event 'replay' without id, data {until, at}: events up to until were missed.",
            "parameters": [{"name": "Last-Event-ID", "in": "header", "schema": INTEGER},
                           {"name": "last_event_id", "in": "query", "schema": INTEGER,
                            "description": "the same, for clients that cannot set the header"}],
            "responses": {"200": {"description": "text/event-stream",
                                  "content": {"text/event-stream": {"schema": TEXT}}}}}},
    }


def _ticket_paths() -> dict[str, Any]:
    """Taking a ticket and reading its status."""
    one_ticket = json_response(_object(ticket=TICKET))
    priority = {"type": ["string", "null"], "enum": ["elderly", "disabled", "pregnant", "merit", None]}
    return {
        "/api/tickets": {"post": {
            "summary": "Take a ticket (kiosk, clerk, admin)",
            "security": BEARER,
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True, "schema": TEXT,
                            "description": "Same key on every retry of one request: never two tickets."}],
            "requestBody": json_body({"type": "object", "required": ["service"], "properties": {
                "service": TEXT, "priority": priority, "procedure": {"type": ["string", "null"]}}}),
            "responses": {"201": json_response(_object(ticket=TICKET), "Created"),
                          "200": json_response(_object(ticket=TICKET), "Same key again: the same ticket"),
                          **error_responses(400, 401, 403, 404, 409, 413, 422, 429)},
        }, "get": {
            "summary": "Today's ticket by its printed number, e.g. for a reprint (kiosk, clerk, admin)",
            "security": BEARER,
            "parameters": [{"name": "number", "in": "query", "required": True, "schema": TEXT,
                            "description": "The number on the paper, e.g. C003 (numbers restart each day)"}],
            "responses": {"200": one_ticket, **error_responses(401, 403, 404, 422)},
        }},
        "/api/tickets/{id}": {"get": {"summary": "A ticket's public status", "parameters": [path_parameter("id")],
                                      "responses": {"200": one_ticket, **error_responses(404)}}},
        "/api/status/{token}": {"get": {"summary": "A ticket's public status by the token in its QR code",
                                        "parameters": [path_parameter("token", TEXT)],
                                        "responses": {"200": one_ticket, **error_responses(404)}}},
    }


def _counter_paths() -> dict[str, Any]:
    """The clerk's actions at a counter."""
    return {
        "/api/counters/{n}/call-next": _counter_action("Call the next ticket; 204 when nobody waits"),
        "/api/counters/{n}/call": _counter_action(
            "Call one chosen ticket out of order, by id or printed number (a no-show back within the grace too); "
            "only tickets of the counter's fields or sent to it",
            {"type": "object", "required": ["ticket"], "properties": {"ticket": {
                "type": ["integer", "string"],
                "description": 'the ticket\'s id, or today\'s printed number, e.g. "A012"'}}}),
        "/api/counters/{n}/recall": _counter_action("Announce the current ticket again"),
        "/api/counters/{n}/start": _counter_action("The called citizen is at the counter"),
        "/api/counters/{n}/no-show": _counter_action("The called citizen did not come"),
        "/api/counters/{n}/complete": _counter_action("The current ticket is done"),
        "/api/counters/{n}/transfer": _counter_action(
            "Send the current ticket to a service or counter, with an optional note for the receiving clerk "
            "(staff only, at most 200 characters)",
            _object(service=TEXT, counter=INTEGER, note={"type": ["string", "null"], "maxLength": 200})),
        "/api/counters/{n}/pause": _counter_action(
            "Pause with a reason; 409 ticket_in_progress while a ticket is called or served there",
            {"type": "object", "required": ["reason"], "properties": {"reason": TEXT}}, "counter"),
        "/api/counters/{n}/resume": _counter_action("End a pause", None, "counter"),
        "/api/counters/{n}/close": _counter_action("Close the counter", None, "counter"),
        "/api/counters/{n}/services": {
            "put": {"summary": "The fields this counter takes from now on, over the office file's (admin)",
                    "security": BEARER, "parameters": [path_parameter("n")],
                    "requestBody": json_body({"type": "object", "required": ["services"], "properties": {
                        "services": {"type": "array", "items": TEXT}}}),
                    "responses": {"200": json_response(OBJECT), **error_responses(400, 401, 403, 404, 422)}},
            "delete": {"summary": "Back to the office file's fields for this counter (admin)", "security": BEARER,
                       "parameters": [path_parameter("n")],
                       "responses": {"200": json_response(OBJECT), **error_responses(401, 403, 404, 422)}}},
        "/api/counters/{n}/close-today": {"post": {
            "summary": "Close the counter for the rest of today: out of routing and estimates (admin); 409 while it "
                       "serves a ticket or when waiting tickets would have no open counter",
            "security": BEARER, "parameters": [path_parameter("n")],
            "responses": {"200": json_response(_object(counter=OBJECT, unserved={"type": "array", "items": TEXT})),
                          **error_responses(401, 403, 404, 409, 422)}}},
        "/api/counters/{n}/open-today": {"post": {
            "summary": "Open again a counter closed for today (admin)", "security": BEARER,
            "parameters": [path_parameter("n")],
            "responses": {"200": json_response(_object(counter=OBJECT, unserved={"type": "array", "items": TEXT})),
                          **error_responses(401, 403, 404, 422)}}},
    }


def _people_paths() -> dict[str, Any]:
    """Signing in and out, who is calling, the devices' reports."""
    return {
        "/api/login": {"post": {
            "summary": "Sign a person in",
            "requestBody": json_body({"type": "object", "required": ["username", "password"],
                                      "properties": {"username": TEXT, "password": TEXT}}),
            "responses": {"200": json_response(_object(token=TEXT, expires_at=TEXT)),
                          **error_responses(401, 422, 429)}}},
        "/api/logout": {"post": {"summary": "Revoke the bearer token", "security": BEARER,
                                 "responses": {"200": json_response(OBJECT), **error_responses(401)}}},
        "/api/me": {"get": {"summary": "Who is calling", "security": BEARER,
                            "responses": {"200": json_response(OBJECT), **error_responses(401)}}},
        "/api/devices/status": {"post": {
            "summary": "A device reports a part's status (printer…)", "security": BEARER,
            "requestBody": json_body({"type": "object", "required": ["component", "ok"], "properties": {
                "component": TEXT, "ok": {"type": "boolean"}, "code": TEXT, "message": TEXT}}),
            "responses": {"200": json_response(OBJECT), **error_responses(401, 403, 422)}}},
        "/api/devices": {"get": {
            "summary": "Devices and their last reports (admin)", "security": BEARER,
            "parameters": [{"name": "history", "in": "query", "schema": TEXT,
                            "description": "any value (e.g. 1): each device also lists its "
                                           "recent changes of state, newest first"}],
            "responses": {"200": json_response(_devices_schema()), **error_responses(401, 403)}}},
        **_staff_paths(),
    }


def _staff_paths() -> dict[str, Any]:
    """Officers managed from /admin, and a person's own password (issue 15.1)."""
    person_body = {"type": "object", "properties": {
        "full_name": TEXT, "username": TEXT, "role": {"type": "string", "enum": ["clerk", "admin"]},
        "counters": {"type": "array", "items": INTEGER}, "active": {"type": "boolean"}}}
    username = path_parameter("username", TEXT)
    return {
        "/api/people": {
            "get": {"summary": "Officers and the latest changes of the audit log (admin)", "security": BEARER,
                    "responses": {"200": json_response(OBJECT), **error_responses(401, 403)}},
            "post": {"summary": "Add an officer; the answer carries a temporary password, shown only then (admin)",
                     "security": BEARER, "requestBody": json_body(person_body),
                     "responses": {"201": json_response(_object(person=OBJECT, password=TEXT)),
                                   **error_responses(400, 401, 403, 409, 422)}}},
        "/api/people/{username}": {"patch": {
            "summary": "Rename, move, lock or unlock an officer (admin)", "security": BEARER,
            "parameters": [username], "requestBody": json_body(person_body),
            "responses": {"200": json_response(_object(person=OBJECT)),
                          **error_responses(400, 401, 403, 404, 409, 422)}}},
        "/api/people/{username}/reset-password": {"post": {
            "summary": "A new temporary password, shown once; the officer's sessions end (admin)", "security": BEARER,
            "parameters": [username],
            "responses": {"200": json_response(_object(password=TEXT)), **error_responses(401, 403, 404)}}},
        "/api/me/password": {"post": {
            "summary": "Replace one's own password (required after a temporary one)", "security": BEARER,
            "requestBody": json_body({"type": "object", "required": ["current", "new"],
                                      "properties": {"current": TEXT, "new": TEXT}}),
            "responses": {"200": json_response(OBJECT), **error_responses(400, 401, 403, 422)}}},
    }


TICKET_STATUSES = ["waiting", "called", "serving", "done", "no_show", "transferred", "cancelled"]


def _devices_schema() -> dict[str, Any]:
    """GET /api/devices: each device's last report per part; ``history`` only with ``?history=1``."""
    report: dict[str, Any] = {"type": "object", "properties": {"ok": {"type": "boolean"}, "code": TEXT, "message": TEXT,
                                               "at": {"type": "string", "format": "date-time"}}}
    change = {"type": "object", "properties": {"component": TEXT, **report["properties"]}}
    device = {"type": "object", "required": ["name", "role", "last_seen_at", "status"], "properties": {
        "name": TEXT, "role": TEXT, "last_seen_at": {"type": ["string", "null"], "format": "date-time"},
        "connected": {"type": "boolean", "description": "holds the live feed open now (a board, a tablet)"},
        "active": {"type": "boolean", "description": "its token still works (false once revoked)"},
        "pairing": {"type": "boolean", "description": "confirmed on /admin, its token not yet collected by the device"},
        "status": {"type": "object", "additionalProperties": report,
                   "description": "part (e.g. printer) → its last report"},
        "history": {"type": "array", "items": change}}}
    return {"type": "object", "properties": {"devices": {"type": "array", "items": device}}}


WAIT_NOTE = {"type": ["string", "null"], "enum": [None, "after_break", "before_opening", "may_miss_today"],
             "description": "null: promise the minutes; after_break, before_opening: the call follows the lunch "
                            "break or the opening (see expected_call_at); may_miss_today: it would fall after closing"}
WAIT_TEXT = {"type": "string", "description": "the promise in the office's words, as the kiosk, paper and "
                                             "phone say it: \"khoảng 25 phút\", \"Sau giờ nghỉ trưa, khoảng 13:40\""}
EXPECTED_CALL_AT = {"type": ["string", "null"], "format": "date-time",
                    "description": "the likely call (office time), set with wait_note after_break or before_opening"}


def ticket_schema() -> dict[str, Any]:
    """The public ticket (``core.views.ticket_view``): every field always present, unknown values null.

    ``status_url`` and ``procedure`` are null in views for anyone but the issuing device and staff
    (screens, the live feed, anonymous reads), see ``core.views.PRIVATE_TICKET_FIELDS``.
    """
    nullable_text = {"type": ["string", "null"]}
    nullable_time = {"type": ["string", "null"], "format": "date-time"}
    nullable_integer = {"type": ["integer", "null"]}
    properties = {
        "id": INTEGER, "number": TEXT, "service": TEXT, "service_name": TEXT,
        "priority": nullable_text,
        "status": {"type": "string", "enum": TICKET_STATUSES},
        "issued_at": {"type": "string", "format": "date-time"},
        "called_at": nullable_time, "finished_at": nullable_time,
        "counter": nullable_integer, "counter_name": nullable_text, "target_counter": nullable_integer,
        "procedure": nullable_text, "recalls": INTEGER, "transfers": INTEGER,
        "ahead": INTEGER, "estimated_wait_s": INTEGER, "wait_note": WAIT_NOTE, "expected_call_at": EXPECTED_CALL_AT,
        "wait_text": WAIT_TEXT,
        "status_url": {"type": ["string", "null"], "description": "the ticket's public page; null in public views"},
    }
    return {"type": "object", "required": list(properties), "properties": properties}


def components() -> dict[str, Any]:
    """Shared schemas."""
    nullable_text = {"type": ["string", "null"]}
    return {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            "Ticket": ticket_schema(),
            "Service": {"type": "object", "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "prefix": {"type": "string"},
                "counters": {"type": "array", "items": {"type": "integer"}}, "waiting": {"type": "integer"},
                "estimated_wait_s": {"type": "integer"}, "wait_note": WAIT_NOTE,
                "expected_call_at": EXPECTED_CALL_AT, "wait_text": WAIT_TEXT}},
            "Counter": {"type": "object", "properties": {
                "number": {"type": "integer"}, "name": {"type": "string"},
                "services": {"type": "array", "items": {"type": "string"}},
                "state": {"type": "string", "enum": ["closed", "idle", "serving", "paused"]},
                "pause_reason": nullable_text, "current": {"oneOf": [TICKET, {"type": "null"}]}}},
        },
    }


def build_document(part_paths: tuple[dict[str, Any], ...] = PART_PATHS) -> dict[str, Any]:
    """The whole API: the queue's paths plus each part's."""
    paths = base_paths()
    for part in part_paths:
        paths.update(part)
    return {
        "openapi": "3.1.0",
        "info": {"title": "motcua device protocol", "version": "1",
                 "description": "Queue server API for kiosks, displays, clerk consoles and rating tablets. "
                                "Errors: {\"error\": {\"code\", \"message\"}} with a 4xx status."},
        "paths": dict(sorted(paths.items())),
        "components": components(),
    }


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI document of this installation."""
    return build_document()
