"""Cases and relatives: opening, changing and finding them (§2, §10.3).

A case is one relative and the care around one resident; its contact
person, primary flag and consent change over time, each change with its
reason, and one person is one relative however their name is typed.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from staircase.cases import consequences
from staircase.cases.show import case_view
from staircase.core import audit
from staircase.core.lookup import (
    get_open_case,
    get_resident,
    get_unit,
    pack_for,
    require_reason,
    visible_units,
)
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db.models import Action, Case, CaseChange, Membership, Relative, Resident, Staff
from staircase.domain.pack import CLARIFY_CONSENT, load_pack
from staircase.errors import InvalidInput, NotFound
from staircase.i18n import _
from staircase.text import did_you_mean, key
from staircase.views import CaseSummary, CaseView, RelativeView

CONSENT = ("named", "guardian", "attorney", "other", "pending")
"""Why this relative is involved: the resident named them; a guardian
(værgemål) or power of attorney (fuldmagt) decides; another recorded
reason (samarbejdstrappe.md, "What the other policies add"); or not yet
clarified (``pending``)."""

PENDING = "pending"
"""Consent is never assumed (§2). A case opened without ``--consent`` is
recorded as not clarified, and its contact person (else the unit's leader)
gets an action to clarify it: the relative often calls before anyone knows
whether the resident named them, and refusing the case would only make
staff guess "named" — the silent assumption the policies warn against."""


@dataclass(frozen=True)
class NewCase:
    """What ``case open`` was given; ``new_relative`` insists on a second person of a known name."""

    resident_ref: str
    relative_name: str | None = None
    relation: str | None = None
    relative_id: int | None = None
    contact: str | None = None
    consent: str | None = None
    consent_note: str | None = None
    primary: bool = False
    child: bool = False
    relative_contact: str | None = None
    new_relative: bool = False


@dataclass(frozen=True)
class CaseEdit:
    """What ``case edit`` changes; None leaves a field as it is."""

    contact: str | None = None
    primary: bool | None = None
    consent: str | None = None
    consent_note: str | None = None
    reason: str | None = None


def open_case(request: Request, new: NewCase) -> CaseSummary:
    """Open a case: one relative and the care around one resident, on the bottom step."""
    _check_new_case(new)
    consent = new.consent or PENDING
    with transaction(request, "case.open") as work:
        resident = get_resident(work.session, new.resident_ref)
        permit_unit(work.actor, resident.unit_id, "case.open")
        relative = _relative(work, new)
        if new.contact is not None:
            _check_contact(work.session, new.contact, resident.unit_id)
        if new.primary:
            _refuse_second_primary(work.session, resident)
        if work.session.exec(
            select(Case).where(Case.resident_id == resident.id, Case.relative_id == relative.id)
        ).first():
            raise InvalidInput(
                _("relative {id} already has a case with resident {ref}").format(
                    id=relative.id, ref=resident.ref
                )
            )
        unit = get_unit(work.session, resident.unit_id)
        case = Case(
            resident_id=resident.id,
            relative_id=relative.id,
            unit_id=resident.unit_id,
            step=load_pack(unit.pack).bottom.id,
            step_since=work.now,
            consent=consent,
            consent_note=new.consent_note,
            primary=new.primary,
            contact_id=new.contact,
            opened_at=work.now,
        )
        work.session.add(case)
        work.session.flush()
        work.audit("case.open", case_id=case.id, subject=resident.ref, detail=relative.name)
        if consent == PENDING:
            _clarify_consent(work, case)
        return summarise(case, resident, relative)


def _check_consent(consent: str, note: str | None) -> None:
    if consent not in CONSENT:
        raise InvalidInput(
            _('unknown consent basis "{consent}"{did_you_mean} (one of {join})').format(
                consent=consent,
                did_you_mean=did_you_mean(consent, list(CONSENT)),
                join=", ".join(CONSENT),
            )
        )
    if consent == "other" and not (note or "").strip():
        raise InvalidInput(_("consent basis other needs the reason: add --consent-note TEXT"))
    refuse_cpr(note, field=_("the consent note"))


def _check_new_case(new: NewCase) -> None:
    if new.consent is not None:
        _check_consent(new.consent, new.consent_note)
    elif new.consent_note is not None:
        raise InvalidInput(_("--consent-note goes with --consent: give the basis it explains"))
    if new.relative_id is None and not (new.relative_name and new.relation):
        raise InvalidInput(
            _("name the relative: --relative NAME --relation TEXT, or --relative-id N")
        )
    if new.relative_id is not None and new.relative_name is not None:
        raise InvalidInput(_("give either --relative-id N or --relative NAME, not both"))
    for text, what in (
        (new.relative_name, _("the relative's name")),
        (new.relation, _("the relation")),
        (new.relative_contact, _("the contact details")),
    ):
        refuse_cpr(text, field=what)


def _relative(work: Work, new: NewCase) -> Relative:
    """The relative the case is for: the one named by id, or a new person.

    A name already known is refused unless ``new_relative`` says it is
    another person of that name (§2: one person is one record).
    """
    if new.relative_id is not None:
        relative = work.session.get(Relative, new.relative_id)
        if relative is None:
            raise NotFound(
                _("no relative {relative_id}; see `staircase relative list`").format(
                    relative_id=new.relative_id
                )
            )
        return relative
    name_key = key(new.relative_name)
    if not new.new_relative:
        _refuse_known_name(work, new.relative_name, name_key)
    relative = Relative(
        name=" ".join(new.relative_name.split()),
        name_key=name_key,
        relation=new.relation.strip(),
        contact=new.relative_contact,
        is_child=new.child,
    )
    work.session.add(relative)
    work.session.flush()
    work.audit("relative.add", subject=str(relative.id), detail=relative.name)
    return relative


def _refuse_known_name(work: Work, name: str, name_key: str) -> None:
    """Name the relatives who already have this name, and how to go on.

    Only residents in the acting person's own units are named: that another
    home knows a person of this name is all the refusal gives away.
    """
    known = work.session.exec(
        select(Relative).where(Relative.name_key == name_key).order_by(Relative.id)
    ).all()
    if not known:
        return
    residents = _residents_of(work, [r.id for r in known])
    described = "; ".join(
        f"{r.id} {r.name} ({', '.join([r.relation, *residents.get(r.id, [])])})" for r in known
    )
    raise InvalidInput(
        _(
            '"{name}" is already registered as relative {described}; give --relative-id '
            "{id} for the same person, or --new-relative for someone else"
        ).format(name=name, described=described, id=known[0].id)
    )


def _residents_of(work: Work, relative_ids: list[int]) -> dict[int, list[str]]:
    """The residents (refs) each relative has cases with, in units the actor may see."""
    query = (
        select(Case.relative_id, Resident.ref)
        .join(Resident, Resident.id == Case.resident_id)
        .where(col(Case.relative_id).in_(relative_ids))
        .order_by(Resident.ref)
    )
    units = visible_units(work, None, "relative.list")
    if units is not None:
        query = query.where(col(Case.unit_id).in_(units))
    found: dict[int, list[str]] = {}
    for relative_id, ref in work.session.exec(query).all():
        found.setdefault(relative_id, []).append(ref)
    return found


def _refuse_second_primary(
    session: Session, resident: Resident, *, other_than: int | None = None
) -> None:
    """At most one primary relative per resident (§2): name the one there is."""
    query = (
        select(Case, Relative)
        .join(Relative, Relative.id == Case.relative_id)
        .where(
            Case.resident_id == resident.id,
            col(Case.primary).is_(True),
            col(Case.closed_at).is_(None),
        )
    )
    if other_than is not None:
        query = query.where(Case.id != other_than)
    current = session.exec(query).first()
    if current is not None:
        case, relative = current
        raise InvalidInput(
            _(
                "{name} (case {id}) is already the primary relative of {ref}; first "
                "`staircase case edit {id} --no-primary --reason TEXT`"
            ).format(name=relative.name, id=case.id, ref=resident.ref)
        )


def _clarify_consent(work: Work, case: Case) -> None:
    """An action to clarify the consent basis, for the contact person, else the unit's leader."""
    with consequences.carrying_out(work, [case]) as ledger:
        pack = pack_for(work.session, case)
        consequences.create_action(ledger, case, pack, CLARIFY_CONSENT, rules=(), evidence=())


def _check_contact(session: Session, initials: str, unit_id: str) -> None:
    staff = session.get(Staff, initials)
    if staff is None:
        raise NotFound(
            _("no staff member {initials}; see `staircase staff list`").format(initials=initials)
        )
    if not staff.active:
        raise InvalidInput(
            _("{initials} has left, so cannot be the contact person").format(initials=initials)
        )
    member = session.get(Membership, (initials, unit_id))
    if member is None:
        raise InvalidInput(
            _("{initials} does not work in unit {unit_id}, so cannot be the contact person").format(
                initials=initials, unit_id=unit_id
            )
        )


def edit_case(request: Request, case_id: int, edit: CaseEdit) -> CaseView:
    """Change a case's contact person, primary flag or consent, each with the reason (§2).

    Every change is a row of the case's history and an audit entry. Consent
    clarified closes the action to clarify it; consent set back to pending
    raises one. A new contact person takes over the open actions the old
    one owned as contact.
    """
    reason = require_reason(edit.reason, doing=_("changing a case"))
    if edit.consent is not None:
        _check_consent(edit.consent, edit.consent_note)
    elif edit.consent_note is not None:
        raise InvalidInput(_("--consent-note goes with --consent: give the basis it explains"))
    if edit.contact is None and edit.primary is None and edit.consent is None:
        raise InvalidInput(
            _("nothing to change: give --contact, --primary/--no-primary or --consent")
        )
    with transaction(request, "case.edit") as work:
        case = get_open_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "case.edit")
        changes = [
            *_change_contact(work, case, edit.contact, reason),
            *_change_primary(work, case, edit.primary),
            *_change_consent(work, case, edit.consent, edit.consent_note, reason),
        ]
        if not changes:
            raise InvalidInput(
                _("case {case_id} already stands so; nothing was changed").format(case_id=case_id)
            )
        for field, old, new in changes:
            work.session.add(
                CaseChange(
                    case_id=case.id,
                    at=work.now,
                    by_staff=work.actor.id,
                    field=field,
                    old_value=old,
                    new_value=new,
                    reason=reason,
                )
            )
            work.audit("case.edit", case_id=case.id, subject=field, detail=reason)
        work.session.add(case)
        work.session.flush()
        return case_view(work, case)


Change = tuple[str, str | None, str | None]


def _change_contact(work: Work, case: Case, contact: str | None, reason: str) -> list[Change]:
    if contact is None or contact == case.contact_id:
        return []
    _check_contact(work.session, contact, case.unit_id)
    old = case.contact_id
    for action in _open_actions(work, case.id):
        if action.owner_role == "contact" and action.owner_id == old:
            action.owner_id = contact
            work.session.add(action)
    case.contact_id = contact
    return [("contact", old, contact)]


def _change_primary(work: Work, case: Case, primary: bool | None) -> list[Change]:
    if primary is None or primary == case.primary:
        return []
    if primary:
        _refuse_second_primary(
            work.session, work.session.get(Resident, case.resident_id), other_than=case.id
        )
    case.primary = primary
    return [("primary", _yes_no(not primary), _yes_no(primary))]


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _change_consent(
    work: Work, case: Case, consent: str | None, note: str | None, reason: str
) -> list[Change]:
    if consent is None or (consent, note) == (case.consent, case.consent_note):
        return []
    old = _consent_text(case.consent, case.consent_note)
    case.consent, case.consent_note = consent, note
    pending = [a for a in _open_actions(work, case.id) if a.action == CLARIFY_CONSENT]
    if consent == PENDING:
        if not pending:
            _clarify_consent(work, case)
        return [("consent", old, _consent_text(consent, note))]
    for action in pending:
        action.status, action.note = "done", f"{consent}: {reason}"
        action.closed_by, action.closed_at = work.actor.id, work.now
        work.session.add(action)
        work.audit("action.done", case_id=case.id, subject=str(action.id))
    return [("consent", old, _consent_text(consent, note))]


def _consent_text(consent: str, note: str | None) -> str:
    return f"{consent} ({note})" if note else consent


def _open_actions(work: Work, case_id: int) -> list[Action]:
    return list(
        work.session.exec(
            select(Action).where(Action.case_id == case_id, Action.status == "open")
        ).all()
    )


def list_relatives(request: Request, *, text: str | None = None) -> list[RelativeView]:
    """The relatives with cases in the units the acting person may see; ``text`` searches names.

    Audited as a search with its criteria (§6.2); a name typed goes to the
    audit detail, outside the chain, like every name.
    """
    if text is not None and not key(text):
        raise InvalidInput(
            _("give part of a name to find, e.g. `staircase relative find andersen`")
        )
    with transaction(request, "relative.list", write=False) as work:
        units = visible_units(work, None, "relative.list")
        query = select(Relative).join(Case, Case.relative_id == Relative.id).distinct()
        if units is not None:
            query = query.where(col(Case.unit_id).in_(units))
        if text is not None:
            query = query.where(col(Relative.name_key).contains(key(text), autoescape=True))
        relatives = work.session.exec(query.order_by(Relative.id)).all()
        residents = _residents_of(work, [r.id for r in relatives])
        work.audit(
            "relative.search",
            subject="find" if text is not None else "list",
            detail=f"text={text}" if text is not None else None,
        )
        return [
            RelativeView(
                id=r.id,
                name=r.name,
                relation=r.relation,
                is_child=r.is_child,
                residents=residents.get(r.id, []),
            )
            for r in relatives
        ]


def list_cases(
    request: Request, *, unit: str | None = None, step: str | None = None
) -> list[CaseSummary]:
    """The open cases the acting person may see, by unit and step."""
    with transaction(request, "case.list", write=False) as work:
        units = visible_units(work, unit, "case.list")
        query = (
            select(Case, Resident, Relative)
            .join(Resident, Resident.id == Case.resident_id)
            .join(Relative, Relative.id == Case.relative_id)
            .where(col(Case.closed_at).is_(None))
        )
        if units is not None:
            query = query.where(col(Case.unit_id).in_(units))
        if step is not None:
            query = query.where(Case.step == _step_id(work, units, step))
        # Read a thousand at a time and summarised as they come: the rows themselves
        # are let go, so a municipality's list holds only its summaries.
        rows = work.session.exec(query.order_by(Case.id).execution_options(yield_per=1_000))
        cases = [summarise(c, r, rel) for c, r, rel in rows]
        # Criteria go outside the chain, where retention can delete them (§6.2, §6.6).
        work.audit(
            "case.search",
            detail=audit.listing_detail(
                f"unit={unit or '*'} step={step or '*'}", (c.id for c in cases)
            ),
        )
        return cases


def _step_id(work: Work, units: list[str] | None, step: str) -> str:
    """A typed step in the pack of the units asked about (the default pack for all)."""
    unit = get_unit(work.session, units[0]) if units else None
    return load_pack(unit.pack if unit else None).step(step).id


def summarise(case: Case, resident: Resident, relative: Relative) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        unit_id=case.unit_id,
        resident_ref=resident.ref,
        resident=resident.name,
        relative_id=relative.id,
        relative=relative.name,
        relation=relative.relation,
        step=case.step,
        contact_id=case.contact_id,
        primary=case.primary,
        is_child=relative.is_child,
        consent=case.consent,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
    )
