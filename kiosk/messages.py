"""Server errors as plain words for the citizen (the kiosk's end of the one error table)."""

from __future__ import annotations

from queue_server.client import ApiError, ErrorCode, ServerUnreachable

from .texts import DEFAULT_LANGUAGE, tr

CODE_TEXTS = {
    ErrorCode.UNKNOWN_SERVICE: "error.unknown_service",
    ErrorCode.SERVICE_CLOSED_TODAY: "error.service_closed_today",
    ErrorCode.UNKNOWN_TICKET: "error.unknown_ticket",
    ErrorCode.ALREADY_RATED: "error.already_rated",
    ErrorCode.TOO_MANY_TICKETS: "error.too_many",
    ErrorCode.UNAUTHORIZED: "error.unauthorized",
    ErrorCode.INVALID_TOKEN: "error.unauthorized",
    ErrorCode.FORBIDDEN: "error.unauthorized",
    ErrorCode.NOT_FOUND: "error.not_found",
    ErrorCode.NOT_SERVED: "error.not_served",
}
"""Codes the server sends (``queue_server.client.ErrorCode``) with the kiosk's own wording, in both languages."""

STATUS_TEXTS = {401: "error.unauthorized", 403: "error.unauthorized", 429: "error.too_many"}

NO_WORDS_FOR_PEOPLE = frozenset({ErrorCode.HTTP_ERROR, ErrorCode.SERVER_ERROR})
"""Codes whose message is about the machine, not the citizen: the kiosk says "ask the staff" instead."""


def message_for(error: ApiError, lang: str) -> str:
    """What to tell the citizen about a failed call: the kiosk's text for the code, else the server's own words.

    The server's messages are Vietnamese, so in English an unmapped code
    gets the kiosk's generic text with the code for the staff.
    """
    if isinstance(error, ServerUnreachable):
        return tr("error.unreachable", lang)
    key = CODE_TEXTS.get(error.code) or STATUS_TEXTS.get(error.status)
    if key:
        return tr(key, lang)
    if lang == DEFAULT_LANGUAGE and error.message and error.code not in NO_WORDS_FOR_PEOPLE:
        return error.message
    return tr("error.generic", lang, code=error.code)
