"""One open /api/events stream of the in-process app, read event by event (the SSE tests' reader)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from queue_server.client import ServerEvent, parse_event_stream
from tests.support.servers import InProcess


class Feed:
    """One open /api/events stream of the in-process app, read event by event."""

    def __init__(self, api: InProcess, last_event_id: int | str | None = None, max_pings: int = 3) -> None:
        headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
        self.response = api.client.get("/api/events", headers=headers, buffered=False)
        assert self.response.status_code == 200
        assert self.response.mimetype == "text/event-stream"
        self.raw: list[str] = []
        self.max_pings = max_pings
        self._events = parse_event_stream(self._lines(iter(self.response.response)))

    def _lines(self, chunks: Iterable[bytes | str]) -> Iterator[str]:
        pings = 0
        for chunk in chunks:
            text = chunk.decode("utf-8") if isinstance(chunk, bytes) else chunk
            self.raw.append(text)
            pings = pings + 1 if text == ": ping\n\n" else 0
            assert pings <= self.max_pings, "the feed went quiet: an expected event never came"
            yield from text.split("\n")[:-1]

    def next(self) -> ServerEvent:
        """The next event (a heartbeat or two may pass; more means it never came)."""
        return next(self._events)

    def take(self, count: int) -> list[ServerEvent]:
        """The next ``count`` events."""
        return [self.next() for _ in range(count)]

    def close(self) -> None:
        """End the stream, as a browser leaving the page does."""
        self.response.close()
