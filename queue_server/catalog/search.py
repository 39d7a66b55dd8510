"""Find the procedure a citizen means from what they type (pure: standard library only).

``SearchIndex(procedures, lexicon)`` is built once (about a second for 2,000
procedures); ``search(query)`` then costs a few milliseconds. A query goes through:

1. normalisation: NFC, folding (no diacritics, đ → d, kí = ký), word split;
2. word repair for words the catalogue does not know: Telex leftovers
   ("ddawng kys"), run-together words ("khaisinh"), typos (one or two edits);
   the last word, while the citizen is still typing, also matches as a prefix;
3. synonyms from the lexicon ("công chứng" → chứng thực), and stopwords;
4. scoring: each word and each pair of adjacent words scores by rarity
   (idf) and by where it occurs (name ≫ keywords > field > documents);
   then the score grows with how much of the procedure's name the query
   covers, so "khai tử" puts "Đăng ký khai tử" before the long liên thông one.

A word typed with diacritics prefers procedures written with the same marks
(họ ≠ hộ) but still finds the others.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .lexicon import Lexicon, Synonym, Word
from .model import Procedure
from .normalize import accent_key, collation_key, fold, has_diacritics, nfc, phrase_key, tokens, words
from .query import Group, best_term, merge_single_terms, pair_groups, word_pairs
from .spelling import deletion_index, deletions, edit_distance, looks_like_acronym, mark_signature, telex_variants

# Where a word occurs says how much it tells: the name is what the citizen
# sees and means; documents and conditions only hint.
ZONE_WEIGHTS = {"name": 3.0, "keywords": 2.5, "field": 1.0, "documents": 0.5, "details": 0.3}  # heaviest first
# A repaired word counts less than one typed right, a guess less than a sure fix.
WEIGHT_TELEX = 0.9
WEIGHT_SPLIT = 0.9
WEIGHT_TYPO = (1.0, 0.8, 0.55)  # by edit distance 0, 1, 2
WEIGHT_PREFIX = 0.75
WEIGHT_PREFIX_AFTER_WORD = 0.4  # "sinh" is a word already; "sinh…" completions count less
WEIGHT_SYNONYM = 1.0
WEIGHT_SYNONYM_SOURCE = 0.5  # the everyday words themselves still count a little
WEIGHT_ACCENT_MISMATCH = 0.6  # typed "họ", the procedure says "hộ"
COVERAGE_BOOST = 1.0  # score × (1 + boost × share of the name the query covers)
RELATIVE_CUTOFF = 0.12  # drop results scoring below this share of the best one
MAX_COMPLETIONS = 12
MIN_PREFIX = 2  # one letter says too little to complete; two letters, only their commonest words
MAX_TYPO_CANDIDATES = 8
MAX_QUERY_WORDS = 20  # a citizen's question is short; a pasted page is not searched whole
RERANK_DEPTH = 60
BODY_CANDIDATES = 150  # procedures whose documents are looked at, once names have matched


@dataclass(frozen=True)
class Hit:
    """One search result: the procedure and how well it matched."""

    procedure: Procedure
    score: float


@dataclass(frozen=True)
class FieldSummary:
    """A field (lĩnh vực) for browsing: its procedures and the services that take them."""

    name: str
    count: int
    services: tuple[str, ...]


class SearchIndex:
    """An in-memory index of one catalogue version."""

    def __init__(self, procedures: Sequence[Procedure], lexicon: Lexicon) -> None:
        self.procedures: tuple[Procedure, ...] = tuple(procedures)
        self.lexicon = lexicon
        self._by_code = {p.code: i for i, p in enumerate(self.procedures)}
        self._names = [tokens(p.name) for p in self.procedures]
        self._fields = [phrase_key(p.field) for p in self.procedures]
        self._field_members: dict[str, frozenset[int]] = {
            key: frozenset(i for i, f in enumerate(self._fields) if f == key) for key in set(self._fields)}
        self._initials = ["".join(word[0] for word in name) for name in self._names]
        self._accent_holders: dict[str, set[int]] = {}  # accent key → procedures with that word
        self._postings: dict[str, dict[int, float]] = {}
        self._title_postings: dict[str, dict[int, float]] = {}  # from names, keywords, fields
        self._body_postings: dict[str, dict[int, float]] = {}  # from documents and details
        self._idf: dict[str, float] = {}
        self._title_pairs: set[str] = set()
        self._build_postings()
        self._name_weights = [self._core_name_weights(p.name) for p in self.procedures]
        self._known_accents = set(self._accent_holders) | {w.accent for s in lexicon.synonyms for w in s.phrase}
        synonym_words = {w.folded for s in lexicon.synonyms for w in s.phrase}
        self._known = {t for t in self._postings if " " not in t} | synonym_words
        self._vocabulary = sorted(self._known)
        self._deletions = deletion_index(self._known)
        self._marks: dict[str, set[str]] = {}
        for key in self._known_accents:
            self._marks.setdefault(fold(key), set()).add(mark_signature(key))
        self._synonyms = _synonym_table(lexicon)
        self._stopwords: dict[str, list[Word]] = {}
        for word in lexicon.stopwords:
            self._stopwords.setdefault(word.folded, []).append(word)
        # Word pairs said somewhere: in the catalogue's names and fields, or in an everyday phrase.
        self._phrase_pairs = self._title_pairs | {
            pair for synonym in lexicon.synonyms for pair in word_pairs([w.folded for w in synonym.phrase])}
        self._browse_order = sorted(range(len(self.procedures)),
                                    key=lambda i: collation_key(self.procedures[i].name))

    # -- building ---------------------------------------------------------

    def _build_postings(self) -> None:
        """Weighted postings (word and word pair → procedure → weight × idf)."""
        raw: dict[str, dict[int, float]] = {}
        title_df: dict[str, float] = {}
        analysed: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}  # texts repeat across procedures
        known: dict[str, tuple[str, str]] = {}
        for index, procedure in enumerate(self.procedures):
            weights: dict[str, float] = {}
            accents: set[str] = set()
            for zone, texts in _zones(procedure).items():  # heaviest zone first: a term keeps its best weight
                zone_terms: dict[str, float] = {}
                for text in texts:
                    if text not in analysed:
                        analysed[text] = _analyse(text, known)
                    terms, keys = analysed[text]
                    zone_terms.update(dict.fromkeys(terms, ZONE_WEIGHTS[zone]))
                    accents |= keys
                zone_terms.update(weights)
                weights = zone_terms
            for key in accents:
                self._accent_holders.setdefault(key, set()).add(index)
            for term, weight in weights.items():
                raw.setdefault(term, {})[index] = weight
                # Rarity is judged on what procedures are about, not on the papers they all ask for.
                title_df[term] = title_df.get(term, 0.0) + (1.0 if weight >= ZONE_WEIGHTS["field"] else 0.3)
        self._title_pairs.update(term for term, postings in raw.items()
                                 if " " in term and max(postings.values()) >= ZONE_WEIGHTS["field"])
        total = max(len(self.procedures), 1)
        for term, postings in raw.items():
            idf = self._idf[term] = math.log(1.0 + total / (title_df[term] + 1.0))
            self._postings[term] = {index: weight * idf for index, weight in postings.items()}
            title = {i: v for i, v in self._postings[term].items() if postings[i] >= ZONE_WEIGHTS["field"]}
            if title:
                self._title_postings[term] = title
            if len(title) < len(postings):
                self._body_postings[term] = {i: v for i, v in self._postings[term].items() if i not in title}

    def _core_name_weights(self, name: str) -> tuple[dict[str, float], float]:
        """The words of a name without its bracketed clarifications, each weighted by rarity; their sum."""
        core = tokens(_PARENTHESES.sub(" ", name)) or tokens(name)
        weights = {term: self._idf.get(term, 0.0) for term in core}
        return weights, sum(weights.values())

    # -- public -----------------------------------------------------------

    def get(self, code: str) -> Procedure | None:
        """The procedure with this code, if the catalogue has it."""
        index = self._by_code.get(code)
        return self.procedures[index] if index is not None else None

    def browse(self, field: str | None = None) -> list[Procedure]:
        """Every procedure (of one field), in Vietnamese alphabetical order."""
        wanted = phrase_key(field) if field else None
        return [self.procedures[i] for i in self._browse_order
                if wanted is None or self._fields[i] == wanted]

    def fields(self) -> list[FieldSummary]:
        """The fields of the catalogue, in Vietnamese alphabetical order."""
        counts: dict[str, int] = {}
        services: dict[str, list[str]] = {}
        for procedure in self.procedures:
            counts[procedure.field] = counts.get(procedure.field, 0) + 1
            known = services.setdefault(procedure.field, [])
            if procedure.service and procedure.service not in known:
                known.append(procedure.service)
        return [FieldSummary(name, counts[name], tuple(services[name]))
                for name in sorted(counts, key=collation_key)]

    def search(self, query: str, *, field: str | None = None, limit: int = 10) -> list[Hit]:
        """The procedures a query means, best first (empty query: none)."""
        query = nfc(query)
        groups, acronyms = self._understand(query)
        if not groups and not acronyms:
            return []
        allowed = self._field_members.get(phrase_key(field), frozenset()) if field else None
        scores, covered, shortlist = self._score(groups, allowed)
        if acronyms:
            self._score_acronyms(acronyms, scores, covered, allowed)
            shortlist = None
        return self._rank(scores, covered, limit, shortlist)

    # -- understanding the query -----------------------------------------

    def _understand(self, query: str) -> tuple[list[Group], list[str]]:
        """Query text → scoring groups (words, synonyms, pairs) and acronym candidates."""
        typed = words(query)
        still_typing = bool(query) and not query[-1].isspace() and len(typed) <= MAX_QUERY_WORDS
        typed = typed[:MAX_QUERY_WORDS]
        positions: list[Group] = []
        acronyms: list[str] = []
        for number, word in enumerate(typed):
            last = still_typing and number == len(typed) - 1
            previous = best_term(positions[-1]) if positions else None
            repaired = self._repair(word, previous if last else False)
            if repaired is None:
                acronyms.append(fold(word))
                continue
            positions.extend(repaired)
        self._mark_stopwords(positions)
        expansions, rewritten = self._apply_synonyms(positions)
        if positions and all(g.stop for g in positions) and not expansions:
            for group in positions:
                group.stop = False  # the query is only common words: use them after all
        groups = positions + [g for phrase in expansions for g in phrase]
        # Pairs as typed, and as said officially ("công chứng bản sao" → "chứng thực bản sao").
        groups += pair_groups(positions) + pair_groups(rewritten)
        groups += [g for phrase in expansions for g in pair_groups(phrase)]
        return merge_single_terms(groups), acronyms

    def _repair(self, word: str, typing_after: str | None | bool) -> list[Group] | None:
        """One typed word → one or two groups; None when it looks like an acronym.

        ``typing_after`` is False for a finished word; for the word being typed,
        the word before it (or None), which guides the completions.
        """
        last = typing_after is not False
        previous = typing_after if isinstance(typing_after, str) else None
        folded = fold(word)
        accent = accent_key(word) if has_diacritics(word) else None
        if folded in self._known:
            group = Group({folded: 1.0}, accent, folded)
            if accent is not None and accent not in self._known_accents:
                # "khẩn" is a word, but not one of the catalogue's: perhaps a typo of "khẩu".
                for term, weight in self._typo_candidates(folded, accent).items():
                    group.terms.setdefault(term, weight)
            if last:
                self._add_completions(group, folded, WEIGHT_PREFIX_AFTER_WORD, previous)
            return [group]
        for variant in telex_variants(folded):
            if variant in self._known:
                return [Group({variant: WEIGHT_TELEX})]
        split = self._split(folded)
        if split:
            return [Group({part: WEIGHT_SPLIT}) for part in split]
        group = Group(self._typo_candidates(folded, accent), accent, folded)
        if last:
            self._add_completions(group, folded, WEIGHT_PREFIX, previous)
        if not group.terms:
            return None if looks_like_acronym(word) else [Group({folded: 1.0}, accent, folded)]
        return [group]

    def _add_completions(self, group: Group, prefix: str, weight: float, previous: str | None) -> None:
        """Words of the catalogue that start with what is being typed (two letters at least).

        Words that follow the previous word somewhere in the catalogue come
        first ("di ch" → chúc), then the commonest.
        """
        if len(prefix) < MIN_PREFIX:
            return
        start = bisect_left(self._vocabulary, prefix)
        found: list[str] = []
        for term in self._vocabulary[start:]:
            if not term.startswith(prefix):
                break
            if term != prefix:
                found.append(term)
        most = MAX_COMPLETIONS if len(prefix) > MIN_PREFIX else MAX_COMPLETIONS // 3
        if len(found) > most:
            found = heapq.nlargest(most, found, key=lambda t: (f"{previous} {t}" in self._phrase_pairs,
                                                              len(self._postings.get(t, ()))))
        for term in found:
            group.terms.setdefault(term, weight)

    def _split(self, folded: str) -> tuple[str, str] | None:
        """A run-together pair of catalogue words ("khaisinh" → khai sinh)."""
        if len(folded) < 5:
            return None
        for cut in range(2, len(folded) - 1):
            head, tail = folded[:cut], folded[cut:]
            if head in self._postings and tail in self._postings:
                return head, tail
        return None

    def _typo_candidates(self, folded: str, accent: str | None = None) -> dict[str, float]:
        """Known words within one edit (two for long words) of a word the catalogue lacks."""
        if len(folded) < 3:
            return {}
        limit = 1 if len(folded) < 6 else 2
        found: dict[str, int] = {}
        for key in (folded, *deletions(folded)):
            for candidate in self._deletions.get(key, ()):
                if candidate not in found:
                    distance = edit_distance(folded, candidate, limit)
                    if distance <= limit:
                        found[candidate] = distance
        # Closest first; a slip on the first letter is rarer than later; then the commoner word.
        if accent:  # marks are typed apart from letters (Telex), so a slip keeps them: khẩn → khẩu
            typed_marks = mark_signature(accent)
            found = {t: d for t, d in found.items() if typed_marks in self._marks.get(t, ())}
        best = sorted(found, key=lambda t: (found[t], t[0] != folded[0], -len(self._postings.get(t, ()))))
        best = best[:MAX_TYPO_CANDIDATES]
        return {term: WEIGHT_TYPO[found[term]] for term in best}

    def _mark_stopwords(self, positions: list[Group]) -> None:
        """Flag words that say nothing about the procedure ("làm", "cho", "cần")."""
        for group in positions:
            if len(group.terms) == 1:
                (term,) = group.terms
                group.stop = any(word.matches(term, group.accent_for(term)) for word in self._stopwords.get(term, ()))

    def _apply_synonyms(self, positions: list[Group]) -> tuple[list[list[Group]], list[Group]]:
        """The official words of everyday phrases (longer phrases win where they overlap).

        Returns each synonym's words, and the query rewritten with the first
        synonym of each phrase in its place, for word pairs across the seam.
        """
        spans: dict[tuple[int, int], list[Synonym]] = {}
        for start in range(len(positions)):
            for term in positions[start].terms:
                for synonym in self._synonyms.get(term, ()):
                    if self._synonym_at(synonym, positions, start):
                        spans.setdefault((start, len(synonym.phrase)), []).append(synonym)
        taken: dict[int, list[list[Group]]] = {}
        for start, length in sorted(spans, key=lambda span: (-span[1], span[0])):
            span = range(start, start + length)
            if not any(index in taken for index in span):
                phrases = [[Group({term: WEIGHT_SYNONYM}) for term in synonym.means]
                           for synonym in spans[start, length]]
                taken.update({index: [] for index in span})
                taken[start] = phrases
        rewritten: list[Group] = []
        for index, group in enumerate(positions):
            if index not in taken:
                rewritten.append(group)
                continue
            group.terms = {t: w * WEIGHT_SYNONYM_SOURCE for t, w in group.terms.items()}
            if taken[index]:
                rewritten.extend(taken[index][0])
        return [phrase for phrases in taken.values() for phrase in phrases], rewritten

    def _synonym_at(self, synonym: Synonym, positions: list[Group], start: int) -> bool:
        """Whether a synonym's phrase is said at this position of the query.

        Not when, typed without marks, it would split a pair of words the catalogue
        itself uses: in "mai tang cho" the catalogue's "mai táng" wins over "tặng cho".
        """
        end = start + len(synonym.phrase)
        if end > len(positions):
            return False
        for word, group in zip(synonym.phrase, positions[start:end], strict=True):
            if not any(word.matches(term, group.accent_for(term)) for term in group.terms):
                return False
        return not (self._claimed(positions, start - 1, synonym.phrase[0].folded, positions[start], before=True)
                    or self._claimed(positions, end, synonym.phrase[-1].folded, positions[end - 1], before=False))

    def _claimed(self, positions: list[Group], neighbour: int, edge: str, edge_group: Group, before: bool) -> bool:
        """Whether an unaccented edge word of a phrase pairs with its neighbour in the catalogue."""
        if edge_group.accent is not None or not 0 <= neighbour < len(positions) or positions[neighbour].stop:
            return False  # typed with marks, the citizen said what they meant
        pairs = (f"{t} {edge}" if before else f"{edge} {t}" for t in positions[neighbour].terms)
        return any(pair in self._title_pairs for pair in pairs)

    # -- scoring ----------------------------------------------------------

    def _score(self, groups: Iterable[Group], allowed: frozenset[int] | None
               ) -> tuple[dict[int, float], set[str], list[int] | None]:
        """Sum of group scores per procedure, and the words the query holds.

        Names, keywords and fields bring the candidates; documents and details
        then add to the best of those only (to every procedure when no name
        matched), so the words all papers share ("giấy", "bản") cost little
        however large the catalogue.
        """
        active = [g for g in groups if not g.stop and any(t in self._postings for t in g.terms)]
        query_terms = {term for group in active for term in group.terms}
        scores: dict[int, float] = {}
        reached: list[dict[int, float]] = []
        for group in active:
            part = self._group_scores(group, self._title_postings, None)
            reached.append(part)
            if not scores:
                scores = dict(part)  # a copy: part may be the index's own postings
                continue
            for index, value in part.items():
                scores[index] = scores.get(index, 0.0) + value
        if allowed is not None:
            scores = {i: v for i, v in scores.items() if i in allowed}
        candidates = None
        if scores:  # supporting evidence only: the body weighs a sixth of a name, so look at the best few
            candidates = dict.fromkeys(_highest(scores, BODY_CANDIDATES))
        for group, seen in zip(active, reached, strict=True):
            for index, value in self._group_scores(group, self._body_postings, candidates).items():
                if index not in seen and (allowed is None or index in allowed):  # a group counts once
                    scores[index] = scores.get(index, 0.0) + value
        # Only the candidates gained anything after the names: the best of all are among them.
        return scores, query_terms, list(candidates) if candidates is not None else None

    def _group_scores(self, group: Group, postings_by_term: dict[str, dict[int, float]],
                      candidates: dict[int, None] | None) -> dict[int, float]:
        """One group's score per procedure (its best-matching alternative), among candidates if given.

        Read-only: for a plain word it is the index's own postings.
        """
        if len(group.terms) == 1 and candidates is None:
            (term, weight), = group.terms.items()
            if weight == 1.0 and group.accent_for(term) is None:
                return postings_by_term.get(term, {})
        best: dict[int, float] = {}
        for term, weight in group.terms.items():
            postings = postings_by_term.get(term)
            if not postings:
                continue
            if candidates is not None:
                postings = ({i: postings[i] for i in candidates if i in postings} if len(candidates) < len(postings)
                            else {i: v for i, v in postings.items() if i in candidates})
            accent = group.accent_for(term)
            if accent is None:
                part = {i: v * weight for i, v in postings.items()}
            else:
                holders: set[int] | frozenset[int] = self._accent_holders.get(accent, frozenset())
                mismatch = weight * WEIGHT_ACCENT_MISMATCH
                part = {i: v * (weight if i in holders else mismatch) for i, v in postings.items()}
            if not best:
                best = part
                continue
            for index, value in part.items():
                if value > best.get(index, 0.0):
                    best[index] = value
        return best

    def _score_acronyms(self, acronyms: list[str], scores: dict[int, float], covered: set[str],
                        allowed: frozenset[int] | None) -> None:
        """"XNTTHN": initials of consecutive words of a name count as those words."""
        for acronym in acronyms:
            for index, initials in enumerate(self._initials):
                at = initials.find(acronym)
                if at < 0 or (allowed is not None and index not in allowed):
                    continue
                for term in self._names[index][at:at + len(acronym)]:
                    scores[index] = scores.get(index, 0.0) + self._postings[term][index]
                    covered.add(term)

    def _rank(self, scores: dict[int, float], query_terms: set[str], limit: int,
              shortlist: list[int] | None) -> list[Hit]:
        """Boost by how much of each name the query covers, then sort and cut."""
        final: list[tuple[float, int]] = []
        pool = scores if shortlist is None else {i: scores[i] for i in shortlist}
        for index in _highest(pool, RERANK_DEPTH):
            score = scores[index]
            weights, total = self._name_weights[index]
            coverage = sum(w for t, w in weights.items() if t in query_terms) / total if total else 0.0
            final.append((score * (1.0 + COVERAGE_BOOST * coverage), index))
        if not final:
            return []
        cutoff = max(score for score, _ in final) * RELATIVE_CUTOFF
        final.sort(key=lambda item: (-item[0], len(self._names[item[1]]), self.procedures[item[1]].code))
        return [Hit(self.procedures[i], round(score, 3)) for score, i in final[:max(limit, 0)] if score >= cutoff]


# -- helpers (pure functions) ---------------------------------------------

def _zones(procedure: Procedure) -> dict[str, list[str]]:
    """The texts of a procedure by search zone, in the order of ZONE_WEIGHTS (heaviest first)."""
    return {
        "name": [procedure.name],
        "keywords": list(procedure.keywords),
        "field": [procedure.field],
        "documents": [d.name for d in procedure.documents] + [procedure.result],
        "details": [procedure.applicants, procedure.conditions],
    }


def _analyse(text: str, known: dict[str, tuple[str, str]]) -> tuple[tuple[str, ...], frozenset[str]]:
    """A text's search terms (words and adjacent pairs) and the accent keys of its words.

    ``known`` remembers each word's (folded, accent key): texts differ, words repeat.
    """
    written = words(text)
    for word in written:
        if word not in known:
            known[word] = (fold(word), accent_key(word))
    folded = [known[word][0] for word in written]
    return (*folded, *word_pairs(folded)), frozenset(known[word][1] for word in written)


def _highest(scores: dict[int, float], count: int) -> list[int]:
    """The procedures with the highest scores (a plain sort beats heapq.nlargest here, in C)."""
    return sorted(scores, key=scores.__getitem__, reverse=True)[:count]


def _synonym_table(lexicon: Lexicon) -> dict[str, list[Synonym]]:
    """Synonyms by the folded first word of their phrase."""
    table: dict[str, list[Synonym]] = {}
    for synonym in lexicon.synonyms:
        table.setdefault(synonym.phrase[0].folded, []).append(synonym)
    return table


_PARENTHESES = re.compile(r"\([^()]*\)")
