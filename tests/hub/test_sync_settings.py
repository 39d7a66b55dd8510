"""``[sync]`` in the office file: the hub's address and the office's code; the token never in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from queue_server.config import ConfigError, load_config
from queue_server.hub.sync_settings import TOKEN_ENV, shipped_settings, sync_settings
from tests.support.servers import office_config


def office_with_sync(tmp_path: Path, lines: str) -> Path:
    path = office_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "\n[sync]\n" + lines, encoding="utf-8")
    return path


def test_an_office_without_sync_does_not_sync(tmp_path: Path) -> None:
    assert sync_settings(load_config(office_config(tmp_path)), environ={}) is None


def test_the_token_comes_from_the_environment_first(tmp_path: Path) -> None:
    config = load_config(office_with_sync(tmp_path, 'hub_url = "https://hub.tinh.gov.vn/"\noffice_code = "XA01"\n'))
    settings = sync_settings(config, environ={TOKEN_ENV: " secret \n"})
    assert settings is not None
    assert (settings.hub_url, settings.office_code, settings.token) == ("https://hub.tinh.gov.vn", "XA01", "secret")
    assert (settings.batch_events, settings.interval_seconds) == (5000, 10.0)


def test_the_token_file_is_read_when_the_environment_has_none(tmp_path: Path) -> None:
    token_file = tmp_path / "hub-token"
    config = load_config(office_with_sync(tmp_path, 'hub_url = "http://10.0.0.5:8090"\noffice_code = "XA01"\n'
                                                    f'token_file = "{token_file}"\ninterval_seconds = 30\n'))
    with pytest.raises(ConfigError, match="sync.token_file: cannot read"):
        sync_settings(config, environ={})
    token_file.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        sync_settings(config, environ={})
    token_file.write_text("from-file\n", encoding="utf-8")
    settings = sync_settings(config, environ={})
    assert settings is not None and (settings.token, settings.interval_seconds) == ("from-file", 30.0)


def test_a_token_written_in_the_office_file_is_refused(tmp_path: Path) -> None:
    config = load_config(office_with_sync(tmp_path, 'hub_url = "https://hub"\noffice_code = "XA01"\ntoken = "x"\n'))
    with pytest.raises(ConfigError, match="sync.token.*never put the token in the office file"):
        sync_settings(config, environ={TOKEN_ENV: "t"})


def test_an_unknown_key_or_a_bad_address_names_the_key(tmp_path: Path) -> None:
    bad_key = load_config(office_with_sync(tmp_path, 'hub_url = "https://hub"\noffice_code = "A"\nhub = 1\n'))
    with pytest.raises(ConfigError, match="sync.hub"):
        sync_settings(bad_key, environ={TOKEN_ENV: "t"})
    bad_url = load_config(office_with_sync(tmp_path, 'hub_url = "hub.tinh.gov.vn"\noffice_code = "A"\n'))
    with pytest.raises(ConfigError, match="sync.hub_url"):
        sync_settings(bad_url, environ={TOKEN_ENV: "t"})


def test_the_hub_gets_the_report_settings_but_not_the_sync_section_nor_local_folders(tmp_path: Path) -> None:
    config = load_config(office_with_sync(tmp_path, 'hub_url = "https://hub"\noffice_code = "XA01"\n'))
    shipped = shipped_settings(config)
    assert set(shipped) <= {"office", "queue", "limits", "services", "counters", "ratings", "reports"}
    assert {"office", "services", "counters", "ratings"} <= set(shipped)
    assert "files_dir" not in shipped["office"] and "sync" not in shipped
