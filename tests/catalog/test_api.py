"""GET /api/procedures, /api/procedures/<code>, /api/fields: shapes, errors, a live index."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flask import Flask

from queue_server.catalog import api
from queue_server.catalog.model import Procedure
from queue_server.catalog.store import apply_migrations, ensure_sample_catalog, import_catalog, open_database
from queue_server.config import load_config
from tests.support.catalog import COMMUNE


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    with open_database(path) as db:
        ensure_sample_catalog(db, load_config(COMMUNE))
    return path


@pytest.fixture
def client(db_path: Path):
    app = Flask("catalog-test")
    app.config["MOTCUA_DB"] = str(db_path)
    app.register_blueprint(api.bp)
    return app.test_client()


def test_search_returns_summaries_best_first(client):
    response = client.get("/api/procedures", query_string={"q": "khai sanh ", "limit": 2})
    assert response.status_code == 200
    body = response.get_json()
    assert body["catalog_version"] == "xa-2025.07"
    first = body["results"][0]
    assert set(first) == {"code", "name", "field", "service", "level", "online_level", "processing_time", "fee",
                          "score"}
    assert (first["code"], first["name"], first["field"], first["service"], first["online_level"]) == (
        "1.001193", "Đăng ký khai sinh", "Hộ tịch", "HT", "full")
    assert len(body["results"]) == 2 and body["results"][0]["score"] >= body["results"][1]["score"]


def test_search_within_a_field(client):
    body = client.get("/api/procedures", query_string={"q": "đăng ký", "field": "cư trú"}).get_json()
    assert body == {"error": {"code": "unknown_field",
                              "message": "Không có lĩnh vực 'cư trú'; xem danh sách ở GET /api/fields."}}
    in_field = {"q": "đăng ký ", "field": "Đăng ký, quản lý cư trú"}
    results = client.get("/api/procedures", query_string=in_field).get_json()["results"]
    assert results and {r["field"] for r in results} == {"Đăng ký, quản lý cư trú"}


def test_browsing_a_field_is_alphabetical(client):
    results = client.get("/api/procedures", query_string={"field": "Chứng thực", "limit": 100}).get_json()["results"]
    names = [r["name"] for r in results]
    assert len(names) == 8 and names[0].startswith("Cấp bản sao có chứng thực")
    assert names[-1] == "Sửa lỗi sai sót trong hợp đồng, giao dịch đã được chứng thực"
    assert all(r["score"] is None for r in results)


def test_one_procedure_whole(client):
    response = client.get("/api/procedures/1.001193")
    assert response.status_code == 200
    procedure = response.get_json()
    assert procedure["name"] == "Đăng ký khai sinh" and procedure["service"] == "HT"
    assert procedure["documents"][1] == {"name": "Giấy chứng sinh (hoặc văn bản người làm chứng/cam đoan về việc sinh)",
                                         "kind": "", "count": None, "form": ""}
    assert set(procedure) == set(Procedure.__dataclass_fields__)


def test_an_unknown_procedure_is_a_404_in_the_one_error_shape(client):
    response = client.get("/api/procedures/9.999999")
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "unknown_procedure", "message":
                                             "Không có thủ tục mã '9.999999'; xin tìm bằng GET /api/procedures?q=…"}}


@pytest.mark.parametrize("limit", ["0", "abc", "501", "-3"])
def test_a_bad_limit_is_a_422(client, limit):
    response = client.get("/api/procedures", query_string={"q": "khai", "limit": limit})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid_limit"


def test_fields_for_browsing(client):
    fields = client.get("/api/fields").get_json()["fields"]
    assert fields[0] == {"name": "Bảo trợ xã hội", "count": 5, "services": ["VH"]}
    assert [f["name"] for f in fields][1:4] == ["Chứng thực", "Đăng ký, quản lý cư trú", "Đất đai"]


def eventually(check, seconds: float = 20.0) -> bool:
    """Whether check() becomes true within a time (background work)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_a_new_import_is_searched_without_a_restart(client, db_path):
    assert client.get("/api/procedures/7.000001").status_code == 404
    with open_database(db_path) as db:
        import_catalog(db, "v2", [Procedure(code="7.000001", name="Cấp phép khai thác cát", field="Khoáng sản")])
    # the previous catalogue answers while the new index is built, then the new one
    assert eventually(lambda: client.get("/api/procedures/7.000001").status_code == 200)
    results = client.get("/api/procedures", query_string={"q": "khai thác cát "}).get_json()["results"]
    assert results[0]["code"] == "7.000001"
    assert client.get("/api/procedures/1.001193").status_code == 404


def test_requests_during_a_rebuild_get_the_previous_catalogue(client, db_path, monkeypatch):
    assert client.get("/api/procedures/1.001193").status_code == 200
    started = threading.Event()
    monkeypatch.setattr(api, "rebuild_in_background", lambda path: started.set())  # a build that never ends
    with open_database(db_path) as db:
        import_catalog(db, "v2", [Procedure(code="7.000001", name="Cấp phép khai thác cát", field="Khoáng sản")])
    assert client.get("/api/procedures/1.001193").status_code == 200 and started.is_set()


def test_a_database_without_catalogue_tables_answers_empty(tmp_path):
    app = Flask("empty")
    app.config["MOTCUA_DB"] = str(tmp_path / "empty.db")
    app.register_blueprint(api.bp)
    body = app.test_client().get("/api/procedures?q=khai").get_json()
    assert body == {"results": [], "catalog_version": None}


def test_extreme_queries_never_fail(client):
    for query in ["", " ", "'; DROP TABLE x; --", "🙂" * 50, "a" * 5000, "\u0301\u0301", "x\x00y"]:
        assert client.get("/api/procedures", query_string={"q": query}).status_code == 200


def test_the_api_is_described_for_openapi():
    assert set(api.OPENAPI_PATHS) == {"/api/procedures", "/api/procedures/{code}", "/api/fields"}


@pytest.mark.e2e
def test_through_the_queue_servers_app(db_path):
    create_app = pytest.importorskip("queue_server.web.app").create_app
    from queue_server.store.schema import apply_migrations as apply_queue_migrations

    config = load_config(COMMUNE)
    with open_database(db_path) as db:
        apply_queue_migrations(db)
        apply_migrations(db)
    app = create_app(config, db_path)
    try:
        client = app.test_client()
        results = client.get("/api/procedures?q=xac%20nhan%20doc%20than%20").get_json()["results"]
        assert results[0]["name"] == "Cấp Giấy xác nhận tình trạng hôn nhân"
        assert client.get("/api/procedures/nope").get_json()["error"]["code"] == "unknown_procedure"
        paths = client.get("/api/openapi.json").get_json()["paths"]
        assert "/api/procedures/{code}" in paths and "/api/fields" in paths
    finally:
        app.extensions["motcua.engine"].stop()
