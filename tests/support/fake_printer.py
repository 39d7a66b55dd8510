"""A fake ESC/POS network printer on loopback port, for tests and the bench.

It parses the stream the way a printer does (a raster image's payload is
data, not commands), answers DLE EOT status requests like an Epson-style
printer, and records every byte. Behaviours: ``normal``, ``silent`` (accepts
and never reads), ``mute`` (reads and prints every job but never answers a
status request, like one-way printers and print servers), ``close_after``
(hangs up after N bytes), and status states ``ready``, ``paper_out``,
``cover_open``, ``paper_low``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

# Answers to DLE EOT 1 (printer), 2 (offline cause), 3 (error), 4 (paper sensor).
STATUS_BYTES = {
    "ready": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12},
    "paper_out": {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E},
    "cover_open": {1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12},
    "paper_low": {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E},
}


@dataclass
class Job:
    """The bytes of one connection."""

    data: bytearray = field(default_factory=bytearray)
    done: threading.Event = field(default_factory=threading.Event)


class FakePrinter:
    """A TCP 9100 printer on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self, behaviour: str = "normal", state: str = "ready", close_after: int = 0,
                 answer_status: bool = True) -> None:
        self.behaviour, self.state, self.close_after = behaviour, state, close_after
        self.answer_status = answer_status and behaviour != "mute"  # may be switched while serving
        self.jobs: list[Job] = []
        self._server = socket.socket()
        if behaviour == "silent":
            # A printer's input buffer is a few KB; set before listen so accepted sockets inherit it.
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen()
        self._server.settimeout(0.02)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def __enter__(self) -> FakePrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        for conn in self._connections:
            conn.close()
        self._server.close()

    def wait_job(self, index: int = 0, timeout: float = 2.0) -> bytes:
        """The bytes of the index-th connection, once it has closed."""
        for _ in range(int(timeout / 0.01)):
            if len(self.jobs) > index:
                break
            self._stop.wait(0.01)
        job = self.jobs[index]
        job.done.wait(timeout)
        return bytes(job.data)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(conn)
            job = Job()
            self.jobs.append(job)
            if self.behaviour == "silent":
                continue  # accept, never read: the buffers fill and the client's writes block
            threading.Thread(target=self._serve, args=(conn, job), daemon=True).start()

    def _serve(self, conn: socket.socket, job: Job) -> None:
        parser = _StreamParser(self._answer(conn))
        conn.settimeout(0.02)
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    break
                if self.behaviour == "close_after" and len(job.data) + len(chunk) >= self.close_after:
                    job.data += chunk[: self.close_after - len(job.data)]
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    break  # hang up mid-job, with a reset like a printer being switched off
                job.data += chunk
                parser.feed(chunk)
        except OSError:
            pass
        finally:
            conn.close()
            job.done.set()

    def _answer(self, conn: socket.socket):
        def answer(n: int) -> None:
            if self.answer_status:
                with contextlib.suppress(OSError):  # the client may hang up before its answer
                    conn.sendall(bytes([STATUS_BYTES[self.state].get(n, 0x12)]))
        return answer


class _StreamParser:
    """Finds DLE EOT requests in a stream, skipping raster payloads (GS v 0) and 2D-code data (GS ( k)."""

    def __init__(self, on_status) -> None:
        self.on_status = on_status
        self.buffer = bytearray()
        self.skip = 0

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer:
            if self.skip:
                taken = min(self.skip, len(self.buffer))
                del self.buffer[:taken]
                self.skip -= taken
                continue
            if self.buffer[:2] == b"\x10\x04":
                if len(self.buffer) < 3:
                    return
                self.on_status(self.buffer[2])
                del self.buffer[:3]
            elif self.buffer[:3] == b"\x1dv0":
                if len(self.buffer) < 8:
                    return
                width, height = self.buffer[4] | self.buffer[5] << 8, self.buffer[6] | self.buffer[7] << 8
                del self.buffer[:8]
                self.skip = width * height
            elif self.buffer[:3] in (b"\x1d(k", b"\x1d(L"):
                if len(self.buffer) < 5:
                    return
                size = self.buffer[3] | self.buffer[4] << 8
                del self.buffer[:5]
                self.skip = size
            else:
                del self.buffer[:1]


class PtyPrinter:
    """A serial printer on a pseudo-terminal: ``serial:///dev/pts/N`` reaches it through pyserial."""

    def __init__(self, state: str = "ready") -> None:
        import os

        self.state = state
        self.data = bytearray()
        self._master, self._slave = os.openpty()
        self.device = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def uri(self, **options: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in options.items())
        return f"serial://{self.device}" + (f"?{query}" if query else "")

    def __enter__(self) -> PtyPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        import os

        self._stop.set()
        self._thread.join(2)
        os.close(self._master)
        os.close(self._slave)

    def _serve(self) -> None:
        import os
        import select

        def answer(n: int) -> None:
            os.write(self._master, bytes([STATUS_BYTES[self.state].get(n, 0x12)]))

        parser = _StreamParser(answer)
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if ready:
                chunk = os.read(self._master, 65536)
                self.data += chunk
                parser.feed(chunk)


class _Backend:
    """Stands for a pyusb backend; escpos only looks at its module's name."""


class FakeUsbDevice:
    """What pyusb's ``usb.core.find`` returns for a cheap USB printer: bulk OUT 0x03, bulk IN 0x81."""

    def __init__(self, state: str = "ready", out_ep: int = 0x03, in_ep: int = 0x81) -> None:
        from types import SimpleNamespace

        self.out_ep, self.in_ep = out_ep, in_ep
        self.backend = _Backend()  # not libusb1: escpos skips kernel-driver detaching
        self._ctx = SimpleNamespace(dispose=lambda device: None)
        self.data = bytearray()
        self.answers = bytearray()
        self._parser = _StreamParser(lambda n: self.answers.append(STATUS_BYTES[state].get(n, 0x12)))
        self._interface = [SimpleNamespace(bEndpointAddress=0x83, bmAttributes=0x03),  # interrupt: not for data
                           SimpleNamespace(bEndpointAddress=out_ep, bmAttributes=0x02),
                           SimpleNamespace(bEndpointAddress=in_ep, bmAttributes=0x02)]

    def set_configuration(self) -> None:
        pass

    def reset(self) -> None:
        pass

    def get_active_configuration(self) -> list:
        return [self._interface]

    def write(self, endpoint: int, data: bytes, timeout: int | None = None) -> int:
        import usb.core

        if endpoint != self.out_ep:
            raise usb.core.USBError("[Errno 5] Input/Output Error")
        self.data += bytes(data)
        self._parser.feed(bytes(data))
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int | None = None) -> bytes:
        import usb.core

        if endpoint != self.in_ep:
            raise usb.core.USBError("[Errno 5] Input/Output Error")
        if not self.answers:
            raise usb.core.USBTimeoutError("Operation timed out")
        answer = bytes(self.answers[:size])
        del self.answers[:size]
        return answer


def serve_until_stdin_closes(**options: object) -> None:
    """Run a FakePrinter in this process and print its port (for benchmarks in another process)."""
    import sys

    with FakePrinter(**options) as printer:  # type: ignore[arg-type]
        print(printer.port, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    serve_until_stdin_closes()
