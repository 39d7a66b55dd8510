"""The browser lobby board at ``/display`` for smart TVs, fed by ``/api/events``.

Plain HTML, CSS and JavaScript (EventSource), no build step and no CDN. A
screen from ``[[display.screens]]`` is chosen with ``?screen=NAME``; a TV
without its own entry can pass ``?counters=1,2&orientation=portrait``.
Only numbers, fields and counters are shown, never personal data.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

import wording

from ..display_settings import DisplayConfig, load_display_config
from .errors import ApiError
from .request_input import int_param
from .security_headers import content_security_policy

bp = Blueprint("display_page", __name__)

CONTENT_SECURITY_POLICY = content_security_policy(local_media=True)
"""Scripts, styles, media and the feed from this server only (and the sound the board makes itself);
the board is framed by nobody."""


@bp.after_request
def _page_headers(response: Response) -> Response:
    """The board page gets the same policy as every other page (it had none)."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response

VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm", ".mkv": "video/x-matroska", ".mov": "video/quicktime",
               ".m4v": "video/mp4", ".avi": "video/x-msvideo"}


def _display_config() -> DisplayConfig:
    """The validated [display] section (its defaults when the office file has none)."""
    return load_display_config(current_app.extensions["motcua.config"])


@bp.get("/display")
def board() -> str | Response:
    """The lobby board page."""
    from queue_server.config import ConfigError

    display = _display_config()
    try:
        screen = display.screen(request.args.get("screen"))
    except ConfigError as exc:
        return Response(f"Màn hình không có trong cấu hình: {exc.message}\n", 404, mimetype="text/plain")
    counters = list(screen.counters)
    if request.args.get("counters"):
        try:
            counters = _counter_numbers(request.args["counters"])
        except ApiError as exc:
            return Response(f"{exc.message}\nVí dụ: /display?counters=1,2\n", exc.status, mimetype="text/plain")
    orientation = request.args.get("orientation", screen.orientation)
    settings: dict[str, Any] = {
        "screen": screen.name,
        "title": screen.title,
        "counters": counters,
        "orientation": orientation if orientation in ("landscape", "portrait") else "landscape",
        "ticker": list(display.ticker),
        "tickerSpeed": display.ticker_speed,
        "recentCalls": display.recent_calls,
        "weekdays": list(wording.WEEKDAYS),  # Monday first: the clock's words, the Kivy board's and the kiosk's
        "closedWords": dict(wording.COUNTER_CLOSED_LABELS),  # "Chưa mở quầy" / "Hôm nay nghỉ", the Kivy board's
        "flashSeconds": display.flash_seconds,
        "voice": display.voice.enabled and screen.voice,  # calls said aloud (audio.js, /display/audio/<id>.wav)
        "media": [
            {"url": f"/display/media/{index}", "kind": item.kind, "seconds": item.seconds}
            for index, item in enumerate(display.media)
            if item.kind in ("image", "video") and item.path.exists() and screen.media
        ],
    }
    return render_template("display.html", settings_json=json.dumps(settings, ensure_ascii=False))


MAX_COUNTER_NUMBER = 9999  # far above any office; keeps a hostile number out of the page and the feed


def _counter_numbers(raw: str) -> list[int]:
    """The counters of ``?counters=1,2`` (blank parts skipped); 422 for a part that is not a counter number."""
    return [int_param(part, "counters", minimum=1, maximum=MAX_COUNTER_NUMBER, code="invalid_counters")
            for part in raw.split(",") if part.strip()]


@bp.get("/display/media/<int:index>")
def media(index: int):
    """One file of the configured playlist (only those: never an arbitrary path)."""
    items = _display_config().media
    if not 0 <= index < len(items) or not items[index].path.exists():
        abort(404)
    item = items[index]
    mimetype = VIDEO_TYPES.get(item.path.suffix.lower()) if item.kind == "video" else None
    return send_file(item.path, mimetype=mimetype, max_age=300, conditional=True)
