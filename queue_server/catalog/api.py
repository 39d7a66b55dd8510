"""HTTP endpoints of the catalogue: search, browse by field, one procedure.

The search index lives in memory, one per database and process, built when
the app starts. Each request checks the catalogue's revision (one tiny
indexed read); after an import the new index is built in the background
while requests keep the previous one. SQLite is not read per query.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from flask import Blueprint, current_app, jsonify, request

from ..web.errors import ApiError
from ..web.openapi_schema import TEXT, error_responses, json_response, path_parameter
from .lexicon import default_lexicon
from .normalize import nfc, phrase_key
from .search import SearchIndex
from .store import active_catalog, catalog_revision, open_database

bp = Blueprint("catalog", __name__, url_prefix="/api")
log = logging.getLogger(__name__)

DEFAULT_LIMIT = 10
MAX_LIMIT = 500  # a whole field of a provincial catalogue fits; the kiosk shows far fewer
MAX_QUERY_CHARS = 200


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Any:
    """The one error shape, also when this blueprint runs in an app of its own."""
    return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status


@bp.get("/procedures")
def list_procedures() -> Any:
    """Search (``q``), or browse alphabetically, optionally within one field."""
    query = nfc(request.args.get("q", ""))[:MAX_QUERY_CHARS]
    field = nfc(request.args.get("field", "")).strip() or None
    limit = _limit(request.args.get("limit"))
    catalog = current_catalog()
    if field is not None and phrase_key(field) not in catalog.folded_fields:
        raise ApiError(404, "unknown_field", f"Không có lĩnh vực {field!r}; xem danh sách ở GET /api/fields.")
    if query.strip():
        results = [{**hit.procedure.summary(), "score": hit.score}
                   for hit in catalog.index.search(query, field=field, limit=limit)]
    else:
        results = [{**p.summary(), "score": None} for p in catalog.index.browse(field)[:limit]]
    return jsonify({"results": results, "catalog_version": catalog.version})


@bp.get("/procedures/<code>")
def get_procedure(code: str) -> Any:
    """The whole published procedure."""
    procedure = current_catalog().index.get(nfc(code).strip())
    if procedure is None:
        raise ApiError(404, "unknown_procedure",
                       f"Không có thủ tục mã {code!r}; xin tìm bằng GET /api/procedures?q=…")
    return jsonify(procedure.to_dict())


@bp.get("/fields")
def list_fields() -> Any:
    """The fields (lĩnh vực) of the catalogue in Vietnamese alphabetical order."""
    catalog = current_catalog()
    return jsonify({"fields": [{"name": f.name, "count": f.count, "services": list(f.services)}
                               for f in catalog.index.fields()],
                    "catalog_version": catalog.version})


def _limit(raw: str | None) -> int:
    """The ``limit`` parameter, checked."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise ApiError(422, "invalid_limit", f"\"limit\" phải là số nguyên từ 1 đến {MAX_LIMIT}.")
    return value


# -- the in-memory catalogue ---------------------------------------------------

@dataclass(frozen=True)
class LoadedCatalog:
    """One catalogue revision, indexed."""

    revision: int
    version: str | None
    index: SearchIndex
    folded_fields: frozenset[str]


_cache: dict[str, LoadedCatalog] = {}
_cache_lock = threading.Lock()  # held while an index is built: one build at a time
_rebuilding: set[str] = set()
_rebuilding_lock = threading.Lock()
_local = threading.local()


def current_catalog() -> LoadedCatalog:
    """The live catalogue of this app's database.

    After an import, requests keep the previous index while a background
    thread builds the new one (seconds for a provincial catalogue), so no
    citizen waits for it; only before any index exists does a request wait.
    """
    path = str(current_app.config["MOTCUA_DB"])
    db = _thread_db(path)
    loaded = _cache.get(path)
    if loaded is not None and loaded.revision == _revision(db):
        return loaded
    if loaded is not None:
        rebuild_in_background(path)
        return loaded
    return _build(path, db)


def rebuild_in_background(path: str) -> None:
    """Build the index of a database's live catalogue in a thread, unless one is at it already."""
    with _rebuilding_lock:
        if path in _rebuilding:
            return
        _rebuilding.add(path)
    threading.Thread(target=_rebuild, args=(path,), name="catalog-index", daemon=True).start()


@bp.record_once
def _warm_up(state: Any) -> None:
    """Start building the index when the app starts, before the first citizen searches."""
    if state.app.config.get("MOTCUA_DB"):
        rebuild_in_background(str(state.app.config["MOTCUA_DB"]))


def _rebuild(path: str) -> None:
    """Thread body: build and publish the index; a failure is logged and retried by the next request."""
    try:
        db = open_database(path)
        try:
            _build(path, db)
        finally:
            db.close()
    except Exception:  # noqa: BLE001 - a background build must never take the server down
        log.exception("catalogue index build failed for %s", path)
    finally:
        with _rebuilding_lock:
            _rebuilding.discard(path)


def _build(path: str, db: sqlite_utils.Database) -> LoadedCatalog:
    """The index of the live revision, built now unless another thread just did."""
    with _cache_lock:
        loaded = _cache.get(path)
        if loaded is None or loaded.revision != _revision(db):
            loaded = _cache[path] = _load(db)
        return loaded


def _load(db: sqlite_utils.Database) -> LoadedCatalog:
    """Read the live version and build its index."""
    try:
        active = active_catalog(db)
    except sqlite3.OperationalError:  # `motcua init` has not created the catalogue tables yet
        return LoadedCatalog(0, None, SearchIndex((), default_lexicon()), frozenset())
    index = SearchIndex(active.procedures, default_lexicon())
    return LoadedCatalog(active.revision, active.version, index,
                         frozenset(phrase_key(p.field) for p in active.procedures))


def _revision(db: sqlite_utils.Database) -> int:
    """The catalogue revision, 0 before the catalogue tables exist."""
    try:
        return catalog_revision(db)
    except sqlite3.OperationalError:
        return 0


def _thread_db(path: str) -> sqlite_utils.Database:
    """This thread's connection to the database (sqlite connections stay in their thread)."""
    dbs = getattr(_local, "dbs", None)
    if dbs is None:
        dbs = _local.dbs = {}
    if path not in dbs:
        dbs[path] = open_database(path)
    return dbs[path]


_PROCEDURE_SUMMARY = {"type": "object", "properties": {
    "code": TEXT, "name": TEXT, "field": TEXT,
    "service": {"type": ["string", "null"]}, "level": TEXT,
    "online_level": {"type": ["string", "null"], "enum": ["full", "partial", "none", None]},
    "processing_time": TEXT, "fee": TEXT, "score": {"type": ["number", "null"]}}}

OPENAPI_PATHS: dict[str, Any] = {
    "/api/procedures": {"get": {
        "summary": "Search procedures (best first) or browse them alphabetically",
        "parameters": [
            {"name": "q", "in": "query", "schema": TEXT,
             "description": "What the citizen typed; without diacritics or with typos is fine. "
                            "A last word without a following space also matches as a prefix."},
            {"name": "field", "in": "query", "schema": TEXT, "description": "Only this field (lĩnh vực)"},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                                         "default": DEFAULT_LIMIT}}],
        "responses": {"200": json_response({"type": "object", "properties": {
            "results": {"type": "array", "items": _PROCEDURE_SUMMARY},
            "catalog_version": {"type": ["string", "null"]}}}),
                      **error_responses(404, 422)}}},
    "/api/procedures/{code}": {"get": {
        "summary": "One whole procedure: steps, documents, time limits and fees per channel, legal basis…",
        "parameters": [path_parameter("code", TEXT)],
        "responses": {"200": json_response({"type": "object"}, "The procedure (every field of it)"),
                      **error_responses(404)}}},
    "/api/fields": {"get": {
        "summary": "Fields (lĩnh vực) with their procedure counts and services, in Vietnamese order",
        "responses": {"200": json_response({"type": "object", "properties": {"fields": {"type": "array", "items": {
            "type": "object", "properties": {"name": TEXT, "count": {"type": "integer"},
                                             "services": {"type": "array", "items": TEXT}}}}}})}}},
}
"""This blueprint's part of GET /api/openapi.json (imported by name in queue_server.web.openapi)."""
