"""The Content-Security-Policy of the server's HTML pages, built in one place.

Every page loads everything from this server only: no CDN, no inline
script, no plugins, forms post back here. What differs between pages is
passed in: the hashes of inline stylesheets a page carries, and who may
frame it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Final, Literal

SELF: Final = "'self'"
NONE: Final = "'none'"

FrameAncestors = Literal["'self'", "'none'"]
"""Who may frame a page: staff pages (console, admin) this server, as X-Frame-Options does; public pages nobody."""


def content_security_policy(*, style_hashes: Sequence[str] = (), frame_ancestors: FrameAncestors = NONE,
                            local_media: bool = False) -> str:
    """The header value for a page; ``style_hashes`` are ``sha256-…`` digests of its inline ``<style>`` blocks.

    ``local_media`` also lets the page play sound it made itself (``blob:``): the lobby board tries a
    tenth of a second of silence to learn whether it may speak without a tap.
    """
    return _policy(tuple(style_hashes), frame_ancestors, local_media)


@cache
def _policy(style_hashes: tuple[str, ...], frame_ancestors: str, local_media: bool = False) -> str:
    """Built once per combination: pages ask for it on every answer."""
    media = (("media-src", f"{SELF} blob:"),) if local_media else ()
    directives = (
        *media,
        ("default-src", SELF),
        ("script-src", SELF),
        ("style-src", " ".join([SELF, *(f"'{digest}'" for digest in style_hashes)])),
        ("img-src", f"{SELF} data:"),  # data: for the empty favicon (href="data:,") that saves a request
        ("connect-src", SELF),
        ("form-action", SELF),
        ("frame-ancestors", frame_ancestors),
        ("base-uri", NONE),
        ("object-src", NONE),
    )
    return "; ".join(f"{name} {value}" for name, value in directives)
