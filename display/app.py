"""The Kivy App of the lobby board: wires the live feed, the reducer, the view and the voice.

The feed thread only queues events; the main thread folds them with
``board.reduce`` and redraws through one debounced trigger. Record mode
(``--record DIR``: one event per frame, a PNG per frame) and the timings
file live in ``recording.FrameRecorder``; announcements then become WAV files.
"""

from __future__ import annotations

import logging
import signal
import time
from collections import deque
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics.opengl import glFinish

from queue_server.client import ApiError, QueueClient, ServerEvent
from queue_server.device_token import FILE, NONE, DeviceToken, forget_token, save_token
from queue_server.display_settings import DisplayConfig, ScreenConfig
from speech import Speaker, call_announcement

from .board import EMPTY, BoardState, Call, closed_words, in_zone, new_call, notices_showing, reduce, screen_view
from .board_view import BoardScreen
from .live import EventFeed
from .media import Playlist, expand_playlist
from .pairing_view import PairingBoard, TokenWatch
from .recording import FrameRecorder

log = logging.getLogger(__name__)

class BoardApp(App):
    """One lobby screen."""

    board: BoardScreen  # made once the board has a token (or needs none): the pairing screen may come first

    def __init__(self, server: str, token: str | None, display: DisplayConfig, screen: ScreenConfig,
                 size: tuple[int, int], record_dir: Path | None = None, voice: bool = True,
                 timings_path: Path | None = None, token_source: DeviceToken | None = None) -> None:
        super().__init__()
        self.server = server
        # Where the token came from (None: given by the caller, never paired nor saved, e.g. the layout probe).
        self.token_source = token_source
        self.title = f"motcua — {screen.name}"
        self.display, self.screen_config, self.size = display, screen, size
        self.recorder = FrameRecorder(record_dir, timings_path)
        self.state: BoardState = EMPTY
        self.connected = False
        self._inbox: deque[tuple[ServerEvent, float]] = deque()  # (event, wall-clock time it arrived)
        self._apply_trigger = Clock.create_trigger(self._apply_events, 0)
        self._refresh_trigger = Clock.create_trigger(self._refresh, 0)
        speak = voice and display.voice.enabled and screen.voice
        self.speaker = Speaker(record_dir=record_dir, on_started=self.recorder.speech_started) if speak else None
        self.feed = self._new_feed(token)
        self.pairing: PairingBoard | None = None
        self.token_watch: TokenWatch | None = None

    def _new_feed(self, token: str | None) -> EventFeed:
        """A feed on its own client (each feed hooks its client's session to notice the stream opening)."""
        return EventFeed(QueueClient(self.server, token), self._on_event, self._on_connection,
                         on_refused=self._feed_refused)

    def build(self) -> BoardScreen | PairingBoard:
        """Create the board and start listening; or, with no token yet, the pairing screen first."""
        Window.bind(on_flip=self._on_flip, on_draw=lambda *_: self.recorder.draw_began())
        signal.signal(signal.SIGTERM, lambda *_: Clock.schedule_once(lambda dt: self.stop(), 0))
        if self.token_source is not None and self.token_source.token is None:
            return self._show_pairing()
        return self._open_board()

    def _open_board(self) -> BoardScreen:
        if not self._has_board():
            playlist = Playlist(expand_playlist(self.display.media) if self.screen_config.media else ())
            self.board = BoardScreen(self.display, self.screen_config, playlist, self.size)
        self.feed.start()
        source = self.token_source
        if source is not None and source.from_file and source.token:  # revoked later: the feed would not say
            self.token_watch = TokenWatch(QueueClient(self.server, source.token), self._pair_again).start()
        return self.board

    # -- the board's token: pairing on the first start (issue 15.1) ------------------
    def _show_pairing(self) -> PairingBoard:
        self.pairing = PairingBoard(QueueClient(self.server), self.server, self._paired, self.size)
        self.pairing.start()
        return self.pairing

    def _paired(self, paired: Any) -> None:
        """An admin confirmed the code: keep the token, follow the feed with it (so /admin shows the board alive)."""
        source = self.token_source
        if source is not None:
            try:
                save_token(source.path, paired.token)
            except OSError as exc:  # e.g. a read-only home: this run works, the next start pairs again
                log.error("could not save the board's token to %s: %s", source.path, exc)
            self.token_source = DeviceToken(paired.token, FILE, source.path)
        log.info("paired as %r", paired.name)
        self.feed = self._new_feed(paired.token)
        self._swap_root(self._open_board())
        self.pairing = None

    def _feed_refused(self, _error: ApiError) -> bool:
        """From the feed's thread: a saved token refused ends the feed, and the board pairs again."""
        if self.token_source is None or not self.token_source.from_file:
            return False  # a token given on the command line is the installer's to change
        Clock.schedule_once(lambda _dt: self._pair_again(), 0)
        return True

    def _pair_again(self) -> None:
        source = self.token_source
        if source is None or source.token is None:
            return  # already pairing (the feed and the token watch may both have seen the refusal)
        self.feed.stop()
        if self.token_watch is not None:
            self.token_watch.stop()
            self.token_watch = None
        log.warning("the server refused the saved token in %s: pairing again", source.path)
        forget_token(source.path)
        self.token_source = DeviceToken(None, NONE, source.path)
        self._swap_root(self._show_pairing())

    def _has_board(self) -> bool:
        return getattr(self, "board", None) is not None

    def _swap_root(self, widget: Any) -> None:
        current: Any = getattr(self, "root", None)
        if current is not None and current is not widget:
            Window.remove_widget(current)
        if widget.parent is None:
            Window.add_widget(widget)
        self.root = widget

    def on_stop(self) -> None:
        """Stop the feed, finish speaking."""
        self.feed.stop()
        if self.token_watch is not None:
            self.token_watch.stop()
        if self.pairing is not None:
            self.pairing.stop()
        if self._has_board() and self.board.media:
            self.board.media.stop()
        if self.speaker:
            self.speaker.close()
        self.recorder.close()

    # -- from the feed thread --------------------------------------------------
    def _on_event(self, event: ServerEvent) -> None:
        self._inbox.append((event, time.time()))
        self._apply_trigger()

    def _on_connection(self, connected: bool) -> None:
        self.connected = connected
        # A pseudo-event, so record mode also pictures the "mất kết nối" mark and its end.
        self._inbox.append((ServerEvent(None, "connection." + ("restored" if connected else "lost"), {}), time.time()))
        self._apply_trigger()

    # -- on the main thread -----------------------------------------------------
    def _apply_events(self, _dt: float) -> None:
        if not self._has_board():
            return  # still pairing: the feed has not started
        board = self.board
        if self.recorder.waiting_for_frame:
            return  # _on_flip triggers us again once the last event has had its frame
        batch = 1 if self.recorder.one_event_per_frame else len(self._inbox)
        for _ in range(batch):
            if not self._inbox:
                break
            event, received = self._inbox.popleft()
            before = self.state
            if not event.type.startswith("connection."):
                self.state = reduce(before, event)
            call = new_call(before, self.state)
            flashed = call is not None and in_zone(call, self.screen_config.counters) and self._live(call, event)
            if call is not None and flashed:
                board.announce(call)
                self._speak(call, event)
            notices = notices_showing(self.state)
            changed = notices if notices != notices_showing(before) else None
            closed = closed_words(self.state)
            self.recorder.applied(event, received, call.number if call else None, flashed, changed,
                                  closed if closed != closed_words(before) else None)
        self._refresh()
        board.canvas.ask_update()  # even an event that changes nothing gets its frame

    @staticmethod
    def _live(call: Call, event: ServerEvent) -> bool:
        """Whether a call happens now: flashed and said. Only what the server replays on a resume is not.

        Judged by the event, not by when the ticket was first called: a recall minutes after
        the first call is as live as the call was (issue 14.1). The snapshot's calls never get here.
        """
        if event.replayed:
            log.info("not announcing %s: missed while away, replayed on reconnecting", call.number)
            return False
        return True

    def _refresh(self, _dt: float = 0.0) -> None:
        if not self._has_board():
            return
        view = screen_view(self.state, self.screen_config.counters, self.display.recent_calls)
        self.board.show(view, self.connected)
        self.board.show_notices(self.display.ticker + notices_showing(self.state))

    def _speak(self, call: Call, event: ServerEvent) -> None:
        if self.speaker is None:
            return
        voice = self.display.voice
        key = f"e{event.id}-{call.number}-q{call.counter}"
        self.speaker.say(call_announcement(
            key, call.number, call.counter or 0, voice=voice.voice, rate=voice.rate, repeat=voice.repeat,
            number_reading=voice.number_reading, english=voice.english, english_voice=voice.english_voice,
            chime=voice.chime, engine=voice.engine))

    def _on_flip(self, *_args: object) -> None:
        """Runs after a frame is drawn, before it is shown: finish it, then let the recorder log and save it."""
        # Software OpenGL (llvmpipe, headless or without a GPU) renders lazily: unfinished
        # frames pile up and the next texture upload then waits for all of them.
        glFinish()
        if self.recorder.frame_finished(_read_frame) and self._inbox:
            self._apply_trigger()


def _read_frame() -> tuple[bytes, int, int]:
    """The frame just drawn: bottom-up RGB rows from OpenGL, with the window's size."""
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

    width, height = Window.size
    return glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE), width, height
