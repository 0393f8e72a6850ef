"""``staircase rules check|test|show|graph``: rule packs for the people who edit them (§4.3).

A broken pack raises ``PackError``/``NotFound`` from the library; the
boundary (``boundary.py``) prints its one line, so no command here catches.
"""

from typing import TYPE_CHECKING

import typer

from staircase.cli import render
from staircase.cli.context import wants_json
from staircase.cli.options import JsonOutput, helps
from staircase.i18n import _

if TYPE_CHECKING:
    from staircase.domain.pack import Pack

rules_app = typer.Typer(
    help=_("Rule packs: validate, run their tests, draw the staircase, graph the moves."),
    no_args_is_help=True,
)

PACK = typer.Argument(
    None,
    metavar="PACK|PATH",
    help=_("An installed pack id (default: aarhus) or the path of a .toml file."),
    show_default=False,
)


def _load(ref: str | None) -> "Pack":
    from staircase.domain.pack import load_pack

    return load_pack(ref)


@rules_app.command("check")
@helps(
    _(
        "Validate a pack: fields, unique ids, references, and how indicators are typed.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase rules check mit-regelsaet.toml"
    )
)
def check(ctx: typer.Context, pack: str | None = PACK, json: JsonOutput = False) -> None:
    loaded = _load(pack)
    counts = {
        "steps": len(loaded.steps),
        "indicators": len(loaded.indicators),
        "rules": len(loaded.rules),
        "tests": len(loaded.tests),
    }
    if wants_json(ctx, json):
        render.print_json({"id": loaded.id, "version": loaded.version, **counts, "ok": True})
        return
    summary = _("{steps} steps, {indicators} indicators, {rules} rules, {tests} tests").format(
        **counts
    )
    typer.echo(f"{loaded.id} {loaded.version}: {summary} — OK")


@rules_app.command("test")
@helps(
    _(
        "Run the pack's embedded worked examples; exit 1 if any fails.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase rules test"
    )
)
def test(ctx: typer.Context, pack: str | None = PACK, json: JsonOutput = False) -> None:
    from dataclasses import asdict

    from staircase.domain.packtests import run_pack_tests
    from staircase.errors import InvalidInput

    loaded = _load(pack)
    results = run_pack_tests(loaded)
    failed = sum(not r.passed for r in results)
    if wants_json(ctx, json):
        render.print_json(
            {"id": loaded.id, "version": loaded.version, "tests": [asdict(r) for r in results]}
        )
    else:
        render.table(
            _("{id} {version}: embedded tests").format(id=loaded.id, version=loaded.version),
            [_("result"), _("test"), _("what differs")],
            [[_("ok") if r.passed else _("FAIL"), r.name, "\n".join(r.failures)] for r in results],
        )
        typer.echo(
            _("{value} of {len} pack tests passed").format(
                value=len(results) - failed, len=len(results)
            )
        )
    if failed:
        raise InvalidInput(
            _("{id}: {failed} of {len} pack tests failed").format(
                id=loaded.id, failed=failed, len=len(results)
            )
        )


@rules_app.command("show")
@helps(
    _(
        "Draw the staircase: each step with its indicators, actions and escalation.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase rules show"
    )
)
def show(ctx: typer.Context, pack: str | None = PACK, json: JsonOutput = False) -> None:
    loaded = _load(pack)
    if wants_json(ctx, json):
        render.print_model(loaded)
    else:
        render.console().print(render.staircase_panel(loaded, details=True))


@rules_app.command("graph")
@helps(
    _(
        "Print the allowed moves as a Mermaid stateDiagram-v2 (paste it into docs).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase rules graph > trappe.mmd"
    )
)
def graph(pack: str | None = PACK) -> None:
    from staircase.domain.machine import machine_for

    typer.echo(machine_for(_load(pack)).mermaid(), nl=False)
