"""The appointments part's endpoints in OpenAPI form (merged into GET /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from ..web.openapi_schema import TEXT, TICKET, error_responses, json_body, json_response, path_parameter

APPOINTMENT = {
    "type": "object",
    "description": "A booking's public view (never the phone number).",
    "properties": {
        "code": {"type": "string", "description": "8 characters from 23456789ABCDEFGHJKLMNPQRSTUVWXYZ"},
        "service": TEXT, "service_name": TEXT,
        "slot_start": {"type": "string", "format": "date-time"}, "slot_minutes": {"type": "integer"},
        "status": {"type": "string", "enum": ["booked", "checked_in", "cancelled"]},
        "checkin_opens": {"type": "string", "format": "date-time"},
        "checkin_closes": {"type": "string", "format": "date-time"},
        "late": {"type": "boolean"},
        "procedure": {"type": ["string", "null"], "description": "the catalogue's procedure code, when one was chosen"},
    },
}
CODE_PARAM = path_parameter("code", TEXT)
ONE_APPOINTMENT = json_response({"type": "object", "properties": {"appointment": APPOINTMENT}})

OPENAPI_PATHS: dict[str, Any] = {
    "/api/appointments/services": {"get": {
        "summary": "Services taking bookings (slot length, capacity), days ahead, whether a phone is asked",
        "responses": {"200": json_response({"type": "object"}), **error_responses(404)}}},
    "/api/appointments/slots": {"get": {
        "summary": "A day's slots of a service with the seats left",
        "parameters": [{"name": "service", "in": "query", "required": True, "schema": TEXT},
                       {"name": "date", "in": "query", "required": True,
                        "schema": {"type": "string", "format": "date"}}],
        "responses": {"200": json_response({"type": "object", "properties": {
            "service": TEXT, "date": TEXT, "closed": {"type": ["string", "null"]},
            "slots": {"type": "array", "items": {"type": "object", "properties": {
                "start": TEXT, "at": {"type": "string", "format": "date-time"}, "time": TEXT,
                "capacity": {"type": "integer"}, "free": {"type": "integer"}, "bookable": {"type": "boolean"}}}}}}),
            **error_responses(404, 422)}}},
    "/api/appointments": {"post": {
        "summary": "Book a seat in a slot (anyone); never overbooks",
        "requestBody": json_body({"type": "object", "required": ["slot"], "properties": {
            "service": {"type": "string", "description": "required unless procedure is given"},
            "procedure": {"type": "string",
                          "description": "a procedure code (GET /api/procedures); its field is booked"},
            "slot": {"type": "string", "example": "2026-03-02T08:00", "description": "office-local time"},
            "phone": {"type": "string", "description": "kept only when [appointments] collect_phone = true"}}}),
        "responses": {"201": json_response({"type": "object",
                                            "properties": {"appointment": APPOINTMENT, "qr_text": TEXT}}),
                      **error_responses(404, 409, 422, 429)}}},
    "/api/appointments/{code}": {"get": {
        "summary": "A booking by its code", "parameters": [CODE_PARAM],
        "responses": {"200": ONE_APPOINTMENT, **error_responses(404)}}},
    "/api/appointments/{code}/cancel": {"post": {
        "summary": "Cancel a booking by its code (again: same answer)", "parameters": [CODE_PARAM],
        "responses": {"200": ONE_APPOINTMENT, **error_responses(404, 409)}}},
    "/api/appointments/check-in": {"post": {
        "summary": "Check in a booking (kiosk, clerk, admin): a ticket with priority appointment, or normal when late",
        "security": [{"bearer": []}],
        "requestBody": json_body({"type": "object", "required": ["code"], "properties": {"code": TEXT}}),
        "responses": {
            "201": json_response({"type": "object", "properties": {
                "ticket": TICKET, "late": {"type": "boolean"}, "message": TEXT}}),
            "200": json_response({"type": "object"}, "Already checked in: the same ticket"),
            **error_responses(401, 403, 404, 409, 422)}}},
    "/api/result-tickets": {"post": {
        "summary": "A result-return (Nhận kết quả) ticket, "
                   "optionally with the dossier code {agency}-{yyMMdd}-{seq}",
        "security": [{"bearer": []}],
        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True, "schema": TEXT}],
        "requestBody": json_body({"type": "object", "properties": {"dossier_code": TEXT}}),
        "responses": {"201": json_response({"type": "object", "properties": {"ticket": TICKET}}),
                      **error_responses(401, 403, 404, 409, 422, 429)}}},
    "/api/appointments/flood": {"get": {
        "summary": "Today's refused online bookings per address and the booking limits (admin)",
        "security": [{"bearer": []}],
        "responses": {"200": json_response({"type": "object", "properties": {
            "day": TEXT, "refused": {"type": "integer"}, "addresses": {"type": "array"},
            "limits": {"type": "object"}}}),
            **error_responses(401, 403)}}},
    "/api/counters/{n}/current-details": {"get": {
        "summary": "The counter's current ticket with its booking and dossier code (that counter's clerk)",
        "security": [{"bearer": []}],
        "parameters": [path_parameter("n")],
        "responses": {"200": json_response({"type": "object", "properties": {
            "counter": {"type": "integer"}, "ticket": {"oneOf": [TICKET, {"type": "null"}]},
            "appointment": {"type": ["object", "null"]}, "dossier_code": {"type": ["string", "null"]}}}),
            **error_responses(401, 403, 404)}}},
    "/api/admin/bookings": {"get": {
        "summary": "A day's bookings in slot order, with phone and cancel reason, and the day's blocks (admin)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
                        "description": "default: today"},
                       {"name": "service", "in": "query", "schema": TEXT, "description": "one field only"}],
        "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 422)}}},
    "/api/admin/bookings/{code}/cancel": {"post": {
        "summary": "Cancel a booking for the office, with its reason (admin)", "security": [{"bearer": []}],
        "parameters": [CODE_PARAM],
        "requestBody": json_body({"type": "object", "required": ["reason"], "properties": {"reason": TEXT}}),
        "responses": {"200": ONE_APPOINTMENT, **error_responses(401, 403, 404, 409, 422)}}},
    "/api/admin/booking-blocks": {"post": {
        "summary": "Close a slot (time) or a whole day of one field (service) or of all for booking (admin)",
        "security": [{"bearer": []}],
        "requestBody": json_body({"type": "object", "required": ["date", "reason"], "properties": {
            "date": {"type": "string", "format": "date"}, "service": TEXT,
            "time": {"type": "string", "example": "09:30"}, "reason": TEXT}}),
        "responses": {"201": json_response({"type": "object"}), **error_responses(401, 403, 404, 409, 422)}}},
    "/api/admin/calendar": {"get": {
        "summary": "The year's public holidays, the admin's days off and làm bù days, the hours in force (admin)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer"}}],
        "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 422)}}},
    "/api/admin/calendar/days": {"post": {
        "summary": "Close a day for booking (with why) or open a weekend day as a working day, làm bù (admin)",
        "security": [{"bearer": []}],
        "requestBody": json_body({"type": "object", "required": ["date", "kind"], "properties": {
            "date": {"type": "string", "format": "date"}, "kind": {"type": "string", "enum": ["closed", "working"]},
            "name": TEXT}}),
        "responses": {"201": json_response({"type": "object"}), **error_responses(401, 403, 422)}}},
    "/api/admin/calendar/days/{date}": {"delete": {
        "summary": "Forget the admin's choice for a day (admin)", "security": [{"bearer": []}],
        "parameters": [path_parameter("date", TEXT)],
        "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 404, 422)}}},
    "/api/admin/calendar/hours": {"put": {
        "summary": "The office's hours for booking, over the office file's (admin)", "security": [{"bearer": []}],
        "requestBody": json_body({"type": "object", "required": ["morning", "afternoon"], "properties": {
            "morning": {"type": "string", "example": "07:30-11:30"},
            "afternoon": {"type": "string", "example": "13:30-17:00"}, "saturday_morning": {"type": "boolean"}}}),
        "responses": {"200": json_response({"type": "object"}), **error_responses(400, 401, 403, 422)}}},
    "/api/admin/booking-blocks/{id}": {"delete": {
        "summary": "Open a blocked slot or day again (admin)", "security": [{"bearer": []}],
        "parameters": [path_parameter("id")],
        "responses": {"200": json_response({"type": "object"}), **error_responses(401, 403, 404)}}},
}
