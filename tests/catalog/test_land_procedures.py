"""The commune's land procedures (issue 14.6): everyday land words find them, and their unchecked values are listed."""

from __future__ import annotations

import csv
import unicodedata

import pytest

from queue_server.catalog.model import FIELD_NAMES
from tests.support.catalog import SAMPLE_CATALOG

FIRST_TIME = "1.013978"  # đăng ký, cấp Giấy chứng nhận lần đầu
TRANSFER = "1.013831"  # đăng ký biến động (chuyển nhượng, thừa kế, tặng cho…)
SPLIT = "1.012784"  # tách thửa, hợp thửa
EXCHANGE = "1.012783"  # cấp đổi Giấy chứng nhận
LOST = "1.012786"  # cấp lại Giấy chứng nhận bị mất
CHANGE_USE = "1.013949"  # giao đất, cho thuê, chuyển mục đích sử dụng đất
LAND_CODES = (FIRST_TIME, TRANSFER, SPLIT, EXCHANGE, LOST, CHANGE_USE)
UNVERIFIED = SAMPLE_CATALOG.with_name("commune_procedures.unverified.tsv")


def codes(index, query: str, top: int = 3) -> list[str]:
    """The codes of the best results."""
    return [hit.procedure.code for hit in index.search(query, limit=top)]


@pytest.mark.parametrize(("query", "code"), [
    ("tách thửa", SPLIT), ("tach thua", SPLIT), ("tach thuaa", SPLIT), ("tachs thuwar", SPLIT),
    ("chia đất", SPLIT), ("tách sổ", SPLIT),
    ("làm sổ", FIRST_TIME), ("lam so", FIRST_TIME), ("làm sổ đỏ", FIRST_TIME), ("lam so do", FIRST_TIME),
    ("cấp sổ đỏ lần đầu", FIRST_TIME),
    ("sang tên sổ đỏ", TRANSFER), ("sang ten", TRANSFER), ("đăng ký biến động", TRANSFER),
    ("mất sổ đỏ", LOST), ("mat so do", LOST), ("đổi sổ đỏ", EXCHANGE),
    ("lên thổ cư", CHANGE_USE), ("len tho cu", CHANGE_USE), ("chuyen muc dich su dung dta", CHANGE_USE),
])
def test_everyday_land_words_put_the_procedure_first(index, query, code):
    assert codes(index, query, top=1) == [code]


@pytest.mark.parametrize("query", ["sổ đỏ", "so do", "so dor", "sổ hồng"])
def test_so_do_brings_the_certificate_procedures_before_anything_else(index, query):
    top = codes(index, query, top=2)  # the third may be the contract about it at Chứng thực
    assert set(top) <= set(LAND_CODES), top


def test_tach_so_ho_khau_is_still_about_the_household_not_land(index):
    assert codes(index, "tách sổ hộ khẩu", top=1) != [SPLIT]


def test_the_land_procedures_go_to_the_cadastral_counter_with_steps_and_channels(sample):
    land = {p.code: p for p in sample.procedures if p.code in LAND_CODES}
    assert sorted(land) == sorted(LAND_CODES)
    for procedure in land.values():
        assert procedure.field == "Đất đai" and procedure.service == "DC"
        assert len(procedure.steps) >= 4 and procedure.documents and procedure.legal_basis
        assert "direct" in procedure.channels
        assert "(*)" not in procedure.name  # a mark of the national data, not ours to add to a name


def unverified_rows() -> list[dict[str, str]]:
    """The rows of the table of unchecked values."""
    with UNVERIFIED.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_every_unchecked_value_names_a_procedure_of_the_sample_and_one_of_its_fields(sample):
    known = {p.code for p in sample.procedures}
    rows = unverified_rows()
    assert rows
    for row in rows:
        assert row["code"] in known and row["field"] in FIELD_NAMES, row
        assert row["note"] and unicodedata.is_normalized("NFC", row["note"]), row


def test_every_land_code_we_could_not_check_is_listed_as_unchecked():
    listed = {row["code"] for row in unverified_rows() if row["field"] == "code"}
    assert set(LAND_CODES) <= listed
