"""Steps, kendetegn, actions, roles, channels and statuses by name, never by id (§7.5).

Outside ``--json`` a person reads "Større udfordringer", "enhedsleder" and
"besøg", not ``stoerre``, ``unit_leader`` and ``besoeg``. The pack's own
labels come in both languages from the pack (a consultant edits them with
the rules); the program's closed sets (roles, channels, statuses) come from
the catalogue. An id a newer pack dropped is shown as the id: better than
nothing, and never wrong.

"Why" tells what was seen and when, as a leader would say it: "3 gange
mindre udfordringer på 30 dage: utilfredshed 2/11, uklar dialog 9/11".
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from staircase import i18n
from staircase.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from staircase.domain.pack import Names, Pack, Rule, Step
    from staircase.views import ObservationView, WhyView

ROLES = {
    "contact": N_("contact person"),
    "unit_leader": N_("unit leader"),
    "area_leader": N_("area leader"),
    "safety_rep": N_("safety representative"),
    "staff": N_("staff member"),
    "leader": N_("leader"),
    "quality": N_("quality"),
    "admin": N_("administrator"),
}
"""Addressees (§3.4) and staff roles (§6.1) as staff say them: "enhedsleder"."""

CHANNELS = {
    "telefon": N_("phone"),
    "besoeg": N_("visit"),
    "mail": N_("e-mail"),
    "moede": N_("meeting"),
    "andet": N_("other"),
}
"""How an observation came about (§2), by the ids ``--channel`` accepts."""

STATUSES = {
    "open": N_("open"),
    "accepted": N_("accepted"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
    "acknowledged": N_("acknowledged"),
    "escalated": N_("escalated"),
    "closed": N_("closed"),
    "done": N_("done"),
    "dropped": N_("dropped"),
    "replaced": N_("replaced"),
    "active": N_("active"),
    "ended": N_("ended"),
}
"""Every status of proposals, escalations, actions and agreements (``kinds.py``)."""

BREACHERS = {"relative": N_("the relative"), "staff": N_("the staff"), "both": N_("both")}
"""Who did not keep an agreement (``agreement broken --by``)."""


def local(names: "Names") -> str:
    """A pack label in the language in use."""
    return names.en if i18n.language() == "en" else names.da


def role(addressee: str | None) -> str:
    """``unit_leader`` → "enhedsleder"; a staff member's initials stay as they are."""
    if addressee is None:
        return ""
    return _(ROLES[addressee]) if addressee in ROLES else addressee


def channel(channel_id: str) -> str:
    return _(CHANNELS[channel_id]) if channel_id in CHANNELS else channel_id


def status(value: str) -> str:
    return _(STATUSES[value]) if value in STATUSES else value


def breacher(value: str) -> str:
    return _(BREACHERS[value]) if value in BREACHERS else value


def day(moment: datetime) -> str:
    """``2/11``: the local day an observation was made, as "why" lists them."""
    from staircase.clock import as_utc, resolve_tz

    local_day = as_utc(moment).astimezone(resolve_tz())
    return f"{local_day.day}/{local_day.month}"


class Words:
    """The labels of the packs a screen shows, looked up by id.

    One screen may show cases of units on different packs (``assess
    --all``); ids are looked up in each pack in turn, the first that knows
    one names it.
    """

    def __init__(self, packs: "Iterable[Pack]") -> None:
        self.packs = tuple(packs)

    @classmethod
    def installed(cls) -> "Words":
        """The labels of every shipped pack, for a report that does not say its packs."""
        from staircase.domain.pack import installed_packs

        return cls.of(sorted(installed_packs()))

    @classmethod
    def of(cls, pack_ids: Iterable[str]) -> "Words":
        from staircase.domain.pack import load_pack

        return cls(load_pack(pack_id) for pack_id in dict.fromkeys(pack_ids))

    def _step(self, step_id: str) -> "Step | None":
        for pack in self.packs:
            if step_id in {s.id for s in pack.steps}:
                return pack.get_step(step_id)
        return None

    def step(self, step_id: str | None) -> str:
        """The step as a table shows it: "Større udfordringer"."""
        if step_id is None:
            return ""
        found = self._step(step_id)
        if found is None:
            return step_id
        text = local(found.short or found.name)
        return text[:1].upper() + text[1:]

    def step_in_sentence(self, step_id: str) -> str:
        """The step inside a sentence: "større udfordringer"."""
        found = self._step(step_id)
        return local(found.short or found.name) if found else step_id

    def step_full(self, step_id: str) -> str:
        """The step's whole name: "Samarbejde med større udfordringer"."""
        found = self._step(step_id)
        return local(found.name) if found else step_id

    def colour(self, step_id: str | None) -> str:
        found = self._step(step_id) if step_id else None
        return found.colour if found else ""

    def indicator(self, indicator_id: str | None) -> str:
        """The kendetegn's name: "Direkte/indirekte kritik"."""
        for pack in self.packs:
            if indicator_id in {i.id for i in pack.indicators}:
                return local(pack.get_indicator(indicator_id).name)
        return indicator_id or ""

    def indicator_short(self, indicator_id: str) -> str:
        for pack in self.packs:
            if indicator_id in {i.id for i in pack.indicators}:
                found = pack.get_indicator(indicator_id)
                return local(found.short or found.name)
        return indicator_id

    def action(self, action_id: str) -> str:
        for pack in self.packs:
            if pack.knows_action(action_id):
                return local(pack.action(action_id).name)
        return action_id

    def _rule(self, rule_id: str) -> "Rule | None":
        for pack in self.packs:
            if rule_id in {r.id for r in pack.rules}:
                return pack.get_rule(rule_id)
        return None

    def rule(self, rule_id: str) -> str:
        """What a rule watches, as a sentence: "3 gange mindre udfordringer på 30 dage"."""
        rule = self._rule(rule_id)
        if rule is None:
            return rule_id
        when = rule.when
        watched = [self.indicator_short(i) for i in when.indicators]
        watched += [self.step_in_sentence(s) for s in when.steps]
        what = _(" or ").join(watched)
        if when.count_at_least > 1:
            return ngettext(
                "{what} {n} time in {days} days",
                "{what} {n} times in {days} days",
                when.count_at_least,
            ).format(what=what, n=when.count_at_least, days=when.within_days)
        return ngettext(
            "{what} within {days} day", "{what} within {days} days", when.within_days
        ).format(what=what, days=when.within_days)

    def why(self, why: "WhyView", seen: "Mapping[int, ObservationView]") -> str:
        """A rule that fired and what it saw, when: "…: utilfredshed 2/11, uklar dialog 9/11"."""
        observed = [seen[o] for o in why.observations if o in seen]
        listed = ", ".join(
            f"{self.indicator_short(o.indicator or '')} {day(o.occurred_at)}"
            for o in sorted(observed, key=lambda o: o.occurred_at)
        )
        sentence = self.rule(why.rule)
        return f"{sentence}: {listed}" if listed else sentence

    def whys(self, whys: "Sequence[WhyView]", seen: "Mapping[int, ObservationView]") -> str:
        return "; ".join(self.why(w, seen) for w in whys)
