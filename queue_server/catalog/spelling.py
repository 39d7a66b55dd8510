"""Spelling repair for search: Telex leftovers, typos, acronyms (pure: standard library only)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from .normalize import fold


def looks_like_acronym(word: str) -> bool:
    """3–8 letters without marks, like "XNTTHN" or "dkks"."""
    return 3 <= len(word) <= 8 and word.isalpha() and word.isascii()


TELEX_PAIRS = (("dd", "d"), ("aw", "a"), ("aa", "a"), ("ee", "e"), ("oo", "o"), ("ow", "o"), ("uw", "u"), ("w", "u"))
TELEX_TONES = "sfrxj"


def telex_variants(folded: str) -> list[str]:
    """What a word typed with Telex switched off means ("ddawngf" → dang, "kys" → ki)."""
    plain = folded
    for pair, letter in TELEX_PAIRS:
        plain = plain.replace(pair, letter)
    variants = [plain]
    if len(plain) > 1 and plain[-1] in TELEX_TONES:  # the tone key typed last: "sinhf", "kys"
        variants.append(plain[:-1])
    return [fold(v) for v in variants if v and v != folded]


def mark_signature(accent: str) -> str:
    """The diacritics of a word without its letters ("khẩn" → circumflex + hook)."""
    return "".join(ch for ch in unicodedata.normalize("NFD", accent) if unicodedata.combining(ch))


def deletions(word: str) -> set[str]:
    """Every string one deleted letter away."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def deletion_index(vocabulary: Iterable[str]) -> dict[str, list[str]]:
    """Each word and its one-letter deletions → the words (SymSpell-style typo lookup)."""
    index: dict[str, list[str]] = {}
    for word in vocabulary:
        if len(word) < 2:
            continue
        for key in (word, *deletions(word)):
            index.setdefault(key, []).append(word)
    return index


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count one), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
