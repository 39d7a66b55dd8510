"""One JSON error shape for the whole API, and the one table of core errors → HTTP statuses.

``{"error": {"code": "unknown_service", "message": "…what to do…"}}`` with a
4xx. Nothing a client can send produces a 500 or a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..core import errors as core_errors
from ..engine import EngineBusy, StorageUnavailable

log = logging.getLogger(__name__)


class ApiError(core_errors.QueueError):
    """An error to answer with: HTTP status, stable code, message a person can act on.

    A QueueError, so that a command may raise it inside the engine's writer
    (before changing anything) and the caller gets it back unchanged.
    """

    code = "api_error"  # each instance carries its own code

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


CORE_ERROR_STATUS: dict[type[core_errors.QueueError], int] = {
    core_errors.UnknownService: 404,
    core_errors.UnknownCounter: 404,
    core_errors.UnknownTicket: 404,
    core_errors.InvalidPriority: 422,
    core_errors.InvalidRequest: 422,
    core_errors.NoCurrentTicket: 409,
    core_errors.CounterBusy: 409,
    core_errors.TicketNotCallable: 409,
    core_errors.CounterNotPaused: 409,
    core_errors.AlreadyServing: 409,
    core_errors.TicketInProgress: 409,
    core_errors.CounterClosedToday: 409,
    core_errors.ServiceClosedToday: 409,
    core_errors.TicketsLeftUnserved: 409,
}
"""How each rule violation is answered."""

_HTTP_CODES = {
    400: ("bad_request", "Không đọc được yêu cầu; xin gửi JSON với Content-Type: application/json."),
    404: ("not_found", "Không có địa chỉ này; xem các địa chỉ của API ở GET /api/openapi.json."),
    405: ("method_not_allowed", "Địa chỉ này không nhận phương thức đó; xem GET /api/openapi.json."),
    413: ("body_too_large", "Dữ liệu gửi lên quá lớn; xin gửi một tài liệu JSON nhỏ hơn."),
    431: ("headers_too_large", "Phần đầu (headers) của yêu cầu quá lớn."),
}
HTTP_ERROR_MESSAGES = _HTTP_CODES
"""Status -> code and message, for Flask's HTTP errors and waitress' own (``guarded_server``) alike."""


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    """The one error shape."""
    return jsonify({"error": {"code": code, "message": message}}), status


def register_error_handlers(app: Flask) -> None:
    """Answer every failure in the one shape (JSON for the API, plain text for pages)."""

    @app.errorhandler(core_errors.QueueError)
    def _queue_error(exc: core_errors.QueueError):
        if isinstance(exc, ApiError):
            return error_response(exc.status, exc.code, exc.message)
        return error_response(CORE_ERROR_STATUS.get(type(exc), 409), exc.code, exc.message)

    @app.errorhandler(StorageUnavailable)
    @app.errorhandler(EngineBusy)
    def _busy(exc: Exception):
        response, status = error_response(503, "try_again", str(exc))
        response.headers["Retry-After"] = "1"
        return response, status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        fallback = ("http_error", f"Máy chủ không nhận yêu cầu này (HTTP {exc.code}).")
        code, message = _HTTP_CODES.get(exc.code or 400, fallback)
        if not request.path.startswith("/api/") and exc.code == 404:
            return Response("Không tìm thấy trang.", status=404, mimetype="text/plain")
        return error_response(exc.code or 400, code, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "server_error",
                              "Lỗi máy chủ; quản trị viên của cơ quan xem được chi tiết trong nhật ký.")
