"""Alternatives as people say them."""

from __future__ import annotations

from collections.abc import Iterable


def join_alternatives(items: Iterable[object], word: str = "hoặc") -> str:
    """"1", "1 hoặc 2", "1, 2 hoặc 3": the counters a citizen may go to, the groups that may apply."""
    texts = [str(item) for item in items]
    if len(texts) <= 1:
        return texts[0] if texts else ""
    return f"{', '.join(texts[:-1])} {word} {texts[-1]}"
