"""The words search knows besides the catalogue: synonyms and stopwords, kept as data.

``synonyms_vi.tsv`` (phrase → official words) and ``stopwords_vi.tsv`` ship
with the package so a clerk can read and extend them. Parsing is pure;
``default_lexicon`` reads the two packaged files (standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .normalize import accent_key, fold, nfc, tokens, words

SYNONYMS_FILE = "synonyms_vi.tsv"
STOPWORDS_FILE = "stopwords_vi.tsv"


@dataclass(frozen=True)
class Word:
    """A word of the lexicon: its folded form and its accent key (marks, tone placement folded)."""

    folded: str
    accent: str

    def matches(self, folded: str, accent: str | None) -> bool:
        """True when a query word is this word: marks are compared only when the query has some."""
        return folded == self.folded and (accent is None or accent == self.accent)


@dataclass(frozen=True)
class Synonym:
    """An everyday phrase and the official words it stands for."""

    phrase: tuple[Word, ...]
    means: tuple[str, ...]  # folded words of the official phrase


@dataclass(frozen=True)
class Lexicon:
    """Synonyms and stopwords, as search uses them."""

    synonyms: tuple[Synonym, ...] = ()
    stopwords: tuple[Word, ...] = ()


class LexiconError(ValueError):
    """A malformed line in a synonym, stopword or field → service table."""


def parse_lexicon(synonyms_text: str, stopwords_text: str) -> Lexicon:
    """Both files' text into a Lexicon; raise LexiconError naming the line."""
    synonyms = tuple(_parse_synonym(cells, line) for line, cells in tsv_rows(synonyms_text, SYNONYMS_FILE, 2))
    stopwords = tuple(_words(cells[0])[0] for _, cells in tsv_rows(stopwords_text, STOPWORDS_FILE, 1))
    return Lexicon(synonyms=synonyms, stopwords=stopwords)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with motcua (read once per process)."""
    package = resources.files(__package__)
    return parse_lexicon(
        (package / SYNONYMS_FILE).read_text(encoding="utf-8"),
        (package / STOPWORDS_FILE).read_text(encoding="utf-8"),
    )


def tsv_rows(text: str, name: str, columns: int) -> list[tuple[int, list[str]]]:
    """Data rows of a TSV table with a header and # comment lines: (line number, NFC cells).

    Raises LexiconError naming the line when a row lacks one of its first ``columns`` cells.
    """
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(nfc(text).splitlines(), start=1):
        if number == 1 or not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < columns or not all(cell.strip() for cell in cells[:columns]):
            raise LexiconError(f"{name}: line {number}: needs {columns} tab-separated column(s), got {line!r}")
        rows.append((number, cells))
    return rows


def _parse_synonym(cells: list[str], line: int) -> Synonym:
    """One synonym row."""
    phrase, means = _words(cells[0]), tokens(cells[1])
    if not phrase or not means:
        raise LexiconError(f"{SYNONYMS_FILE}: line {line}: phrase and means must contain words")
    return Synonym(phrase=phrase, means=tuple(means))


def _words(text: str) -> tuple[Word, ...]:
    """Words of a phrase, remembering marks where they were written."""
    return tuple(Word(fold(word), accent_key(word)) for word in words(text))
