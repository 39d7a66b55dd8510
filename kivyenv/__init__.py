"""Kivy's environment for the device apps, set before Kivy is first imported (importing Kivy reads it).

One ``prepare_kivy`` for the kiosk and the lobby board, so both windows behave
alike (no argv parsing, Kivy's home in the user's state folder, no Esc to quit,
no multisampling). A package of its own because the kiosk and the display may
not import each other (README, "Layers"); it imports nothing of the project.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import tempfile
from pathlib import Path

from platformdirs import user_state_dir

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (glibc malloc.h)


def kivy_home_dir() -> Path:
    """Kivy's own folder (its config.ini, logs): ``$KIVY_HOME`` or ``<user state>/motcua/kivy``, never the package."""
    if os.environ.get("KIVY_HOME"):
        return Path(os.environ["KIVY_HOME"])
    return Path(user_state_dir("motcua", appauthor=False)) / "kivy"


def prepare_kivy(width: int, height: int, fullscreen: bool = False, kivy_home: Path | None = None, *,
                 resizable: bool | None = None, python_logging: bool = False) -> None:
    """No argv parsing, KIVY_HOME in the user's state folder, the window size; idempotent.

    ``resizable`` defaults to "when windowed" (the kiosk); the board passes
    False, its layout is built for one size. ``python_logging`` hands Kivy's
    warnings to the process's Python logging (the board's command sets it up)
    instead of Kivy's own, silent, handlers.
    """
    return_big_buffers_to_the_system()
    _set_environment(python_logging)
    if kivy_home is not None:
        os.environ["KIVY_HOME"] = str(kivy_home)
    elif not os.environ.get("KIVY_HOME"):
        home = kivy_home_dir()
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError:  # no writable home (a locked-down kiosk account): a private temporary folder
            home = Path(tempfile.mkdtemp(prefix="motcua-kivy-"))
        os.environ["KIVY_HOME"] = str(home)
    if resizable is None:
        resizable = not fullscreen
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "1" if resizable else "0")
    Config.set("kivy", "exit_on_escape", "0")  # a citizen pressing Esc must not close the kiosk or the board
    Config.set("input", "mouse", "mouse,disable_multitouch")  # no red multitouch dots on a right click
    Config.set("kivy", "keyboard_mode", "system")  # our own on-screen keyboard, never Kivy's
    Config.set("graphics", "maxfps", "60")  # Kivy draws only when something changed; a cap, not a rate
    # No multisampling: on a cheap PC rendering in software (llvmpipe) it multiplies the cost of
    # every frame, and the kiosk draws big flat shapes and text that need no antialiasing.
    Config.set("graphics", "multisamples", "0")
    if python_logging:
        Config.set("kivy", "log_level", "warning")


def _set_environment(python_logging: bool) -> None:
    """The environment variables Kivy reads when it is first imported."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "0" if python_logging else "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    # MIXED never swallows stderr (tracebacks, CLI messages); PYTHON sends Kivy's records to the root logger.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON" if python_logging else "MIXED")


def return_big_buffers_to_the_system() -> None:
    """Large buffers (text surfaces, pixels, framebuffers) go back to the system when freed.

    glibc raises its mmap threshold each time a large buffer is freed, after
    which buffers of that size come from the heap and stay in the process; the
    kiosk frees many short-lived multi-megabyte buffers while it draws. Fixed
    thresholds kept its resident memory ~10 MB lower (measured). No-op off glibc.
    """
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(M_MMAP_THRESHOLD, 256 * 1024)
        libc.mallopt(M_TRIM_THRESHOLD, 1024 * 1024)
    except (OSError, AttributeError, TypeError):  # not glibc (macOS, musl without mallopt, Windows)
        return


def has_display() -> bool:
    """Whether a real screen is there (X11 or Wayland); without one Kivy renders offscreen."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
