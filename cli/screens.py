"""What the daily commands print: a log's result, a case, the leader's assessment.

Shared by the commands that end on the same screen (a broken agreement logs
an observation; the demo ends on the leader's assess), so that command
modules never import each other.
"""

from typing import TYPE_CHECKING

from staircase.cli import render

if TYPE_CHECKING:
    from staircase.views import Assessment, CaseView, DecisionView, LogResult


def print_log(result: "LogResult") -> None:
    """What a log (or a broken agreement) recorded, by Danish name, and what followed."""
    from staircase.domain.pack import load_pack

    out = render.console()
    pack = load_pack(result.case.pack)
    created = set(result.observations)
    logged = [o for o in result.case.observations if o.id in created]
    if logged:
        names = ", ".join(f"{pack.indicator_name(o.indicator)} ({o.step})" for o in logged)
        ids = ", ".join(str(o.id) for o in logged)
        out.print(
            f"Registreret på sag {result.case.id}: {names} — observation {ids}",
            markup=False,
            highlight=False,
        )
    if result.moved_to:
        out.print(f"moved by the rules to [bold]{result.moved_to}[/bold]")
    for p in result.proposals:
        out.print(f"proposal {p.id}: {p.from_step} → {p.to_step} waits for a leader")
    for e in result.escalations:
        due = render.local_time(e.due) if e.due else "no deadline"
        out.print(f"escalation {e.id} to {e.to_role} ({e.to_unit}), acknowledge by {due}")
    for a in result.actions:
        out.print(f"action {a.id}: {a.name} — {a.owner}")
    print_position(result.case)


def print_decision(result: "DecisionView", done: str) -> None:
    """What a decision did: ``done`` (or the proposal a staff move became),
    the escalations it answered, and the actions left open for the leader."""
    out = render.console()
    p = result.proposal
    if p is not None:
        out.print(
            f"proposal {p.id}: case {p.case_id} {p.from_step} → {p.to_step} waits for the "
            "unit's leader (only a leader moves a case there)",
            markup=False,
        )
    else:
        out.print(done, markup=False)
    for e in result.acknowledged:
        out.print(f"escalation {e.id} ({e.step}) acknowledged by this decision", markup=False)
    if result.left_open:
        out.print("still open from a step the case has left (done or drop them):", markup=False)
    for a in result.left_open:
        out.print(f"  action {a.id}: {a.name} — {a.owner}", markup=False)


def print_position(view: "CaseView") -> None:
    """Who the case is about, where it stands on the staircase, and why."""
    from staircase.domain.pack import load_pack

    out = render.console()
    out.print(
        f"Case {view.id} — {view.relative} ({view.relation}) and "
        f"{view.resident} ({view.resident_ref}), unit {view.unit_id}",
        markup=False,
        style="bold",
    )
    out.print(
        render.staircase_panel(
            load_pack(view.pack), position=view.step, indicated=view.indicated_step
        )
    )
    out.print(f"step {view.step}, indicated {view.indicated_step}", markup=False)
    for why in view.why:
        out.print(f"  why: {why.rule} (observations {', '.join(map(str, why.observations))})")


def print_case(view: "CaseView") -> None:
    print_position(view)
    consent = view.consent + (f" ({view.consent_note})" if view.consent_note else "")
    render.console().print(
        f"contact person {view.contact_id or '—'}"
        f"{', primary relative' if view.primary else ''}; consent {consent}",
        markup=False,
    )
    render.table(
        "Proposals",
        ["id", "from_step", "to_step", "status", "reason"],
        [[p.id, p.from_step, p.to_step, p.status, p.reason] for p in view.proposals],
    )
    render.table(
        "Escalations",
        ["id", "step", "to", "due", "status", "note"],
        [
            [
                e.id,
                e.step,
                f"{e.to_role} ({e.to_unit})",
                render.local_time(e.due),
                e.status,
                e.note or "",
            ]
            for e in view.escalations
        ],
    )
    render.table(
        "Actions",
        ["id", "action", "owner", "due", "status"],
        [[a.id, a.name, a.owner, render.local_time(a.due), a.status] for a in view.actions],
    )
    render.table(
        "Agreements",
        ["id", "agreement", "agreed", "next review", "status", "breaches"],
        [
            [
                a.id,
                a.text,
                render.local_time(a.agreed_at),
                render.local_time(a.review_at),
                a.status,
                "; ".join(f"{render.local_time(b.at)} by {b.broken_by}" for b in a.breaches),
            ]
            for a in view.agreements
        ],
    )
    render.table(
        "Observations",
        ["id", "when", "indicator", "channel", "by", "note"],
        [
            [
                o.id,
                render.local_time(o.occurred_at),
                ("retracts " + str(o.retracts))
                if o.retracts
                else (o.indicator + (" (retracted)" if o.retracted else "")),
                o.channel,
                o.logged_by,
                o.note or "",
            ]
            for o in view.observations
        ],
    )
    render.table(
        "Moves",
        ["when", "from", "to", "by", "reason"],
        [
            [render.local_time(t.at), t.from_step, t.to_step, t.by, t.reason]
            for t in view.transitions
        ],
    )
    render.table(
        "Changes",
        ["when", "what", "from", "to", "by", "reason"],
        [
            [render.local_time(c.at), c.field, c.old_value, c.new_value, c.by_staff, c.reason]
            for c in view.changes
        ],
    )


def print_assessment(result: "Assessment") -> None:
    """Render an assessment (also the end of ``staircase demo``)."""
    out = render.console()
    out.print(f"[bold]Assess[/bold] — units {', '.join(result.units)}: {result.total} open cases")
    if result.first:
        out.print("Your first assess: an overview of every case off the bottom step.")
    render.table(
        "Proposals waiting for your decision",
        ["id", "case", "move", "rules"],
        [
            [p.id, p.case_id, f"{p.from_step} → {p.to_step}", ", ".join(p.rules)]
            for p in result.proposals
        ],
    )
    render.table(
        "Escalations waiting for acknowledgement",
        ["id", "case", "case on", "about", "to", "due"],
        [
            [
                e.id,
                e.case_id,
                e.case_step,
                e.step,
                f"{e.to_role} ({e.to_unit})",
                render.local_time(e.due),
            ]
            for e in result.escalations
        ],
    )
    render.table(
        "Actions overdue",
        ["id", "case", "action", "owner", "due"],
        [
            [a.id, a.case_id, a.name, a.owner, render.local_time(a.due)]
            for a in result.actions_overdue
        ],
    )
    changed = [c for c in result.cases if c.changed]
    render.table(
        "Overview: cases off the bottom step" if result.first else "Changed since your last assess",
        ["case", "unit", "relative", "resident", "step", "indicated", "why"],
        [
            [
                c.id,
                c.unit_id,
                c.relative,
                c.resident,
                _was(c.previous_step, c.step),
                _was(c.previous_indicated, c.indicated_step),
                ", ".join(w.rule for w in c.why),
            ]
            for c in changed
        ],
    )
    render.table("Cases per step", ["step", "cases"], [[s, n] for s, n in result.steps.items()])


def _was(before: str | None, now: str) -> str:
    return now if before is None or before == now else f"{before} → {now}"
