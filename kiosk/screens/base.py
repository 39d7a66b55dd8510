"""What every kiosk screen has: a name, words to read aloud, a reset, server calls off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from importlib import resources
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from queue_server.client import ApiError, ServerUnreachable
from queue_server.device_token import refused

from ..messages import message_for


def load_kv(module_file: str) -> None:
    """Load the .kv file that sits next to a screen module (shipped with it as package data)."""
    name = Path(module_file).with_suffix(".kv").name
    Builder.load_file(str(resources.files("kiosk.screens") / name))


class KioskScreen(Screen):
    """Base of the kiosk's screens."""

    @property
    def app(self) -> Any:
        """The running kiosk app."""
        return App.get_running_app()

    def spoken_text(self, lang: str) -> str:
        """The screen's main text, for the read-aloud button."""
        return ""

    def reset(self) -> None:
        """Forget what the citizen typed or chose (Home, idle time-out)."""

    def reconnected(self) -> None:
        """The server answers again: reload what failed."""

    def call(self, job: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[ApiError, str], None] | None = None) -> Future:
        """Run a server call in the background; ``on_error(error, message)`` gets plain words."""
        app = self.app

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, ApiError):
                exc = ApiError(0, "client_error", str(exc))
            if isinstance(exc, ServerUnreachable):
                app.report_unreachable()
            else:
                app.report_reachable()
            if refused(exc):  # a saved token revoked since: the app pairs again
                app.token_refused()
            if on_error is not None:
                on_error(exc, message_for(exc, app.lang))

        def done(result: Any) -> None:
            app.report_reachable()
            on_done(result)

        return app.worker.submit(job, done, failed)
