"""``motcua kiosk --tour DIR``: walk through every screen and state, one PNG per screen.

Runs against a real server. The fault states are real too: "server down" points
the kiosk's client at a closed port for a while (then back, and the retried
ticket keeps its idempotency key); "printer down" prints to a closed TCP port
through the printers package. Printing that works goes to ``--printer`` or,
without one, to the printers package's PNG preview in DIR/printed/.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from typing import Any

from queue_server.client import QueueClient

from .printing import PackagePrinter, PrintOutcome
from .read_aloud import Reader
from .settings import KioskSettings

log = logging.getLogger(__name__)


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TourPrinter:
    """Delegates to a real printer; ``hold`` keeps a job waiting so the "printing" state can be pictured."""

    def __init__(self, working: PackagePrinter, broken: PackagePrinter) -> None:
        self.working, self.broken = working, broken
        self.fail = False
        self.hold = threading.Event()
        self.hold.set()

    def print_ticket(self, ticket: dict[str, Any], settings: KioskSettings) -> PrintOutcome:
        """Print on the working or the broken printer (after ``hold`` is released)."""
        self.hold.wait(timeout=60)
        return (self.broken if self.fail else self.working).print_ticket(ticket, settings)


def run_tour(client: QueueClient, settings: KioskSettings, printer_uri: str, out_dir: Path, reader: Reader,
             shot_width: int | None = None, clerk: QueueClient | None = None) -> int:
    """Start the kiosk headless (or in a window), walk it, write the PNGs; 0 when every step passed."""
    from .app import KioskApp
    from .driver import Driver

    out_dir.mkdir(parents=True, exist_ok=True)
    working = PackagePrinter(printer_uri or f"png://{(out_dir / 'printed').resolve()}")
    printer = TourPrinter(working, PackagePrinter(f"tcp://127.0.0.1:{closed_port()}", timeout_s=1.0))
    app = KioskApp(client, settings, printer, reader)
    driver = Driver(app).start()
    tour = Tour(driver, printer, out_dir, shot_width, clerk)
    try:
        tour.walk()
    finally:
        driver.stop()
    print(f"kiosk tour: {len(tour.shots)} screenshots in {out_dir}")
    return 0


class Tour:
    """The scripted walk, step by step."""

    def __init__(self, driver: Any, printer: TourPrinter, out_dir: Path, shot_width: int | None = None,
                 clerk: QueueClient | None = None) -> None:
        self.d, self.printer, self.out_dir, self.shot_width = driver, printer, out_dir, shot_width
        self.clerk = clerk  # signed in as a clerk or admin: serves the tour's ticket so its rating is accepted
        self.rated_view: Any = None
        self.app = driver.app
        self.shots: list[Path] = []

    def shot(self, name: str) -> None:
        """One numbered screenshot."""
        path = self.out_dir / f"{len(self.shots) + 1:02d}-{name}.png"
        self.d.pump(0.1)  # a pressed button shows "down" for a few frames; picture the settled screen
        if self.shot_width:  # small PNGs for the docs
            image = self.d.image()
            height = round(image.height * self.shot_width / image.width)
            small = image.resize((self.shot_width, height), resample=3)
            # 96 flat colours: the kiosk's look survives and each PNG stays a few tens of KB.
            small.quantize(colors=96, method=0, dither=0).save(path, optimize=True)
            self.shots.append(path)
        else:
            self.shots.append(self.d.shot(path))
        log.info("tour: %s", path.name)

    def walk(self) -> None:
        """Every screen and state of the issue, in a citizen's order."""
        self.home()
        self.take_number()
        self.server_down_while_taking()
        self.lookup()
        self.rate()
        self.search_offline()

    def key(self, screen: Any, text: str) -> None:
        """Type on a screen's on-screen keyboard (tone names like ``:sac`` allowed)."""
        for part in text.split("|"):
            if part.startswith(":"):
                self.d.tap(screen.ids.keyboard.keys[part[1:]])
            else:
                for ch in part:
                    self.d.tap(screen.ids.keyboard.keys["space" if ch == " " else ch])

    def home(self) -> None:
        d = self.d
        d.wait_until(lambda: self.app.services_cache, what="services loaded")
        self.shot("home")
        d.tap(d.screen.ids.language_button)
        self.shot("home-english")
        d.tap(d.screen.ids.language_button)

    def issue(self, service_index: int = 0, priority: str = "", shot: str = "") -> Any:
        """Tap a field, then answer the priority question (``""``: "Không"), picturing the question as ``shot``."""
        d = self.d
        screen = d.at("take_number")
        d.wait_until(lambda: screen.ids.services.children and not screen.loading, what="fields")
        buttons = list(reversed(screen.ids.services.children))
        d.tap(buttons[service_index])
        self.answer(screen, priority, shot)
        return screen

    def answer(self, screen: Any, priority: str = "", shot: str = "") -> None:
        """Answer "Quý khách thuộc diện ưu tiên?" once it shows."""
        self.d.wait_until(lambda: screen.asking, what="the priority question")
        if shot:
            self.shot(shot)
        self.d.tap(screen._priority_buttons[priority] if priority else screen.ids.no_priority_button)

    def take_number(self) -> None:
        d = self.d
        d.tap(d.screen.ids.take_button)
        screen = d.at("take_number")
        d.wait_until(lambda: screen.ids.services.children and not screen.loading, what="fields")
        self.shot("take-number")
        self.printer.hold.clear()
        self.issue(0, "elderly", shot="take-number-priority-question")
        ticket = d.at("ticket")
        self.shot("ticket-printing")
        self.printer.hold.set()
        d.wait_until(lambda: ticket.print_state != "printing", what="printed")
        self.shot("ticket-printed")
        d.tap(ticket.ids.top.ids.back_button)
        self.printer.fail = True
        self.issue(1)
        ticket = d.at("ticket")
        d.wait_until(lambda: ticket.print_state != "printing", what="print failure")
        self.shot("ticket-printer-down")
        self.printer.fail = False
        d.tap(ticket.ids.done_button)
        d.at("home")

    def server_down_while_taking(self) -> None:
        d = self.d
        d.tap(d.screen.ids.take_button)
        screen = d.at("take_number")
        d.wait_until(lambda: screen.ids.services.children and not screen.loading, what="fields")
        real = self.app.client.base_url
        self.app.client.base_url = f"http://127.0.0.1:{closed_port()}"
        d.tap(list(reversed(screen.ids.services.children))[2])
        self.answer(screen)
        d.wait_until(lambda: screen.requester.retrying and self.app.offline, what="retrying")
        key = screen.requester.pending.key
        d.wait_until(lambda: screen.requester.pending.attempts >= 2, what="second attempt")
        self.shot("take-number-server-down-retrying")
        self.app.client.base_url = real
        ticket = d.at("ticket")
        d.wait_until(lambda: ticket.print_state != "printing", what="printed")
        assert ticket.view.ticket["number"], key
        self.shot("ticket-after-server-came-back")
        d.tap(ticket.ids.top.ids.home_button)
        d.at("home")

    def lookup(self) -> None:
        d = self.d
        d.tap(d.screen.ids.lookup_button)
        search = d.at("search")
        d.wait_until(lambda: search.fields and search.ids.results.children, what="fields")
        self.shot("search-browse-fields")
        self.key(search, "khai sanh")
        d.wait_until(lambda: search.state.shown_for == ("khai sanh", None), what="results")
        self.shot("search-khai-sanh")
        d.tap(search.ids.clear_button)
        self.key(search, "chưng|:sac| thưc|:nang")
        d.wait_until(lambda: search.state.shown_for == ("chứng thực", None), what="results with tone marks")
        self.shot("search-tone-marks")
        d.tap(search.ids.clear_button)
        field = next(b for b in search.ids.results.children if getattr(b, "key", "") == "Hộ tịch")
        d.tap(field)
        d.wait_until(lambda: search.state.shown_for == ("", "Hộ tịch"), what="field results")
        self.shot("search-by-field")
        d.tap(search.ids.field_chip)
        self.key(search, "khai sanh")
        d.wait_until(lambda: search.state.shown_for == ("khai sanh", None), what="results")
        d.tap(list(reversed(search.ids.results.children))[0])
        detail = d.at("detail")
        d.wait_until(lambda: detail.detail is not None, what="detail")
        self.shot("procedure-detail")
        detail.ids.scroll.scroll_y = 0
        self.shot("procedure-detail-scrolled")
        d.tap(detail.ids.take_button)
        self.answer(d.at("take_number"))
        ticket = d.at("ticket")
        d.wait_until(lambda: ticket.print_state != "printing", what="printed")
        self.shot("ticket-for-procedure")
        self.rated_ticket = ticket.view.number
        self.rated_view = ticket.view
        d.tap(ticket.ids.done_button)
        d.at("home")

    def serve_rated_ticket(self) -> bool:
        """As a clerk would: call next at the ticket's counter until it is the tour's ticket; whether it was."""
        if self.clerk is None or self.rated_view is None:
            return False
        wanted = self.rated_view.ticket.get("id")
        for counter in self.rated_view.counters:
            for _ in range(200):  # earlier tickets of the tour wait ahead of it
                called = self.clerk.counter_action(counter, "call-next")
                if not called:
                    break
                if called["ticket"]["id"] == wanted:
                    return True
        raise RuntimeError(f"tour: could not call ticket {self.rated_ticket} at counters {self.rated_view.counters}")

    def rate(self) -> None:
        d = self.d
        self.serve_rated_ticket()
        d.tap(d.screen.ids.rate_button)
        subject = d.at("rate_subject")
        for ch in self.rated_ticket:
            d.tap(next(b for row in subject.ids.keypad.children for b in row.children if b.key == ch))
        self.shot("rate-ticket-number")
        d.tap(subject.ids.next_button)
        overall = d.at("rate_overall")
        self.shot("rate-overall")
        d.tap(next(b for b in overall.ids.faces.children if b.level == "dissatisfied"))
        details = d.at("rate_details")
        for code in list(details._reason_buttons)[:2]:
            d.tap(details._reason_buttons[code])
        d.tap(details._criterion_buttons[(self.app.settings.criteria[0], "satisfied")])
        self.shot("rate-why-and-details")
        d.tap(details.ids.comment_button)
        comment = d.at("rate_comment")
        self.key(comment, "chơ|:huyen| lâu qua|:sac|")
        self.shot("rate-comment-keyboard")
        d.tap(comment.ids.done_button)
        d.at("rate_details")
        d.tap(details.ids.send_button)
        d.wait_until(lambda: details.error or self.app.manager.current == "thanks", what="rating sent")
        if details.error:
            self.shot("rate-server-error")
            self.app.go("thanks")  # the server refused (shown above); picture the thank-you screen anyway
        self.shot("thanks")
        d.tap(d.screen.ids.home_button)
        d.at("home")
        d.tap(d.screen.ids.rate_button)
        subject = d.at("rate_subject")
        self.shot("rate-choose-counter")
        d.tap(d.screen.ids.top.ids.home_button)

    def search_offline(self) -> None:
        d = self.d
        d.at("home")
        real = self.app.client.base_url
        self.app.client.base_url = f"http://127.0.0.1:{closed_port()}"
        d.tap(d.screen.ids.lookup_button)
        search = d.at("search")
        self.key(search, "ho")
        d.wait_until(lambda: self.app.offline and search.state.error, what="offline search")
        self.shot("search-server-down")
        self.app.client.base_url = real
        d.wait_until(lambda: not self.app.offline and search.state.shown_for == ("ho", None),
                     what="reconnected")
        self.shot("search-server-back")
        d.tap(search.ids.top.ids.home_button)
        d.at("home")
