"""Set-up commands (§10.3): init, units, staff, residents, cases, database upgrade."""

from typing import TYPE_CHECKING

import typer

from staircase.cli import render
from staircase.cli.context import options, request, wants_json

if TYPE_CHECKING:
    from staircase.views import View

unit_app = typer.Typer(help="Care homes and departments.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff members, their roles and units.", no_args_is_help=True)
resident_app = typer.Typer(help="Residents (never CPR numbers).", no_args_is_help=True)
case_app = typer.Typer(
    help="Cases: one relative and the care around one resident.", no_args_is_help=True
)
db_app = typer.Typer(help="The database itself.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Machine-readable output.")


def created(ctx: typer.Context, json: bool, view: "View", label: str) -> None:
    """A command that creates something prints its id; ``--json`` the object (§10.1)."""
    render.outcome(wants_json(ctx, json), view, f"{label} {view.id}")


def listed(
    ctx: typer.Context, json: bool, views: "list[View]", columns: list[str], title: str
) -> None:
    """A list as a table, or as a JSON array."""
    if wants_json(ctx, json):
        render.print_json([v.model_dump(mode="json") for v in views])
    else:
        render.table(title, columns, [[getattr(v, c) for c in columns] for v in views])


def init(
    ctx: typer.Context,
    admin: str = typer.Option(..., "--admin", help="Initials of the first administrator."),
    name: str = typer.Option(..., "--name", help="The administrator's name."),
    shared_terminal: bool = typer.Option(
        False,
        "--shared-terminal",
        help="One shared PC (or a demo): trust --as instead of the OS account.",
    ),
    json: bool = JSON,
) -> None:
    """Create or upgrade the database and its first admin; running it again changes nothing."""
    from staircase.admin.directory import init as run_init

    req = request(ctx)
    result = run_init(
        req.url, admin=admin, name=name, clock=req.clock, shared_terminal=shared_terminal
    )
    if wants_json(ctx, json):
        render.print_json(result.__dict__)
        return
    state = (
        "created"
        if result.schema_before is None
        else ("upgraded" if result.schema_before != result.schema else "already up to date")
    )
    render.console().print(f"database {state} (schema {result.schema}): {result.url}")
    if result.created_admin:
        render.console().print(f"admin {result.admin} created")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply the shipped migrations; a database newer than this program is refused."""
    from staircase.db.migrate import upgrade
    from staircase.db.store import database_url

    before, after = upgrade(database_url(options(ctx).db))
    render.console().print(f"schema {before or 'none'} → {after}")


@unit_app.command("add")
def unit_add(
    ctx: typer.Context,
    unit_id: str = typer.Argument(..., metavar="ID", help="Short id, e.g. solhaven."),
    name: str = typer.Option(..., "--name", help="The unit's name."),
    parent: str | None = typer.Option(None, "--parent", help="The area unit above it."),
    pack: str | None = typer.Option(None, "--pack", help="Rule pack id (default aarhus)."),
    json: bool = JSON,
) -> None:
    """Add a care home or department."""
    from staircase.admin.directory import add_unit

    view = add_unit(request(ctx), unit_id=unit_id, name=name, parent=parent, pack=pack)
    created(ctx, json, view, "unit")


@unit_app.command("list")
def unit_list(ctx: typer.Context, json: bool = JSON) -> None:
    """List the units."""
    from staircase.admin.directory import list_units

    listed(ctx, json, list_units(request(ctx)), ["id", "name", "parent_id", "pack"], "Units")


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    initials: str = typer.Argument(..., help="The person's initials, used with --as."),
    name: str = typer.Option(..., "--name", help="Full name."),
    role: str = typer.Option(..., "--role", help="staff, leader, quality or admin."),
    unit: list[str] = typer.Option([], "--unit", help="A unit they belong to (repeat)."),
    email: str | None = typer.Option(None, "--email", help="For notifications."),
    login: str | None = typer.Option(
        None, "--login", help="The account they act from (OS user; PostgreSQL role)."
    ),
    json: bool = JSON,
) -> None:
    """Add a staff member with a role in one or more units."""
    from staircase.admin.directory import add_staff

    view = add_staff(
        request(ctx), initials=initials, name=name, role=role, units=unit, email=email, login=login
    )
    created(ctx, json, view, "staff")


@staff_app.command("list")
def staff_list(ctx: typer.Context, json: bool = JSON) -> None:
    """List staff members with their roles and units."""
    from staircase.admin.directory import list_staff

    listed(ctx, json, list_staff(request(ctx)), ["id", "name", "role", "units"], "Staff")


@resident_app.command("add")
def resident_add(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The home's own reference (never a CPR number)."),
    name: str = typer.Option(..., "--name", help="Display name."),
    unit: str = typer.Option(..., "--unit", help="The unit the resident lives in."),
    json: bool = JSON,
) -> None:
    """Add a resident."""
    from staircase.admin.directory import add_resident

    created(ctx, json, add_resident(request(ctx), ref=ref, name=name, unit_id=unit), "resident")


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    resident: str = typer.Option(..., "--resident", help="The resident's reference."),
    relative: str | None = typer.Option(None, "--relative", help="The relative's name."),
    relation: str | None = typer.Option(None, "--relation", help="datter, søn, ægtefælle, ven …"),
    relative_id: int | None = typer.Option(None, "--relative-id", help="An existing relative."),
    contact: str | None = typer.Option(None, "--contact", help="Initials of the contact person."),
    consent: str = typer.Option("named", "--consent", help="named, guardian, attorney or other."),
    consent_note: str | None = typer.Option(None, "--consent-note", help="Why, for other."),
    primary: bool = typer.Option(False, "--primary", help="The primary contact relative."),
    child: bool = typer.Option(False, "--child", help="The relative is a child."),
    json: bool = JSON,
) -> None:
    """Open a case for one relative of one resident, on the bottom step."""
    from staircase.admin.directory import NewCase, open_case

    new = NewCase(
        resident_ref=resident,
        relative_name=relative,
        relation=relation,
        relative_id=relative_id,
        contact=contact,
        consent=consent,
        consent_note=consent_note,
        primary=primary,
        child=child,
    )
    created(ctx, json, open_case(request(ctx), new), "case")


@case_app.command("list")
def case_list(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help="Only this unit."),
    step: str | None = typer.Option(None, "--step", help="Only cases on this step."),
    json: bool = JSON,
) -> None:
    """List open cases you may see."""
    from staircase.admin.directory import list_cases

    columns = [
        "id",
        "unit_id",
        "resident_ref",
        "resident",
        "relative",
        "relation",
        "step",
        "contact_id",
    ]
    listed(ctx, json, list_cases(request(ctx), unit=unit, step=step), columns, "Cases")


@case_app.command("close")
def case_close(
    ctx: typer.Context,
    case: int = typer.Argument(..., help="The case number."),
    reason: str | None = typer.Option(None, "--reason", help="Why the case ends (required)."),
    json: bool = JSON,
) -> None:
    """Close a case (leader of its unit, or admin); retention counts from now."""
    from staircase.cases.close import close_case

    view = close_case(request(ctx), case, reason=reason)
    if wants_json(ctx, json):
        render.print_model(view)
    else:
        render.console().print(f"case {view.id} closed")
