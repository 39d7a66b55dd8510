"""The clerk's web console: sign-in with a cookie session, the console page, its queue view.

The page itself is static HTML + JS; it acts through the JSON API with the
session cookie and the ``X-CSRF-Token`` header (see ``sessions.current_principal``).
This blueprint only signs people in and out, serves the page with what it
needs to start (CSRF token, the person's counters, services, presets), and
answers one read the live feed does not carry: the counter's current ticket as
its clerk sees it (procedure, transfer origin and note), the waiting tickets with
their waits, the recent no-shows and the tickets served there today.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, session, url_for

import wording

from .. import auth
from ..catalog.api import current_catalog
from ..core import views
from ..core.model import IN_PROGRESS, NO_SHOW, WAITING, QueueState, Ticket
from .context import engine
from .request_input import request_base_url
from .security_headers import SELF, content_security_policy
from .sessions import cookie_person, csrf_token, require_counter_clerk, sign_in_cookie, sign_out_form
from .sign_in import SignInRefused, check_sign_in_form

bp = Blueprint("console", __name__)

PAUSE_PRESETS = ("Nghỉ trưa", "Họp", "Hỗ trợ công dân khác", "Xử lý hồ sơ")
"""Reasons offered with one tap; the clerk may type any other."""

PRIORITY_LABELS = dict(wording.PRIORITY_LABELS)
"""How the API's priority codes read on the console: the kiosk's, the paper's and the boards' words."""

QUEUE_PREVIEW = 12  # waiting tickets listed on the console; the count shows the rest
SERVED_PREVIEW = 20  # tickets served today listed on the console, the latest first; the count shows the rest

# The console loads nothing from elsewhere: no CDN, no inline script.
CONTENT_SECURITY_POLICY = content_security_policy(frame_ancestors=SELF)


@bp.record_once
def _session_lifetime(state: Any) -> None:
    """A console session lasts as long as an API session (one working day by default)."""
    config = state.app.extensions.get("motcua.config")
    hours = config.limits.session_hours if config is not None else 12
    state.app.permanent_session_lifetime = timedelta(hours=hours)


@bp.after_request
def _page_headers(response: Response) -> Response:
    """Pages of this blueprint: strict CSP, never cached (they carry the CSRF token)."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Cache-Control"] = "no-store"
    return response


def signed_in_person() -> auth.Principal | None:
    """The person of the cookie session, if it is still an active user."""
    return cookie_person()


@bp.get("/")
def home() -> Any:
    """A small landing page: the console, the lobby board (when installed), the API."""
    office = engine().office
    return render_template("console_home.html", office_name=office.name, display_url=_display_url())


def _display_url() -> str | None:
    """Where the display engineer's lobby board lives, if it is installed."""
    installed = any(rule.rule == "/display" for rule in current_app.url_map.iter_rules())
    return "/display" if installed else None


@bp.get("/console/login")
def login_page() -> Any:
    """The sign-in form (straight to the console when already signed in)."""
    if signed_in_person() is not None:
        return redirect(url_for("console.console_page"))
    return _login_form()


def _login_form(message: str = "", username: str = "", status: int = 200) -> tuple[str, int]:
    office = engine().office
    return render_template("console_login.html", office_name=office.name, csrf_token=csrf_token(),
                           message=message, username=username), status


@bp.post("/console/login")
def login_submit() -> Any:
    """Check the sign-in form and open a cookie session."""
    try:
        person = check_sign_in_form()
    except SignInRefused as refused:
        return _login_form(refused.message, refused.username, refused.status)
    # A fresh session and CSRF token at sign-in: nothing set before it survives (no fixation).
    sign_in_cookie(person)
    if person.must_change_password:  # a password the admin gave: replaced before any work
        return redirect(url_for("people_admin.change_password_page"), code=303)
    return redirect(url_for("console.console_page"), code=303)


@bp.post("/console/logout")
def logout() -> Any:
    """Sign out: the session's token is revoked and the cookie emptied."""
    return sign_out_form() or redirect(url_for("console.login_page"), code=303)


@bp.get("/console")
def console_page() -> Any:
    """The console, with what its script needs to start."""
    person = signed_in_person()
    if person is None:
        session.pop("sid", None)
        return redirect(url_for("console.login_page"))
    if person.must_change_password:
        return redirect(url_for("people_admin.change_password_page"))
    office = engine().office
    allowed = [c for c in office.counters if person.role == "admin" or c.number in person.counters]
    bootstrap = {
        "csrf": csrf_token(),
        "user": {"name": person.name, "role": person.role},
        "counters": [{"number": c.number, "name": c.name, "services": list(c.services)} for c in allowed],
        "all_counters": [{"number": c.number, "name": c.name, "services": list(c.services)} for c in office.counters],
        "services": [{"code": s.code, "name": s.name, "prefix": s.prefix} for s in office.services],
        "pause_presets": list(PAUSE_PRESETS),
        "priority_labels": PRIORITY_LABELS,
        "no_show_grace_minutes": office.policy.no_show_grace_minutes,
    }
    return render_template("console.html", office_name=office.name, user=person, bootstrap=bootstrap)


@bp.get("/console/api/counters/<int:counter>/queue")
def counter_queue(counter: int) -> Any:
    """Who waits for this counter (in queue order) and its no-shows still within the grace."""
    require_counter_clerk(counter)
    queue = engine()
    config = queue.office.counter(counter)
    assert config is not None  # require_counter_clerk answered 404 otherwise
    base_url = request_base_url()
    return with_procedure_names(queue.read(lambda state, now: _queue_view(state, queue.office, config, now, base_url)))


def with_procedure_names(answer: dict[str, Any]) -> dict[str, Any]:
    """Name each ticket's procedure (chosen at the kiosk) as the catalogue does; its code when the catalogue lacks it.

    Read after the queue, outside the engine's lock: the catalogue is another part's index.
    """
    tickets = [answer["current"], *answer["waiting"], *answer["no_shows"], *answer["served"]]
    codes = {t["procedure"] for t in tickets if t and t.get("procedure")}
    index = current_catalog().index if codes else None
    names = {code: getattr(index.get(code) if index else None, "name", code) for code in codes}
    for ticket in tickets:
        if ticket:
            ticket["procedure_name"] = names.get(ticket.get("procedure") or "")
    return answer


def _queue_view(state: QueueState, office, config, now, base_url: str = "") -> dict[str, Any]:
    grace = timedelta(minutes=office.policy.no_show_grace_minutes)
    waiting: list[Ticket] = []
    no_shows: list[tuple[datetime, Ticket]] = []  # with the time each was marked absent
    for ticket in state.tickets.values():
        if ticket.day != state.day or not _for_counter(ticket, config):
            continue
        if ticket.status == WAITING:
            waiting.append(ticket)
        elif ticket.status == NO_SHOW and ticket.finished_at is not None and now - ticket.finished_at <= grace:
            no_shows.append((ticket.finished_at, ticket))
    waiting_views = [views.clerk_ticket_view(state, office, t, now, base_url) for t in waiting]
    waiting_views.sort(key=lambda v: (v["ahead"], v["issued_at"] or "", v["id"]))
    no_shows.sort(key=lambda pair: pair[0], reverse=True)
    current = state.current_ticket(config.number)
    served = views.served_at_counter(state, config.number)
    return {
        "counter": config.number,
        "at": views.local_iso(now, office),
        "current": views.clerk_ticket_view(state, office, current, now, base_url)
        if current is not None and current.status in IN_PROGRESS else None,
        "waiting_total": len(waiting_views),
        "waiting": waiting_views[:QUEUE_PREVIEW],
        "no_shows": [
            {**views.clerk_ticket_view(state, office, t, now, base_url),
             "callable_until": views.local_iso(finished + grace, office)}
            for finished, t in no_shows
        ],
        "served_total": len(served),
        "served": [_served_brief(t, office) for t in served[:SERVED_PREVIEW]],
    }


def _served_brief(ticket: Ticket, office) -> dict[str, Any]:
    """A ticket served at this counter today: number, field, procedure, when, and how long the service took."""
    service = office.service(ticket.service)
    started = ticket.served_at or ticket.called_at
    spent = (ticket.finished_at - started).total_seconds() if started and ticket.finished_at else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "service_name": service.name if service else ticket.service,
        "priority": ticket.priority,
        "procedure": ticket.procedure,
        "called_at": views.local_iso(ticket.called_at, office),
        "finished_at": views.local_iso(ticket.finished_at, office),
        "service_s": int(spent) if spent is not None else None,
    }


def _for_counter(ticket: Ticket, config) -> bool:
    """True when this counter may call the ticket (its field, or sent to it by a transfer)."""
    if ticket.target_counter is not None:
        return ticket.target_counter == config.number
    return ticket.service in config.services
