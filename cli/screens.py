"""What the daily commands print: a log's result, a case, the leader's assessment.

Shared by the commands that end on the same screen (a broken agreement logs
an observation; the demo ends on the leader's assess), so that command
modules never import each other. Everything is worded by name in the
language in use (``words.py``); ids appear only as the numbers people type.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from staircase.cli import render
from staircase.cli.render import Column
from staircase.cli.words import Words, breacher, channel, role, status
from staircase.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from staircase.cases.assess import Assessing
    from staircase.cases.tick import TickReport
    from staircase.views import (
        AssessedCase,
        Assessment,
        CaseView,
        DecisionView,
        EscalationView,
        Family,
        Inbox,
        InboxItem,
        LogResult,
    )

CONSENT = {
    "named": N_("given by the resident"),
    "guardian": N_("by a guardian"),
    "attorney": N_("by power of attorney"),
    "other": N_("other"),
    "pending": N_("not yet clarified"),
}
"""The consent basis of a case (§2), as ``case open --consent`` takes it."""

FIELDS = {
    "contact": N_("contact person"),
    "primary": N_("primary relative"),
    "consent": N_("consent"),
    "consent_note": N_("consent note"),
}
"""The parts of a case ``case edit`` changes, as the history names them."""

NARROW = N_("narrow it with --unit, or read everything with --json")


def print_log(result: "LogResult") -> None:
    """What a log (or a broken agreement) recorded, by name, and what followed."""
    words = Words.of([result.case.pack])
    created = set(result.observations)
    logged = [o for o in result.case.observations if o.id in created]
    if logged:
        names = ", ".join(
            f"{words.indicator(o.indicator)} ({words.step_in_sentence(o.step or '')})"
            for o in logged
        )
        line = ngettext(
            "Logged on case {case}: {names} — observation {ids}",
            "Logged on case {case}: {names} — observations {ids}",
            len(logged),
        )
        ids = ", ".join(str(o.id) for o in logged)
        _say(line.format(case=result.case.id, names=names, ids=ids))
    if result.moved_to:
        _say(_("The rules moved the case to {step}.").format(step=words.step(result.moved_to)))
    for p in result.proposals:
        _say(
            _("Proposal {id}: {move} waits for a leader.").format(
                id=p.id, move=_move(words, p.from_step, p.to_step)
            )
        )
    for e in result.escalations:
        _say(_escalation_line(e))
    for a in result.actions:
        _say(
            _("Action {id}: {name} — {owner}").format(
                id=a.id, name=words.action(a.action), owner=role(a.owner)
            )
        )
    print_position(result.case)


def _escalation_line(e: "EscalationView") -> str:
    to = _("{role} ({unit})").format(role=role(e.to_role), unit=e.to_unit)
    if e.due is None:
        return _("Escalation {id} to {to}, no deadline.").format(id=e.id, to=to)
    return _("Escalation {id} to {to}, acknowledge by {due}.").format(
        id=e.id, to=to, due=render.local_time(e.due)
    )


def print_decision(result: "DecisionView", done: str) -> None:
    """What a decision did: ``done`` (or the proposal a staff move became),
    the escalations it answered, and the actions left open for the leader."""
    words = Words.of([result.case.pack])
    p = result.proposal
    if p is not None:
        _say(
            _(
                "Proposal {id}: case {case} {move} waits for the unit's leader "
                "(only a leader moves a case there)."
            ).format(id=p.id, case=p.case_id, move=_move(words, p.from_step, p.to_step))
        )
    else:
        _say(done)
    for e in result.acknowledged:
        _say(
            _("Escalation {id} ({step}) acknowledged by this decision.").format(
                id=e.id, step=words.step_in_sentence(e.step)
            )
        )
    if result.left_open:
        _say(_("Still open from a step the case has left (done or drop them):"))
    for a in result.left_open:
        _say(
            "  "
            + _("Action {id}: {name} — {owner}").format(
                id=a.id, name=words.action(a.action), owner=role(a.owner)
            )
        )


def print_position(view: "CaseView") -> None:
    """Who the case is about, where it stands on the staircase, and why."""
    from staircase.domain.pack import load_pack

    words = Words.of([view.pack])
    out = render.console()
    out.print(
        _("Case {id} — {relative} ({relation}) and {resident} ({ref}), unit {unit}").format(
            id=view.id,
            relative=view.relative,
            relation=view.relation,
            resident=view.resident,
            ref=view.resident_ref,
            unit=view.unit_id,
        ),
        markup=False,
        highlight=False,
        style="bold",
    )
    out.print(
        render.staircase_panel(
            load_pack(view.pack), position=view.step, indicated=view.indicated_step
        )
    )
    _say(
        _("Step: {step}; the observations point to: {indicated}").format(
            step=words.step_full(view.step), indicated=words.step_full(view.indicated_step)
        )
    )
    seen = {o.id: o for o in view.observations}
    for why in view.why:
        _say("  " + _("why: {reason}").format(reason=words.why(why, seen)))


def print_case(view: "CaseView") -> None:
    """The whole case (``show``): position, then what is open and its history, by name."""
    print_position(view)
    words = Words.of([view.pack])
    consent = _(CONSENT[view.consent]) if view.consent in CONSENT else view.consent
    if view.consent_note:
        consent += f" ({view.consent_note})"
    contact = _("contact person {who}").format(who=view.contact_id or "—")
    primary = _(", primary relative") if view.primary else ""
    _say(
        _("{contact}{primary}; consent {consent}").format(
            contact=contact, primary=primary, consent=consent
        )
    )
    local = render.local_time
    render.table(
        _("Proposals"),
        [Column("#", key=True), _("move"), _("status"), _("reason")],
        [
            [p.id, _move(words, p.from_step, p.to_step), status(p.status), stored(p.reason)]
            for p in view.proposals
        ],
    )
    render.table(
        _("Escalations"),
        [Column("#", key=True), _("about"), _("to"), _("due"), _("status"), _("note")],
        [
            [
                e.id,
                words.step(e.step),
                _("{role} ({unit})").format(role=role(e.to_role), unit=e.to_unit),
                local(e.due),
                status(e.status),
                stored(e.note) or "",
            ]
            for e in view.escalations
        ],
    )
    render.table(
        _("Actions"),
        [Column("#", key=True), _("action"), _("owner"), _("due"), _("status")],
        [
            [a.id, words.action(a.action), role(a.owner), local(a.due), status(a.status)]
            for a in view.actions
        ],
    )
    render.table(
        _("Agreements"),
        [
            Column("#", key=True),
            _("agreement"),
            _("agreed"),
            _("next review"),
            _("status"),
            _("breaches"),
        ],
        [
            [
                a.id,
                a.text,
                local(a.agreed_at),
                local(a.review_at),
                status(a.status),
                "; ".join(
                    _("{when} by {who}").format(when=local(b.at), who=breacher(b.broken_by))
                    for b in a.breaches
                ),
            ]
            for a in view.agreements
        ],
    )
    render.table(
        _("Observations"),
        [
            Column("#", key=True),
            _("when"),
            _("kendetegn"),
            _("channel"),
            _("by"),
            _("note"),
        ],
        [
            [
                o.id,
                local(o.occurred_at),
                _observed(words, o.indicator, o.retracts, o.retracted),
                channel(o.channel),
                o.logged_by,
                o.note or "",
            ]
            for o in view.observations
        ],
    )
    render.table(
        _("Moves"),
        [_("when"), _("from"), _("to"), _("by"), _("reason")],
        [
            [
                local(t.at),
                words.step(t.from_step),
                words.step(t.to_step),
                _("the rules") if t.by.startswith(RULES) else t.by,
                _rules_reason(words, t.by) if t.by.startswith(RULES) else t.reason,
            ]
            for t in view.transitions
        ],
    )
    render.table(
        _("Changes"),
        [_("when"), _("what"), _("from"), _("to"), _("by"), _("reason")],
        [
            [
                local(c.at),
                _(FIELDS[c.field]) if c.field in FIELDS else c.field,
                c.old_value,
                c.new_value,
                c.by_staff,
                c.reason,
            ]
            for c in view.changes
        ],
    )


RULES = "rule:"
"""How a move the rules made names them (``rule:signal-mindre``); its stored reason is a
fixed English line, so the screen words the rules instead."""


def stored(text: str | None) -> str | None:
    """A reason the program stored in English (marked with N_ where it is written) in the
    language in use; a person's own words are not in the catalogue and pass unchanged."""
    return _(text) if text else text


def _rules_reason(words: Words, by: str) -> str:
    return "; ".join(words.rule(rule) for rule in by.removeprefix(RULES).split(", "))


def _observed(words: Words, indicator: str | None, retracts: int | None, retracted: bool) -> str:
    if retracts:
        return _("withdraws {id}").format(id=retracts)
    name = words.indicator(indicator)
    return _("{name} (withdrawn)").format(name=name) if retracted else name


def _shown(items: Iterable[Any]) -> tuple[list[Any], int]:
    """The rows a table shows and how many there are; a listing of the library counts
    the rest itself, without making them into views."""
    first = getattr(items, "first", None)
    return first(render.ROWS_SHOWN) if first else render.capped(items)


def print_assessment(result: "Assessment | Assessing", now: datetime | None = None) -> None:
    """Render an assessment (also the end of ``staircase demo``).

    Every row names the family beside the case number, and what is overdue
    says so; ``now`` is the clock the assessment was made by, to mark the
    escalations past their deadline. The lists are read to their end as they
    come, keeping only the rows a table shows, so the header's count is known
    before anything is printed.
    """
    words = Words.of(result.packs)
    changed, n_changed = result.changed_cases(render.ROWS_SHOWN)
    proposals, n_proposals = _shown(result.proposals)
    escalations, n_escalations = _shown(result.escalations)
    actions, n_actions = _shown(result.actions_overdue)
    out = render.console()
    header = ngettext(
        "Assess — units {units}: {n} open case",
        "Assess — units {units}: {n} open cases",
        result.total,
    ).format(units=", ".join(result.units), n=result.total)
    out.print(header, markup=False, highlight=False, style="bold")
    if result.first:
        _say(_("Your first assess: an overview of every case off the bottom step."))
    family = _("relative / resident")
    case = Column(_("case"), key=True)
    more = _(NARROW)
    render.table(
        _("Proposals waiting for your decision"),
        [Column("#", key=True), case, family, _("move"), _("why")],
        [
            [
                p.id,
                p.case_id,
                _family(p),
                _move(words, p.from_step, p.to_step),
                "; ".join(words.rule(r) for r in p.rules),
            ]
            for p in proposals
        ],
        more=more,
        total=n_proposals,
    )
    render.table(
        _("Escalations waiting for acknowledgement"),
        [Column("#", key=True), case, family, _("about"), _("to"), _("due")],
        [
            [
                e.id,
                e.case_id,
                _family(e),
                _about(words, e.step, e.case_step),
                _("{role} ({unit})").format(role=role(e.to_role), unit=e.to_unit),
                _due(e.due, overdue=now is not None and e.due is not None and e.due < now),
            ]
            for e in escalations
        ],
        more=more,
        total=n_escalations,
    )
    render.table(
        _("Actions overdue"),
        [Column("#", key=True), case, family, _("action"), _("owner"), _("due")],
        [
            [
                a.id,
                a.case_id,
                _family(a),
                words.action(a.action),
                role(a.owner),
                _due(a.due, overdue=True),
            ]
            for a in actions
        ],
        more=more,
        total=n_actions,
    )
    render.table(
        _("Overview: cases off the bottom step")
        if result.first
        else _("Changed since your last assess"),
        [case, family, Column(_("step"), key=True), _("why")],
        [
            [
                c.id,
                _family(c),
                _standing(words, c),
                words.whys(c.why, {s.id: s for s in c.seen}),
            ]
            for c in changed
        ],
        more=more,
        total=n_changed,
    )
    render.table(
        _("Cases per step"),
        [_("step"), _("cases")],
        [[render.coloured(words.step(s), words.colour(s)), n] for s, n in result.steps.items()],
    )


def _family(item: "Family | AssessedCase") -> str:
    return _("{relative} / {resident}").format(relative=item.relative, resident=item.resident)


def _say(line: str) -> None:
    """One line as it is: names and notes may hold brackets, which are not markup."""
    render.console().print(line, markup=False, highlight=False)


def _move(words: Words, before: str, after: str) -> str:
    return f"{words.step(before)} → {words.step(after)}"


def _about(words: Words, step: str, case_step: str | None) -> str:
    """The step an escalation is about, and where the case stands when that differs."""
    if case_step is None or case_step == step:
        return words.step(step)
    return _("{step} proposed; the case stands on {case_step}").format(
        step=words.step(step), case_step=words.step_in_sentence(case_step)
    )


def _due(due: datetime | None, *, overdue: bool) -> str:
    shown = render.local_time(due)
    return _("{due} OVERDUE").format(due=shown) if overdue and due else shown


def _standing(words: Words, case: "AssessedCase"):
    """The step in its colour, with where it stood at the last assess if it moved, and
    beneath it what the observations indicate when that differs: one column, so the
    family and "why" keep their room on an 80-column terminal."""
    cell = _was(words, case.previous_step, case.step)
    if case.indicated_step != case.step or case.previous_indicated not in (
        None,
        case.indicated_step,
    ):
        cell.append("\n")
        cell.append(_("indicated: "), style="dim")
        cell.append_text(_was(words, case.previous_indicated, case.indicated_step))
    return cell


def _was(words: Words, before: str | None, now: str):
    """The step now, in its colour, with the step it was at the last assess if it moved."""
    text = words.step(now)
    if before is not None and before != now:
        text = f"{words.step(before)} → {text}"
    return render.coloured(text, words.colour(now))


KINDS = {
    "escalation": N_("escalation"),
    "informed": N_("for your information"),
    "proposal": N_("proposal"),
    "action": N_("action"),
    "agreement": N_("agreement"),
}
"""What an inbox item is."""


def print_inbox(view: "Inbox") -> None:
    """What waits for a person, naming the family of each case and marking what is overdue."""
    words = Words.of(item.pack for item in view.items)
    render.table(
        _("Inbox for {person}").format(person=view.person),
        [
            _("what"),
            Column("#", key=True),
            Column(_("case"), key=True),
            _("relative / resident"),
            _("to do"),
            _("due"),
        ],
        [
            [
                _(KINDS[i.kind]) if i.kind in KINDS else i.kind,
                i.id,
                i.case_id,
                _("{relative} / {resident}").format(relative=i.relative, resident=i.resident),
                _to_do(words, i),
                _due(i.due, overdue=i.overdue),
            ]
            for i in view.items
        ],
        more=_(NARROW),
    )


def _to_do(words: Words, item: "InboxItem") -> str:
    """What the person is asked to do about an inbox item, by name."""
    if item.kind in ("escalation", "informed") and item.step:
        about = _about(words, item.step, item.case_step)
        if item.kind == "informed":
            return about
        return _("acknowledge: {about}").format(about=about)
    if item.kind == "proposal" and item.step and item.case_step:
        decide = _("decide: {move}").format(move=_move(words, item.case_step, item.step))
        return f"{decide} ({item.text})" if item.text else decide
    if item.kind == "action" and item.action:
        return words.action(item.action)
    if item.kind == "agreement" and item.text is not None:
        return _("review: {text}").format(text=item.text)
    return item.what


def print_tick(report: "TickReport") -> None:
    """What a tick did (or would do), by name; "nothing to do" when it changed nothing."""
    words = Words.installed()
    checked = ngettext(
        "tick checked {n} case", "tick checked {n} cases", report.cases_checked
    ).format(n=report.cases_checked)
    _say(_("{checked} (dry run)").format(checked=checked) if report.dry_run else checked)
    for case_id, before, after in report.moved:
        _say("  " + _("case {id}: {move}").format(id=case_id, move=_move(words, before, after)))
    for p in report.proposals:
        _say(
            "  "
            + _("proposal {id}: case {case} {move}").format(
                id=p.id or _("(new)"), case=p.case_id, move=_move(words, p.from_step, p.to_step)
            )
        )
    for p in report.withdrawn:
        _say("  " + _("proposal {id} withdrawn: no longer indicated").format(id=p.id))
    for e in report.escalations:
        _say(
            "  "
            + _("escalation {id}: case {case} to {to}").format(
                id=e.id,
                case=e.case_id,
                to=_("{role} ({unit})").format(role=role(e.to_role), unit=e.to_unit),
            )
        )
    for e in report.escalated:
        _say(
            "  "
            + _("escalation overdue → escalation {id} to {to}").format(
                id=e.id, to=_("{role} ({unit})").format(role=role(e.to_role), unit=e.to_unit)
            )
        )
    for e in report.closed:
        _say("  " + _("escalation {id} closed: {note}").format(id=e.id, note=stored(e.note)))
    if report.actions:
        _say(
            "  "
            + ngettext("{n} action created", "{n} actions created", report.actions).format(
                n=report.actions
            )
        )
    if not report.changed:
        _say(
            _("nothing to do: tick would not change anything")
            if report.dry_run
            else _("nothing to do: tick did not change anything")
        )
