"""`motcua catalog import|export`: whole files or nothing, errors that say where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from queue_server.catalog.store import active_catalog, apply_migrations, open_database
from queue_server.cli import main
from tests.support.catalog import COMMUNE, SAMPLE_CATALOG


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "office.db"


def run(*args: str) -> int:
    return main(["catalog", *args])


def live(db_path: Path):
    with open_database(db_path) as db:
        apply_migrations(db)
        return active_catalog(db)


def test_import_then_export_gives_the_same_catalogue(db_path, tmp_path, capsys):
    assert run("import", str(SAMPLE_CATALOG), "--db", str(db_path), "--config", str(COMMUNE)) == 0
    assert "Imported 62 procedures as catalogue version xa-2025.07" in capsys.readouterr().out
    out = tmp_path / "out.json"
    assert run("export", str(out), "--db", str(db_path)) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8"))


def test_export_to_csv_and_import_under_a_new_version(db_path, tmp_path):
    run("import", str(SAMPLE_CATALOG), "--db", str(db_path), "--config", str(COMMUNE))
    out = tmp_path / "catalogue.csv"
    assert run("export", str(out), "--db", str(db_path)) == 0
    assert out.read_text(encoding="utf-8").startswith("code,name,field,level,service,")
    assert run("import", str(out), "--version", "2026-01", "--db", str(db_path), "--config", str(COMMUNE)) == 0
    assert live(db_path).version == "2026-01" and len(live(db_path).procedures) == 62


def test_a_bad_file_is_refused_with_row_and_column_and_changes_nothing(db_path, tmp_path, capsys):
    run("import", str(SAMPLE_CATALOG), "--db", str(db_path), "--config", str(COMMUNE))
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,field,service\n1.1,Khai sinh,Hộ tịch,HT\n1.2,Khai tử,Hộ tịch,ZZ\n", encoding="utf-8")
    assert run("import", str(bad), "--version", "xa-2025.07", "--db", str(db_path), "--config", str(COMMUNE)) == 1
    assert "row 3, column service: unknown service 'ZZ'; use one of HT, VP, DC, VH" in capsys.readouterr().err
    assert live(db_path).revision == 1 and len(live(db_path).procedures) == 62


def test_invalid_utf8_is_refused(db_path, tmp_path, capsys):
    bad = tmp_path / "latin.csv"
    bad.write_bytes(b"code,name,field\n1.1,\xd0\xe3ng k\xfd,H\xf4\xf2 t\xecch\n")
    assert run("import", str(bad), "--db", str(db_path), "--config", str(COMMUNE)) == 1
    assert "row 2, column name: byte 0xd0 is not UTF-8" in capsys.readouterr().err
    assert live(db_path).version is None


def test_a_missing_file_and_an_unknown_format_are_one_line_errors(db_path, tmp_path, capsys):
    assert run("import", str(tmp_path / "nope.csv"), "--db", str(db_path), "--config", str(COMMUNE)) == 1
    (tmp_path / "x.xlsx").write_bytes(b"")
    assert run("import", str(tmp_path / "x.xlsx"), "--db", str(db_path), "--config", str(COMMUNE)) == 1
    err = capsys.readouterr().err
    assert "no such file" in err and "use a .csv or .json file" in err


def test_export_before_any_import_says_what_to_do(db_path, tmp_path, capsys):
    assert run("export", str(tmp_path / "x.json"), "--db", str(db_path)) == 1
    assert "motcua catalog import" in capsys.readouterr().err


def test_the_progress_bar_draws_on_a_terminal_only():
    import io

    from queue_server.catalog.cli import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen, pipe = Terminal(), io.StringIO()
    for stream in (screen, pipe):
        bar = ProgressBar("Ghi", stream)
        bar(1000, 2000)
        bar(2000, 2000)
    assert "\rGhi [###############...............] 1000/2000" in screen.getvalue()
    assert screen.getvalue().rstrip().endswith("s)") and pipe.getvalue() == ""
