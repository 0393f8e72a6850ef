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
    helps,
    when_help,
)
from staircase.i18n import _
from staircase.kinds import ActionStatus

action_app = typer.Typer(
    help=_("Recommended actions: mark them done or drop them."), no_args_is_help=True
)
agreement_app = typer.Typer(
    help=_("Agreements with relatives, with review dates."), no_args_is_help=True
)


@helps(
    _(
        "Apply every time-based rule now (run it from cron); a second run changes nothing.\n"
        "\n"
        "\b\n"
        "Examples:\n"
        "  staircase tick --dry-run\n"
        "  staircase tick"
    )
)
def tick(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False, "--dry-run", help=_("Show what would happen; write nothing.")
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.tick import tick as run_tick
    from staircase.cli import screens

    with render.progress(_("Evaluating cases")) as advance:
        report = run_tick(request(ctx), dry_run=dry_run, progress=advance)
    if wants_json(ctx, json):
        render.print_model(report)
        render.skipped_units(report.skipped_units)
        return
    screens.print_tick(report)
    render.skipped_units(report.skipped_units)


@helps(
    _(
        "Acknowledge an escalation addressed to you.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase ack 7 --note "Ringer til sønnen i morgen"'
    )
)
def ack(
    ctx: typer.Context,
    escalation: EscalationId,
    note: str | None = typer.Option(None, "--note", help=_("What you will do.")),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.followup import acknowledge

    view = acknowledge(request(ctx), escalation, note=note)
    render.outcome(
        wants_json(ctx, json),
        view,
        _("escalation {escalation} acknowledged").format(escalation=escalation),
    )


@action_app.command("done")
@helps(
    _(
        "Mark an action done.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase action done 5 --note "Ringede tilbage samme dag"'
    )
)
def action_done(
    ctx: typer.Context,
    action: ActionId,
    note: str | None = typer.Option(None, "--note", help=_("What was done.")),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.followup import close_action

    view = close_action(request(ctx), action, status=ActionStatus.DONE, note=note)
    render.outcome(wants_json(ctx, json), view, _("action {action} done").format(action=action))


@action_app.command("drop")
@helps(
    _(
        "Drop an action that is not needed, with the reason.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase action drop 6 --reason "Ikke relevant længere"'
    )
)
def action_drop(
    ctx: typer.Context,
    action: ActionId,
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    from staircase.cases.followup import close_action

    view = close_action(request(ctx), action, status=ActionStatus.DROPPED, note=reason)
    render.outcome(wants_json(ctx, json), view, _("action {action} dropped").format(action=action))


@agreement_app.command("add")
@helps(
    _(
        "Record an agreement with the relative.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase agreement add 12 "Ringer kun mellem 10 og 12" --review "2027-01-15"'
    )
)
def agreement_add(
    ctx: typer.Context,
    case: CaseId,
    text: str = typer.Argument(..., help=_("What was agreed.")),
    review: str | None = typer.Option(None, "--review", help=when_help(_("When to review it."))),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.followup import add_agreement

    view = add_agreement(request(ctx), case, text, review=review)
    render.outcome(wants_json(ctx, json), view, _("agreement {id}").format(id=view.id))


@agreement_app.command("broken")
@helps(
    _(
        "Record a breach; the relative's (or both's) logs \"aftaler overholdes ikke\" "
        "on the case.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase agreement broken 1 --by relative --note "Kom uanmeldt kl. 22"'
    )
)
def agreement_broken(
    ctx: typer.Context,
    agreement: AgreementId,
    by: str = typer.Option(
        "relative", "--by", help=_("Who did not keep it: relative, staff or both.")
    ),
    note: str | None = typer.Option(None, "--note", help=_("What happened.")),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.followup import break_agreement
    from staircase.cli.screens import print_log

    result = break_agreement(request(ctx), agreement, by=by, note=note)
    if wants_json(ctx, json):
        render.print_model(result)
        return
    breaches = len(result.agreement.breaches)
    render.console().print(
        _(
            "agreement {agreement}: breach by {by} recorded ({breaches} in all); it stays in force"
        ).format(agreement=agreement, by=by, breaches=breaches)
    )
    if result.logged is not None:
        print_log(result.logged)


@agreement_app.command("review")
@helps(
    _(
        "Record that an agreement was gone through with the relative, and when to again.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase agreement review 1 --next "2027-03-01" --note "Gennemgået med Maria"'
    )
)
def agreement_review(
    ctx: typer.Context,
    agreement: AgreementId,
    next_review: str | None = typer.Option(
        None, "--next", help=when_help(_("When to review it again."))
    ),
    note: str | None = typer.Option(None, "--note", help=_("What came of the review.")),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.followup import review_agreement

    view = review_agreement(request(ctx), agreement, next_review=next_review, note=note)
    nxt = render.local_time(view.review_at) if view.review_at else _("no further review planned")
    render.outcome(
        wants_json(ctx, json),
        view,
        _("agreement {agreement} reviewed; next: {nxt}").format(agreement=agreement, nxt=nxt),
    )


@agreement_app.command("end")
@helps(_("End an agreement that has run its course.\n\n\b\nExample:\n  staircase agreement end 1"))
def agreement_end(
    ctx: typer.Context,
    agreement: AgreementId,
    json: JsonOutput = False,
) -> None:
    from staircase.cases.followup import end_agreement

    view = end_agreement(request(ctx), agreement)
    render.outcome(
        wants_json(ctx, json), view, _("agreement {agreement} ended").format(agreement=agreement)
    )


@helps(
    _(
        "What waits for you: escalations, proposals, actions, agreements to review.\n"
        "\n"
        "Most urgent first, each with the relative and resident it is about; what is "
        "past its deadline says so.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase --as LH inbox"
    )
)
def inbox(ctx: typer.Context, json: JsonOutput = False) -> None:
    from staircase.cases.inbox import inbox as run_inbox
    from staircase.cli import screens

    view = run_inbox(request(ctx))
    if wants_json(ctx, json):
        render.print_model(view)
        return
    screens.print_inbox(view)
