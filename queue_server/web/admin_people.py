"""Officers managed from /admin (issue 15.1): add, rename, move, disable, reset a password; and the
officer's own password change, which a temporary password forces at the first sign-in.

JSON endpoints for the dashboard's script (the cookie session carries CSRF),
plus the one page an officer with a temporary password is sent to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from .. import auth, staff
from ..store.db import immediate_transaction
from .context import engine, read_conn
from .errors import ApiError
from .request_input import json_body
from .security_headers import content_security_policy
from .sessions import cookie_person, csrf_token, require, sign_in_cookie

bp = Blueprint("people_admin", __name__)

T = TypeVar("T")


def _staff_call(change: Callable[[sqlite3.Connection], T]) -> T:
    """Run a staff change in a transaction; its refusals become the API's error shape."""
    try:
        with immediate_transaction(read_conn()) as conn:  # the person, their sessions, the audit line
            done = change(conn)
    except staff.StaffError as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None
    current_app.extensions["motcua.token_cache"].forget_all()  # a locked officer is out at their next request
    return done


def _office_counters() -> list[int]:
    return [counter.number for counter in engine().office.counters]


@bp.get("/api/people")
def list_people() -> Any:
    """The office's officers and the latest changes of the audit log (admin)."""
    require("admin")
    conn = read_conn()
    return {"people": staff.list_staff(conn), "audit": staff.recent_audit(conn)}


@bp.post("/api/people")
def add_person() -> Any:
    """Add an officer; the answer carries their temporary password, the only time it is shown (admin)."""
    admin = require("admin")
    body = json_body()
    person, password = _staff_call(lambda conn: staff.add_officer(conn, admin.name, body, _office_counters()))
    return jsonify({"person": person, "password": password}), 201


@bp.patch("/api/people/<username>")
def update_person(username: str) -> Any:
    """Change an officer's full name, role, counters, or disable / enable them (admin)."""
    admin = require("admin")
    body = json_body()
    person = _staff_call(lambda conn: staff.update_officer(conn, admin.name, username, body, _office_counters()))
    return {"person": person}


@bp.post("/api/people/<username>/reset-password")
def reset_password(username: str) -> Any:
    """A new temporary password for an officer who forgot theirs, shown once (admin)."""
    admin = require("admin")
    return {"password": _staff_call(lambda conn: staff.reset_password(conn, admin.name, username))}


@bp.post("/api/me/password")
def change_my_password() -> Any:
    """An officer replaces their own password. It ends every session; a page's cookie session is reopened."""
    person = require("clerk", "admin", allow_temporary_password=True)
    body = json_body()
    _staff_call(lambda conn: staff.change_own_password(conn, person, body.get("current"), body.get("new")))
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        renewed = auth.person_by_id(read_conn(), person.id)
        if renewed is not None:
            sign_in_cookie(renewed)
    return {"status": "changed"}


@bp.after_request
def _page_headers(response: Response) -> Response:
    """The password page: scripts from this server only, never framed, never cached."""
    if request.path == "/doi-mat-khau":
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.get("/doi-mat-khau")
def change_password_page() -> Any:
    """Where an officer with a temporary password is sent before anything else."""
    person = cookie_person()
    if person is None:
        return redirect(url_for("reports.login_page"))
    return render_template("change_password.html", office_name=engine().office.name, person=person,
                           csrf_token=csrf_token(), forced=person.must_change_password)
