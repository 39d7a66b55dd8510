"""A query as search understands it: groups of alternative terms (pure: standard library only).

A group is one unit of meaning: a typed word with its repairs and
completions, an official word from a synonym, or a pair of adjacent words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

PAIR_WEIGHT = 1.0  # a pair of adjacent words found together counts on top of each word


@dataclass
class Group:
    """One unit of meaning in the query: alternatives of one word, or a pair of words."""

    terms: dict[str, float]  # term → weight
    accent: str | None = None  # accent key of the word, when it was typed with marks
    typed: str = ""  # the folded word as typed: the only term the accent applies to
    stop: bool = False

    def accent_for(self, term: str) -> str | None:
        """The accent to compare for one of the group's terms (a repaired word has none)."""
        return self.accent if term == self.typed else None


def word_pairs(folded: Sequence[str]) -> list[str]:
    """Adjacent word pairs ("khai sinh"): Vietnamese words are mostly two syllables."""
    return [f"{a} {b}" for a, b in pairwise(folded)]


def best_term(group: Group) -> str | None:
    """The likeliest reading of a group."""
    return max(group.terms, key=group.terms.__getitem__) if group.terms else None


def pair_groups(groups: Sequence[Group]) -> list[Group]:
    """Pair terms for adjacent meaningful groups, using each group's best alternative."""
    pairs: list[Group] = []
    for left, right in pairwise(groups):
        if not left.terms or not right.terms or left.stop or right.stop:
            continue
        a, b = best_term(left), best_term(right)
        assert a is not None and b is not None  # both groups have terms
        (pair,) = word_pairs((a, b))
        pairs.append(Group({pair: PAIR_WEIGHT * min(left.terms[a], right.terms[b])}))
    return pairs


def merge_single_terms(groups: list[Group]) -> list[Group]:
    """One group per single term (highest weight wins), so a word counts once."""
    merged: dict[str, Group] = {}
    result: list[Group] = []
    for group in groups:
        if len(group.terms) != 1:
            result.append(group)
            continue
        (term, weight), = group.terms.items()
        kept = merged.get(term)
        if kept is None:
            merged[term] = group
            result.append(group)
        elif not group.stop and (kept.stop or weight > kept.terms[term]):
            kept.terms[term], kept.stop = weight, False
            if group.typed == term:
                kept.typed, kept.accent = group.typed, group.accent
    return result
