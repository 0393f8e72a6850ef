"""Subject access (GDPR art. 15, §6.4): all that is held about one relative or resident.

The export holds the person's own record, every case they are part of with
everything stored on it (notes included), and from the audit log when
their data was read or changed and by what kind of staff member. Other
people are redacted (``redact.py``). It is written as JSON for the record
and as a self-contained HTML page the person can read; both files are
readable by their owner only (§6.7), and the export itself is audited.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, col, func, select

from staircase.core import audit
from staircase.core.lookup import get_resident
from staircase.core.settings import read_settings
from staircase.core.work import Request, Work, transaction
from staircase.db.models import (
    Action,
    Agreement,
    AgreementBreach,
    AgreementReview,
    AuditDetail,
    AuditEntry,
    Case,
    CaseChange,
    Escalation,
    Observation,
    Proposal,
    Relative,
    Resident,
    Staff,
    Transition,
    Unit,
)
from staircase.domain.pack import BUILT_IN_ACTIONS, PackError, load_pack
from staircase.errors import InvalidInput, NotFound
from staircase.files import private_file, safe_target
from staircase.i18n import _
from staircase.privacy.redact import RELATIVE_LABEL, RESIDENT_LABEL, Redactor
from staircase.privacy.retention import retention_days
from staircase.views import Time, View

STAFF_COLUMNS = frozenset(
    {
        "logged_by",
        "by_staff",
        "decided_by",
        "acknowledged_by",
        "owner_id",
        "closed_by",
        "agreed_by",
        "recorded_by",
        "contact_id",
    }
)
"""Columns holding a staff member's initials: shown as the member's role."""

Value = Time | str | int | bool | list[str | int] | None
Row = dict[str, Value]


@dataclass(frozen=True)
class Subject:
    """Whom the request is about: a relative by id, or a resident by reference."""

    relative_id: int | None = None
    resident_ref: str | None = None

    def __post_init__(self) -> None:
        if (self.relative_id is None) == (self.resident_ref is None):
            raise InvalidInput(_("name one person: --relative ID or --resident REF"))

    @property
    def key(self) -> str:
        """How audit entries name the subject (ids only, never a name)."""
        if self.relative_id is not None:
            return f"relative:{self.relative_id}"
        return f"resident:{self.resident_ref}"


class HistoryEntry(View):
    """One audit entry about the subject's data: when, what kind of person, what."""

    at: Time
    clock: Time | None
    by: str
    action: str
    case_id: int | None
    subject: str
    outcome: str


class SubjectCase(View):
    """One case the subject is part of, with all its rows and its audit history."""

    case: Row
    observations: list[Row]
    transitions: list[Row]
    proposals: list[Row]
    escalations: list[Row]
    actions: list[Row]
    agreements: list[Row]
    agreement_breaches: list[Row]
    agreement_reviews: list[Row]
    changes: list[Row]
    history: list[HistoryEntry]


class SubjectAccess(View):
    """Everything held about one person (§6.4): the content of both files."""

    subject: str
    person: Row
    generated_at: Time
    generated_by: str
    cases: list[SubjectCase]
    history: list[HistoryEntry]


@dataclass(frozen=True)
class LetterFacts:
    """What the HTML letter says beyond the data: the installation's settings
    (controller, contacts), the retention period, and the pack's Danish names
    for the ids stored on the cases (steps, indicators, actions)."""

    settings: dict[str, str]
    retention_days: int
    names: dict[str, str]
    units: dict[str, str]


class SubjectAccessReport(View):
    """What ``subject-access`` wrote."""

    subject: str
    json_path: str
    html_path: str
    cases: int
    observations: int
    reads: int


def export_subject(
    request: Request, subject: Subject, *, out: Path, force: bool = False
) -> SubjectAccessReport:
    """Gather, redact and write the subject's data; audited as an export and as case reads."""
    json_path, html_path = _paths(out, live=_database_file(request.url))
    with (
        private_file(json_path, force=force) as json_partial,
        private_file(html_path, force=force) as html_partial,
        transaction(request, "subject.access", write=False) as work,
    ):
        access = gather(work, subject)
        _write(access, letter_facts(work.session), json_partial, html_partial)
        for case in access.cases:
            work.audit("case.read", case_id=case.case["id"], subject="subject-access")
        work.audit("subject.access", subject=subject.key, detail=str(json_path))
    return SubjectAccessReport(
        subject=subject.key.replace(":", " "),
        json_path=str(json_path),
        html_path=str(html_path),
        cases=len(access.cases),
        observations=sum(len(c.observations) for c in access.cases),
        reads=sum(len(c.history) for c in access.cases) + len(access.history),
    )


def gather(work: Work, subject: Subject) -> SubjectAccess:
    """The subject's record, cases and history, with other people redacted."""
    session = work.session
    person, cases = _person_and_cases(session, subject)
    redactor = _redactor(session, cases, subject=person)
    own_resident = subject.resident_ref is not None
    return SubjectAccess(
        subject=subject.key,
        person=_row(person, redactor),
        generated_at=work.now,
        generated_by=redactor.staff(work.actor.id),
        cases=[_case(session, case, redactor, own_resident=own_resident) for case in cases],
        history=_registration_history(session, subject, redactor),
    )


def _person_and_cases(session: Session, subject: Subject) -> tuple[SQLModel, list[Case]]:
    if subject.relative_id is not None:
        person = session.get(Relative, subject.relative_id)
        if person is None:
            raise NotFound(
                _("no relative {relative_id}; see `staircase case list`").format(
                    relative_id=subject.relative_id
                )
            )
        where = Case.relative_id == person.id
    else:
        person = get_resident(session, subject.resident_ref)
        where = Case.resident_id == person.id
    return person, list(session.exec(select(Case).where(where).order_by(Case.id)).all())


def _redactor(session: Session, cases: list[Case], *, subject: Relative | Resident) -> Redactor:
    """Every staff member, resident and relative the installation knows (§6.4),
    except the subject and the contact persons of the subject's cases."""
    staff = {s.id: (s.name, s.role) for s in session.exec(select(Staff)).all()}
    residents = session.exec(select(Resident.name)).all()
    relatives = session.exec(select(Relative.name)).all()
    others = [(n, RESIDENT_LABEL) for n in residents] + [(n, RELATIVE_LABEL) for n in relatives]
    contacts = {c.contact_id for c in cases if c.contact_id is not None}
    return Redactor(staff=staff, others=others, keep=[subject.name], keep_staff=contacts)


def letter_facts(session: Session) -> LetterFacts:
    """The settings, retention period and names (in the language in use) the letter needs."""
    names = {a: spec.name.spoken() for a, spec in BUILT_IN_ACTIONS.items()}
    units = dict(session.exec(select(Unit.id, Unit.name)).all())
    for pack_id in session.exec(select(Unit.pack).distinct()).all():
        try:
            pack = load_pack(pack_id)
        except PackError:
            continue  # the letter shows that unit's ids; subject access must not fail on it
        for item in (*pack.steps, *pack.indicators, *pack.actions):
            names.setdefault(item.id, item.name.spoken())
    return LetterFacts(
        settings=read_settings(session),
        retention_days=retention_days(session),
        names=names,
        units=units,
    )


def _case(session: Session, case: Case, redactor: Redactor, *, own_resident: bool) -> SubjectCase:
    resident = session.get(Resident, case.resident_id)
    relative = session.get(Relative, case.relative_id)
    summary = _row(case, redactor) | {
        "resident_ref": resident.ref,
        "resident": resident.name if own_resident else RESIDENT_LABEL,
        "relative": RELATIVE_LABEL if own_resident else relative.name,
        "relation": relative.relation,
        "contact": _contact_name(session, case),
    }
    rows = {
        name: [_row(r, redactor) for r in _rows(session, table, case.id)]
        for name, table in (
            ("observations", Observation),
            ("transitions", Transition),
            ("proposals", Proposal),
            ("escalations", Escalation),
            ("actions", Action),
            ("agreements", Agreement),
            ("agreement_breaches", AgreementBreach),
            ("agreement_reviews", AgreementReview),
            ("changes", CaseChange),
        )
    }
    return SubjectCase(case=summary, history=_case_history(session, case.id, redactor), **rows)


def _contact_name(session: Session, case: Case) -> str | None:
    """The contact person by name: the relative knows them (§6.4)."""
    contact = session.get(Staff, case.contact_id) if case.contact_id else None
    return contact.name if contact else None


def _rows(session: Session, table: type, case_id: int) -> list:
    return list(session.exec(select(table).where(table.case_id == case_id).order_by(table.id)))


def _row(record: SQLModel, redactor: Redactor) -> Row:
    """A stored row as it is held, staff shown by role and free text redacted."""
    row: Row = {}
    for column in type(record).model_fields:
        value = getattr(record, column)
        if column in STAFF_COLUMNS:
            value = redactor.staff(value)
        elif isinstance(value, str):
            value = redactor.text(value)
        row[column] = value
    return row


def _case_history(session: Session, case_id: int, redactor: Redactor) -> list[HistoryEntry]:
    """The audit entries about this case since it was opened.

    Counting from the case's own ``case.open`` entry keeps out the entries of
    an earlier, purged case that had the same number (SQLite reuses ids).
    """
    opened = session.exec(
        select(func.max(AuditEntry.id)).where(
            AuditEntry.case_id == case_id, AuditEntry.action == "case.open"
        )
    ).one()
    query = select(AuditEntry).where(AuditEntry.case_id == case_id)
    listings = (
        select(AuditEntry, AuditDetail.detail)
        .join(AuditDetail, AuditDetail.audit_id == AuditEntry.id)
        .where(col(AuditEntry.action).in_(audit.LISTINGS))
    )
    if opened is not None:
        query = query.where(AuditEntry.id >= opened)
        listings = listings.where(AuditEntry.id >= opened)
    entries = list(session.exec(query))
    # An overview is one entry for many cases (issue 14); it names this case in its detail.
    entries += [e for e, detail in session.exec(listings) if case_id in audit.listed_cases(detail)]
    return [
        _history(e, redactor, case_id=case_id) for e in sorted(entries, key=lambda e: e.id or 0)
    ]


def _registration_history(
    session: Session, subject: Subject, redactor: Redactor
) -> list[HistoryEntry]:
    """Entries about the person outside any case: their registration, earlier exports."""
    if subject.relative_id is not None:
        registered = ("relative.add", str(subject.relative_id))
    else:
        registered = ("resident.add", subject.resident_ref)
    since = session.exec(
        select(func.max(AuditEntry.id)).where(
            AuditEntry.action == registered[0], AuditEntry.subject == registered[1]
        )
    ).one()
    query = select(AuditEntry).where(
        ((AuditEntry.action == registered[0]) & (AuditEntry.subject == registered[1]))
        | ((AuditEntry.action == "subject.access") & (AuditEntry.subject == subject.key))
    )
    if since is not None:
        query = query.where(AuditEntry.id >= since)
    return [_history(e, redactor) for e in session.exec(query.order_by(AuditEntry.id))]


def _history(entry: AuditEntry, redactor: Redactor, *, case_id: int | None = None) -> HistoryEntry:
    return HistoryEntry(
        at=entry.at,
        clock=entry.clock,
        by=redactor.staff(entry.actor),
        action=entry.action,
        case_id=entry.case_id if case_id is None else case_id,
        subject=entry.subject,
        outcome=entry.outcome,
    )


def _database_file(url: str) -> Path | None:
    """The live SQLite file, which no report may be written over."""
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


def _paths(out: str | os.PathLike, *, live: Path | None) -> tuple[Path, Path]:
    """``PATH.json`` (PATH as given when it has another suffix) and ``PATH.html``, both safe."""
    out = Path(out).expanduser()
    if not out.name or out.name == "..":
        raise InvalidInput(_("--out needs a file name, e.g. --out indsigt-maria"))
    if out.suffix == ".html":
        raise InvalidInput(
            _("{out}: name the JSON file (or no suffix); the HTML is written next to it").format(
                out=out
            )
        )
    json_path = out.with_suffix(".json") if out.suffix in ("", ".json") else out
    return safe_target(json_path, live=live), safe_target(out.with_suffix(".html"), live=live)


def _write(access: SubjectAccess, facts: LetterFacts, json_path: Path, html_path: Path) -> None:
    """Write both files (scratch files, owner-only, that become the report on success)."""
    from staircase.privacy.letter import render_html

    data = json.dumps(access.model_dump(mode="json"), ensure_ascii=False, indent=2)
    json_path.write_text(data + "\n", encoding="utf-8")
    html_path.write_text(render_html(access, facts), encoding="utf-8")
