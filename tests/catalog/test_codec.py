"""Catalogue files: validated row by row, errors name the row and the column."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.catalog.codec import (
    CatalogFileError,
    RowError,
    RowRules,
    detect_format,
    parse_field_services,
    read_catalog,
    write_catalog,
)
from queue_server.catalog.model import ChannelTerms, Document, Procedure

HEADER = "code,name,field,service,online_level,documents\n"


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(row + "\n" for row in rows)).encode("utf-8")


NO_RULES = RowRules()  # a row checked against its own shape only


def errors_of(data: bytes, fmt: str = "csv", rules: RowRules = NO_RULES) -> list[RowError]:
    with pytest.raises(CatalogFileError) as caught:
        read_catalog(data, fmt, source="test.csv", rules=rules)
    return caught.value.errors


def test_a_good_csv_row_becomes_a_procedure():
    catalog = read_catalog(csv_file("1.001193,Đăng ký khai sinh,Hộ tịch,HT,Toàn trình (*),Tờ khai;Giấy chứng sinh"),
                           "csv")
    (procedure,) = catalog.procedures
    assert procedure == Procedure(code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", service="HT",
                                  online_level="full", online_note="(*)",
                                  documents=(Document("Tờ khai"), Document("Giấy chứng sinh")))


def test_text_is_stored_nfc_whatever_the_file_uses():
    data = csv_file(f"1.1,{unicodedata.normalize('NFD', 'Đăng ký khai sinh')},Hộ tịch,,,")
    assert read_catalog(data, "csv").procedures[0].name == "Đăng ký khai sinh"


def test_a_bad_row_is_named_with_its_column():
    data = csv_file("1.1,Đăng ký khai sinh,Hộ tịch,,,", "1.2,,Hộ tịch,,,", "1.3,Đăng ký khai tử,Hộ tịch,,Nửa vời,")
    assert errors_of(data) == [
        RowError(3, "name", "empty; every procedure needs one"),
        RowError(4, "online_level", "'Nửa vời': use Toàn trình, Một phần or Không (or full, partial, none)"),
    ]


def test_a_missing_column_is_named():
    errors = errors_of(csv_file("1.1,Khai sinh", header="code,name\n"))
    assert errors == [RowError(1, "field", "missing column; the header must include code, name, field")]


def test_an_unknown_column_is_named():
    (error,) = errors_of(csv_file("1.1,Khai sinh,Hộ tịch,x", header="code,name,field,colour\n"))
    assert (error.row, error.column) == (1, "colour")


def test_a_duplicate_code_names_both_rows():
    (error,) = errors_of(csv_file("1.1,Khai sinh,Hộ tịch,,,", "1.2,Khai tử,Hộ tịch,,,", "1.1,Kết hôn,Hộ tịch,,,"))
    assert error == RowError(4, "code", "duplicate code '1.1' (first at row 2); each procedure once")


def test_invalid_utf8_is_located_by_row_and_column():
    data = csv_file("1.1,Khai sinh,Hộ tịch,,,", "1.2,Khai tX,Hộ tịch,,,").replace(b"Khai tX", b"Khai t\xe1")
    (error,) = errors_of(data)
    assert (error.row, error.column) == (3, "name")
    assert "not UTF-8" in error.message and "save the file as UTF-8" in error.message


def test_windows_1258_file_is_refused_not_mangled():
    data = b"code,name,field\n1.1,\xd0\xe3ng k\xfd,H\xf4\xf2 t\xecch\n"  # "Đăng ký,Hộ tịch" in Windows-1258
    errors = errors_of(data)
    assert errors and all("UTF-8" in e.message for e in errors)


def test_a_utf8_bom_is_fine():
    assert read_catalog(b"\xef\xbb\xbf" + csv_file("1.1,Khai sinh,Hộ tịch,,,"), "csv").procedures[0].code == "1.1"


def test_a_service_the_office_lacks_is_an_error():
    (error,) = errors_of(csv_file("1.1,Khai sinh,Hộ tịch,XX,,"), rules=RowRules(services=["HT", "VP"]))
    assert error == RowError(2, "service", "unknown service 'XX'; use one of HT, VP")


def test_rows_without_a_service_take_their_fields_service():
    rules = RowRules(services=["HT"], field_services=parse_field_services("field\tservice\nHộ tịch\tHT\n"))
    assert read_catalog(csv_file("1.1,Khai sinh,HỘ TỊCH,,,"), "csv", rules=rules).procedures[0].service == "HT"


def test_a_bad_code_is_refused():
    (error,) = errors_of(csv_file("1 001,Khai sinh,Hộ tịch,,,"))
    assert (error.row, error.column) == (2, "code")


@pytest.mark.parametrize("cell, level, note", [
    ("Toàn trình", "full", ""), ("Một phần (*)", "partial", "(*)"),
    ("Không (trực tiếp)", "none", "(trực tiếp)"), ("partial", "partial", ""), ("", None, ""),
])
def test_online_level_accepts_the_published_wording(cell, level, note):
    procedure = read_catalog(csv_file(f'1.1,Khai sinh,Hộ tịch,,"{cell}",'), "csv").procedures[0]
    assert (procedure.online_level, procedure.online_note) == (level, note)


def test_documents_may_be_structured_json_in_a_cell():
    cell = json.dumps([{"name": "Tờ khai", "kind": "original", "count": 1, "form": "TK01.docx"}], ensure_ascii=False)
    data = csv_file('1.1,Khai sinh,Hộ tịch,,,"' + cell.replace('"', '""') + '"')
    assert read_catalog(data, "csv").procedures[0].documents == (Document("Tờ khai", "original", 1, "TK01.docx"),)


def test_a_bad_document_count_is_named():
    cell = json.dumps([{"name": "Tờ khai", "count": -1}])
    (error,) = errors_of(csv_file('1.1,Khai sinh,Hộ tịch,,,"' + cell.replace('"', '""') + '"'))
    assert (error.row, error.column) == (2, "documents")


def test_json_rows_are_numbered_from_one():
    body = {"version": "v1", "procedures": [{"code": "1.1", "name": "A", "field": "B"}, {"code": "1.2", "field": "B"}]}
    (error,) = errors_of(json.dumps(body).encode(), "json")
    assert error == RowError(2, "name", "empty; every procedure needs one")


def test_json_declares_its_version():
    body = {"format": "motcua-catalog", "version": "2025-07",
            "procedures": [{"code": "1.1", "name": "A", "field": "B"}]}
    assert read_catalog(json.dumps(body).encode(), "json").version == "2025-07"


def test_broken_json_names_the_line():
    (error,) = errors_of(b'{"procedures": [\n{"code": }]}', "json")
    assert error.row == 2 and "not valid JSON" in error.message


def test_detect_format():
    assert detect_format("a.CSV") == "csv" and detect_format("b.json") == "json"
    with pytest.raises(ValueError):
        detect_format("c.xlsx")


def test_the_sample_catalogue_round_trips_through_csv(sample):
    again = read_catalog(write_catalog(sample.version, sample.procedures, "csv"), "csv")
    assert again.procedures == sample.procedures and again.version == sample.version


TEXT = st.text("aăâđêôơưáạấẬ \"',;[]\nĐ(*)–0", max_size=12).map(str.strip)
NAMES = TEXT.filter(bool).map(lambda t: t.replace(";", ","))


@st.composite
def procedures(draw) -> Procedure:
    nfc = lambda t: unicodedata.normalize("NFC", t)  # noqa: E731
    return Procedure(
        code=draw(st.from_regex(r"[0-9]\.[0-9]{6}", fullmatch=True)),
        name=nfc(draw(NAMES)), field=nfc(draw(NAMES)), fee=nfc(draw(TEXT)),
        steps=tuple(nfc(s) for s in draw(st.lists(NAMES, max_size=3))),
        channels=tuple(draw(st.lists(st.sampled_from(["direct", "online", "postal"]), max_size=3))),
        documents=tuple(Document(nfc(n), draw(st.sampled_from(["", "copy"])), draw(st.none() | st.integers(0, 5)))
                        for n in draw(st.lists(NAMES, max_size=3))),
        channel_terms=(ChannelTerms("online", nfc(draw(TEXT)), nfc(draw(TEXT))),),
        online_level=draw(st.sampled_from([None, "full", "partial", "none"])),
    )


@settings(max_examples=25, deadline=None)
@given(st.lists(procedures(), max_size=4, unique_by=lambda p: p.code), st.sampled_from(["csv", "json"]))
def test_any_catalogue_reads_back_as_written(items, fmt):
    catalog = read_catalog(write_catalog("v", items, fmt), fmt)
    assert list(catalog.procedures) == items
