"""Guards: the search core is pure; the synonym and stopword tables are readable data."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

import queue_server.catalog
from queue_server.catalog.lexicon import LexiconError, default_lexicon, parse_lexicon

PACKAGE_DIR = Path(queue_server.catalog.__file__).parent
PURE_MODULES = ("normalize", "model", "lexicon", "spelling", "query", "search", "codec")
"""The parts that take data in and give data out: standard library only, no I/O of their own."""


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add("." * node.level + (node.module or ""))
    return modules


@pytest.mark.parametrize("name", PURE_MODULES)
def test_the_search_core_imports_only_the_standard_library_and_itself(name):
    outside = {m for m in imported_modules(PACKAGE_DIR / f"{name}.py")
               if not m.startswith(".") and m.split(".")[0] not in sys.stdlib_module_names}
    relative = {m for m in imported_modules(PACKAGE_DIR / f"{name}.py") if m.startswith(".")}
    assert outside == set()
    assert {m.lstrip(".") for m in relative} <= set(PURE_MODULES)


@pytest.mark.parametrize("name", ("synonyms_vi.tsv", "stopwords_vi.tsv"))
def test_the_tables_have_a_header_and_a_comment_column(name):
    lines = (PACKAGE_DIR / name).read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[-1] == "comment"


def test_the_synonym_table_names_no_procedure_codes():
    text = (PACKAGE_DIR / "synonyms_vi.tsv").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{6}", text)


def test_the_shipped_lexicon_parses():
    lexicon = default_lexicon()
    assert len(lexicon.synonyms) > 50 and len(lexicon.stopwords) > 10


def test_a_broken_line_is_named():
    with pytest.raises(LexiconError, match="line 3"):
        parse_lexicon("phrase\tmeans\tcomment\nlấy vợ\tkết hôn\t\nchỉ một cột\n", "word\n")
