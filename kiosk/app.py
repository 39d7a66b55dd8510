"""The Kivy app: wires the client, printer, reader, screens, idle timer and connection watch.

Kivy must be prepared (``kivyenv.prepare_kivy``) before this module is
imported; ``kiosk.launch`` does that and then builds this app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

import wording
from queue_server.client import QueueClient
from queue_server.device_token import FILE, NONE, DeviceToken, forget_token, refused, save_token
from queue_server.pairing_screen import Paired

from . import theme
from .idle import IdleTimer
from .kivy_tuning import draw_offscreen, tune_kivy
from .printing import PrintOutcome, TicketPrinter
from .read_aloud import Reader
from .settings import KioskSettings
from .texts import LANGUAGES, tr
from .vm_queue import TicketView, counters_of, service_name
from .worker import Worker

log = logging.getLogger(__name__)

WEEKDAYS_VI = wording.WEEKDAYS
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def screen_classes() -> list[tuple[str, type]]:
    """Every screen by name (imported here so each loads its own .kv once)."""
    from .screens.checkin import CheckinScreen
    from .screens.detail import DetailScreen
    from .screens.home import HomeScreen
    from .screens.pairing import PairingScreen
    from .screens.rate_comment import RateCommentScreen
    from .screens.rate_details import RateDetailsScreen
    from .screens.rate_overall import RateOverallScreen
    from .screens.rate_subject import RateSubjectScreen
    from .screens.search import SearchScreen
    from .screens.take_number import TakeNumberScreen
    from .screens.thanks import ThanksScreen
    from .screens.ticket import TicketScreen

    return [("home", HomeScreen), ("take_number", TakeNumberScreen), ("ticket", TicketScreen),
            ("search", SearchScreen), ("detail", DetailScreen), ("rate_subject", RateSubjectScreen),
            ("rate_overall", RateOverallScreen), ("rate_details", RateDetailsScreen),
            ("rate_comment", RateCommentScreen), ("thanks", ThanksScreen), ("checkin", CheckinScreen),
            ("pairing", PairingScreen)]


class Screens(dict):
    """The screens by name, each built on first use and added to the manager."""

    def __init__(self, manager: ScreenManager, classes: list[tuple[str, type]]) -> None:
        super().__init__()
        self.manager = manager
        self.classes = dict(classes)

    def __missing__(self, name: str) -> Any:
        screen = self.classes[name](name=name)
        self[name] = screen
        self.manager.add_widget(screen)
        return screen

    def pending(self) -> list[str]:
        """Screens not built yet, in the order they are listed."""
        return [name for name in self.classes if name not in self]


class KioskApp(App):
    """The lobby kiosk."""

    lang = StringProperty("vi")
    scale = NumericProperty(1.0)
    portrait = BooleanProperty(False)
    offline = BooleanProperty(False)
    clock_text = StringProperty("")
    settings = ObjectProperty(None)
    worker: Worker  # made in build(): answers come back on the UI thread, which exists only then
    manager: ScreenManager  # made in build(), from root.kv

    def __init__(self, client: QueueClient, settings: KioskSettings, printer: TicketPrinter, reader: Reader,
                 monotonic: Callable[[], float] = time.monotonic, token_source: DeviceToken | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client, self.settings, self.printer, self.reader = client, settings, printer, reader
        # Where the token came from (None: given by the caller, never paired nor saved, e.g. the tour).
        self.token_source = token_source
        self.monotonic = monotonic
        self.lang = settings.language
        self.title = tr("app.title", settings.language)
        self.history: list[str] = []
        self.services_cache: list[dict[str, Any]] = []
        self.idle = IdleTimer(settings.idle_seconds, monotonic())
        self.first_frame_at: float | None = None
        self._health_event = None
        self._unprimed: Any = None

    # -- wiring -------------------------------------------------------------------
    def build(self) -> Any:
        """Screens in a manager under the connection banner; timers and input hooks."""
        Window.clearcolor = theme.BACKGROUND
        tune_kivy()
        self.scale = theme.scale_for(*Window.size)
        self.portrait = self.settings.portrait if self.settings.orientation != "auto" else Window.height > Window.width
        # -1: answers are handled before the coming frame is drawn, not a tick later
        self.worker = Worker(lambda fn: Clock.schedule_once(lambda _dt: fn(), -1))
        Builder.load_file(str(resources.files("kiosk") / "root.kv"))
        root = Factory.KioskRoot()
        self.manager = root.ids.manager
        self.manager.transition = NoTransition()  # instant: no animation to wait for or to render in software
        self.screens = Screens(self.manager, screen_classes())
        self.screens["home"]  # the first screen added is the one shown
        Window.bind(on_touch_down=self._activity, on_key_down=self._activity, size=self._resized)
        Clock.schedule_interval(self._every_second, 1.0)
        Clock.schedule_once(self._first_frame, 0)
        self._update_clock()
        return root

    def _first_frame(self, _dt: float) -> None:
        self.first_frame_at = time.perf_counter()
        self._check_token()
        self.refresh_services()
        warm_up = getattr(self.printer, "warm_up", None)  # test printers may have none
        if warm_up is not None:
            self.worker.submit(warm_up, None, lambda exc: log.warning("printer warm-up failed: %r", exc))
        Clock.schedule_interval(self._build_next_screen, 0.05)

    def _build_next_screen(self, _dt: float) -> bool:
        """After the first frame, build the other screens one per tick and draw each once offscreen.

        A screen's texts become textures the first time they are drawn, which
        made the first tap of the day onto a screen ~270 ms instead of ~80 ms on
        a software-rendered PC; drawing each screen once, at its real size,
        while nobody is waiting, moves that cost here. Built on one tick, drawn
        on the next, so its layout has settled in between.
        """
        if self._unprimed is not None:
            screen, self._unprimed = self._unprimed, None
            if screen.parent is None:  # not on show already
                draw_offscreen(screen)
            return True
        pending = self.screens.pending()
        if not pending:
            return False
        screen = self.screens[pending[0]]
        screen.size, screen.pos = self.manager.size, self.manager.pos  # as the manager will show it
        self._unprimed = screen
        return True

    def refresh_services(self) -> None:
        """Keep the fields (names, prefixes, counters) for the screens that name them."""
        self.worker.submit(self.client.services, self._services_loaded, lambda _e: None)

    def _services_loaded(self, services: list[dict[str, Any]]) -> None:
        self.services_cache = services

    def _resized(self, _window: Any, size: tuple[int, int]) -> None:
        self.scale = theme.scale_for(*size)
        if self.settings.orientation == "auto":
            self.portrait = size[1] > size[0]

    def on_stop(self) -> None:
        """Let background threads go."""
        worker: Worker | None = getattr(self, "worker", None)  # None when the app stops before build()
        if worker is not None:
            worker.shutdown()

    def tr(self, key: str, lang: str, **values: Any) -> str:
        """Texts for kv rules (``lang`` is passed so the rule follows language changes)."""
        return tr(key, lang, **values)

    # -- navigation ------------------------------------------------------------------
    def go(self, name: str) -> None:
        """Open a screen, remembering where Back leads."""
        current = self.manager.current
        if current != name:
            self.history.append(current)
        self.screens[name]  # built now if the warm-up has not reached it yet
        self.manager.current = name

    def go_back(self) -> None:
        """The previous screen (Home when there is none)."""
        target = self.history.pop() if self.history else "home"
        if target in ("ticket", "thanks"):  # never back into a finished ticket or rating
            return self.go_back() if self.history else self.go_home()
        self.manager.current = target

    def go_home(self) -> None:
        """Home, forgetting everything the citizen typed or chose."""
        self.history.clear()
        self.manager.current = "home"
        for screen in self.screens.values():
            screen.reset()
        self.lang = self.settings.language

    def toggle_language(self) -> None:
        """Vietnamese ↔ English."""
        self.lang = LANGUAGES[(LANGUAGES.index(self.lang) + 1) % len(LANGUAGES)]
        self._update_clock()

    def read_aloud(self) -> None:
        """Speak the current screen's main text."""
        text = self.manager.current_screen.spoken_text(self.lang)
        if text and self.settings.read_aloud:
            self.reader.speak(text, self.lang)

    def show_ticket(self, ticket: dict[str, Any], services: list[dict[str, Any]]) -> None:
        """A ticket was issued: show it and print it."""
        code = ticket.get("service", "")
        counters = list(ticket.get("counters") or counters_of(code, services or self.services_cache))
        view = TicketView(ticket=ticket, service_name=service_name(code, services or self.services_cache, ticket),
                          counters=counters)
        self.go("ticket")
        self.screens["ticket"].show(view)

    # -- the device's token: pairing on the first start (issue 15.1) -----------------------------
    def _check_token(self) -> None:
        """No token: pair first. A saved one: ask the server whether it still stands (it may have been revoked)."""
        source = self.token_source
        if source is None:
            return
        if source.token is None:
            self.show_pairing()
        elif source.from_file:
            self.worker.submit(self.client.me, None, self._token_check_failed)

    def _token_check_failed(self, error: BaseException) -> None:
        if refused(error):
            self.token_refused()

    def show_pairing(self) -> None:
        """The pairing screen, with nothing to go back to."""
        self.history.clear()
        self.screens["pairing"]
        self.manager.current = "pairing"

    def paired(self, paired: Paired) -> None:
        """An admin confirmed the code: keep the token, carry on as if started with --token."""
        source = self.token_source
        path = source.path if source is not None else None
        if path is not None:
            try:
                save_token(path, paired.token)
            except OSError as exc:  # e.g. a read-only home: this run works, the next start pairs again
                log.error("could not save the kiosk's token to %s: %s", path, exc)
            self.token_source = DeviceToken(paired.token, FILE, path)
        self.client.token = paired.token
        log.info("paired as %r", paired.name)
        self.go_home()
        self.refresh_services()

    def token_refused(self) -> None:
        """The server refused the saved token (revoked, or another server): forget the file and pair again."""
        source = self.token_source
        if source is None or not source.from_file:
            return  # a token given on the command line is the installer's to change
        log.warning("the server refused the saved token in %s: pairing again", source.path)
        forget_token(source.path)
        self.token_source = DeviceToken(None, NONE, source.path)
        self.client.token = None
        for screen in self.screens.values():
            screen.reset()
        self.show_pairing()

    # -- idle and clock ------------------------------------------------------------------
    def _activity(self, *_args: Any) -> bool:
        self.idle.touch(self.monotonic())
        return False

    def _every_second(self, _dt: float) -> None:
        self._update_clock()
        if self.manager.current not in ("home", "pairing") and self.idle.expired(self.monotonic()):
            log.info("idle for %s s: back to home", self.settings.idle_seconds)
            self.go_home()

    def _update_clock(self) -> None:
        now = datetime.now(ZoneInfo(self.settings.timezone))
        weekdays = WEEKDAYS_VI if self.lang == "vi" else WEEKDAYS_EN
        self.clock_text = f"{now:%H:%M}   {weekdays[now.weekday()]}, {now:%d/%m/%Y}"

    # -- connection watch ------------------------------------------------------------------
    def report_unreachable(self) -> None:
        """A call found no server: show the banner and poll until it answers."""
        if not self.offline:
            self.offline = True
        if self._health_event is None:
            self._health_event = Clock.schedule_interval(self._check_health, self.settings.retry_seconds)

    def report_reachable(self) -> None:
        """A call got an answer: hide the banner, tell the screen."""
        if self._health_event is not None:
            self._health_event.cancel()
            self._health_event = None
        if self.offline:
            self.offline = False
            self.manager.current_screen.reconnected()

    def _check_health(self, _dt: float) -> None:
        self.worker.submit(self.client.health, lambda _r: self.report_reachable(), lambda _e: None)

    def printer_status(self, outcome: PrintOutcome) -> None:
        """Tell the office how the printer is doing (best effort, in the background)."""
        client = self.client
        self.worker.submit(lambda: client.report_status("printer", outcome.ok, outcome.code, outcome.message_vi),
                           None, lambda _e: None)
