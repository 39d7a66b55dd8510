"""The published error codes and the words of every API error.

The codes the server sends are constants in ``queue_server.client`` (what a
device matches on); the messages are for people, so they are Vietnamese.
Both are checked over the source: every error constructor in queue_server
is found with ``ast``, so a new code or an English message fails here.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from queue_server.appointments import booking
from queue_server.client import ALL_CODES, ErrorCode
from queue_server.core import errors as core_errors
from queue_server.web import errors as web_errors

PACKAGE = Path(__file__).resolve().parents[2] / "queue_server"

CODE_POSITION: dict[str, tuple[int | None, int]] = {
    # constructor: (index of the code among its positional arguments, index of the message)
    "ApiError": (1, 2),
    "error_response": (1, 2),
    "RatingRejected": (1, 2),
    "PairingRefused": (1, 2),  # device_pairing: pairing a kiosk or a board
    "BookingRefused": (0, 1),
    "Refusal": (0, 1),
    "SignInRefused": (3, 0),
    "PeriodError": (None, 0),
    "_invalid": (None, 0),  # reports.ratings: an invalid_rating
}
"""Every way queue_server builds an error for a client, and where its code and message are (None: no code)."""

CORE_ERRORS = {cls.__name__ for cls in vars(core_errors).values()
               if isinstance(cls, type) and issubclass(cls, core_errors.QueueError)}


@dataclass(frozen=True)
class RaiseSite:
    """One error built in the source: where, its code (when literal) and its message parts (literal text)."""

    where: str
    code: str | None
    message: str | None


def _literal_text(node: ast.AST | None) -> str | None:
    """The literal text of a message: f-string holes become "{}", names and calls make it unknown (None)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is None and right is None:
            return None
        return (left or "{}") + (right or "{}")
    return None


def _argument(call: ast.Call, index: int, keyword: str) -> ast.AST | None:
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[index] if index < len(call.args) else None


def _code_text(value: object) -> str:
    """A literal code as text; one that is not text keeps its repr, so the published check flags it."""
    return value if isinstance(value, str) else repr(value)


def _literal_code(node: ast.AST | None) -> str | None:
    """The code when the call gives it as a literal (``None`` for a name, a call or a literal ``None``)."""
    return _code_text(node.value) if isinstance(node, ast.Constant) and node.value is not None else None


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def raise_sites() -> Iterator[RaiseSite]:
    """Every error constructor call in queue_server (the client module, which only reads errors, aside)."""
    for path in _server_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name, where = _called_name(node), f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            if name in CODE_POSITION:
                code_at, message_at = CODE_POSITION[name]
                code = _argument(node, code_at, "code") if code_at is not None else None
                message = _argument(node, message_at, "message")
                yield RaiseSite(where, _literal_code(code), _literal_text(message))
            elif name in CORE_ERRORS and node.args:
                yield RaiseSite(where, None, _literal_text(node.args[0]))
            elif name == "int_param":
                yield RaiseSite(where, _literal_code(_argument(node, 99, "code")), None)


def _server_modules() -> Iterator[Path]:
    """queue_server's modules but the client, which reads errors and makes none."""
    return (path for path in sorted(PACKAGE.rglob("*.py")) if path != PACKAGE / "client.py")


def default_codes() -> Iterator[tuple[str, str]]:
    """Codes given as defaults (``code: str = "invalid_field"``) and in ``{"error": {"code": "..."}}`` literals."""
    for path in _server_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args.args + node.args.kwonlyargs
                defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + list(node.args.defaults)
                defaults += list(node.args.kw_defaults)
                for argument, default in zip(arguments, defaults, strict=True):
                    if argument.arg == "code" and isinstance(default, ast.Constant) and isinstance(default.value, str):
                        yield f"{path.name}:{node.lineno}", default.value
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "code" and isinstance(value, ast.Constant):
                        yield f"{path.name}:{node.lineno}", _code_text(value.value)


def test_the_scan_finds_the_raise_sites() -> None:
    sites = list(raise_sites())
    assert len(sites) > 80
    assert any(site.code == "too_many_tickets" for site in sites)
    assert any(site.where.startswith("queue_server/core/actions.py") for site in sites)


def test_every_code_raised_in_queue_server_is_published() -> None:
    raised = {site.code: site.where for site in raise_sites() if site.code is not None}
    raised.update({code: where for where, code in default_codes()})
    assert {code: where for code, where in raised.items() if code not in ALL_CODES} == {}


def test_the_codes_of_the_tables_are_published() -> None:
    tables = {cls.code for cls in web_errors.CORE_ERROR_STATUS}
    tables |= {code for code, _ in web_errors._HTTP_CODES.values()}
    tables |= set(booking.LIMIT_CODES)
    assert tables - ALL_CODES == set()


def test_the_codes_are_constants_of_one_class() -> None:
    constants = {name: value for name, value in vars(ErrorCode).items() if name.isupper()}
    assert set(constants.values()) == ALL_CODES
    assert all(name.lower() == value for name, value in constants.items())


ENGLISH = re.compile(
    r"\b(the|is|are|was|must|send|use|choose|please|not|with|this|that|from|there|only|may|"
    r"give|sign|ticket|counter|wait|request|field|number|text|here|one|of|for|and|or|to|be|at|it|no)\b",
    re.IGNORECASE,
)
"""Common English words; a Vietnamese message has none of them (outside quotes and names of things)."""
QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'|`[^`]*`|\{[^}]*\}|\b(GET|POST|PUT|DELETE) \S+|\b[\w-]+(?:[./=][\w-]+)+\b")
"""What a message may quote as it is: JSON fields and values, addresses, header names, file names."""
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ]|[\u0300-\u0323]")


def _words_for_people(message: str) -> str:
    return QUOTED.sub(" ", message)


def _is_vietnamese(message: str) -> bool:
    return bool(VIETNAMESE.search(unicodedata.normalize("NFD", message)))


MESSAGES = [site for site in raise_sites() if site.message]


@pytest.mark.parametrize("site", MESSAGES, ids=[site.where for site in MESSAGES])
def test_every_api_error_message_is_vietnamese(site: RaiseSite) -> None:
    assert site.message is not None
    assert unicodedata.is_normalized("NFC", site.message)
    assert _is_vietnamese(site.message), site.message
    assert ENGLISH.findall(_words_for_people(site.message)) == [], site.message


def test_the_tables_messages_are_vietnamese() -> None:
    messages = [message for _, message in web_errors._HTTP_CODES.values()]
    assert [m for m in messages if not _is_vietnamese(m) or ENGLISH.search(_words_for_people(m))] == []


def test_an_english_message_would_be_caught() -> None:
    assert ENGLISH.findall(_words_for_people('Send an Idempotency-Key header (the same on every retry).'))
    assert not _is_vietnamese("The reason is too long.")
    assert _is_vietnamese("Không có quầy số {}.") and not ENGLISH.findall(_words_for_people('"ok" phải là true.'))
