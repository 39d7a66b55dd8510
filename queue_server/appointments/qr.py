"""The booking code as an inline SVG QR code (no image file, no PIL, a few KB)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(text: str) -> Markup:
    """An SVG element drawing ``text`` as a QR code, safe to put in a template."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]  # drop the XML declaration: the SVG goes inside HTML
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="Mã QR đặt lịch" class="qr" ', 1))
