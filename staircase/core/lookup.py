"""The look-ups every command makes, each with the one error a user reads.

A case, unit or resident that does not exist, a closed case asked to
change, a decision without a reason: each is said the same way whichever
command ran into it.
"""

from sqlmodel import Session, col, select

from staircase.core.permissions import permit_unit
from staircase.core.work import Work
from staircase.cpr import refuse_cpr
from staircase.db.models import Case, Resident, Unit
from staircase.db.store import keep
from staircase.domain.pack import Pack, load_pack
from staircase.errors import InvalidInput, NotFound
from staircase.i18n import _
from staircase.kinds import Role
from staircase.text import did_you_mean
from staircase.views import SkippedUnit


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(_("no case {case_id}; see `staircase case list`").format(case_id=case_id))
    return case


def get_open_case(session: Session, case_id: int) -> Case:
    """A case that may still change, locked for this transaction.

    A closed case is history, kept until purged. The row lock (PostgreSQL;
    SQLite's writers are serialised already) keeps two people logging on the
    same case at once from both raising the same proposal.
    """
    case = session.get(Case, case_id, with_for_update=True)
    if case is None:
        raise NotFound(_("no case {case_id}; see `staircase case list`").format(case_id=case_id))
    if case.closed_at is not None:
        raise InvalidInput(_("case {id} is closed; nothing can change on it").format(id=case.id))
    return case


def pack_for(session: Session, case: Case) -> Pack:
    """The pack of the case's unit (§4.4: a unit uses one pack)."""
    unit = keep(session, session.get(Unit, case.unit_id))
    return load_pack(unit.pack if unit else None)


def unit_packs(
    session: Session, units: list[str] | None = None
) -> tuple[dict[str, Pack], list[SkippedUnit]]:
    """The pack of each unit (all units, or those named), and the units whose
    pack cannot be loaded — a file removed or broken after ``unit add``.

    Work across units (tick, assess) serves the others and reports these,
    so one bad unit never stops every other (issue 11).
    """
    query = select(Unit.id, Unit.pack).order_by(Unit.id)
    if units is not None:
        query = query.where(col(Unit.id).in_(units))
    packs: dict[str, Pack] = {}
    skipped: list[SkippedUnit] = []
    for unit_id, pack_ref in session.exec(query).all():
        try:
            packs[unit_id] = load_pack(pack_ref)
        except InvalidInput as err:
            problem = _(
                "unit {unit} skipped: its rule pack {pack} cannot be loaded ({error}); "
                "restore or fix the pack (check it with `staircase rules check FILE`)"
            ).format(unit=unit_id, pack=pack_ref, error=err)
            skipped.append(SkippedUnit(unit_id=unit_id, pack=pack_ref, problem=problem))
    return packs, skipped


def get_unit(session: Session, unit_id: str) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        known = list(session.exec(select(Unit.id)).all())
        raise NotFound(
            _('no unit "{unit_id}"{did_you_mean}; see `staircase unit list`').format(
                unit_id=unit_id, did_you_mean=did_you_mean(unit_id, known)
            )
        )
    return unit


def get_resident(session: Session, ref: str) -> Resident:
    resident = session.exec(select(Resident).where(Resident.ref == ref)).first()
    if resident is None:
        raise NotFound(
            _('no resident "{ref}"; add one with `staircase resident add`').format(ref=ref)
        )
    return resident


def visible_units(work: Work, unit: str | None, action: str) -> list[str] | None:
    """The units to read: the one asked for (if allowed), else the person's own.

    None means every unit (quality and admin, who read across units).
    """
    if unit is not None:
        get_unit(work.session, unit)
        permit_unit(work.actor, unit, action)
        return [unit]
    if work.actor.role in (Role.QUALITY, Role.ADMIN):
        return None
    return sorted(work.actor.units)


def require_reason(reason: str | None, *, doing: str) -> str:
    """A person's decision is explained (§3.3): the reason, stripped, without a CPR number."""
    if reason is None or not reason.strip():
        raise InvalidInput(_("{doing} needs a reason: add --reason TEXT").format(doing=doing))
    refuse_cpr(reason, field=_("the reason"))
    return reason.strip()
