"""The Flask application factory: one office, one database, one engine."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface

from .. import auth
from ..appointments import api as appointments_api
from ..catalog import api as catalog_api
from ..config import OfficeConfig
from ..engine import QueueEngine
from ..reports import api as reports_api
from ..store.db import connect
from . import (
    admin_counters,
    admin_people,
    announcements,
    api_events,
    api_people,
    api_queue,
    console,
    device_pairing_api,
    display_page,
    openapi,
    rating_tablet,
    status_page,
)
from .disk_guard import install_disk_guard
from .errors import register_error_handlers
from .guarded_server import TrustedAddresses
from .live_devices import LiveDevices
from .rate_limit import RateLimiter
from .token_cache import TokenCache

BLUEPRINTS: tuple[Blueprint, ...] = (
    api_queue.bp, api_events.bp, api_people.bp, openapi.bp,
    console.bp, admin_people.bp, admin_counters.bp, display_page.bp, announcements.bp, catalog_api.bp,
    reports_api.bp, appointments_api.bp, status_page.bp, rating_tablet.bp,
    device_pairing_api.bp,
)
"""Every blueprint of the server, in registration order (the queue's API first, then the pages and parts)."""

LOGIN_ATTEMPTS_PER_MINUTE = 10


def create_app(config: OfficeConfig, db_path: Path | str, *, engine: QueueEngine | None = None,
               max_streams: int = 1000) -> Flask:
    """Build the app; starts its own engine unless one is given.

    ``max_streams`` caps open live-feed streams (``motcua serve`` sets it
    below its thread count so requests always find a free thread).
    """
    app = Flask(__name__)
    if engine is None:
        engine = QueueEngine(config, db_path).start()
    with connect(db_path) as db:
        secret = auth.server_secret(db.conn)
    app.config.update(
        SECRET_KEY=secret,
        MOTCUA_DB=str(db_path),
        MAX_CONTENT_LENGTH=config.limits.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.json = OfficeJSON(app)
    app.extensions["motcua.engine"] = engine
    app.extensions["motcua.config"] = config
    app.extensions["motcua.ticket_limiter"] = RateLimiter(config.limits.tickets_per_minute_per_device)
    app.extensions["motcua.login_limiter"] = RateLimiter(LOGIN_ATTEMPTS_PER_MINUTE)
    app.extensions["motcua.token_cache"] = TokenCache()
    app.extensions["motcua.trusted_addresses"] = TrustedAddresses()
    app.extensions["motcua.stream_slots"] = api_events.StreamSlots(max_streams)
    app.extensions["motcua.live_devices"] = LiveDevices(engine.clock)  # the queue's clock (tests move it)
    app.session_interface = LazyCookieSessions()
    register_error_handlers(app)
    install_disk_guard(app, db_path)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.after_request(_security_headers)
    return app


class OfficeJSON(DefaultJSONProvider):
    """JSON as the devices read it: Vietnamese as is (no \\u escapes), keys in the order the code builds them."""

    ensure_ascii = False
    sort_keys = False


class LazyCookieSessions(SecureCookieSessionInterface):
    """Cookie sessions that cost nothing for API calls without a cookie (devices, scripts)."""

    def open_session(self, app: Flask, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def _security_headers(response):
    """Headers every answer gets: no sniffing, no framing by other sites."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
