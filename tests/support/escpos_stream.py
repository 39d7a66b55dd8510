"""Decode the ESC/POS bytes of a raster ticket job back into commands and an image."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image


@dataclass(frozen=True)
class Command:
    """One decoded command: a name and its parameters."""

    name: str
    args: tuple[int, ...] = ()
    data: bytes = b""


def decode(stream: bytes) -> list[Command]:
    """The commands of a raster job; AssertionError on any byte it does not understand."""
    commands: list[Command] = []
    i = 0
    while i < len(stream):
        head = stream[i:i + 3]
        if head[:2] == b"\x1b@":
            commands.append(Command("init"))
            i += 2
        elif head[:2] == b"\x10\x04":
            commands.append(Command("status", (stream[i + 2],)))
            i += 3
        elif head == b"\x1dv0":
            mode, xl, xh, yl, yh = stream[i + 3:i + 8]
            width_bytes, height = xl | xh << 8, yl | yh << 8
            payload = stream[i + 8:i + 8 + width_bytes * height]
            assert len(payload) == width_bytes * height, "raster payload cut short"
            commands.append(Command("raster", (mode, width_bytes, height), payload))
            i += 8 + width_bytes * height
        elif head[:2] == b"\x1bd":
            commands.append(Command("feed", (stream[i + 2],)))
            i += 3
        elif head[:2] == b"\x1dV":
            mode = stream[i + 2]
            if mode in (65, 66):
                commands.append(Command("cut", (mode, stream[i + 3])))
                i += 4
            else:
                commands.append(Command("cut", (mode,)))
                i += 3
        else:
            raise AssertionError(f"unknown ESC/POS bytes at {i}: {stream[i:i + 8]!r}")
    return commands


def raster_image(commands: list[Command]) -> Image.Image:
    """Stack the raster bands into one image (black ink as black pixels)."""
    bands = [c for c in commands if c.name == "raster"]
    assert bands, "no raster image in the job"
    widths = {c.args[1] for c in bands}
    assert len(widths) == 1, f"bands of different widths: {widths}"
    width = widths.pop() * 8
    height = sum(c.args[2] for c in bands)
    image = Image.frombytes("1", (width, height), b"".join(c.data for c in bands))
    # In ESC/POS a 1 bit burns a dot; in a Pillow "1" image a 1 is white.
    return image.point(lambda v: 255 - v).convert("1")
