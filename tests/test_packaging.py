"""The package works when installed, not only from the checkout.

The editable install of ``./run`` reads every file from the checkout, so it
hides a wheel that lacks templates, scripts, lexicons or the sample offices.
These tests build the wheel from the tracked files alone (as a fresh clone
would), check what it holds, and run it installed in a venv of its own from
an empty folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
import requests

from tests.support.live_server import free_port

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("queue_server", "printers", "kiosk", "display", "speech", "kivyenv", "wording")
LOCK = PROJECT / "requirements.lock"

pytestmark = pytest.mark.e2e


def _tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=PROJECT,
                            capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the tracked files (what a fresh clone holds)."""
    source = tmp_path_factory.mktemp("source")
    for name in _tracked_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        original = PROJECT / name
        if original.is_symlink():
            target.symlink_to(os.readlink(original))
        elif original.is_file():
            shutil.copy2(original, target)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                   check=True, timeout=600, capture_output=True)
    (built,) = out.glob("motcua-*.whl")
    return built


def test_the_wheel_holds_every_file_of_every_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    wanted = {name for name in _tracked_files()
              if name.split("/")[0] in PACKAGES and not (PROJECT / name).is_symlink()}
    missing = sorted(wanted - inside)
    assert not missing, f"not in the wheel: {missing}"
    assert "queue_server/offices/commune.toml" in inside and "queue_server/web/templates/display.html" in inside
    assert not [name for name in inside if name.startswith(("tests/", "bench/", "docs/", "config/"))]
    entry_points = next(name for name in inside if name.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "motcua = queue_server.cli:main" in archive.read(entry_points).decode()


ASSET = re.compile(r'<(?:script[^>]*\bsrc|link[^>]*\bhref)="([^"]+)"')


def _assets(html: str) -> list[str]:
    return [url for url in ASSET.findall(html) if not url.startswith(("http:", "https:", "data:", "#"))]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, Path]:
    """A fresh venv outside the checkout with the wheel and its ``server`` extra, at the locked versions."""
    root = tmp_path_factory.mktemp("installed")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-c", str(LOCK),
                    f"{wheel}[server]"], check=True, timeout=900, capture_output=True)
    empty, home = root / "empty", root / "home"
    empty.mkdir()
    home.mkdir()
    return {"motcua": venv / "bin" / "motcua", "cwd": empty, "home": home}


def _env(installed: dict[str, Path]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MOTCUA_", "PYTHON", "KIVY_", "ESCPOS_", "XDG_"))}
    return {**env, "HOME": str(installed["home"])}


def _run(installed: dict[str, Path], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(installed["motcua"]), *args], cwd=installed["cwd"], env=_env(installed),
                          input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"motcua {' '.join(args)}: {done.stderr}"
    return done.stdout + done.stderr


def test_installed_wheel_inits_serves_and_every_page_loads(installed):
    _run(installed, "init")
    assert (installed["home"] / ".local" / "share" / "motcua" / "motcua.db").exists()
    added = _run(installed, "device", "add", "kiosk-1", "--role", "kiosk")
    token = re.search(r"\b[A-Za-z0-9_-]{32,}\b", added).group(0)
    port = free_port()
    log_path = installed["cwd"].parent / "serve.log"
    with open(log_path, "wb") as log:  # the child keeps its own copy of the handle
        server = subprocess.Popen([str(installed["motcua"]), "serve", "--port", str(port)], cwd=installed["cwd"],
                                  env=_env(installed), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert server.poll() is None, log_path.read_text(errors="replace")
            try:
                if requests.get(base + "/api/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        ticket = requests.post(base + "/api/tickets", json={"service": "HT"}, timeout=10,
                               headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
        assert ticket.status_code == 201, ticket.text
        status_path = "/t/" + ticket.json()["ticket"]["status_url"].rsplit("/t/", 1)[1]
        pages = ["/", "/console/login", "/admin/login", "/display", "/dat-lich", status_path]
        fetched = set()
        for page in pages:
            answer = requests.get(base + page, timeout=10)
            assert answer.status_code == 200, f"{page}: {answer.status_code}"
            assets = _assets(answer.text)
            assert page == "/" or assets, f"{page} links no script or stylesheet"
            for asset in assets:
                url = requests.compat.urljoin(base + page, asset)
                if url not in fetched:
                    got = requests.get(url, timeout=10)
                    assert got.status_code == 200 and got.content, f"{page} links {asset}: {got.status_code}"
                    fetched.add(url)
        assert requests.get(base + "/api/openapi.json", timeout=10).json()["paths"]
        assert requests.get(base + "/api/procedures?q=khai+sinh", timeout=10).json()["results"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not list(installed["cwd"].iterdir()), "the server wrote into the folder it was started from"
