"""The catalogue in the office database: whole versions, atomic imports, the sample."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from queue_server.catalog.model import Procedure
from queue_server.catalog.store import (
    active_catalog,
    apply_migrations,
    catalog_revision,
    catalog_versions,
    ensure_sample_catalog,
    import_catalog,
    open_database,
)
from queue_server.config import ConfigError, load_config
from tests.support.catalog import COMMUNE


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(tmp_path / "office.db")
    apply_migrations(database)
    yield database
    database.close()


def proc(code: str, name: str = "Đăng ký khai sinh") -> Procedure:
    return Procedure(code=code, name=name, field="Hộ tịch", service="HT")


def test_an_import_becomes_the_live_version(db):
    revision = import_catalog(db, "v1", [proc("1.1"), proc("1.2", "Đăng ký khai tử")])
    live = active_catalog(db)
    assert (live.version, live.revision, revision) == ("v1", 1, 1)
    assert [p.code for p in live.procedures] == ["1.1", "1.2"]
    assert live.procedures[0].catalog_version == "v1"


def test_importing_a_version_again_replaces_it_whole(db):
    import_catalog(db, "v1", [proc("1.1"), proc("1.2")])
    import_catalog(db, "v1", [proc("1.3")])
    assert [p.code for p in active_catalog(db).procedures] == ["1.3"]
    assert catalog_revision(db) == 2
    assert [v["procedure_count"] for v in catalog_versions(db)] == [1]


def test_a_new_version_keeps_the_old_one_on_record(db):
    import_catalog(db, "v1", [proc("1.1")])
    import_catalog(db, "v2", [proc("2.1")])
    assert active_catalog(db).version == "v2"
    assert {v["version"] for v in catalog_versions(db)} == {"v1", "v2"}


def test_a_failed_import_changes_nothing(db):
    import_catalog(db, "v1", [proc("1.1")])
    with pytest.raises(sqlite3.IntegrityError):
        import_catalog(db, "v1", [proc("9.9"), proc("9.9")])  # the store's own guard, past the codec
    live = active_catalog(db)
    assert (live.version, live.revision, [p.code for p in live.procedures]) == ("v1", 1, ["1.1"])


def test_procedures_come_back_whole(db, sample):
    import_catalog(db, sample.version, sample.procedures)
    assert active_catalog(db).procedures == tuple(replace(p, catalog_version=sample.version) for p in sample.procedures)


def test_an_empty_database_has_no_catalogue(db):
    assert active_catalog(db).version is None and active_catalog(db).procedures == ()


def test_the_sample_office_gets_its_catalogue_once(db):
    config = load_config(COMMUNE)
    assert ensure_sample_catalog(db, config) == "xa-2025.07"
    assert len(active_catalog(db).procedures) == 62
    assert {p.service for p in active_catalog(db).procedures} == {"HT", "VP", "DC", "VH"}
    assert ensure_sample_catalog(db, config) is None
    assert catalog_revision(db) == 1


def test_migrations_can_run_twice(db):
    apply_migrations(db)
    assert "catalog_procedures" in db.table_names()


def test_a_missing_catalogue_file_is_a_config_error_naming_the_key(db, tmp_path):
    office = tmp_path / "office.toml"
    text = COMMUNE.read_text(encoding="utf-8").replace('file = "commune_procedures.json"', 'file = "nowhere.json"')
    office.write_text(text.replace('field_services = "commune_procedures.services.tsv"', ""), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"catalog\.file: no such file .*nowhere\.json"):
        ensure_sample_catalog(db, load_config(office))
    assert active_catalog(db).version is None
