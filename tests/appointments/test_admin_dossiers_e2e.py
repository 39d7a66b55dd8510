"""The provincial one-stop system's export imported on /admin, in headless Chromium (issue 15.2): the columns are
mapped once, a CSV and then an XLSX export reach the quarter's report cards, and a file with a wrong column gets a
Vietnamese message and changes nothing.

The in-process app on its fake clock (Monday 2 March 2026, 08:00: the report opens on the first quarter of 2026).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import headless_chromium, sign_in, wait_until
from tests.support.live_server import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

CSV_EXPORT = (
    "\ufeffSTT;Mã hồ sơ;Lĩnh vực;Ngày tiếp nhận;Ngày hẹn trả;Ngày có kết quả;Hình thức nộp\r\n"
    "1;H12.22-260105-0001;Hộ tịch;05/01/2026;05/01/2026;05/01/2026;Trực tiếp\r\n"
    "2;H12.22-260112-0002;Chứng thực;12/01/2026;13/01/2026;15/01/2026;Trực tuyến\r\n"
    "3;H12.22-260203-0003;Hộ tịch;03/02/2026;06/02/2026;05/02/2026;Trực tiếp\r\n"
)
"""Three dossiers of January–February: two on time, one late, one online."""


@pytest.fixture(scope="module")
def desk() -> Iterator[Any]:
    """The office head's PC browser."""
    with headless_chromium("1366,900") as driver:
        yield driver


def card(driver: Any, label: str) -> str:
    """The figure on the report card with this label ("" when it is not shown)."""
    for element in driver.find_elements("css selector", "#cards .card"):
        if element.find_element("tag name", "span").text == label:
            return str(element.find_element("tag name", "b").text)
    return ""


def xlsx_export(path: Path) -> Path:
    """Two more dossiers as the province's XLSX export: real date cells, the same column names."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["STT", "Mã hồ sơ", "Lĩnh vực", "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày có kết quả", "Hình thức nộp"])
    sheet.append([1, "H12.22-260210-0004", "Địa chính", date(2026, 2, 10), date(2026, 2, 20), date(2026, 2, 27),
                  "Trực tiếp"])
    sheet.append([2, "H12.22-260216-0005", "Hộ tịch", date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 17),
                  "Dịch vụ công trực tuyến"])
    book.save(path)
    return path


def read_and_import(driver: Any, path: Path) -> None:
    """Choose the file, read it, keep the mapped columns and import."""
    driver.find_element("id", "dossier-file").send_keys(str(path))
    driver.find_element("id", "dossier-read").click()
    wait_until(lambda: driver.find_element("id", "dossier-columns").is_displayed(), "the column choices")
    driver.find_element("id", "dossier-import").click()


def test_the_head_imports_a_csv_then_an_xlsx_and_a_wrong_file_changes_nothing(served, desk, tmp_path) -> None:
    site = served()
    sign_in(desk, site.url, "/admin/login", "admin", ADMIN_PASSWORD)
    wait_until(lambda: desk.find_elements("id", "dossier-file"))

    csv_file = tmp_path / "xuat-quy-1.csv"
    csv_file.write_bytes(CSV_EXPORT.encode())
    read_and_import(desk, csv_file)
    wait_until(lambda: "Đã nhập 3 hồ sơ từ xuat-quy-1.csv." in desk.find_element("id", "dossier-message").text)
    wait_until(lambda: card(desk, "Hồ sơ tiếp nhận") == "3", "the report's dossier cards")
    assert (card(desk, "Hồ sơ trực tuyến"), card(desk, "Đúng hạn"), card(desk, "Quá hạn")) == ("1", "2", "1")
    saved = site.app.client.get("/api/admin/dossiers/columns", headers=site.app.auth("admin")).get_json()
    assert saved["columns"]["received_on"] == "Ngày tiếp nhận"  # mapped once, kept for the next export

    read_and_import(desk, xlsx_export(tmp_path / "xuat-quy-1.xlsx"))
    wait_until(lambda: "Đã nhập 2 hồ sơ từ xuat-quy-1.xlsx." in desk.find_element("id", "dossier-message").text)
    wait_until(lambda: card(desk, "Hồ sơ tiếp nhận") == "5", "the cards with the XLSX's dossiers")
    assert (card(desk, "Hồ sơ trực tuyến"), card(desk, "Đúng hạn"), card(desk, "Quá hạn")) == ("2", "3", "2")

    wrong = tmp_path / "xuat-sai.csv"  # a date column holding words: the whole file is refused, naming the row
    wrong.write_bytes(CSV_EXPORT.replace("0001", "0009").replace("05/01/2026;05/01/2026;05/01/2026",
                                                                "mai;05/01/2026;05/01/2026").encode())
    read_and_import(desk, wrong)
    refused = 'Dòng 2 (hồ sơ H12.22-260105-0009): ngày "mai"'
    wait_until(lambda: refused in desk.find_element("id", "dossier-message").text)
    desk.find_element("css selector", "#period-form button[type=submit]").click()
    wait_until(lambda: card(desk, "Hồ sơ tiếp nhận") == "5", "the cards after the refused file")
