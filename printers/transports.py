"""Where the bytes go: printer URIs and python-escpos transports with deadlines.

    tcp://HOST[:9100]                      network printer (raw port 9100)
    usb://VID:PID[?in_ep=0x82&out_ep=0x01] USB printer, ids in hex
    serial:///dev/ttyUSB0[?baudrate=9600]  serial or USB-serial printer
    file:///dev/usb/lp0                    a device file (Linux usblp), write only
    png:///folder  or  png://relative/dir  no printer: write the ticket as a PNG

Each transport is a python-escpos printer object used only for ``open``,
``_raw`` and ``_read``; the bytes themselves are built once by ``encode``.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import faults
from .escpos_env import escpos_printer
from .faults import PrintFault

SCHEMES = ("tcp", "usb", "serial", "file", "png")
DEFAULT_TCP_PORT = 9100

# DLE EOT n: real-time status requests, answered even while the printer is busy.
STATUS_PRINTER, STATUS_OFFLINE, STATUS_ERROR, STATUS_PAPER = 1, 2, 3, 4
STATUS_QUERY = bytes([0x10, 0x04, STATUS_PRINTER, 0x10, 0x04, STATUS_OFFLINE, 0x10, 0x04, STATUS_PAPER])
STATUS_CONFIRM = bytes([0x10, 0x04, STATUS_PAPER])

UNCONFIRMED_SEND_BUFFER_BYTES = 8192
"""Our side of an unconfirmed network job in flight; 8 KB per round trip still outpaces any
thermal printer. (Confirmed jobs keep the kernel's buffer: with 8 KB the last segment of a
job waits ~40 ms for a delayed ACK.)"""


@dataclass(frozen=True)
class PrinterURI:
    """A parsed printer address."""

    scheme: str
    target: str  # host, "VID:PID", device path or folder
    port: int = DEFAULT_TCP_PORT
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def bidirectional(self) -> bool:
        """Whether the printer can answer status requests over this link."""
        return self.scheme in ("tcp", "usb", "serial")


def parse_printer_uri(uri: str) -> PrinterURI:
    """Parse a printer URI; ValueError says what a valid one looks like."""
    parts = urlsplit(uri.strip())
    scheme = parts.scheme.lower()
    options = dict(parse_qsl(parts.query))
    if scheme not in SCHEMES:
        raise ValueError(f"printer URI {uri!r}: use tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0, "
                         "file:///dev/usb/lp0 or png:///folder")
    if scheme == "tcp":
        if not parts.hostname:
            raise ValueError(f"printer URI {uri!r}: name the printer's address, e.g. tcp://192.0.2.10:9100")
        try:
            port = parts.port or DEFAULT_TCP_PORT
        except ValueError:
            raise ValueError(f"printer URI {uri!r}: the port must be a number, e.g. :9100") from None
        return PrinterURI("tcp", parts.hostname, port, options)
    if scheme == "usb":
        ids = parts.netloc.split(":")
        try:
            vid, pid = (int(part, 16) for part in ids)
        except ValueError:
            raise ValueError(f"printer URI {uri!r}: use usb://VID:PID in hex, "
                             "e.g. usb://0416:5011 (see lsusb)") from None
        return PrinterURI("usb", f"{vid:04x}:{pid:04x}", options=options)
    # serial, file, png: a path; "png://var/tickets" is the relative folder var/tickets
    path = unquote(parts.netloc + parts.path)
    if not path:
        raise ValueError(f"printer URI {uri!r}: add a path, e.g. {scheme}:///dev/ttyUSB0")
    return PrinterURI(scheme, path, options=options)


def remaining(deadline: float) -> float:
    """Seconds left before a deadline; a PrintFault(timeout) once it has passed."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise PrintFault(faults.TIMEOUT, "deadline passed")
    return left


def open_link(uri: PrinterURI, deadline: float, *, confirmed: bool = True) -> Any:
    """An opened python-escpos printer for the URI; PrintFault(unreachable) when it cannot be opened.

    ``confirmed``: the job will be confirmed by a status answer. Without one, a
    network link gets a small send buffer so that "sent" means "taken in by the
    printer" and a printer that stops reading is still noticed.
    """
    printers = escpos_printer()
    from escpos.exceptions import DeviceNotFoundError

    try:
        if uri.scheme == "tcp":
            link = _network_class()(uri.target, port=uri.port, timeout=remaining(deadline))
            link.send_buffer = None if confirmed else UNCONFIRMED_SEND_BUFFER_BYTES
        elif uri.scheme == "usb":
            vid, pid = (int(part, 16) for part in uri.target.split(":"))
            link = _usb_class()(vid, pid, timeout=int(remaining(deadline) * 1000),
                                in_ep=int(uri.options.get("in_ep", "0x82"), 0),
                                out_ep=int(uri.options.get("out_ep", "0x01"), 0))
            link.detect_endpoints = "in_ep" not in uri.options and "out_ep" not in uri.options
        elif uri.scheme == "serial":
            link = printers.Serial(uri.target, baudrate=int(uri.options.get("baudrate", "9600")),
                                   timeout=min(remaining(deadline), 1.0),
                                   dsrdtr=uri.options.get("dsrdtr", "1") not in ("0", "false"))
        elif uri.scheme == "file":
            if not Path(uri.target).exists():
                raise PrintFault(faults.UNREACHABLE, f"{uri.target} does not exist (printer unplugged?)")
            link = printers.File(uri.target)
        else:
            raise PrintFault(faults.BAD_URI, f"no transport for {uri.scheme}")
        link.open()
    except DeviceNotFoundError as exc:
        raise PrintFault(faults.UNREACHABLE, _describe(exc.__context__ or exc)) from exc
    except (OSError, ValueError, RuntimeError) as exc:  # bad port number, missing pyusb/pyserial, permissions
        raise PrintFault(faults.UNREACHABLE, _describe(exc)) from exc
    return link


def _network_class() -> type:
    """escpos's Network printer, opening with ``socket.create_connection``.

    escpos 3.1 leaks the socket when connecting fails (a ResourceWarning on every
    refused connection) and speaks IPv4 only; create_connection closes it and
    resolves names to IPv4 or IPv6.
    """
    global _NETWORK
    if _NETWORK is None:
        from escpos.exceptions import DeviceNotFoundError

        class Network(escpos_printer().Network):  # type: ignore[misc]  # escpos has no types: its classes are Any
            # escpos keeps the socket in _device: False before the first open, None after a failed one.
            device: socket.socket | None
            _device: Any

            def open(self, raise_not_found: bool = True) -> None:
                try:
                    self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
                    if getattr(self, "send_buffer", None):
                        self.device.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer)
                    # The 3-byte status request after a job must not wait for Nagle's ACK (~40 ms).
                    self.device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except OSError as exc:
                    self.device = None
                    raise DeviceNotFoundError(f"Could not open socket for {self.host}:{self.port}: {exc}") from exc

            def close(self) -> None:  # escpos logs every close on the root logger
                if self._device:
                    with contextlib.suppress(OSError):
                        self._device.shutdown(socket.SHUT_RDWR)
                    self._device.close()
                    self._device = False

        _NETWORK = Network
    return _NETWORK


_NETWORK: type | None = None


def bulk_endpoints(device: Any) -> tuple[int | None, int | None]:
    """The first bulk IN and bulk OUT endpoint addresses of a USB device's active configuration."""
    in_ep = out_ep = None
    for interface in device.get_active_configuration():
        for endpoint in interface:
            if endpoint.bmAttributes & 0x03 != 0x02:  # not a bulk endpoint
                continue
            if endpoint.bEndpointAddress & 0x80:
                in_ep = in_ep or endpoint.bEndpointAddress
            else:
                out_ep = out_ep or endpoint.bEndpointAddress
    return in_ep, out_ep


def _usb_class() -> type:
    """escpos's Usb printer, finding its bulk endpoints itself.

    escpos assumes OUT 0x01 / IN 0x82, but cheap printers use others (0x02, 0x03,
    0x81…); writing to a wrong endpoint fails with an I/O error. Endpoints given
    in the URI are kept as they are.
    """
    global _USB
    if _USB is None:
        class Usb(escpos_printer().Usb):  # type: ignore[misc]  # escpos has no types: its classes are Any
            detect_endpoints = True
            in_ep: int
            out_ep: int
            _device: Any  # the pyusb device, or False/None when not open

            def open(self, raise_not_found: bool = True) -> None:
                super().open(raise_not_found)
                if self.detect_endpoints and self._device:
                    try:
                        in_ep, out_ep = bulk_endpoints(self._device)
                    except Exception:  # no readable descriptors: keep escpos' defaults
                        return
                    self.in_ep, self.out_ep = in_ep or self.in_ep, out_ep or self.out_ep

        _USB = Usb
    return _USB


_USB: type | None = None


def send(link: Any, data: bytes, deadline: float) -> None:
    """Write bytes before the deadline; PrintFault(timeout | disconnected) otherwise."""
    _set_timeout(link, remaining(deadline))
    try:
        link._raw(data)
    except Exception as exc:  # each transport raises its own family (socket, pyusb, pyserial)
        raise _io_fault(exc) from exc


def read_exactly(link: Any, count: int, deadline: float) -> bytes:
    """Read status bytes until ``count`` arrived; PrintFault(timeout) when the printer stays silent."""
    received = b""
    while len(received) < count:
        _set_timeout(link, remaining(deadline))
        device: Any = getattr(link, "_device", None)  # whatever the escpos link holds: socket, serial, usb…
        try:
            # pyserial (in_waiting): escpos reads 16 bytes, i.e. always until the time-out, so read what is due
            chunk = bytes(device.read(count - len(received))) if hasattr(device, "in_waiting") else bytes(link._read())
        except NotImplementedError:
            raise PrintFault(faults.TIMEOUT, "this link cannot read status") from None
        except Exception as exc:
            raise _io_fault(exc) from exc
        if not chunk:
            if isinstance(getattr(link, "_device", None), socket.socket):  # EOF: the printer hung up
                raise PrintFault(faults.DISCONNECTED, "connection closed by the printer")
            continue  # serial/usb return nothing on their own short time-out
        received += chunk
    return received


def drain(link: Any) -> None:
    """Drop status bytes that arrived unasked (some printers answer early or twice)."""
    sock = getattr(link, "_device", None)
    if isinstance(sock, socket.socket):
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except (BlockingIOError, OSError):
            pass
        finally:
            sock.setblocking(True)


def limit_send_buffer(link: Any) -> None:
    """Give an open network link the small unconfirmed send buffer (a job going out without a status answer)."""
    sock = getattr(link, "_device", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # the link is already broken: the send that follows says so
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, UNCONFIRMED_SEND_BUFFER_BYTES)


def check_status(answer: bytes) -> str:
    """Fault code from the answers to DLE EOT 1, 2 and 4 (``faults.OK`` when ready)."""
    if len(answer) < 3 or any(byte & 0x93 != 0x12 for byte in answer[:3]):
        return faults.OK  # not an Epson-style answer: trust the link and print
    printer, offline, paper = answer[:3]
    if offline & 0x04:
        return faults.COVER_OPEN
    if offline & 0x20 or paper & 0x60:
        return faults.PAPER_OUT
    if offline & 0x40:
        return faults.PRINTER_ERROR
    if printer & 0x08:
        return faults.OFFLINE
    if paper & 0x0C:
        return faults.PAPER_LOW
    return faults.OK


def close(link: Any) -> None:
    """Close a link, ignoring a printer that is already gone."""
    with contextlib.suppress(Exception):  # closing a dead socket or unplugged device is not a new fault
        link.close()


def _set_timeout(link: Any, seconds: float) -> None:
    """Bound the next read or write of whatever device the escpos object holds."""
    device = getattr(link, "_device", None)
    if isinstance(device, socket.socket):
        device.settimeout(seconds)
    elif hasattr(link, "timeout") and link.__class__.__name__ == "Usb":
        link.timeout = max(1, int(seconds * 1000))
    elif device is not None and hasattr(device, "write_timeout"):  # pyserial
        device.timeout = min(seconds, 0.2)
        device.write_timeout = seconds


def _io_fault(exc: BaseException) -> PrintFault:
    """Map a transport exception to timeout or disconnected."""
    name = exc.__class__.__name__
    if isinstance(exc, (socket.timeout, TimeoutError)) or "Timeout" in name:
        return PrintFault(faults.TIMEOUT, _describe(exc))
    if isinstance(exc, OSError) and exc.errno in (errno.ETIMEDOUT,):
        return PrintFault(faults.TIMEOUT, _describe(exc))
    return PrintFault(faults.DISCONNECTED, _describe(exc))


def _describe(exc: BaseException) -> str:
    """One line for the log: the exception's class and first line."""
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[-1] if text else ''}".strip()
