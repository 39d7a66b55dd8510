"""Building blocks of the OpenAPI document, shared by every part's paths.

One home so the queue's, the catalogue's, the reports' and the appointments'
paths describe errors, tickets and JSON bodies the same way. Plain data and
functions only: no Flask, so any part's paths module can import it.
"""

from __future__ import annotations

from typing import Any

ERROR: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
TICKET: dict[str, Any] = {"$ref": "#/components/schemas/Ticket"}
COUNTER: dict[str, Any] = {"$ref": "#/components/schemas/Counter"}
TEXT: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}


def json_response(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    """A response with a JSON body of this schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_responses(*statuses: int) -> dict[str, Any]:
    """The API's one error shape under each of these statuses."""
    return {str(status): json_response(ERROR, "Error") for status in statuses}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """A required JSON request body of this schema."""
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def path_parameter(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A required path parameter, an integer unless told otherwise (``{n}``, ``{id}``)."""
    return {"name": name, "in": "path", "required": True, "schema": INTEGER if schema is None else schema}
