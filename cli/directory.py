"""Set-up commands (§10.3): init, units, staff, residents, relatives, cases, database upgrade."""

from typing import TYPE_CHECKING

import typer

from staircase.cli import render, screens
from staircase.cli.context import options, request, wants_json
from staircase.cli.options import CaseId, JsonOutput, Reason, helps
from staircase.i18n import N_, _

if TYPE_CHECKING:
    from staircase.cli.words import Words
    from staircase.views import StaffChange, View

unit_app = typer.Typer(help=_("Care homes and departments."), no_args_is_help=True)
staff_app = typer.Typer(help=_("Staff members, their roles and units."), no_args_is_help=True)
resident_app = typer.Typer(help=_("Residents (never CPR numbers)."), no_args_is_help=True)
relative_app = typer.Typer(
    help=_("Relatives: one person is one record, found again by name."), no_args_is_help=True
)
case_app = typer.Typer(
    help=_("Cases: one relative and the care around one resident."), no_args_is_help=True
)
db_app = typer.Typer(help=_("The database itself."), no_args_is_help=True)


def created(ctx: typer.Context, json: bool, view: "View", label: str) -> None:
    """A command that creates something prints its id; ``--json`` the object (§10.1)."""
    render.outcome(wants_json(ctx, json), view, f"{label} {view.id}")


HEADINGS = {
    "id": N_("id"),
    "name": N_("name"),
    "parent_id": N_("area"),
    "pack": N_("rule pack"),
    "role": N_("role"),
    "units": N_("units"),
    "active": N_("active"),
    "relation": N_("relation"),
    "residents": N_("residents"),
    "unit_id": N_("unit"),
    "resident_ref": N_("ref"),
    "resident": N_("resident"),
    "relative": N_("relative"),
    "step": N_("step"),
    "contact_id": N_("contact person"),
}
"""The columns of the lists, as people call them (``--json`` keeps the keys)."""


def listed(
    ctx: typer.Context, json: bool, views: "list[View]", columns: list[str], title: str
) -> None:
    """A list as a table, by name, or as a JSON array."""
    if wants_json(ctx, json):
        render.print_json([v.model_dump(mode="json") for v in views])
        return
    from staircase.cli.words import Words

    words = Words.installed()
    shown = views[: render.ROWS_SHOWN]  # a municipality's 100,000 cases are counted, not laid out
    render.table(
        title,
        [_(HEADINGS.get(c, c)) for c in columns],
        [[_cell(c, getattr(v, c), words) for c in columns] for v in shown],
        total=len(views),
    )


def _cell(column: str, value: object, words: "Words") -> object:
    """Lists (units, residents) as people write them, steps and roles by name."""
    from staircase.cli.words import role

    if isinstance(value, list):
        return ", ".join(map(str, value))
    if column == "step":
        return words.step(str(value))
    if column == "role":
        return role(str(value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


@helps(
    _(
        "Create or upgrade the database and its first admin; running it again changes nothing.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase init --admin ADM --name "Anna Dam"'
    )
)
def init(
    ctx: typer.Context,
    admin: str = typer.Option(..., "--admin", help=_("Initials of the first administrator.")),
    name: str = typer.Option(..., "--name", help=_("The administrator's name.")),
    shared_terminal: bool = typer.Option(
        False,
        "--shared-terminal",
        help=_("One shared PC (or a demo): trust --as instead of the OS account."),
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.admin.directory import init as run_init

    req = request(ctx)
    result = run_init(
        req.url, admin=admin, name=name, clock=req.clock, shared_terminal=shared_terminal
    )
    if wants_json(ctx, json):
        render.print_json(result.__dict__)
        return
    if result.schema_before is None:
        line = _("database created (schema {schema}): {url}")
    elif result.schema_before != result.schema:
        line = _("database upgraded (schema {schema}): {url}")
    else:
        line = _("database already up to date (schema {schema}): {url}")
    render.console().print(line.format(schema=result.schema, url=result.url), markup=False)
    if result.created_admin:
        render.console().print(_("admin {id} created").format(id=result.admin), markup=False)


@db_app.command("upgrade")
@helps(
    _(
        "Apply the shipped migrations; a database newer than this program is refused.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase db upgrade"
    )
)
def db_upgrade(ctx: typer.Context) -> None:
    from staircase.db.migrate import upgrade
    from staircase.db.store import database_url

    before, after = upgrade(database_url(options(ctx).db))
    render.console().print(
        _("schema {before} → {after}").format(before=before or _("none"), after=after)
    )


@db_app.command("grant")
@helps(
    _(
        "PostgreSQL: one role per person, with only the grants the product needs; run it as "
        "the database's owner after adding, changing or deactivating staff.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase --db postgresql+psycopg://owner@db/staircase db grant"
    )
)
def db_grant(ctx: typer.Context, json: JsonOutput = False) -> None:
    from staircase.admin.grants import grant_roles

    report = grant_roles(request(ctx))
    lines = [
        _("{label}: {ids}").format(label=label, ids=", ".join(ids))
        for label, ids in (
            (_("granted"), report.granted),
            (_("closed (deactivated)"), report.closed),
            (_("no --login bound"), report.unbound),
            (_("left to the DBA"), report.left_alone),
        )
        if ids
    ]
    render.outcome(wants_json(ctx, json), report, "\n".join(lines) or _("no staff"))


@unit_app.command("add")
@helps(
    _(
        "Add a care home or department.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase --as ADM unit add solhaven --name "Plejehjemmet Solhaven" --parent nord'
    )
)
def unit_add(
    ctx: typer.Context,
    unit_id: str = typer.Argument(..., metavar="ID", help=_("Short id, e.g. solhaven.")),
    name: str = typer.Option(..., "--name", help=_("The unit's name.")),
    parent: str | None = typer.Option(None, "--parent", help=_("The area unit above it.")),
    pack: str | None = typer.Option(None, "--pack", help=_("Rule pack id (default aarhus).")),
    json: JsonOutput = False,
) -> None:
    from staircase.admin.directory import add_unit

    view = add_unit(request(ctx), unit_id=unit_id, name=name, parent=parent, pack=pack)
    created(ctx, json, view, _("unit"))


@unit_app.command("list")
@helps(_("List the units.\n\n\b\nExample:\n  staircase unit list"))
def unit_list(ctx: typer.Context, json: JsonOutput = False) -> None:
    from staircase.admin.directory import list_units

    listed(ctx, json, list_units(request(ctx)), ["id", "name", "parent_id", "pack"], _("Units"))


@staff_app.command("add")
@helps(
    _(
        "Add a staff member with a role in one or more units.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase --as ADM staff add AK --name "Aisha Khan" --role staff --unit solhaven'
    )
)
def staff_add(
    ctx: typer.Context,
    initials: str = typer.Argument(..., help=_("The person's initials, used with --as.")),
    name: str = typer.Option(..., "--name", help=_("Full name.")),
    role: str = typer.Option(..., "--role", help=_("staff, leader, quality or admin.")),
    unit: list[str] = typer.Option([], "--unit", help=_("A unit they belong to (repeat).")),
    email: str | None = typer.Option(None, "--email", help=_("For notifications.")),
    login: str | None = typer.Option(
        None, "--login", help=_("The account they act from (OS user; PostgreSQL role).")
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.admin.directory import add_staff

    view = add_staff(
        request(ctx), initials=initials, name=name, role=role, units=unit, email=email, login=login
    )
    created(ctx, json, view, _("staff"))


@staff_app.command("list")
@helps(
    _(
        "List staff members with their roles and units, and whether they still work here.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase staff list"
    )
)
def staff_list(ctx: typer.Context, json: JsonOutput = False) -> None:
    from staircase.admin.directory import list_staff

    columns = ["id", "name", "role", "units", "active"]
    listed(ctx, json, list_staff(request(ctx)), columns, _("Staff"))


@staff_app.command("edit")
@helps(
    _(
        "Change a staff member's name, role, units, e-mail or login.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase --as ADM staff edit AK --email aisha.khan@solhaven.dk"
    )
)
def staff_edit(
    ctx: typer.Context,
    initials: str = typer.Argument(..., help=_("The person's initials.")),
    name: str | None = typer.Option(None, "--name", help=_("A new name.")),
    role: str | None = typer.Option(None, "--role", help=_("staff, leader, quality or admin.")),
    unit: list[str] | None = typer.Option(
        None, "--unit", help=_("The units they belong to from now (repeat; replaces the old ones).")
    ),
    email: str | None = typer.Option(None, "--email", help=_("For notifications.")),
    login: str | None = typer.Option(
        None, "--login", help=_("The account they act from (OS user; PostgreSQL role).")
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.admin.directory import StaffEdit, edit_staff

    edit = StaffEdit(name=name, role=role, units=unit or None, email=email, login=login)
    result = edit_staff(request(ctx), initials, edit)
    staff = result.staff
    line = f"staff {staff.id}: {staff.role} in {', '.join(staff.units) or 'no unit'}"
    _staff_change(ctx, json, result, line)


@staff_app.command("deactivate")
@helps(
    _(
        "A person leaves: they can no longer act; what they owned goes to the unit's leader.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase --as ADM staff deactivate SØ --reason "Fratrådt"'
    )
)
def staff_deactivate(
    ctx: typer.Context,
    initials: str = typer.Argument(..., help=_("The person who leaves.")),
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    from staircase.admin.directory import deactivate_staff

    result = deactivate_staff(request(ctx), initials, reason=reason)
    line = _("staff {initials} deactivated; their history is kept").format(initials=result.staff.id)
    _staff_change(ctx, json, result, line)


def _staff_change(ctx: typer.Context, json: bool, result: "StaffChange", line: str) -> None:
    """A person changed: the line, then what was handed to whom."""
    if wants_json(ctx, json):
        render.print_model(result)
        return
    out = render.console()
    out.print(line, markup=False)
    for handed in result.handed_over:
        what = (
            _("action {id}").format(id=handed.id)
            if handed.kind == "action"
            else _("contact person")
        )
        line = _("case {id}: {what} → {to}").format(id=handed.case_id, what=what, to=handed.to)
        out.print("  " + line, markup=False)


@resident_app.command("add")
@helps(
    _(
        "Add a resident.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase --as ADM resident add SOL-001 --name "Else Andersen" --unit solhaven'
    )
)
def resident_add(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help=_("The home's own reference (never a CPR number).")),
    name: str = typer.Option(..., "--name", help=_("Display name.")),
    unit: str = typer.Option(..., "--unit", help=_("The unit the resident lives in.")),
    json: JsonOutput = False,
) -> None:
    from staircase.admin.directory import add_resident

    created(ctx, json, add_resident(request(ctx), ref=ref, name=name, unit_id=unit), _("resident"))


@case_app.command("open")
@helps(
    _(
        "Open a case for one relative of one resident, on the bottom step.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase case open --resident SOL-001 --relative "Maria Andersen" '
        "--relation datter --contact AK --consent named"
    )
)
def case_open(
    ctx: typer.Context,
    resident: str = typer.Option(..., "--resident", help=_("The resident's reference.")),
    relative: str | None = typer.Option(None, "--relative", help=_("The relative's name.")),
    relation: str | None = typer.Option(
        None, "--relation", help=_("datter, søn, ægtefælle, ven …")
    ),
    relative_id: int | None = typer.Option(None, "--relative-id", help=_("An existing relative.")),
    contact: str | None = typer.Option(
        None, "--contact", help=_("Initials of the contact person.")
    ),
    consent: str | None = typer.Option(
        None,
        "--consent",
        help=_("named, guardian, attorney or other; left out: not yet clarified (an action)."),
    ),
    consent_note: str | None = typer.Option(None, "--consent-note", help=_("Why, for other.")),
    primary: bool = typer.Option(False, "--primary", help=_("The primary contact relative.")),
    child: bool = typer.Option(False, "--child", help=_("The relative is a child.")),
    new_relative: bool = typer.Option(
        False, "--new-relative", help=_("Another person with the name of a known relative.")
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.register import NewCase, open_case

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
        new_relative=new_relative,
    )
    view = open_case(request(ctx), new)
    created(ctx, json, view, _("case"))
    if view.consent == "pending" and not wants_json(ctx, json):
        render.err_console().print(
            _("consent not yet clarified: case {id} has an action to clarify it").format(
                id=view.id
            ),
            markup=False,
        )


@case_app.command("edit")
@helps(
    _(
        "Change a case's contact person, primary flag or consent; kept in its history.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase case edit 2 --consent named --reason "Else bekræftede det i dag"'
    )
)
def case_edit(
    ctx: typer.Context,
    case: CaseId,
    contact: str | None = typer.Option(
        None, "--contact", help=_("Initials of the contact person.")
    ),
    primary: bool | None = typer.Option(
        None, "--primary/--no-primary", help=_("Whether this is the primary relative.")
    ),
    consent: str | None = typer.Option(
        None, "--consent", help=_("named, guardian, attorney, other or pending.")
    ),
    consent_note: str | None = typer.Option(None, "--consent-note", help=_("Why, for other.")),
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    from staircase.cases.register import CaseEdit, edit_case
    from staircase.cli.screens import print_case

    edit = CaseEdit(
        contact=contact, primary=primary, consent=consent, consent_note=consent_note, reason=reason
    )
    view = edit_case(request(ctx), case, edit)
    if wants_json(ctx, json):
        render.print_model(view)
    else:
        print_case(view)


@relative_app.command("list")
@helps(_("List the relatives with cases in your units.\n\n\b\nExample:\n  staircase relative list"))
def relative_list(ctx: typer.Context, json: JsonOutput = False) -> None:
    from staircase.cases.register import list_relatives

    columns = ["id", "name", "relation", "residents"]
    listed(ctx, json, list_relatives(request(ctx)), columns, _("Relatives"))


@relative_app.command("find")
@helps(
    _(
        "Find relatives by name (the search is audited with what was searched for).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase relative find andersen"
    )
)
def relative_find(
    ctx: typer.Context,
    text: str = typer.Argument(..., help=_("Part of the name, with or without æ/ø/å.")),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.register import list_relatives

    columns = ["id", "name", "relation", "residents"]
    listed(ctx, json, list_relatives(request(ctx), text=text), columns, _("Relatives"))


@case_app.command("list")
@helps(
    _(
        "List open cases you may see.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase case list --unit solhaven --step større"
    )
)
def case_list(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help=_("Only this unit.")),
    step: str | None = typer.Option(None, "--step", help=_("Only cases on this step.")),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.register import list_cases

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
    listed(ctx, json, list_cases(request(ctx), unit=unit, step=step), columns, _("Cases"))


@case_app.command("close")
@helps(
    _(
        "Close a case (leader of its unit, or admin); retention counts from now.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase case close 12 --reason "Beboeren er flyttet"'
    )
)
def case_close(
    ctx: typer.Context,
    case: CaseId,
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    from staircase.cases.close import close_case

    result = close_case(request(ctx), case, reason=reason)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_decision(result, _("case {id} closed").format(id=result.case.id))
