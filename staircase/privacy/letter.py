"""The readable half of a subject-access export (§6.4): a letter, as one HTML page.

Written for the relative or resident who asked, not for a developer: in the
language in use (Danish unless English is asked for), every fixed text from the
catalogue (§7.5), no internal ids or column names (steps, indicators, actions and
channels by their names; audit actions in plain words), the
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
from staircase.i18n import N_, _, language, pgettext

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


def _months() -> tuple[str, ...]:
    """Month names as a date in a letter writes them: ``23. nov. 2026``/``23 Nov 2026``."""
    return (
        pgettext("month in a date", "Jan"),
        pgettext("month in a date", "Feb"),
        pgettext("month in a date", "Mar"),
        pgettext("month in a date", "Apr"),
        pgettext("month in a date", "May"),
        pgettext("month in a date", "Jun"),
        pgettext("month in a date", "Jul"),
        pgettext("month in a date", "Aug"),
        pgettext("month in a date", "Sep"),
        pgettext("month in a date", "Oct"),
        pgettext("month in a date", "Nov"),
        pgettext("month in a date", "Dec"),
    )


# The tables below are marked with N_() and translated where the letter shows them.
_CHANNELS = {
    "telefon": N_("telephone"),
    "besoeg": N_("visit"),
    "mail": N_("e-mail"),
    "moede": N_("meeting"),
    "andet": N_("other"),
}
_STATUSES = {
    "open": N_("open"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
    "acknowledged": N_("acknowledged"),
    "escalated": N_("passed on"),
    "closed": N_("closed"),
    "done": N_("done"),
    "dropped": N_("dropped"),
    "replaced": N_("replaced"),
    "active": N_("in force"),
    "ended": N_("ended"),
}
_ADDRESSEES = {
    "contact": N_("the contact person"),
    "unit_leader": N_("the unit's leader"),
    "area_leader": N_("the area's leader"),
    "safety_rep": N_("the health and safety representative"),
}
_CONSENT = {
    "named": N_("the resident named the relative themselves"),
    "guardian": N_("guardianship"),
    "attorney": N_("power of attorney"),
    "other": N_("another basis (see below)"),
    "pending": N_("not yet clarified"),
}
_BROKEN_BY = {"relative": N_("the relative"), "staff": N_("the staff"), "both": N_("both parties")}
_FIELDS = {
    "contact": N_("contact person"),
    "consent": N_("consent"),
    "primary": N_("primary relative"),
    "relation": N_("relation"),
    "unit": N_("unit"),
}
_OUTCOMES = {"refused": N_("refused"), "cut short": N_("read, but the output broke off")}
"""What an entry's outcome says to a family; a plain "ok" says nothing."""

_AUDIT = {
    "case.open": N_("the case was opened"),
    "case.read": N_("the case was read"),
    "case.show": N_("the case was read"),
    "case.list": N_("the case was shown in an overview"),
    "case.search": N_("the case was shown in a search"),
    "case.edit": N_("the case was changed"),
    "case.move": N_("the case was moved on the staircase"),
    "move": N_("the case was moved on the staircase"),
    "case.close": N_("the case was closed"),
    "case.purge": N_("the case was deleted"),
    "log": N_("an observation was recorded"),
    "observation.add": N_("an observation was recorded"),
    "observation.retract": N_("an observation was retracted"),
    "proposal.raise": N_("the rules proposed another step"),
    "proposal.decide": N_("a leader decided on a proposal"),
    "proposal.withdraw": N_("a proposal was withdrawn"),
    "escalation.raise": N_("the case was sent to a leader"),
    "escalation.ack": N_("a leader acknowledged the case"),
    "escalation.close": N_("a referral to a leader was closed"),
    "action.create": N_("an action was created"),
    "action.done": N_("an action was done"),
    "action.close": N_("an action was closed"),
    "action.replace": N_("an action was replaced"),
    "action.handover": N_("an action got a new person responsible"),
    "agreement": N_("an agreement was recorded"),
    "agreement.add": N_("an agreement was made"),
    "agreement.broken": N_("a breach of an agreement was recorded"),
    "agreement.review": N_("an agreement was followed up"),
    "agreement.ended": N_("an agreement was ended"),
    "relative.add": N_("you were registered"),
    "resident.add": N_("you were registered"),
    "subject.access": N_("a subject access like this one was made"),
    "export": N_("data were extracted"),
    "import": N_("information was read in"),
    "assess": N_("the case was part of the leader's overview"),
    "tick": N_("deadlines were checked"),
}


def _say(table: Mapping[str, str], key: Any) -> Any:
    """A table's word for ``key`` in the language in use; an unknown key as it is."""
    return _(table[key]) if key in table else key


def _text_columns() -> frozenset[str]:
    """Columns of free text, given the room in a fixed-layout table."""
    return frozenset({_("Note"), _("Reason"), _("Agreement")})


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
        name = _esc(person.get("name"))
        title = _("Access to your information")
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{language()}"><head><meta charset="utf-8">',
            f"<title>{escape(title)} — {name}</title>",
            f"<style>{_STYLE}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            "<p>" + escape(_("To {name}")).format(name=name) + "</p>",
            "<p>"
            + escape(
                _(
                    "You asked to see the information we hold about you (article 15 of the "
                    "General Data Protection Regulation). Here it is, extracted {when}. Other "
                    "people's names are replaced by who they are, such as [relative] or "
                    "[staff member]; your contact person's name is shown."
                )
            ).format(when=escape(self.time(access.generated_at)))
            + "</p>",
            self.article_15(),
            _heading("h2", _("Information about you")),
            self.record(
                [
                    (_("Name"), person.get("name")),
                    (_("Relation"), person.get("relation")),
                    (_("The resident's reference"), person.get("ref")),
                ]
            ),
        ]
        for number, case in enumerate(access.cases, 1):
            parts += self.case(number, case)
        parts += [
            _heading("h2", _("Your registration and earlier subject accesses")),
            self.history(access.history),
            "</body></html>",
        ]
        return "\n".join(parts) + "\n"

    def article_15(self) -> str:
        settings, days = self.facts.settings, self.facts.retention_days
        controller = settings.get(CONTROLLER) or _(
            "the care home (the municipality) you are in contact with"
        )
        contact = settings.get(CONTROLLER_CONTACT)
        dpo = settings.get(DPO_CONTACT)
        rights = (
            _("to have wrong information corrected (article 16)"),
            _("to have information erased (article 17)"),
            _("to have the processing restricted (article 18)"),
            _("to object to the processing (article 21)"),
        )
        lines = [
            _heading("h2", _("Who processes your information, and why")),
            self.record(
                [
                    (_("Data controller"), controller),
                    (
                        _("Contact"),
                        contact or _("ask your contact person or the care home's leader"),
                    ),
                    (_("Data protection officer"), dpo or _("contact the data controller")),
                    (
                        _("Purpose"),
                        _(
                            "To follow and strengthen the collaboration between the staff and "
                            "the relatives about the resident's care (the collaboration "
                            "staircase), so that the right help can be given in time."
                        ),
                    ),
                    (
                        _("Which information"),
                        _(
                            "Names, relation to the resident, what the staff have observed and "
                            "noted about the collaboration, agreements, actions and where the "
                            "case stands on the staircase."
                        ),
                    ),
                    (_("Where the information comes from"), _("The staff record it.")),
                    (
                        _("Recipients"),
                        _(
                            "The staff and the leaders of the unit that has the case, and the "
                            "area's leader. Quality staff see information without names only. "
                            "The information is not passed on to others unless the law "
                            "requires it."
                        ),
                    ),
                    (
                        _("How long"),
                        _(
                            "The information is deleted {days} days (about {years} years) "
                            "after the case is closed."
                        ).format(days=days, years=f"{days / 365.25:.0f}"),
                    ),
                    (
                        _("Automated decisions"),
                        _(
                            "The rules can themselves move a case to the second lowest step. "
                            "Higher steps are always decided by a leader."
                        ),
                    ),
                ]
            ),
            _heading("h3", _("Your rights")),
            "<ul>",
            *(f"<li>{escape(right)}</li>" for right in rights),
            "</ul>",
            "<p>"
            + escape(
                _(
                    "Contact the data controller above. You can complain to the Danish Data "
                    "Protection Agency (Datatilsynet), Carl Jacobsens Vej 35, 2500 Valby, "
                    "telephone 33 19 32 00, dt@datatilsynet.dk, www.datatilsynet.dk."
                )
            )
            + "</p>",
        ]
        return "\n".join(lines)

    def case(self, number: int, case: Any) -> list[str]:
        summary = case.case
        unit = self.facts.units.get(summary.get("unit_id"), "")
        heading = escape(_("Case {number}: {unit}")).format(number=number, unit=_esc(unit))
        parts = [
            f"<h2>{heading}</h2>",
            self.record(
                [
                    (_("Resident"), summary.get("resident")),
                    (_("Relative"), summary.get("relative")),
                    (_("Relation"), summary.get("relation")),
                    (_("Contact person"), summary.get("contact")),
                    (_("Step now"), self.name(summary.get("step"))),
                    (_("On the step since"), self.time(summary.get("step_since"))),
                    (_("Basis of the collaboration"), _say(_CONSENT, summary.get("consent"))),
                    (_("About the consent"), summary.get("consent_note")),
                    (_("Opened"), self.time(summary.get("opened_at"))),
                    (_("Closed"), self.time(summary.get("closed_at"))),
                ]
            ),
        ]
        for title, rows, columns in self.sections(case):
            parts += [f"<h3>{escape(title)}</h3>", self.table(rows, columns)]
        when = _("When the case was read or changed")
        parts += [f"<h3>{escape(when)}</h3>", self.history(case.history)]
        return parts

    def sections(self, case: Any) -> list[tuple[str, list, Sequence[tuple[str, Cell]]]]:
        n, t = self.name, self.time

        def status(key: Any) -> Any:
            return _say(_STATUSES, key)

        when, note, by, reason = _("When"), _("Note"), _("By"), _("Reason")
        from_step, to_step = _("From step"), _("To step")
        return [
            (
                _("Observations"),
                case.observations,
                (
                    (when, lambda r: t(r["occurred_at"])),
                    (
                        _("Indicator"),
                        lambda r: n(r["indicator"]) or _("note without an indicator"),
                    ),
                    (_("Form of contact"), lambda r: _say(_CHANNELS, r["channel"])),
                    (_("Recorded by"), lambda r: r["logged_by"]),
                    (
                        note,
                        lambda r: _join(
                            r["note"],
                            r["retracts_id"] and _("retracts an earlier observation"),
                        ),
                    ),
                ),
            ),
            (
                _("Moves on the staircase"),
                case.transitions,
                (
                    (when, lambda r: t(r["at"])),
                    (from_step, lambda r: n(r["from_step"])),
                    (to_step, lambda r: n(r["to_step"])),
                    (by, lambda r: r["by_staff"] or _("the rules")),
                    # A rule's own reason names rule ids: say in words what it means.
                    (
                        reason,
                        lambda r: (
                            r["reason"] if r["by_staff"] else _("from the observations recorded")
                        ),
                    ),
                ),
            ),
            (
                _("Proposals of another step"),
                case.proposals,
                (
                    (_("Proposed"), lambda r: t(r["raised_at"])),
                    (from_step, lambda r: n(r["from_step"])),
                    (to_step, lambda r: n(r["to_step"])),
                    (_("Status"), lambda r: status(r["status"])),
                    (_("Decided"), lambda r: _join(t(r["decided_at"]), r["decided_by"])),
                    (reason, lambda r: r["reason"]),
                ),
            ),
            (
                _("Sent to a leader"),
                case.escalations,
                (
                    (when, lambda r: t(r["raised_at"])),
                    (_("Step"), lambda r: n(r["step"])),
                    (_("To"), lambda r: _say(_ADDRESSEES, r["to_role"])),
                    (_("Status"), lambda r: status(r["status"])),
                    (
                        _("Acknowledged"),
                        lambda r: _join(t(r["acknowledged_at"]), r["acknowledged_by"]),
                    ),
                    (note, lambda r: r["note"]),
                ),
            ),
            (
                _("Actions"),
                case.actions,
                (
                    (_("Action"), lambda r: n(r["action"])),
                    (_("Responsible"), lambda r: _say(_ADDRESSEES, r["owner_role"])),
                    (_("Created"), lambda r: t(r["created_at"])),
                    (_("Deadline"), lambda r: t(r["due_at"])),
                    (_("Status"), lambda r: _join(status(r["status"]), t(r["closed_at"]))),
                    (note, lambda r: r["note"]),
                ),
            ),
            (
                _("Agreements"),
                case.agreements,
                (
                    (_("Agreement"), lambda r: r["text"]),
                    (_("Made"), lambda r: _join(t(r["agreed_at"]), r["agreed_by"])),
                    (_("Follow-up"), lambda r: t(r["review_at"])),
                    (_("Status"), lambda r: _join(status(r["status"]), t(r["closed_at"]))),
                ),
            ),
            (
                _("Breaches of agreements"),
                case.agreement_breaches,
                (
                    (when, lambda r: t(r["at"])),
                    (_("Broken by"), lambda r: _say(_BROKEN_BY, r["broken_by"])),
                    (_("Recorded by"), lambda r: r["recorded_by"]),
                    (note, lambda r: r["note"]),
                ),
            ),
            (
                _("Follow-up of agreements"),
                case.agreement_reviews,
                (
                    (when, lambda r: t(r["at"])),
                    (by, lambda r: r["by_staff"]),
                    (note, lambda r: r["note"]),
                    (_("Next follow-up"), lambda r: t(r["next_review_at"])),
                ),
            ),
            (
                _("Changes to the case"),
                case.changes,
                (
                    (when, lambda r: t(r["at"])),
                    (by, lambda r: r["by_staff"]),
                    (_("What"), lambda r: _say(_FIELDS, r["field"])),
                    (_("Before"), lambda r: r["old_value"]),
                    (_("After"), lambda r: r["new_value"]),
                    (reason, lambda r: r["reason"]),
                ),
            ),
        ]

    def history(self, entries: "Sequence[HistoryEntry]") -> str:
        return self.table(
            [e.model_dump() for e in entries],
            (
                (_("When"), lambda r: self.time(r["at"])),
                (_("Who"), lambda r: r["by"]),
                (
                    _("What"),
                    lambda r: (
                        _(_AUDIT[r["action"]])
                        if r["action"] in _AUDIT
                        else _("another registration")
                    ),
                ),
                (
                    _("Outcome"),
                    lambda r: _(_OUTCOMES[r["outcome"]]) if r["outcome"] in _OUTCOMES else "",
                ),
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
            return '<p class="none">' + escape(_("None.")) + "</p>"
        row_dicts = [r if isinstance(r, Mapping) else r.model_dump() for r in rows]
        text = _text_columns()
        head = "".join(
            f'<th class="text">{escape(label)}</th>'
            if label in text
            else f"<th>{escape(label)}</th>"
            for label, _cell in columns
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{_esc(cell(r))}</td>" for _label, cell in columns) + "</tr>"
            for r in row_dicts
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def name(self, item_id: str | None) -> str | None:
        """A step, indicator or action by its name in the language in use."""
        if item_id is None:
            return None
        return self.facts.names.get(item_id, item_id)

    def time(self, value: datetime | str | None) -> str:
        """``23. nov. 2026 kl. 14:30``/``23 Nov 2026, 14:30`` in local time (§7.5)."""
        if value is None:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        local = as_utc(value).astimezone(self.tz)
        return _("{day} {month} {year}, {time}").format(
            day=local.day,
            month=_months()[local.month - 1],
            year=local.year,
            time=f"{local:%H:%M}",
        )


def _heading(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>"


def _join(*parts: Any) -> str:
    return ", ".join(str(p) for p in parts if p not in (None, "", False))


def _esc(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return escape(_("yes") if value else _("no"))
    return escape(str(value))
