"""The readable half of a subject-access export (§6.4): a letter, as one HTML page.

Written for the relative or resident who asked, not for a developer: Danish
throughout, no internal ids or column names (steps, indicators, actions and
channels by their Danish names; audit actions in plain words), the
information GDPR art. 15(1)–(2) requires, and tables that wrap on A4 rather
than run off the page. No scripts, no external files, and every piece of
text escaped — notes are typed by people and may contain anything.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from staircase.clock import as_utc, resolve_tz
from staircase.core.settings import CONTROLLER, CONTROLLER_CONTACT, DPO_CONTACT

if TYPE_CHECKING:
    from staircase.privacy.subject_access import HistoryEntry, LetterFacts, SubjectAccess

_STYLE = """
@page { size: A4; margin: 18mm 15mm; }
body { font-family: system-ui, sans-serif; color: #222; max-width: 48rem; margin: 2rem auto;
       line-height: 1.4; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2rem; border-bottom: 2px solid #ccc; }
h3 { margin-top: 1.25rem; font-size: 1.05rem; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: .5rem 0 1rem;
        font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .25rem .4rem; text-align: left; vertical-align: top;
         word-wrap: break-word; overflow-wrap: anywhere; white-space: normal; }
th { background: #f3f3f3; } table.record th { width: 30%; } th.text { width: 35%; }
.none { color: #666; }
tr { break-inside: avoid; }
@media print { body { margin: 0; max-width: none; } }
"""

_MONTHS = (
    "jan.",
    "feb.",
    "mar.",
    "apr.",
    "maj",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
)
_CHANNELS = {
    "telefon": "telefon",
    "besoeg": "besøg",
    "mail": "mail",
    "moede": "møde",
    "andet": "andet",
}
_STATUSES = {
    "open": "åben",
    "accepted": "godkendt",
    "rejected": "afvist",
    "withdrawn": "trukket tilbage",
    "acknowledged": "kvitteret",
    "escalated": "sendt videre",
    "closed": "lukket",
    "done": "udført",
    "dropped": "opgivet",
    "replaced": "erstattet",
    "active": "gældende",
    "ended": "afsluttet",
}
_ADDRESSEES = {
    "contact": "kontaktpersonen",
    "unit_leader": "enhedens leder",
    "area_leader": "områdets leder",
    "safety_rep": "arbejdsmiljørepræsentanten",
}
_CONSENT = {
    "named": "beboeren har selv peget på den pårørende",
    "guardian": "værgemål",
    "attorney": "fuldmagt",
    "other": "andet grundlag (se nedenfor)",
    "pending": "endnu ikke afklaret",
}
_BROKEN_BY = {"relative": "pårørende", "staff": "personalet", "both": "begge parter"}
_FIELDS = {
    "contact": "kontaktperson",
    "consent": "samtykke",
    "primary": "primær pårørende",
    "relation": "relation",
    "unit": "enhed",
}
_AUDIT = {
    "case.open": "sagen blev oprettet",
    "case.read": "sagen blev læst",
    "case.show": "sagen blev læst",
    "case.list": "sagen blev vist i en oversigt",
    "case.search": "sagen blev vist i en søgning",
    "case.edit": "sagen blev ændret",
    "case.move": "sagen blev flyttet på trappen",
    "move": "sagen blev flyttet på trappen",
    "case.close": "sagen blev lukket",
    "case.purge": "sagen blev slettet",
    "log": "en observation blev noteret",
    "observation.add": "en observation blev noteret",
    "observation.retract": "en observation blev trukket tilbage",
    "proposal.raise": "reglerne foreslog et andet trin",
    "proposal.decide": "en leder tog stilling til et forslag",
    "proposal.withdraw": "et forslag blev trukket tilbage",
    "escalation.raise": "sagen blev sendt til en leder",
    "escalation.ack": "en leder kvitterede for sagen",
    "escalation.close": "en henvendelse til en leder blev lukket",
    "action.create": "en handling blev oprettet",
    "action.done": "en handling blev udført",
    "action.close": "en handling blev afsluttet",
    "action.replace": "en handling blev erstattet",
    "action.handover": "en handling fik ny ansvarlig",
    "agreement": "en aftale blev registreret",
    "agreement.add": "en aftale blev indgået",
    "agreement.broken": "et brud på en aftale blev noteret",
    "agreement.review": "en aftale blev fulgt op",
    "agreement.ended": "en aftale blev afsluttet",
    "relative.add": "du blev registreret",
    "resident.add": "du blev registreret",
    "subject.access": "der blev lavet en indsigt som denne",
    "export": "data blev udtrukket",
    "import": "oplysninger blev indlæst",
    "assess": "sagen indgik i lederens overblik",
    "tick": "tidsfrister blev kontrolleret",
}

_TEXT = frozenset({"Note", "Begrundelse", "Aftale"})
"""Columns of free text, given the room in a fixed-layout table."""

Cell = Callable[[Mapping[str, Any]], Any]


def render_html(access: "SubjectAccess", facts: "LetterFacts") -> str:
    """The whole export as one printable letter."""
    letter = _Letter(resolve_tz(), facts)
    return letter.render(access)


class _Letter:
    def __init__(self, tz: ZoneInfo, facts: "LetterFacts") -> None:
        self.tz, self.facts = tz, facts

    def render(self, access: "SubjectAccess") -> str:
        person = access.person
        parts = [
            "<!DOCTYPE html>",
            '<html lang="da"><head><meta charset="utf-8">',
            f"<title>Indsigt i dine oplysninger — {_esc(person.get('name'))}</title>",
            f"<style>{_STYLE}</style></head><body>",
            "<h1>Indsigt i dine oplysninger</h1>",
            f"<p>Til {_esc(person.get('name'))}</p>",
            f"<p>Du har bedt om at se de oplysninger, vi har om dig (databeskyttelses"
            f"forordningens artikel 15). Her er de, udtrukket {self.time(access.generated_at)}. "
            "Andre personers navne er erstattet af, hvem de er, fx [pårørende] eller "
            "[medarbejder]; din kontaktpersons navn står der.</p>",
            self.article_15(),
            "<h2>Oplysninger om dig</h2>",
            self.record(
                [
                    ("Navn", person.get("name")),
                    ("Relation", person.get("relation")),
                    ("Beboerens reference", person.get("ref")),
                ]
            ),
        ]
        for number, case in enumerate(access.cases, 1):
            parts += self.case(number, case)
        parts += [
            "<h2>Din registrering og tidligere indsigter</h2>",
            self.history(access.history),
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"

    def article_15(self) -> str:
        settings, days = self.facts.settings, self.facts.retention_days
        controller = settings.get(CONTROLLER) or "plejehjemmet (kommunen), som du har kontakt med"
        contact = settings.get(CONTROLLER_CONTACT)
        dpo = settings.get(DPO_CONTACT)
        lines = [
            "<h2>Hvem behandler dine oplysninger, og hvorfor</h2>",
            self.record(
                [
                    ("Dataansvarlig", controller),
                    ("Kontakt", contact or "spørg din kontaktperson eller plejehjemmets leder"),
                    ("Databeskyttelsesrådgiver", dpo or "kontakt den dataansvarlige"),
                    (
                        "Formål",
                        "At følge og styrke samarbejdet mellem personalet og de pårørende om "
                        "beboerens pleje (samarbejdstrappen), så der kan sættes ind med den rette "
                        "hjælp i tide.",
                    ),
                    (
                        "Hvilke oplysninger",
                        "Navne, relation til beboeren, hvad personalet har observeret og noteret "
                        "om samarbejdet, aftaler, handlinger og hvor sagen står på trappen.",
                    ),
                    ("Hvor oplysningerne kommer fra", "Personalet noterer dem."),
                    (
                        "Modtagere",
                        "Personalet og lederne i den enhed, der har sagen, og områdets leder. "
                        "Kvalitetsmedarbejdere ser kun oplysninger uden navne. Oplysningerne "
                        "videregives ikke til andre, medmindre loven kræver det.",
                    ),
                    (
                        "Hvor længe",
                        f"Oplysningerne slettes {days} dage (ca. {days / 365.25:.0f} år) efter, "
                        "at sagen er lukket.",
                    ),
                    (
                        "Automatiske afgørelser",
                        "Reglerne kan selv flytte en sag til det næstnederste trin. Højere trin "
                        "besluttes altid af en leder.",
                    ),
                ]
            ),
            "<h3>Dine rettigheder</h3>",
            "<ul>",
            "<li>at få forkerte oplysninger rettet (artikel 16)</li>",
            "<li>at få oplysninger slettet (artikel 17)</li>",
            "<li>at få behandlingen begrænset (artikel 18)</li>",
            "<li>at gøre indsigelse mod behandlingen (artikel 21)</li>",
            "</ul>",
            "<p>Henvend dig til den dataansvarlige ovenfor. Du kan klage til Datatilsynet, "
            "Carl Jacobsens Vej 35, 2500 Valby, telefon 33 19 32 00, dt@datatilsynet.dk, "
            "www.datatilsynet.dk.</p>",
        ]
        return "\n".join(lines)

    def case(self, number: int, case: Any) -> list[str]:
        summary = case.case
        unit = self.facts.units.get(summary.get("unit_id"), "")
        parts = [
            f"<h2>Sag {number}: {_esc(unit)}</h2>",
            self.record(
                [
                    ("Beboer", summary.get("resident")),
                    ("Pårørende", summary.get("relative")),
                    ("Relation", summary.get("relation")),
                    ("Kontaktperson", summary.get("contact")),
                    ("Trin nu", self.name(summary.get("step"))),
                    ("På trinnet siden", self.time(summary.get("step_since"))),
                    (
                        "Grundlag for samarbejdet",
                        _CONSENT.get(summary.get("consent"), summary.get("consent")),
                    ),
                    ("Om samtykket", summary.get("consent_note")),
                    ("Oprettet", self.time(summary.get("opened_at"))),
                    ("Lukket", self.time(summary.get("closed_at"))),
                ]
            ),
        ]
        for title, rows, columns in self.sections(case):
            parts += [f"<h3>{title}</h3>", self.table(rows, columns)]
        parts += ["<h3>Hvornår sagen blev læst eller ændret</h3>", self.history(case.history)]
        return parts

    def sections(self, case: Any) -> list[tuple[str, list, Sequence[tuple[str, Cell]]]]:
        n, t, status = self.name, self.time, _STATUSES.get
        return [
            (
                "Observationer",
                case.observations,
                (
                    ("Hvornår", lambda r: t(r["occurred_at"])),
                    ("Kendetegn", lambda r: n(r["indicator"]) or "note uden kendetegn"),
                    ("Kontaktform", lambda r: _CHANNELS.get(r["channel"], r["channel"])),
                    ("Noteret af", lambda r: r["logged_by"]),
                    (
                        "Note",
                        lambda r: _join(
                            r["note"],
                            r["retracts_id"] and "trækker en tidligere observation tilbage",
                        ),
                    ),
                ),
            ),
            (
                "Flytninger på trappen",
                case.transitions,
                (
                    ("Hvornår", lambda r: t(r["at"])),
                    ("Fra trin", lambda r: n(r["from_step"])),
                    ("Til trin", lambda r: n(r["to_step"])),
                    ("Af", lambda r: r["by_staff"] or "reglerne"),
                    # A rule's own reason names rule ids: say in words what it means.
                    (
                        "Begrundelse",
                        lambda r: (
                            r["reason"] if r["by_staff"] else "ud fra de noterede observationer"
                        ),
                    ),
                ),
            ),
            (
                "Forslag om et andet trin",
                case.proposals,
                (
                    ("Foreslået", lambda r: t(r["raised_at"])),
                    ("Fra trin", lambda r: n(r["from_step"])),
                    ("Til trin", lambda r: n(r["to_step"])),
                    ("Status", lambda r: status(r["status"], r["status"])),
                    ("Afgjort", lambda r: _join(t(r["decided_at"]), r["decided_by"])),
                    ("Begrundelse", lambda r: r["reason"]),
                ),
            ),
            (
                "Sendt til en leder",
                case.escalations,
                (
                    ("Hvornår", lambda r: t(r["raised_at"])),
                    ("Trin", lambda r: n(r["step"])),
                    ("Til", lambda r: _ADDRESSEES.get(r["to_role"], r["to_role"])),
                    ("Status", lambda r: status(r["status"], r["status"])),
                    ("Kvitteret", lambda r: _join(t(r["acknowledged_at"]), r["acknowledged_by"])),
                    ("Note", lambda r: r["note"]),
                ),
            ),
            (
                "Handlinger",
                case.actions,
                (
                    ("Handling", lambda r: n(r["action"])),
                    ("Ansvarlig", lambda r: _ADDRESSEES.get(r["owner_role"], r["owner_role"])),
                    ("Oprettet", lambda r: t(r["created_at"])),
                    ("Frist", lambda r: t(r["due_at"])),
                    (
                        "Status",
                        lambda r: _join(status(r["status"], r["status"]), t(r["closed_at"])),
                    ),
                    ("Note", lambda r: r["note"]),
                ),
            ),
            (
                "Aftaler",
                case.agreements,
                (
                    ("Aftale", lambda r: r["text"]),
                    ("Indgået", lambda r: _join(t(r["agreed_at"]), r["agreed_by"])),
                    ("Opfølgning", lambda r: t(r["review_at"])),
                    (
                        "Status",
                        lambda r: _join(status(r["status"], r["status"]), t(r["closed_at"])),
                    ),
                ),
            ),
            (
                "Brud på aftaler",
                case.agreement_breaches,
                (
                    ("Hvornår", lambda r: t(r["at"])),
                    ("Brudt af", lambda r: _BROKEN_BY.get(r["broken_by"], r["broken_by"])),
                    ("Noteret af", lambda r: r["recorded_by"]),
                    ("Note", lambda r: r["note"]),
                ),
            ),
            (
                "Opfølgning på aftaler",
                case.agreement_reviews,
                (
                    ("Hvornår", lambda r: t(r["at"])),
                    ("Af", lambda r: r["by_staff"]),
                    ("Note", lambda r: r["note"]),
                    ("Næste opfølgning", lambda r: t(r["next_review_at"])),
                ),
            ),
            (
                "Ændringer af sagen",
                case.changes,
                (
                    ("Hvornår", lambda r: t(r["at"])),
                    ("Af", lambda r: r["by_staff"]),
                    ("Hvad", lambda r: _FIELDS.get(r["field"], r["field"])),
                    ("Før", lambda r: r["old_value"]),
                    ("Efter", lambda r: r["new_value"]),
                    ("Begrundelse", lambda r: r["reason"]),
                ),
            ),
        ]

    def history(self, entries: "Sequence[HistoryEntry]") -> str:
        return self.table(
            [e.model_dump() for e in entries],
            (
                ("Hvornår", lambda r: self.time(r["at"])),
                ("Hvem", lambda r: r["by"]),
                ("Hvad", lambda r: _AUDIT.get(r["action"], "anden registrering")),
                ("Udfald", lambda r: "afvist" if r["outcome"] == "refused" else ""),
            ),
        )

    def record(self, fields: Sequence[tuple[str, Any]]) -> str:
        """Label and value, one per row; empty values left out."""
        rows = "".join(
            f"<tr><th>{escape(label)}</th><td>{_esc(value)}</td></tr>"
            for label, value in fields
            if value not in (None, "")
        )
        return f'<table class="record">{rows}</table>'

    def table(self, rows: list, columns: Sequence[tuple[str, Cell]]) -> str:
        if not rows:
            return '<p class="none">Ingen.</p>'
        row_dicts = [r if isinstance(r, Mapping) else r.model_dump() for r in rows]
        head = "".join(
            f'<th class="text">{escape(label)}</th>'
            if label in _TEXT
            else f"<th>{escape(label)}</th>"
            for label, _ in columns
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{_esc(cell(r))}</td>" for _, cell in columns) + "</tr>"
            for r in row_dicts
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def name(self, item_id: str | None) -> str | None:
        """A step, indicator or action by its Danish name."""
        if item_id is None:
            return None
        return self.facts.names.get(item_id, item_id)

    def time(self, value: datetime | str | None) -> str:
        """``23. nov. 2026 kl. 14:30`` in local time (§7.5)."""
        if value is None:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        local = as_utc(value).astimezone(self.tz)
        return f"{local.day}. {_MONTHS[local.month - 1]} {local.year} kl. {local:%H:%M}"


def _join(*parts: Any) -> str:
    return ", ".join(str(p) for p in parts if p not in (None, "", False))


def _esc(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return escape(str(value))
