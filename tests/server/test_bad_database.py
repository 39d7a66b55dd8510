"""``motcua init`` and ``motcua serve`` on a database they cannot use (issue 17.1).

Each refuses in one line that names the file, what is wrong and what to do,
exits 1 and leaves the folder exactly as it was (same names, bytes and
mtimes: no -wal, -shm or .lock beside it). ``init`` runs in-process through
``main()``, ``serve`` as a real process.

Read-only cases: the tests run as root, for whom mode bits do not stop a
write, so the file or folder is made immutable (``chattr +i``), which stops
root too; where that is not possible the case is skipped, never faked.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from queue_server.cli import main
from tests.support.live_server import COMMUNE, PROJECT, free_port

RESTORE = "motcua restore BACKUP.db --db {path}"


@pytest.fixture(scope="module")
def sound_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database made by ``motcua init`` (checkpointed into the main file), copied by each case."""
    path = tmp_path_factory.mktemp("sound") / "motcua.db"
    assert main(["init", "--config", str(COMMUNE), "--db", str(path)]) == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file to copy and damage
    conn.close()
    return path


def snapshot(folder: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every entry of the folder: its bytes (None for a folder) and mtime, to prove nothing changed."""
    return {entry.name: (None if entry.is_dir() else entry.read_bytes(), entry.stat().st_mtime_ns)
            for entry in sorted(folder.iterdir())}


def run_init(path: Path, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    """``motcua init`` in-process: (status, stdout, stderr)."""
    capsys.readouterr()
    status = main(["init", "--config", str(COMMUNE), "--db", str(path)])
    out, err = capsys.readouterr()
    return status, out, err


def run_serve(path: Path, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    """``motcua serve`` as a real process (a server that started would time the test out: a failure)."""
    result = subprocess.run([sys.executable, "-m", "queue_server", "serve", "--config", str(COMMUNE), "--db", str(path),
                             "--port", str(free_port())],
                            cwd=PROJECT, capture_output=True, text=True, timeout=30, check=False)
    return result.returncode, result.stdout, result.stderr


COMMANDS = pytest.mark.parametrize("command", [run_init, run_serve], ids=["init", "serve"])


def assert_refused(command: Callable, path: Path, capsys: pytest.CaptureFixture, *words: str) -> str:
    """The command exits 1 with one line naming the file and ``words``, and its folder is unchanged."""
    folder = path.parent if path.parent.exists() else path.parent.parent
    before = snapshot(folder)
    status, out, err = command(path, capsys)
    assert (status, out) == (1, ""), err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"motcua: {path}: "), err
    assert "nothing was changed" in err
    for word in words:
        assert word in err
    assert snapshot(folder) == before
    return err


@COMMANDS
def test_a_file_that_is_not_a_database_is_refused_and_kept(command, tmp_path: Path, capsys) -> None:
    path = tmp_path / "motcua.db"
    path.write_bytes(b"PK\x03\x04 a spreadsheet, not the queue " * 500)
    err = assert_refused(command, path, capsys, "not a SQLite database", RESTORE.format(path=path))
    assert err == (f"motcua: {path}: not a SQLite database (file is not a database); nothing was changed; "
                   f"check --db names the office database, else put back the last good backup with the server "
                   f"stopped: motcua restore BACKUP.db --db {path} (a copy `motcua backup` wrote; the service "
                   f"keeps them in /var/backups/motcua)\n")


@COMMANDS
def test_a_damaged_page_is_refused_with_the_restore_command(command, sound_db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "motcua.db"
    shutil.copyfile(sound_db, path)
    page_size, root_page = tickets_root_page(path)
    with open(path, "r+b") as handle:
        handle.seek((root_page - 1) * page_size)
        handle.write(b"\xff" * 200)  # the tickets table's root page: its header is nonsense now
    assert_refused(command, path, capsys, "damaged", RESTORE.format(path=path))


@COMMANDS
def test_a_truncated_file_is_refused_with_the_restore_command(command, sound_db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "motcua.db"
    path.write_bytes(sound_db.read_bytes()[:5000])  # a copy cut short by a full disk or a pulled stick
    assert_refused(command, path, capsys, "damaged (database disk image is malformed)", RESTORE.format(path=path))


@COMMANDS
def test_a_folder_in_place_of_the_database_is_refused(command, tmp_path: Path, capsys) -> None:
    path = tmp_path / "motcua.db"
    path.mkdir()
    assert_refused(command, path, capsys, "a folder, not a database file", "pass --db with the database file")


@COMMANDS
def test_a_read_only_database_file_is_refused(command, sound_db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "motcua.db"
    shutil.copyfile(sound_db, path)
    with read_only(path):
        assert_refused(command, path, capsys, f"{path} is read-only for this user",
                       "give the user who runs motcua write access")


@COMMANDS
def test_a_database_in_a_read_only_folder_is_refused(command, sound_db: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    path = folder / "motcua.db"
    shutil.copyfile(sound_db, path)
    with read_only(folder):
        assert_refused(command, path, capsys, f"the folder {folder} is read-only", "make the folder writable")


@COMMANDS
def test_a_new_database_in_a_read_only_folder_is_refused(command, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    path = folder / "new" / "motcua.db"
    with read_only(folder):
        assert_refused(command, path, capsys, f"the folder {folder} is read-only")


def test_a_sound_database_still_starts(sound_db: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "motcua.db"
    shutil.copyfile(sound_db, path)
    assert run_init(path, capsys)[:2] == (
        0, f"Database ready: {path} (office: Trung tâm Phục vụ hành chính công xã Tân Phú)\n")


def tickets_root_page(path: Path) -> tuple[int, int]:
    """(page size, the tickets table's root page number)."""
    conn = sqlite3.connect(path)
    try:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
    finally:
        conn.close()
    return page_size, root


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` read-only for this user for real: chmod for a user, ``chattr +i`` for root (undone after)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root and cannot make a file immutable here (chattr +i): read-only not testable")
    try:
        assert not os.access(path, os.W_OK)
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
