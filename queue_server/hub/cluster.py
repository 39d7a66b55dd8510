"""A throwaway PostgreSQL cluster in a temp folder, for tests, benchmarks and a province demo.

PostgreSQL refuses to run as root, so when we are root ``initdb`` and
``pg_ctl`` run as the ``postgres`` OS user (Debian's ``postgresql``
package makes it) and the folder is handed to that user. The cluster
listens on 127.0.0.1 only, with its unix socket inside the folder, and
trusts local connections: it holds nothing but test data and dies with it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "motcua"


def postgres_bin() -> Path:
    """The folder of ``initdb``/``pg_ctl``: Debian's newest /usr/lib/postgresql/N/bin, else the PATH's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (./run install does)")
    return Path(pg_ctl).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TempCluster:
    """initdb + pg_ctl start on a free loopback port; ``stop()`` stops it and deletes the folder."""

    def __init__(self, port: int | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="motcua-pg-"))
        self.port = port or _free_port()
        self.bin = postgres_bin()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:  # the folder must belong to the user running the server
            shutil.chown(self.folder, user="postgres")
        self.running = False

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq connection string to a database of this cluster."""
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={dbname}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=self.folder)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> TempCluster:
        """Create the cluster (once) and start it; fsync off, as nothing in it must survive a crash of the machine."""
        if not self.data.exists():
            self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "-N")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")
        self.running = True
        return self

    def create_database(self, name: str) -> str:
        """A new empty database; returns its DSN."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self, delete: bool = True) -> None:
        """Stop the server (fast shutdown) and, by default, delete its folder."""
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.running = False
        if delete:
            shutil.rmtree(self.folder, ignore_errors=True)
