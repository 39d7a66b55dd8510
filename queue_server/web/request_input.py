"""Request parsing: the JSON body, typed fields, whole numbers, the host the caller reached.

Every refusal is an ApiError in the one error shape, so a route only names the field.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from flask import request

from ..core import views
from .errors import ApiError

MAX_HOST_LENGTH = 261  # a 253-character DNS name and ":65535": longer is no host a phone could reach


def request_base_url() -> str:
    """The scheme and host the caller reached this server at, e.g. ``http://192.168.1.10:8080``.

    Ticket links use it when ``[office] public_url`` is unset: a kiosk set up with the
    server's LAN address prints QR codes with that address. X-Forwarded-Proto/Host are
    ignored on purpose (no ProxyFix): any device on the LAN could send them; behind a
    reverse proxy set ``public_url``. The link goes only to the caller (never into the
    event log), so a forged Host misleads only the one who forged it. "" (the link
    stays a path) when the Host header is missing, or not a valid host[:port] (werkzeug
    drops those), rather than the server's made-up SERVER_NAME.
    """
    if "Host" not in request.headers:
        return ""
    host = request.host
    if not host or len(host) > MAX_HOST_LENGTH:
        return ""
    return f"{request.scheme}://{host}"


def with_status_link(view: dict[str, Any] | None) -> dict[str, Any] | None:
    """A ticket view (or None) with its status link absolute for this request (see ``request_base_url``)."""
    return None if view is None else views.complete_status_url(view, request_base_url())


def json_body() -> dict[str, Any]:
    """The request's JSON object, NFC-normalised; 400/422 with a clear message otherwise."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json",
                       'Nội dung gửi lên không phải JSON hợp lệ; xin gửi một đối tượng JSON, '
                       'ví dụ {"service": "HT"}.') from None
    except RecursionError:  # valid JSON nested thousands deep: no request looks like that
        data = None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_body", 'Nội dung gửi lên phải là một đối tượng JSON, ví dụ {"service": "HT"}.')
    try:
        return _nfc(data)
    except RecursionError:
        raise ApiError(422, "invalid_body",
                       'Nội dung gửi lên lồng nhau quá sâu; xin gửi một đối tượng JSON phẳng, '
                       'ví dụ {"service": "HT"}.') from None


def _nfc(value: Any) -> Any:
    """Normalise every string in a JSON value to NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = True, max_length: int = 200) -> Any:
    """One field of a body, type-checked, with a message naming it."""
    if name not in body or body[name] is None:
        if required:
            raise ApiError(422, "missing_field", f'Thiếu trường "{name}".')
        return None
    value = body[name]
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ApiError(422, "invalid_field", f'"{name}" phải là số nguyên.')
    if kind is str:
        if not isinstance(value, str):
            raise ApiError(422, "invalid_field", f'"{name}" phải là chữ (chuỗi ký tự).')
        if len(value) > max_length:
            raise ApiError(422, "invalid_field", f'"{name}" quá dài (tối đa {max_length} ký tự).')
    return value


SQLITE_MAX_INT = 2**63 - 1
"""SQLite keeps integers in 64 bits: a larger number can be neither stored nor matched."""


def int_param(value: Any, name: str, *, minimum: int = 0, maximum: int = SQLITE_MAX_INT,
              code: str = "invalid_field", hint: str = "", text: bool = True) -> int:
    """A whole number within [minimum, maximum], from query/header text or (``text=False``) a JSON body; 422 otherwise.

    Text must be ASCII digits with an optional leading '-': ``int()`` also
    takes '٣' or '５' (and ``isdigit()`` passes '²', which ``int()`` refuses),
    and raises on more than 4300 digits, so both are checked before it runs.
    """
    refusal = ApiError(422, code, f'"{name}" phải là số nguyên từ {minimum} đến {maximum}, viết bằng chữ số 0–9.{hint}')
    if text and isinstance(value, str):
        stripped = value.strip()
        digits = stripped.removeprefix("-")
        if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(max(abs(minimum), abs(maximum)))):
            raise refusal
        value = int(stripped)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise refusal
    return value
