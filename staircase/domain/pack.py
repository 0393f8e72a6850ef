"""Rule packs: the staircase as data a quality consultant can read and edit.

A pack is a TOML file (PRODUCT.md §4) validated here by pydantic. Every
error names the file, the entry (step, indicator, action, rule or test id)
and the field, and suggests the nearest known id for a misspelt one, so a
consultant can fix the file without reading Python.
"""

import re
import tomllib
from collections.abc import Iterable
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from staircase import i18n
from staircase.errors import AmbiguousIndicator, InvalidInput, NotFound
from staircase.i18n import _
from staircase.kinds import Addressee
from staircase.text import did_you_mean, key

DEFAULT_PACK = "aarhus"

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]


class PackError(InvalidInput):
    """A rule pack that cannot be used; the message is the one line to fix it by."""

    def __init__(self, source: str, entry: str, problem: str) -> None:
        super().__init__(f"{source}: {entry}: {problem}" if entry else f"{source}: {problem}")


class _Strict(BaseModel):
    """Unknown keys are errors: a misspelt key must not silently do nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Strict):
    """A label in Danish (what staff read) and English."""

    da: str
    en: str

    def spoken(self) -> str:
        """The label in the language in use (§7.5)."""
        return self.en if i18n.language() == "en" else self.da


class Escalation(_Strict):
    """Who is told when a case reaches a step or a rule fires (§3.4).

    ``to`` owns the step's actions; when ``acknowledge_days`` is set, ``to``
    must also acknowledge within that many days (0: the same day) or the
    escalation goes to the next level. ``inform`` is told at once.
    """

    to: Addressee | Literal["none"]
    acknowledge_days: int | None = Field(default=None, ge=0)
    inform: tuple[Addressee, ...] = ()


class Action(_Strict):
    """A response (handling) that a step or rule recommends.

    ``supersede`` names lower steps' actions this one replaces: when it is
    created, an open one of those is closed as replaced (§3.4), so a case
    that went on up carries one plan, not two.
    """

    id: Id
    name: Names
    owner: Addressee = Addressee.CONTACT
    due_days: int = Field(default=7, ge=0)
    work_environment: bool = False
    supersede: tuple[Id, ...] = ()


CLARIFY_CONSENT = "afklar-samtykke"
BUILT_IN_ACTIONS = {
    CLARIFY_CONSENT: Action(
        id=CLARIFY_CONSENT,
        name=Names(da="Afklar samtykkegrundlaget", en="Clarify the consent basis"),
        owner=Addressee.CONTACT,
        due_days=7,
    ),
}
"""Actions the program itself raises, whatever the pack: a case opened
without a clarified consent basis must have it clarified (§2). They are
not the staircase's responses, so they are not the pack's to define; every
pack knows them (``Pack.action``)."""


class Step(_Strict):
    """One step of the staircase; ``rank`` 1 is the bottom (good collaboration)."""

    id: Id
    rank: int = Field(ge=1)
    name: Names
    short: Names | None = None
    """The name in a sentence or a narrow column (``større udfordringer``); else ``name``."""
    colour: str
    escalation: Escalation
    calm_days: int | None = Field(default=None, ge=1)
    auto: bool = False
    leader_only: bool = False
    actions: tuple[str, ...] = ()


class Indicator(_Strict):
    """A kendetegn staff observe; it signals its step."""

    id: Id
    step: str
    name: Names
    short: Names | None = None
    """The name in a sentence listing what was seen (``uklar dialog``); else ``name``."""
    aliases: tuple[str, ...] = ()
    work_environment: bool = False


class Condition(_Strict):
    """Observations of these indicators (or of indicators on these steps).

    With ``distinct_days`` the count is of the different local calendar days
    the observations occurred on, not of the observations: one phone call
    logged with three indicators is one occasion, not a pattern (§3.5.2).
    """

    indicators: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    count_at_least: int = Field(default=1, ge=1)
    within_days: int = Field(ge=1)
    distinct_days: bool = False


class Outcome(_Strict):
    """What a rule does when its condition holds."""

    step_at_least: str
    escalate: Escalation | None = None
    actions: tuple[str, ...] = ()


class Rule(_Strict):
    """A condition over a case's recent observations and what it indicates.

    A ``hold`` rule that still fires at or above a case's step keeps the rules
    from proposing the case down, however calm it has been since (§3.3): the
    violence rule holds a relationship for its whole year. A person can still
    move the case down.
    """

    id: Id
    description: str
    when: Condition
    then: Outcome
    hold: bool = False


class TestObservation(_Strict):
    """An observation in an embedded test, dated relative to the test's now.

    ``dismissed``: a person has already ruled on it (a rejected proposal, a
    move down), so it no longer raises the case (§3.3) but still counts.
    """

    indicator: str
    days_ago: float = Field(ge=0)
    retracted: bool = False
    dismissed: bool = False


class Expectation(_Strict):
    """What an embedded test expects; an omitted field is not checked."""

    indicated: str | None = None
    step: str | None = None
    proposal: str | None = None
    escalations: tuple[Addressee, ...] | None = None
    escalation_due_days: int | None = None
    actions: tuple[str, ...] | None = None
    """The case's open actions afterwards (those of a starting step above the bottom included)."""
    actions_if_accepted: tuple[str, ...] | None = None
    """Its open actions if a person accepts the proposal, replaced ones gone (§3.4)."""
    why: tuple[str, ...] | None = None


class PackTest(_Strict):
    """A worked example the pack must keep true (§4.2): run by ``rules test``."""

    name: str
    start: str | None = None
    arrived_days_ago: float | None = Field(default=None, ge=0)
    observations: tuple[TestObservation, ...] = ()
    expect: Expectation


class Pack(_Strict):
    """A whole rule pack. Build it with ``load_pack`` so references are checked."""

    id: Id
    version: str
    source: str
    name: Names
    steps: tuple[Step, ...]
    indicators: tuple[Indicator, ...]
    actions: tuple[Action, ...] = ()
    rules: tuple[Rule, ...] = ()
    tests: tuple[PackTest, ...] = ()

    @cached_property
    def ladder(self) -> tuple[Step, ...]:
        """The steps bottom to top."""
        return tuple(sorted(self.steps, key=lambda s: s.rank))

    @cached_property
    def _steps(self) -> dict[str, Step]:
        return {s.id: s for s in self.steps}

    @cached_property
    def _rules(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def _indicators(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def _below(self) -> dict[str, Step | None]:
        return {step.id: (self.ladder[n - 1] if n else None) for n, step in enumerate(self.ladder)}

    @cached_property
    def _counted(self) -> dict[str, frozenset[str]]:
        """Per rule, every indicator it counts: named, or signalling one of its steps."""
        return {
            rule.id: frozenset(
                i.id
                for i in self.indicators
                if i.id in rule.when.indicators or i.step in rule.when.steps
            )
            for rule in self.rules
        }

    @cached_property
    def _holds(self) -> dict[str, tuple[Rule, ...]]:
        return {
            step.id: tuple(
                r for r in self.rules if r.hold and self.rank(r.then.step_at_least) >= step.rank
            )
            for step in self.ladder
        }

    @cached_property
    def _unrest(self) -> frozenset[str]:
        """The indicators above the bottom step."""
        bottom = self.ladder[0].rank
        return frozenset(i.id for i in self.indicators if self._steps[i.step].rank > bottom)

    @cached_property
    def _actions(self) -> dict[str, Action]:
        return {a.id: a for a in self.actions}

    @cached_property
    def _typed(self) -> dict[str, Indicator]:
        """Every spelling staff may type for an indicator: id, names, aliases."""
        typed: dict[str, Indicator] = {}
        for indicator in self.indicators:
            for label in _labels(indicator):
                typed.setdefault(key(label), indicator)
        return typed

    @cached_property
    def _vocabulary(self) -> dict[str, frozenset[str]]:
        """The words of every label of each indicator, by indicator id."""
        return {
            i.id: frozenset(w for label in _labels(i) for w in _words(label))
            for i in self.indicators
        }

    @property
    def bottom(self) -> Step:
        return self.ladder[0]

    def rank(self, step_id: str) -> int:
        return self._steps[step_id].rank

    def get_step(self, step_id: str) -> Step:
        """A step by its exact id (ids come from the pack or the database)."""
        return self._steps[step_id]

    def get_rule(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def step(self, text: str) -> Step:
        """A step by id or name as typed (``større``, ``storre``, ``stoerre``)."""
        wanted = key(text)
        for step in self.ladder:
            if wanted in {key(label) for label in (step.id, step.name.da, step.name.en)}:
                return step
        known = [s.id for s in self.ladder]
        raise NotFound(
            _('unknown step "{text}"{did_you_mean} (steps: {join})').format(
                text=text, did_you_mean=did_you_mean(text, known), join=", ".join(known)
            )
        )

    def get_indicator(self, indicator_id: str) -> Indicator:
        """An indicator by its exact id (ids come from the pack or the database)."""
        return self._indicators[indicator_id]

    def indicator(self, text: str) -> Indicator:
        """An indicator by id, Danish or English name or alias, as typed.

        Only a whole label names an indicator. A word that is only part of
        one or more labels (``trusler``, ``dialog``) is refused with the
        indicators it fits (§3.5.0), never guessed.
        """
        found = self._typed.get(key(text))
        if found is not None:
            return found
        fitting = self.fitting(text)
        if fitting:
            raise AmbiguousIndicator(text, tuple((i.id, i.name.da) for i in fitting))
        raise NotFound(
            _(
                'unknown indicator "{text}"{did_you_mean} (see `staircase rules show` for the list)'
            ).format(text=text, did_you_mean=did_you_mean(text, list(self._indicators)))
        )

    def fitting(self, text: str) -> tuple[Indicator, ...]:
        """The indicators whose labels hold every word of ``text``, in pack order.

        A typed word fits a label's word when it is that word or, from three
        letters on, its beginning: ``kontakt`` fits both ``kontaktbehov`` and
        "Trusler om kontakt til presse".
        """
        typed = _words(text)
        if not typed:
            return ()
        return tuple(
            indicator
            for indicator in self.indicators
            if all(_fits(word, self._vocabulary[indicator.id]) for word in typed)
        )

    def asks_confirmation(self, indicator: Indicator) -> bool:
        """Whether a terminal asks before logging it (§3.5.0).

        A work-environment indicator labels a family violent and one of the
        top step calls a relationship complicated; both reach leadership at
        once, so a slip of the keyboard is caught before it is recorded.
        """
        return indicator.work_environment or indicator.step == self.ladder[-1].id

    def indicator_name(self, indicator_id: str) -> str:
        """The Danish label of an indicator; the id itself if a newer pack dropped it."""
        indicator = self._indicators.get(indicator_id)
        return indicator.name.da if indicator else indicator_id

    def action(self, action_id: str) -> Action:
        """An action of this pack or of the program's own (``BUILT_IN_ACTIONS``)."""
        return self._actions.get(action_id) or BUILT_IN_ACTIONS[action_id]

    def supersedes(self, action_id: str) -> tuple[str, ...]:
        """The actions this one replaces; none for one a newer pack dropped."""
        return self.action(action_id).supersede if self.knows_action(action_id) else ()

    def covered(self, action_id: str, open_ids: Iterable[str]) -> bool:
        """Whether ``action_id`` is open already, or replaced by an open action (§3.4).

        A case on større holds the plan for handling, so a new mindre
        observation must not bring back the clear plan it replaced.
        """
        return any(a == action_id or action_id in self.supersedes(a) for a in open_ids)

    def knows_action(self, action_id: str) -> bool:
        return action_id in self._actions or action_id in BUILT_IN_ACTIONS

    def action_name(self, action_id: str) -> str:
        """The Danish label of an action; the id itself if a newer pack dropped it."""
        return self.action(action_id).name.da if self.knows_action(action_id) else action_id

    def holds(self, step_id: str) -> tuple[Rule, ...]:
        """The ``hold`` rules that, while they fire, keep a case on this step from
        being proposed down: those reaching the step or above it (§3.3)."""
        return self._holds[step_id]

    def below(self, step_id: str) -> Step | None:
        """The step one below, or None at the bottom."""
        return self._below[step_id]

    def counted(self, rule: Rule) -> frozenset[str]:
        """The indicators ``rule`` counts (named, or signalling one of its steps)."""
        return self._counted[rule.id]

    @cached_property
    def counting(self) -> tuple[tuple[Rule, frozenset[str]], ...]:
        """Each rule, in order, with the indicators it counts: what the engine walks
        for every case a recompute evaluates, so worked out once."""
        return tuple((rule, self._counted[rule.id]) for rule in self.rules)

    def unrest(self, indicator_id: str) -> bool:
        """An indicator above the bottom step: it breaks a calm spell (§3.3)."""
        return indicator_id in self._unrest

    def indicator_step(self, indicator_id: str) -> Step:
        return self._steps[self._indicators[indicator_id].step]


def _labels(indicator: Indicator) -> tuple[str, ...]:
    """Every label an indicator may be typed as."""
    return (indicator.id, indicator.name.da, indicator.name.en, *indicator.aliases)


def _words(label: str) -> tuple[str, ...]:
    """A label's words as matching sees them: ``Stort/stigende kontaktbehov`` has three."""
    return tuple(word for word in re.split(r"[^a-z0-9]+", key(label)) if word)


def _fits(word: str, vocabulary: frozenset[str]) -> bool:
    """A typed word is one of the words, or the beginning of one from three letters on."""
    return word in vocabulary or (
        len(word) >= 3 and any(known.startswith(word) for known in vocabulary)
    )


def load_pack(ref: str | Path | None = None) -> Pack:
    """A pack by installed id (``aarhus``) or by path to a TOML file."""
    ref = DEFAULT_PACK if ref is None else ref
    path = Path(ref)
    if isinstance(ref, Path) or path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise NotFound(_("{ref}: no such rule file").format(ref=ref))
        return _load_path(path.resolve())
    return _load_installed(str(ref))


def installed_packs() -> dict[str, Path]:
    """The packs shipped inside the package, by file stem."""
    folder = resources.files("staircase.packs")
    return {Path(e.name).stem: Path(str(e)) for e in folder.iterdir() if e.name.endswith(".toml")}


@lru_cache(maxsize=8)
def _load_installed(pack_id: str) -> Pack:
    packs = installed_packs()
    if pack_id not in packs:
        raise NotFound(
            _('unknown rule pack "{pack_id}"{did_you_mean}').format(
                pack_id=pack_id, did_you_mean=did_you_mean(pack_id, list(packs))
            )
        )
    return _load_path(packs[pack_id])


@lru_cache(maxsize=8)
def _load_path(path: Path) -> Pack:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise PackError(path.name, "", _("not valid TOML: {err}").format(err=err)) from err
    except UnicodeDecodeError:
        raise PackError(path.name, "", _("not UTF-8 text; save the file as UTF-8")) from None
    except RecursionError:
        raise PackError(path.name, "", _("nested too deeply to be a rule pack")) from None
    except OSError as err:
        raise PackError(
            path.name, "", _("cannot be read ({strerror})").format(strerror=err.strerror)
        ) from None
    return parse_pack(data, source=path.name)


def parse_pack(data: dict, *, source: str) -> Pack:
    """Validate a pack's parsed TOML; raise ``PackError`` on the first problem."""
    try:
        pack = Pack.model_validate(data)
    except ValidationError as err:
        raise _explain(err, data, source) from None
    _check_references(pack, source)
    return pack


_ENTRY = {
    "steps": "step",
    "indicators": "indicator",
    "actions": "action",
    "rules": "rule",
    "tests": "test",
}


def _explain(err: ValidationError, data: dict, source: str) -> PackError:
    """Turn pydantic's first error into ``file: rule "x": field "y": problem``."""
    first = err.errors()[0]
    loc = list(first["loc"])
    entry = ""
    if len(loc) >= 2 and loc[0] in _ENTRY and isinstance(loc[1], int):
        kind, index = loc[0], loc[1]
        raw = data.get(kind, [])[index] if index < len(data.get(kind, [])) else {}
        name = raw.get("id") or raw.get("name") if isinstance(raw, dict) else None
        entry = f'{_ENTRY[kind]} "{name}"' if name else f"{_ENTRY[kind]} #{index + 1}"
        loc = loc[2:]
    field = ".".join(str(part) for part in loc)
    kind_of = first["type"]
    if kind_of == "missing":
        problem = _('missing field "{field}"').format(field=field)
    elif kind_of == "extra_forbidden":
        problem = _('unknown field "{field}"').format(field=field)
    else:
        message = first["msg"]
        problem = (
            _('field "{field}": {message}').format(field=field, message=message)
            if field
            else message
        )
    return PackError(source, entry, problem)


def _check_references(pack: Pack, source: str) -> None:
    """Unique ids and references that point at something, with suggestions."""
    for kind, items in (
        ("step", pack.steps),
        ("indicator", pack.indicators),
        ("action", pack.actions),
        ("rule", pack.rules),
    ):
        _unique(source, kind, [item.id for item in items])
    _unique(source, "step rank", [str(s.rank) for s in pack.steps])
    if not pack.steps:
        raise PackError(source, "", _("a pack needs at least one step"))

    steps = [s.id for s in pack.steps]
    indicators = [i.id for i in pack.indicators]
    actions = [a.id for a in pack.actions]

    def known(entry: str, what: str, ids: Iterable[str], among: list[str]) -> None:
        for ref in ids:
            if ref not in among:
                raise PackError(
                    source,
                    entry,
                    _('unknown {what} "{ref}"{did_you_mean}').format(
                        what=what, ref=ref, did_you_mean=did_you_mean(ref, among)
                    ),
                )

    for step in pack.steps:
        known(f'step "{step.id}"', "action", step.actions, actions)
    for action in pack.actions:
        known(f'action "{action.id}"', "action", action.supersede, actions)
    for indicator in pack.indicators:
        known(f'indicator "{indicator.id}"', "step", [indicator.step], steps)
    for rule in pack.rules:
        entry = f'rule "{rule.id}"'
        known(entry, "indicator", rule.when.indicators, indicators)
        known(entry, "step", rule.when.steps, steps)
        known(entry, "step", [rule.then.step_at_least], steps)
        known(entry, "action", rule.then.actions, actions)
        if not rule.when.indicators and not rule.when.steps:
            raise PackError(source, entry, _('field "when": name "indicators" or "steps"'))
    for test in pack.tests:
        entry = f'test "{test.name}"'
        expect = test.expect
        named_steps = [test.start, expect.indicated, expect.step]
        if expect.proposal not in (None, "none"):
            named_steps.append(expect.proposal)
        known(entry, "step", [s for s in named_steps if s is not None], steps)
        known(entry, "indicator", [o.indicator for o in test.observations], indicators)
        known(entry, "action", expect.actions or (), actions)
        known(entry, "rule", expect.why or (), [r.id for r in pack.rules])
    _check_spellings(pack, source)


def _unique(source: str, kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise PackError(source, f'{kind} "{item}"', _("appears twice; ids must be unique"))
        seen.add(item)


def _check_spellings(pack: Pack, source: str) -> None:
    """Every label names one indicator, or staff would log the wrong one (§3.5.0).

    Two indicators typed the same way are refused, and so is a label whose
    words also fit another indicator: an alias ``trusler`` for violence
    against staff would silently win over the threat to call the press.
    """
    owner: dict[str, str] = {}
    for indicator in pack.indicators:
        for label in _labels(indicator):
            spelling = key(label)
            other = owner.setdefault(spelling, indicator.id)
            if other != indicator.id:
                raise PackError(
                    source,
                    _('indicator "{id}"').format(id=indicator.id),
                    _(
                        '"{spelling}" is also how "{other}" is typed; '
                        "give one of them another alias"
                    ).format(spelling=spelling, other=other),
                )
            also = [i.id for i in pack.fitting(label) if i.id != indicator.id]
            if also:
                raise PackError(
                    source,
                    _('indicator "{id}"').format(id=indicator.id),
                    _(
                        '"{label}" also fits {join}; a label must name one kendetegn: make it '
                        "longer or drop it"
                    ).format(label=label, join=", ".join(also)),
                )
