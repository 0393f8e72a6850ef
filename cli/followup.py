"""Commands for what follows up on a case (§10.4): tick, ack, actions, agreements, inbox."""

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json
from staircase.cli.options import (
    ActionId,
    AgreementId,
    CaseId,
    EscalationId,
    JsonOutput,
    Reason,
    when_help,
)
from staircase.i18n import _
from staircase.kinds import ActionStatus

action_app = typer.Typer(
    help="Recommended actions: mark them done or drop them.", no_args_is_help=True
)
agreement_app = typer.Typer(
    help="Agreements with relatives, with review dates.", no_args_is_help=True
)


def tick(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would happen; write nothing."),
    json: JsonOutput = False,
) -> None:
    """Apply every time-based rule now (run it from cron); a second run changes nothing."""
    from staircase.cases.tick import tick as run_tick

    with render.progress("Evaluating cases") as advance:
        report = run_tick(request(ctx), dry_run=dry_run, progress=advance)
    if wants_json(ctx, json):
        render.print_model(report)
        render.skipped_units(report.skipped_units)
        return
    out = render.console()
    verb = "would" if dry_run else "did"
    out.print(f"tick {'(dry run) ' if dry_run else ''}checked {report.cases_checked} cases")
    for case_id, before, after in report.moved:
        out.print(f"  case {case_id}: {before} → {after}")
    for p in report.proposals:
        out.print(f"  proposal {p.id or '(new)'}: case {p.case_id} {p.from_step} → {p.to_step}")
    for p in report.withdrawn:
        out.print(f"  proposal {p.id} withdrawn: no longer indicated")
    for e in report.escalations:
        out.print(f"  escalation {e.id}: case {e.case_id} to {e.to_role} ({e.to_unit})")
    for e in report.escalated:
        out.print(f"  escalation overdue → escalation {e.id} to {e.to_role} ({e.to_unit})")
    for e in report.closed:
        out.print(f"  escalation {e.id} closed: {e.note}")
    if report.actions:
        out.print(f"  {report.actions} actions created")
    if not report.changed:
        out.print(f"nothing to do: tick {verb} not change anything")
    render.skipped_units(report.skipped_units)


def ack(
    ctx: typer.Context,
    escalation: EscalationId,
    note: str | None = typer.Option(None, "--note", help="What you will do."),
    json: JsonOutput = False,
) -> None:
    """Acknowledge an escalation addressed to you."""
    from staircase.cases.followup import acknowledge

    view = acknowledge(request(ctx), escalation, note=note)
    render.outcome(wants_json(ctx, json), view, f"escalation {escalation} acknowledged")


@action_app.command("done")
def action_done(
    ctx: typer.Context,
    action: ActionId,
    note: str | None = typer.Option(None, "--note", help="What was done."),
    json: JsonOutput = False,
) -> None:
    """Mark an action done."""
    from staircase.cases.followup import close_action

    view = close_action(request(ctx), action, status=ActionStatus.DONE, note=note)
    render.outcome(wants_json(ctx, json), view, f"action {action} done")


@action_app.command("drop")
def action_drop(
    ctx: typer.Context,
    action: ActionId,
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    """Drop an action that is not needed, with the reason."""
    from staircase.cases.followup import close_action

    view = close_action(request(ctx), action, status=ActionStatus.DROPPED, note=reason)
    render.outcome(wants_json(ctx, json), view, f"action {action} dropped")


@agreement_app.command("add")
def agreement_add(
    ctx: typer.Context,
    case: CaseId,
    text: str = typer.Argument(..., help="What was agreed."),
    review: str | None = typer.Option(
        None, "--review", metavar="WHEN", help=when_help(_("When to review it."))
    ),
    json: JsonOutput = False,
) -> None:
    """Record an agreement with the relative."""
    from staircase.cases.followup import add_agreement

    view = add_agreement(request(ctx), case, text, review=review)
    render.outcome(wants_json(ctx, json), view, f"agreement {view.id}")


@agreement_app.command("broken")
def agreement_broken(
    ctx: typer.Context,
    agreement: AgreementId,
    by: str = typer.Option(
        "relative", "--by", help="Who did not keep it: relative, staff or both."
    ),
    note: str | None = typer.Option(None, "--note", help="What happened."),
    json: JsonOutput = False,
) -> None:
    """Record a breach; the relative's (or both's) logs "aftaler overholdes ikke" on the case."""
    from staircase.cases.followup import break_agreement
    from staircase.cli.screens import print_log

    result = break_agreement(request(ctx), agreement, by=by, note=note)
    if wants_json(ctx, json):
        render.print_model(result)
        return
    breaches = len(result.agreement.breaches)
    render.console().print(
        f"agreement {agreement}: breach by {by} recorded ({breaches} in all); it stays in force"
    )
    if result.logged is not None:
        print_log(result.logged)


@agreement_app.command("review")
def agreement_review(
    ctx: typer.Context,
    agreement: AgreementId,
    next_review: str | None = typer.Option(
        None, "--next", metavar="WHEN", help=when_help(_("When to review it again."))
    ),
    note: str | None = typer.Option(None, "--note", help="What came of the review."),
    json: JsonOutput = False,
) -> None:
    """Record that an agreement was gone through with the relative, and when to again."""
    from staircase.cases.followup import review_agreement

    view = review_agreement(request(ctx), agreement, next_review=next_review, note=note)
    nxt = render.local_time(view.review_at) if view.review_at else "no further review planned"
    render.outcome(wants_json(ctx, json), view, f"agreement {agreement} reviewed; next: {nxt}")


@agreement_app.command("end")
def agreement_end(
    ctx: typer.Context,
    agreement: AgreementId,
    json: JsonOutput = False,
) -> None:
    """End an agreement that has run its course."""
    from staircase.cases.followup import end_agreement

    view = end_agreement(request(ctx), agreement)
    render.outcome(wants_json(ctx, json), view, f"agreement {agreement} ended")


def inbox(ctx: typer.Context, json: JsonOutput = False) -> None:
    """What waits for you: escalations, proposals, actions, agreements to review."""
    from staircase.cases.inbox import inbox as run_inbox

    view = run_inbox(request(ctx))
    if wants_json(ctx, json):
        render.print_model(view)
        return
    render.table(
        f"Inbox for {view.person}",
        ["kind", "id", "case", "what", "due"],
        [
            [
                i.kind,
                i.id,
                i.case_id,
                i.what,
                ("OVERDUE " if i.overdue else "") + render.local_time(i.due),
            ]
            for i in view.items
        ],
    )
