"""Where a kiosk's or a lobby board's token comes from, and its file (issue 15.1: paired by a code, never typed).

Precedence: ``--token`` / ``$MOTCUA_TOKEN`` (an installer's explicit choice),
else the token file (``--token-file``, default ``<user state>/motcua/<role>-token``),
else none, and the device shows its pairing screen. The file is written
atomically (a power cut leaves the old token or the new one, never half of
one) and readable only by its owner (mode 0600): the token lets a device take
numbers in the office's name. No Kivy here: both apps use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_state_dir

from .client import ApiError, ErrorCode

ROLES = ("kiosk", "display")
"""The devices that pair by a code on their first start (the rating tablet pairs from its browser)."""

OPTION, FILE, NONE = "option", "file", "none"
"""Where a token came from: ``--token``/``$MOTCUA_TOKEN``, the token file, or nowhere (pair first)."""

FILE_MODE = 0o600


def default_token_file(role: str) -> Path:
    """``<user state>/motcua/kiosk-token`` or ``…/display-token`` (``$XDG_STATE_HOME`` honoured)."""
    if role not in ROLES:
        raise ValueError(f"no token file for role {role!r}")
    return Path(user_state_dir("motcua", appauthor=False)) / f"{role}-token"


@dataclass(frozen=True)
class DeviceToken:
    """The token a device starts with (``None``: pair first), where it came from, and its file."""

    token: str | None
    origin: str  # OPTION | FILE | NONE
    path: Path

    @property
    def from_file(self) -> bool:
        """Whether a refusal of this token means the saved file is stale (delete it and pair again)."""
        return self.origin == FILE


def choose_token(explicit: str | None, path: Path) -> DeviceToken:
    """The token by precedence: an explicit one, else the file's, else none."""
    if explicit and explicit.strip():
        return DeviceToken(explicit.strip(), OPTION, path)
    saved = read_token(path)
    return DeviceToken(saved, FILE if saved else NONE, path)


def refused(error: BaseException) -> bool:
    """Whether the server refused the token itself (revoked or unknown), not the request."""
    return isinstance(error, ApiError) and error.status == 401 and error.code == ErrorCode.INVALID_TOKEN


def read_token(path: Path) -> str | None:
    """The token saved in ``path``; None when there is no file or it is empty."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def save_token(path: Path, token: str) -> None:
    """Write the token to ``path`` atomically, mode 0600 from its first byte (never world-readable, even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mkstemp makes it 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(token.strip() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def forget_token(path: Path) -> None:
    """Delete a token the server refused (revoked or unknown), so the next start pairs again."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename or a deletion in ``folder`` survive a power cut (best effort: not every system allows it)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
