"""What library functions return: data the CLI renders as tables or as JSON.

The ``--json`` output is these models' own serialisation (STYLE.md), with
times as ISO 8601 in UTC (§10.2), so scripts see exactly what the tables show.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PlainSerializer, TypeAdapter

from staircase.clock import iso_utc
from staircase.kinds import (
    ActionStatus,
    Addressee,
    AgreementStatus,
    Direction,
    EscalationStatus,
    ProposalStatus,
    Role,
)

Time = Annotated[datetime, PlainSerializer(iso_utc, return_type=str)]


class View(BaseModel):
    """Base of every returned view: read-only data.

    A view's validator is built when it is first used, not at import: a
    command uses a few of these models, and building all of them cost every
    ``log`` and ``show`` milliseconds (issue 14).
    """

    model_config = ConfigDict(frozen=True, from_attributes=True, defer_build=True)


M = TypeVar("M", bound=BaseModel)


@cache
def list_of(model: type[M]) -> TypeAdapter[list[M]]:
    """Many of a model in one validation or one serialisation: a municipality's
    listing is validated and written a chunk at a time, not object by object.
    Built on first use, like the views."""
    return TypeAdapter(list[model])  # type: ignore[valid-type]  # a class given at run time


def plain(view: type[View], keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[dict]:
    """Rows whose columns (``keys``) are named for ``view``'s fields, as the plain data
    the view's JSON holds, without making a model of each: the fields JSON shows, in
    the view's order, a missing one at its default, a time as ``iso_utc`` writes it.

    For listings of tens of thousands (issue 14), where making each item a model
    only to serialise it was most of the cost; for views of plain values and times,
    and a test holds what it gives equal to the model's own JSON.
    """
    at = {key: n for n, key in enumerate(keys)}
    shown = [
        (name, at.get(name), field.default)
        for name, field in view.model_fields.items()
        if not field.exclude
    ]
    return [
        {
            name: default if n is None else iso_utc(v) if isinstance(v := row[n], datetime) else v
            for name, n, default in shown
        }
        for row in rows
    ]


class UnitView(View):
    id: str
    name: str
    parent_id: str | None
    pack: str


class StaffView(View):
    id: str
    name: str
    role: Role
    email: str | None = None
    units: list[str]
    active: bool = True
    left_at: Time | None = None


class GrantReport(View):
    """What ``db grant`` did, by initials: roles granted, roles closed (deactivated
    people), people with no account bound, and roles left to the DBA (§6.8)."""

    granted: list[str]
    closed: list[str]
    unbound: list[str]
    left_alone: list[str]


class Handover(View):
    """Something a person who left owned, and who owns it now (``staff deactivate``)."""

    kind: str
    id: int
    case_id: int
    to: str


class StaffChange(View):
    """A person changed or deactivated, and what was handed to the units' leaders."""

    staff: StaffView
    handed_over: list[Handover]


class RelativeView(View):
    """A relative with the residents they have cases with (``relative list|find``)."""

    id: int
    name: str
    relation: str
    is_child: bool
    residents: list[str]


class ResidentView(View):
    id: int
    ref: str
    name: str
    unit_id: str


class CaseSummary(View):
    """One line of a case list."""

    id: int
    unit_id: str
    resident_ref: str
    resident: str
    relative_id: int
    relative: str
    relation: str
    step: str
    contact_id: str | None
    primary: bool
    is_child: bool
    consent: str
    opened_at: Time
    closed_at: Time | None = None


class WhyView(View):
    rule: str
    observations: list[int]


class ProposalView(View):
    id: int
    case_id: int
    from_step: str
    to_step: str
    direction: Direction
    status: ProposalStatus
    raised_at: Time
    rules: list[str]
    decided_by: str | None = None
    decided_at: Time | None = None
    reason: str | None = None


class EscalationView(View):
    """An escalation; ``step`` is the step it is about, ``case_step`` where the case
    stands (they differ while a step is only proposed), ``note`` the answer or,
    for a closed one, why it closed."""

    id: int
    case_id: int
    step: str
    to_role: Addressee
    to_unit: str
    inform: list[Addressee]
    rules: list[str]
    raised: Time = Field(validation_alias=AliasChoices("raised", "raised_at"))
    due: Time | None = Field(validation_alias=AliasChoices("due", "due_at"))
    acknowledged_by: str | None = None
    acknowledged_at: Time | None = None
    status: EscalationStatus
    note: str | None = None
    case_step: str | None = None


class ActionView(View):
    id: int
    case_id: int
    action: str
    name: str
    owner: str
    due: Time | None
    status: ActionStatus
    note: str | None = None


class BreachView(View):
    id: int
    at: Time
    broken_by: str
    recorded_by: str
    note: str | None
    observation_id: int | None


class ReviewView(View):
    id: int
    at: Time
    by_staff: str
    note: str | None
    next_review_at: Time | None


class AgreementView(View):
    """An agreement with its breaches and reviews; ``review_at`` is the next review."""

    id: int
    case_id: int
    text: str
    agreed_at: Time
    agreed_by: str
    review_at: Time | None
    status: AgreementStatus
    closed_at: Time | None = None
    breaches: list[BreachView] = []
    reviews: list[ReviewView] = []


class CaseChangeView(View):
    """A change of contact person, primary flag or consent, with its reason."""

    id: int
    at: Time
    by_staff: str
    field: str
    old_value: str | None
    new_value: str | None
    reason: str


class ObservationView(View):
    id: int
    indicator: str | None
    step: str | None
    occurred_at: Time
    logged_at: Time
    logged_by: str
    channel: str
    note: str | None
    retracts: int | None
    retracted: bool


class TransitionView(View):
    id: int
    from_step: str
    to_step: str
    at: Time
    by: str
    reason: str
    pack: str
    pack_version: str


class CaseView(View):
    """Everything about one case (``staircase show``; §10.4 fixes the keys)."""

    id: int
    unit_id: str
    resident_ref: str
    resident: str
    relative: str
    relation: str
    is_child: bool
    primary: bool
    consent: str
    consent_note: str | None
    contact_id: str | None
    opened_at: Time
    closed_at: Time | None
    pack: str
    pack_version: str
    step: str
    step_since: Time
    indicated_step: str
    why: list[WhyView]
    proposals: list[ProposalView]
    escalations: list[EscalationView]
    actions: list[ActionView]
    agreements: list[AgreementView]
    observations: list[ObservationView]
    transitions: list[TransitionView]
    changes: list[CaseChangeView] = []


class IndicatorView(View):
    """A kendetegn as a typed word named it, before it is logged (§3.5.0).

    ``confirm``: a terminal asks before logging it (violence against staff,
    or the top step), because it reaches leadership at once.
    """

    id: str
    name: str
    step: str
    work_environment: bool
    confirm: bool


class MenuStep(View):
    """One step of the log prompt's list: its name and its kendetegn as ``(id, name)``."""

    id: str
    name: str
    indicators: list[tuple[str, str]]


class LogMenu(View):
    """What the log prompt shows before it asks: whose case it is, and what may be logged.

    The family is named so that a tired finger on the wrong case number is
    noticed before anything is written.
    """

    case_id: int
    resident: str
    relative: str
    relation: str
    steps: list[MenuStep]


class DecisionView(View):
    """What a person's decision did (accept, reject, move, close).

    ``proposal`` is set when a staff member's move became a proposal for the
    leader; ``acknowledged`` are the escalations the decision answered;
    ``left_open`` the open actions of steps the case has left (or of a
    closed case), for the leader to close or keep.
    """

    case: CaseView
    proposal: ProposalView | None = None
    acknowledged: list[EscalationView] = []
    left_open: list[ActionView] = []


class LogResult(View):
    """What ``staircase log`` created and what followed from it."""

    observations: list[int]
    moved_to: str | None
    proposals: list[ProposalView]
    escalations: list[EscalationView]
    actions: list[ActionView]
    case: CaseView


class BreachResult(View):
    """A breach recorded, and what the relative's breach logged on the case."""

    agreement: AgreementView
    logged: LogResult | None


class SeenView(View):
    """An observation a "why" rests on: which kendetegn and when, so the leader's
    view can say what was seen and when without a second look (§7.5)."""

    id: int
    indicator: str
    occurred_at: Time


class AssessedCase(View):
    """A case in the leader's view, with what changed since their last assess."""

    id: int
    unit_id: str
    resident: str
    relative: str
    step: str
    indicated_step: str
    why: list[WhyView]
    seen: list[SeenView] = []
    previous_step: str | None
    previous_indicated: str | None
    changed: bool


class Family(View):
    """The names of a listed item's family, for a screen to name them beside the case
    number; not in ``--json``, where the item's case carries them."""

    resident: str = Field("", exclude=True)
    relative: str = Field("", exclude=True)


class AssessedProposal(ProposalView, Family):
    """An open proposal in the leader's view."""


class AssessedEscalation(EscalationView, Family):
    """An open escalation in the leader's view."""


class AssessedAction(ActionView, Family):
    """An overdue action in the leader's view."""


class SkippedUnit(View):
    """A unit left out of ``tick`` or ``assess`` because its rule pack cannot
    be loaded; every other unit was served (issue 11). ``problem`` says what
    is wrong and how to fix it."""

    unit_id: str
    pack: str
    problem: str


class Assessment(View):
    """The leader's view (§1.2, §10.4).

    ``first`` marks a person's first assess: there is no "since last time"
    yet, so ``changed`` marks the cases off the bottom step, as an overview.
    ``skipped_units`` are units whose pack cannot be loaded: not assessed.
    """

    units: list[str]
    first: bool
    cases: list[AssessedCase]
    proposals: list[AssessedProposal]
    escalations: list[AssessedEscalation]
    actions_overdue: list[AssessedAction]
    steps: dict[str, int]
    total: int
    skipped_units: list[SkippedUnit] = []
    packs: list[str] = []
    """The rule packs of the units assessed, whose labels name what the ids mean."""

    def changed_cases(self, shown: int) -> tuple[list[AssessedCase], int]:
        """The first ``shown`` cases marked changed, and how many are (as ``Assessing``)."""
        changed = [case for case in self.cases if case.changed]
        return changed[:shown], len(changed)


class InboxItem(View):
    """One thing waiting for a person: what, on which case and family, by when.

    ``what`` is a fixed English gist for scripts; a screen words the item
    from the ids beside it (``step``, ``case_step``, ``action``), in the
    language of the person reading it (§7.5).
    """

    kind: str
    id: int
    case_id: int
    what: str
    due: Time | None
    overdue: bool
    relative: str = ""
    resident: str = ""
    pack: str = ""
    step: str | None = None
    case_step: str | None = None
    action: str | None = None
    rules: list[str] = []
    text: str | None = None


class Inbox(View):
    """Everything waiting for one person, most urgent first."""

    person: str
    items: list[InboxItem]
