"""The state machine: the only code that decides whether a move is legal (§3.1).

Built with ``transitions`` from a pack's steps. ``auto_transitions=False``
so that only the declared moves exist:

- ``move_to_<step>``: a person moves a case — up to any higher step, or down
  exactly one step; down from a ``leader_only`` step only by a leader.
- ``auto_to_<step>``: the rules move a case up to a step marked ``auto``.

One machine per pack (building one costs ~90 µs, STYLE.md); each decision
binds a light ``Decision`` model, fires and unbinds.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Literal

from transitions import Machine, MachineError

from staircase.domain.pack import Pack
from staircase.errors import NotAllowed, RefusedMove
from staircase.i18n import _

Mover = Literal["person", "rules"]


@dataclass
class Decision:
    """The model bound to the machine for one move."""

    state: str
    by_leader: bool = False

    def is_leader(self) -> bool:
        return self.by_leader


class StepMachine:
    """The allowed moves of one pack's staircase."""

    def __init__(self, pack: Pack) -> None:
        self.pack = pack
        # A functional enum: its members are the pack's, known only at run time.
        self.states = StrEnum("Steps", {s.id: s.id for s in pack.ladder})  # type: ignore[misc]
        self.machine = Machine(
            model=None,
            states=list(self.states),
            transitions=self._transitions(),
            initial=pack.bottom.id,
            auto_transitions=False,
            model_attribute="state",
        )

    def _transitions(self) -> list[dict]:
        ladder = self.pack.ladder
        moves: list[dict] = []
        for i, source in enumerate(ladder):
            for target in ladder[i + 1 :]:
                moves.append(
                    {"trigger": f"move_to_{target.id}", "source": source.id, "dest": target.id}
                )
                if target.auto:
                    moves.append(
                        {"trigger": f"auto_to_{target.id}", "source": source.id, "dest": target.id}
                    )
            if i > 0:
                down = {
                    "trigger": f"move_to_{ladder[i - 1].id}",
                    "source": source.id,
                    "dest": ladder[i - 1].id,
                }
                if source.leader_only:
                    down["conditions"] = "is_leader"
                moves.append(down)
        return moves

    def allowed(
        self, current: str, target: str, *, mover: Mover = "person", by_leader: bool = False
    ) -> bool:
        """Would this move be allowed? (For prompts and menus; ``move`` decides.)"""
        try:
            self.move(current, target, mover=mover, by_leader=by_leader)
        except NotAllowed:
            return False
        return True

    def move(
        self, current: str, target: str, *, mover: Mover = "person", by_leader: bool = False
    ) -> str:
        """Fire the move and return the new step, or raise with the one-line reason."""
        trigger = f"{'auto' if mover == 'rules' else 'move'}_to_{target}"
        decision = Decision(state=current, by_leader=by_leader)
        self.machine.add_model(decision, initial=current)
        try:
            event = self.machine.events.get(trigger)
            fired = trigger in self.machine.get_triggers(current) and bool(
                event and event.trigger(decision)
            )
        except MachineError:
            fired = False
        finally:
            self.machine.remove_model(decision)
        if not fired:
            raise self._refusal(current, target, mover)
        return decision.state

    def _refusal(self, current: str, target: str, mover: Mover) -> NotAllowed:
        """Say why, in the words of §3.3, rather than the machine's trigger names."""
        pack = self.pack
        if current == target:
            return RefusedMove(_('the case is already on "{target}"').format(target=target))
        going_up = pack.rank(target) > pack.rank(current)
        if mover == "rules":
            return RefusedMove(
                _(
                    'the rules may only move a case up to an automatic step, not to "{target}"'
                ).format(target=target)
            )
        if going_up:
            return RefusedMove(
                _('no move from "{current}" to "{target}" in pack {id}').format(
                    current=current, target=target, id=pack.id
                )
            )
        below = pack.below(current)
        if below is not None and below.id != target:
            return RefusedMove(
                _('a case moves down one step at a time: from "{current}" only to "{id}"').format(
                    current=current, id=below.id
                )
            )
        return NotAllowed(
            _('only a leader may move a case down from "{current}"').format(current=current)
        )

    def replay(self, start: str, moves: list[tuple[str, Mover, bool]]) -> str:
        """Replay a history of (target, mover, by_leader) from ``start``; return the step."""
        step = start
        for target, mover, by_leader in moves:
            step = self.move(step, target, mover=mover, by_leader=by_leader)
        return step

    def mermaid(self) -> str:
        """The allowed moves as Mermaid ``stateDiagram-v2`` text (``rules graph``)."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.pack.bottom.id}"]
        for step in self.pack.ladder:
            lines.append(f"    {step.id} : {step.name.da}")
        for move in self._transitions():
            kind = move["trigger"].split("_to_")[0]
            if kind == "auto":
                label = "regler (automatisk)"
            elif self.pack.rank(move["dest"]) > self.pack.rank(move["source"]):
                label = "person"
            else:
                label = "leder" if "conditions" in move else "person"
            lines.append(f"    {move['source']} --> {move['dest']} : {label}")
        return "\n".join(lines) + "\n"


@cache
def machine_for(pack: Pack) -> StepMachine:
    """The one machine of a pack (packs are immutable and hashable by identity)."""
    return StepMachine(pack)
