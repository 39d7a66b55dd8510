"""The dossier import after the province renamed its export's columns (issue 15): the map saved once decides.

The provincial system's export changes its header row between versions
(other words, another order, an extra column): the admin maps it once in
/admin and every later file with those headers imports right; a file that
lacks a mapped column is refused, naming the column, and imports nothing.
In process, through the real endpoints (``make_app``).
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any

RENAMED = (
    "Ghi chú,Ngày nhận hồ sơ,Kênh tiếp nhận,Số hồ sơ,Hạn trả,Lĩnh vực TTHC,Ngày trả KQ\r\n"
    "Khẩn,01/08/2026,Trực tuyến,H12.22-260801-0001,05/08/2026,Hộ tịch,04/08/2026\r\n"
    ",02/08/2026,Trực tiếp,H12.22-260802-0002,03/08/2026,Chứng thực,06/08/2026\r\n"
    ",03/08/2026,Trực tiếp,H12.22-260803-0003,10/08/2026,Hộ tịch,\r\n"
).encode()
MAPPED = {"dossier": "Số hồ sơ", "received_on": "Ngày nhận hồ sơ", "due_on": "Hạn trả", "finished_on": "Ngày trả KQ",
          "channel": "Kênh tiếp nhận", "field": "Lĩnh vực TTHC"}
QUARTER = "/api/reports/summary?from=2026-07-01&to=2026-09-30&format=json"


def _send(api: Any, path: str, content: bytes) -> Any:
    return api.client.post(path, data={"file": (io.BytesIO(content), "xuat-quy-3.csv")}, headers=api.auth("admin"),
                           content_type="multipart/form-data")


def _map_once(api: Any) -> None:
    saved = api.client.put("/api/admin/dossiers/columns", json={"columns": MAPPED}, headers=api.auth("admin"))
    assert saved.status_code == 200 and saved.get_json() == {"columns": MAPPED}


def test_an_export_with_renamed_reordered_and_extra_columns_imports_right_with_the_saved_map(make_app) -> None:
    api = make_app()
    preview = _send(api, "/api/admin/dossiers/preview", RENAMED).get_json()
    assert preview["headers"][0] == "Ghi chú" and preview["rows"] == 3
    assert preview["proposal"] != MAPPED  # the guesses do not know these words: the admin maps them once
    _map_once(api)
    assert _send(api, "/api/admin/dossiers/import", RENAMED).get_json() == {"imported": 3, "file": "xuat-quy-3.csv"}
    dossiers = api.client.get(QUARTER, headers=api.auth("admin")).get_json()["dossiers"]
    assert {k: dossiers[k] for k in ("received", "online", "on_time", "late")} == {
        "received": 3, "online": 1, "on_time": 1, "late": 1}
    assert [(g["field"], g["received"]) for g in dossiers["by_field"]] == [("Chứng thực", 1), ("Hộ tịch", 2)]


def test_the_saved_map_still_finds_its_columns_when_spaces_case_or_unicode_form_differ(make_app) -> None:
    api = make_app()
    _map_once(api)
    header, rest = RENAMED.decode().split("\r\n", 1)
    changed = unicodedata.normalize("NFD", header.replace("Số hồ sơ", " SỐ HỒ SƠ ").replace("Hạn trả", "Hạn  trả"))
    assert _send(api, "/api/admin/dossiers/import", (changed + "\r\n" + rest).encode()).get_json()["imported"] == 3


def test_an_export_missing_a_mapped_column_is_refused_naming_it_and_imports_nothing(make_app) -> None:
    api = make_app()
    _map_once(api)
    lacking = RENAMED.decode().replace("Ngày nhận hồ sơ", "Ngày").encode()  # another export: "Ngày" only
    refused = _send(api, "/api/admin/dossiers/import", lacking)
    assert refused.status_code == 422
    assert refused.get_json()["error"] == {
        "code": "invalid_dossier_file",
        "message": 'Tệp không có cột "Ngày nhận hồ sơ" (cho Ngày tiếp nhận); xin chọn lại cột cho đúng tệp.'}
    assert api.client.get(QUARTER, headers=api.auth("admin")).get_json()["dossiers"] is None  # nothing imported
