"""No message a person reads bypasses the catalogue (§7.5, issue 12 item 1).

``test_catalogue`` checks that every *marked* message has its Danish text; this
checks that messages are marked at all. It reads the code of ``staircase/`` and
``cli/`` and fails on

* ``raise SomeError("…")`` or ``raise SomeError(f"…")`` for any
  ``StaircaseError`` subclass whose message is a literal rather than a
  ``_()``/``ngettext()``/``pgettext()`` call (or ``.format`` on one), and
* a table's title or column heading, a progress bar's or spinner's label, or
* ``typer.echo(…)``/``….print(…)`` of a literal or f-string with words in it, and
* ``field="the note"``, ``doing="closing a case"``: words a refusal puts into its
  message.

A message built elsewhere and passed on in a variable is not traced; the
Danish tests read those screens.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from staircase import errors

ROOT = Path(__file__).resolve().parents[1]
TRANSLATORS = frozenset({"_", "ngettext", "pgettext"})
WORDS = re.compile(r"[^\W\d_]{2,}")

ALLOWED = {
    # The version line: the program's name and a number, the same in every language.
    ("cli/app.py", 'f"staircase {__version__}"'),
    # The prefix of every error line: the program's name before an already translated message.
    ("cli/boundary.py", 'f"staircase: {inert(line, one_line=one_line)}"'),
    # A pack's id and version, and the line "<id> <version>: <summary> — OK": ids and a summary
    # built from translated words.
    ("cli/rules.py", 'f"{loaded.id} {loaded.version}: {summary} — OK"'),
    # The bench's column of the program's own figures, headed by its name.
    ("cli/bench.py", '"staircase"'),
    # The demo's commands to try, after their translated lead-ins.
    ("cli/demo.py", 'f"\\n{demo}\\n{explore} {command} assess\\n{indent} {command} show 1"'),
    # An option's name, the same in both languages.
    ("staircase/admin/audit_review.py", '"--person"'),
}
"""Output that is not words to translate: (file, the literal as written)."""


FRAGMENTS = {"refuse_cpr": "field", "check_text": "field", "require_reason": "doing"}
"""Calls whose keyword names a thing inside their refusal's message, by the keyword."""


def _error_names() -> frozenset[str]:
    def below(cls: type) -> Iterator[type]:
        yield cls
        for sub in cls.__subclasses__():
            yield from below(sub)

    import staircase.core.identity
    import staircase.domain.pack  # noqa: F401  (defines PackError)

    # The importer's refusal of one row, reported among the others in an InvalidInput.
    return frozenset(cls.__name__ for cls in below(errors.StaircaseError)) | {"_Problem"}


def _sources() -> list[Path]:
    return sorted(
        path
        for folder in ("staircase", "cli")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


def _translated(node: ast.expr) -> bool:
    """A message from the catalogue: ``_("…")``, or ``_("…").format(…)``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in TRANSLATORS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _translated(node.func.value)
    return False


def _has_words(node: ast.expr) -> bool:
    """A literal (plain, f-string, ``"…".format``, ``"…" + x``) with words a person reads."""
    if _translated(node):
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(WORDS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _has_words(node.left) or _has_words(node.right)
    if isinstance(node, ast.BoolOp):
        return any(_has_words(value) for value in node.values)
    if isinstance(node, ast.IfExp):
        return _has_words(node.body) or _has_words(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _has_words(node.func.value)
    return False


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _prints(name: str) -> bool:
    return name in {"echo", "secho", "print", "outcome"} or name.startswith("print_")


def _untranslated() -> list[str]:
    names = _error_names()
    found = []
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            message: ast.expr | None = None
            messages: list[ast.expr] = []
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
                if _name(call.func) in names and call.args:
                    message = call.args[0]
            elif isinstance(node, ast.Call) and _prints(_name(node.func)):
                # Every text handed to a printer: echo, print, print_decision(result, "…").
                messages.extend(node.args)
            elif isinstance(node, ast.Call) and _name(node.func) in FRAGMENTS:
                # What the refusal names, put into its message: "the note", "notatet".
                wanted = FRAGMENTS[_name(node.func)]
                message = next((k.value for k in node.keywords if k.arg == wanted), None)
            elif isinstance(node, ast.Call) and _name(node.func) in {"progress", "status"}:
                message = node.args[0] if node.args else None
            if message is not None:
                messages.append(message)
            if isinstance(node, ast.Call) and _name(node.func) == "table" and node.args:
                # A table's title and its column headings.
                messages.append(node.args[0])
                if len(node.args) > 1 and isinstance(node.args[1], ast.Tuple | ast.List):
                    messages.extend(node.args[1].elts)
            for each in messages:
                if not _has_words(each):
                    continue
                literal = ast.get_source_segment(source, each) or ""
                if (relative, literal) not in ALLOWED:
                    found.append(f"{relative}:{each.lineno}: {literal}")
    return found


def _hidden_from_babel() -> list[str]:
    """``_()`` inside an f-string: Babel's extractor reads the f-string as one token
    (Python 3.11), so the message never reaches the catalogue and stays English."""
    found = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in TRANSLATORS | {"N_"}
                ):
                    segment = ast.get_source_segment(source, node)
                    found.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: {segment}")
    return found


def test_no_message_is_marked_inside_an_f_string() -> None:
    found = _hidden_from_babel()
    assert not found, "take these _() calls out of the f-string:\n" + "\n".join(found)


def test_the_scan_knows_the_errors() -> None:
    assert {"InvalidInput", "NotFound", "NotAllowed", "PackError", "NotYou"} <= _error_names()


@pytest.mark.parametrize(
    "code",
    [
        'raise InvalidInput("no case")',
        'raise errors.NotFound(f"no case {n}")',
        'raise InvalidInput("no case {n}".format(n=n))',
        'typer.echo(f"{n} cases")',
        'console().print("nothing to delete")',
    ],
)
def test_the_scan_finds_an_unmarked_message(code: str) -> None:
    assert _has_words(_message_of(code))


@pytest.mark.parametrize(
    "code",
    [
        'raise InvalidInput(_("no case"))',
        'raise InvalidInput(_("no case {n}").format(n=n))',
        'typer.echo(ngettext("{n} case", "{n} cases", n).format(n=n))',
        "typer.echo(line)",
        'typer.echo(f"{a}: {b}")',
    ],
)
def test_the_scan_lets_a_marked_message_pass(code: str) -> None:
    assert not _has_words(_message_of(code))


def _message_of(code: str) -> ast.expr:
    """The message of one ``raise Error(message)`` or ``print(message)`` line."""
    node = ast.parse(code).body[0]
    return node.exc.args[0] if isinstance(node, ast.Raise) else node.value.args[0]


def test_every_error_and_printed_line_comes_from_the_catalogue() -> None:
    found = _untranslated()
    assert not found, "messages not marked for translation (wrap them in _()):\n" + "\n".join(found)
