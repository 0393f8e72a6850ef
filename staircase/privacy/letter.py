"""The readable half of a subject-access export (§6.4): one self-contained HTML page.

Written for the relative or resident who asked, not for a developer: Danish
headings, local times, every table with all its columns. No scripts, no
external files, and every piece of text escaped — notes are typed by
people and may contain anything.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from staircase.clock import format_local, resolve_tz

if TYPE_CHECKING:
    from staircase.privacy.subject_access import HistoryEntry, SubjectAccess, SubjectCase

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 80rem; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ccc; }
h3 { margin-top: 1.5rem; font-size: 1.1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } .wide { overflow-x: auto; } .none { color: #777; }
@media print { body { margin: 0; } h2 { break-before: page; } }
"""

_SECTIONS = (
    ("observations", "Observationer (observations)"),
    ("transitions", "Flytninger på trappen (transitions)"),
    ("proposals", "Forslag (proposals)"),
    ("escalations", "Eskaleringer (escalations)"),
    ("actions", "Handlinger (actions)"),
    ("agreements", "Aftaler (agreements)"),
    ("agreement_breaches", "Brud på aftaler (agreement breaches)"),
    ("agreement_reviews", "Opfølgning på aftaler (agreement reviews)"),
    ("changes", "Ændringer af sagen (case changes)"),
)


def render_html(access: "SubjectAccess") -> str:
    """The whole export as one HTML page."""
    tz = resolve_tz()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="da"><head><meta charset="utf-8">',
        f"<title>Indsigt — {_text(access.subject, tz)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Indsigt i oplysninger (GDPR art. 15)</h1>",
        f"<p>Udtrukket {_text(access.generated_at, tz)} af {_text(access.generated_by, tz)}. "
        "Andre personers navne er erstattet af deres rolle.</p>",
        "<h2>Oplysninger om personen</h2>",
        _record(access.person, tz),
    ]
    parts += [_case(case, tz) for case in access.cases]
    parts += [
        "<h2>Registrering og tidligere indsigter</h2>",
        _history(access.history, tz),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _case(case: "SubjectCase", tz) -> str:
    parts = [f"<h2>Sag {_text(case.case['id'], tz)}</h2>", _record(case.case, tz)]
    for field, title in _SECTIONS:
        parts += [f"<h3>{escape(title)}</h3>", _table(getattr(case, field), tz)]
    parts += [
        "<h3>Hvem har læst eller ændret sagen (audit log)</h3>",
        _history(case.history, tz),
    ]
    return "\n".join(parts)


def _history(entries: "Iterable[HistoryEntry]", tz) -> str:
    return _table([{f: getattr(e, f) for f in type(e).model_fields} for e in entries], tz)


def _record(row: Mapping[str, Any], tz) -> str:
    """One row as a two-column table: field, value."""
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{_text(v, tz)}</td></tr>" for k, v in row.items())
    return f"<table>{cells}</table>"


def _table(rows: list[Mapping[str, Any]], tz) -> str:
    """Rows under a header of all their columns; a dim "none" when there are none."""
    if not rows:
        return '<p class="none">Ingen.</p>'
    columns = list(rows[0])
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(row.get(c), tz)}</td>" for c in columns) + "</tr>"
        for row in rows
    )
    return f'<div class="wide"><table><tr>{head}</tr>{body}</table></div>'


def _text(value: Any, tz) -> str:
    """A value as escaped text: times in local time, yes/no for flags, blank for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return escape(format_local(value, tz))
    if isinstance(value, list):
        return ", ".join(_text(item, tz) for item in value)
    return escape(str(value))
