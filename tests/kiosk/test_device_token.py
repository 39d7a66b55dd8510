"""Where a kiosk's or a board's token comes from, and its file: precedence, 0600, atomic, forgotten when refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from queue_server.client import ApiError, ServerUnreachable
from queue_server.device_token import (
    FILE,
    NONE,
    OPTION,
    choose_token,
    default_token_file,
    forget_token,
    read_token,
    refused,
    save_token,
)


def test_an_explicit_token_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-token"
    save_token(path, "dev_saved")
    chosen = choose_token("dev_typed", path)
    assert (chosen.token, chosen.origin, chosen.from_file) == ("dev_typed", OPTION, False)


def test_the_file_is_used_when_there_is_no_explicit_token(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-token"
    save_token(path, "dev_saved")
    chosen = choose_token(None, path)
    assert (chosen.token, chosen.origin, chosen.from_file) == ("dev_saved", FILE, True)


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_no_file_or_an_empty_one_means_pair_first(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "display-token"
    if content is not None:
        path.write_text(content)
    chosen = choose_token("  ", path)  # an empty $MOTCUA_TOKEN is no token either
    assert (chosen.token, chosen.origin) == (None, NONE)


def test_the_saved_file_is_readable_by_its_owner_only_and_holds_just_the_token(tmp_path: Path) -> None:
    path = tmp_path / "state" / "motcua" / "kiosk-token"
    save_token(path, "dev_abc\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == "dev_abc\n" and read_token(path) == "dev_abc"
    assert [p.name for p in path.parent.iterdir()] == ["kiosk-token"]  # no temporary file left beside it


def test_saving_again_replaces_the_token_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-token"
    path.write_text("old")
    os.chmod(path, 0o644)
    save_token(path, "dev_new")
    assert read_token(path) == "dev_new" and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_forgotten_token_leaves_no_file_and_forgetting_twice_is_harmless(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-token"
    save_token(path, "dev_abc")
    forget_token(path)
    forget_token(path)
    assert not path.exists() and choose_token(None, path).origin == NONE


def test_the_default_file_is_per_role_in_the_users_state_folder(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_token_file("kiosk") == tmp_path / "state" / "motcua" / "kiosk-token"
    assert default_token_file("display") == tmp_path / "state" / "motcua" / "display-token"
    with pytest.raises(ValueError):
        default_token_file("rating")


def test_only_a_refused_token_counts_as_refused() -> None:
    assert refused(ApiError(401, "invalid_token", "Mã không đúng"))
    assert not refused(ApiError(401, "unauthorized", "Xin đăng nhập"))
    assert not refused(ApiError(403, "forbidden", "Vai trò"))
    assert not refused(ServerUnreachable("down"))
