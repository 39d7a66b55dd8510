"""Read back the QR code printed on a ticket image, as a phone would."""

from __future__ import annotations

import numpy as np
from PIL import Image


def read_qr(image: Image.Image) -> str:
    """The text of the QR code in a ticket image (OpenCV's detector).

    OpenCV misses about one code in sixty at print size (it depends on the random
    status token); a phone reads those fine, and so does OpenCV at twice the size
    with a wider quiet zone, which is tried next.
    """
    import cv2

    gray = np.array(image.convert("L"))
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(gray)
    if not text:
        larger = cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
        larger = cv2.copyMakeBorder(larger, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
        text, _, _ = cv2.QRCodeDetector().detectAndDecode(larger)
    return text
