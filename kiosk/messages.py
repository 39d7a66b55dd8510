"""Server errors as plain words for the citizen (the kiosk's end of the one error table)."""

from __future__ import annotations

from queue_server.client import ApiError, ServerUnreachable

from .texts import tr

CODE_TEXTS = {
    "unknown_service": "error.unknown_service",
    "unknown_ticket": "error.unknown_ticket",
    "already_rated": "error.already_rated",
    "duplicate_rating": "error.already_rated",
    "too_many_requests": "error.too_many",
    "rate_limited": "error.too_many",
    "unauthorized": "error.unauthorized",
    "forbidden": "error.unauthorized",
    "not_found": "error.not_found",
    "not_served": "error.not_served",
}
"""Stable API error codes with a kiosk wording; others show the server's own message."""

STATUS_TEXTS = {401: "error.unauthorized", 403: "error.unauthorized", 429: "error.too_many"}


def message_for(error: ApiError, lang: str) -> str:
    """What to tell the citizen about a failed call."""
    if isinstance(error, ServerUnreachable):
        return tr("error.unreachable", lang)
    key = CODE_TEXTS.get(error.code) or STATUS_TEXTS.get(error.status)
    if key:
        return tr(key, lang)
    if error.status == 409 and "rat" in error.code:
        return tr("error.already_rated", lang)
    if error.message and lang == "vi" and _looks_vietnamese(error.message):
        return error.message
    return tr("error.generic", lang, code=error.code)


def _looks_vietnamese(text: str) -> bool:
    """Server messages may be English; show them only when they carry Vietnamese letters."""
    return any(ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ" for ch in text.lower())
