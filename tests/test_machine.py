"""The state machine of the default pack: who may move a case where (PRODUCT.md §3.1, §3.3).

The expected answers are written out from §3.3 (``spec_allows``) and the
machine is checked against them for every pair of steps, mover and role.
"""

import itertools

import pytest

from staircase.domain.machine import StepMachine, machine_for
from staircase.domain.pack import load_pack
from staircase.errors import ExitStatus, NotAllowed, RefusedMove

PACK = load_pack("aarhus")
MACHINE = machine_for(PACK)
STEPS = ["godt", "mindre", "stoerre", "kompliceret"]
RANK = {step: n for n, step in enumerate(STEPS, start=1)}
PAIRS = [(a, b) for a, b in itertools.product(STEPS, STEPS) if a != b]
UP = [(a, b) for a, b in PAIRS if RANK[b] > RANK[a]]
ONE_DOWN = [(a, b) for a, b in PAIRS if RANK[a] - RANK[b] == 1]
SKIPS_DOWN = [(a, b) for a, b in PAIRS if RANK[a] - RANK[b] > 1]


def spec_allows(current: str, target: str, mover: str, by_leader: bool) -> bool:
    """§3.3 in code: what the machine must allow, nothing more."""
    if mover == "rules":
        return target == "mindre" and RANK[target] > RANK[current]
    if RANK[target] > RANK[current]:
        return True
    if RANK[current] - RANK[target] != 1:
        return False
    return by_leader or current not in ("stoerre", "kompliceret")


def test_the_machine_has_the_steps_of_the_pack_bottom_to_top() -> None:
    assert [step.id for step in PACK.ladder] == STEPS
    assert [s.id for s in PACK.ladder if s.auto] == ["mindre"]
    assert [s.id for s in PACK.ladder if s.leader_only] == ["stoerre", "kompliceret"]


@pytest.mark.parametrize(("current", "target"), PAIRS)
@pytest.mark.parametrize("mover", ["person", "rules"])
@pytest.mark.parametrize("by_leader", [False, True])
def test_the_machine_allows_exactly_what_the_spec_allows(
    current: str, target: str, mover: str, by_leader: bool
) -> None:
    expected = spec_allows(current, target, mover, by_leader)
    assert MACHINE.allowed(current, target, mover=mover, by_leader=by_leader) is expected
    if expected:
        assert MACHINE.move(current, target, mover=mover, by_leader=by_leader) == target
    else:
        with pytest.raises(NotAllowed):
            MACHINE.move(current, target, mover=mover, by_leader=by_leader)


@pytest.mark.parametrize(("current", "target"), UP)
def test_a_person_may_move_a_case_up_to_any_higher_step(current: str, target: str) -> None:
    assert MACHINE.move(current, target, by_leader=False) == target


@pytest.mark.parametrize(("current", "target"), ONE_DOWN)
def test_a_leader_may_move_a_case_down_one_step(current: str, target: str) -> None:
    assert MACHINE.move(current, target, by_leader=True) == target


def test_anyone_may_move_a_case_down_from_mindre() -> None:
    assert MACHINE.move("mindre", "godt", by_leader=False) == "godt"


@pytest.mark.parametrize(("current", "target"), SKIPS_DOWN)
@pytest.mark.parametrize("by_leader", [False, True])
def test_skipping_a_step_down_is_refused_naming_the_one_allowed_step(
    current: str, target: str, by_leader: bool
) -> None:
    with pytest.raises(RefusedMove) as refused:
        MACHINE.move(current, target, by_leader=by_leader)
    assert refused.value.exit_status == ExitStatus.BAD_INPUT == 1
    message = str(refused.value)
    below = STEPS[RANK[current] - 2]
    assert f'"{below}"' in message
    assert "one step" in message
    assert "\n" not in message


@pytest.mark.parametrize("current", ["stoerre", "kompliceret"])
def test_only_a_leader_may_move_a_case_down_from_stoerre_or_kompliceret(current: str) -> None:
    below = STEPS[RANK[current] - 2]
    with pytest.raises(NotAllowed) as refused:
        MACHINE.move(current, below, by_leader=False)
    assert not isinstance(refused.value, RefusedMove)
    assert refused.value.exit_status == ExitStatus.NOT_ALLOWED == 3
    assert "leader" in str(refused.value)
    assert f'"{current}"' in str(refused.value)
    assert MACHINE.move(current, below, by_leader=True) == below


def test_the_rules_may_move_a_case_up_to_mindre_only() -> None:
    assert MACHINE.move("godt", "mindre", mover="rules") == "mindre"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("godt", "stoerre"),
        ("godt", "kompliceret"),
        ("mindre", "stoerre"),
        ("mindre", "kompliceret"),
    ],
)
@pytest.mark.parametrize("by_leader", [False, True])
def test_the_rules_never_move_a_case_to_stoerre_or_kompliceret(
    current: str, target: str, by_leader: bool
) -> None:
    """GDPR art. 22: a person decides a label that can mean restrictions for a relative."""
    with pytest.raises(RefusedMove) as refused:
        MACHINE.move(current, target, mover="rules", by_leader=by_leader)
    assert f'"{target}"' in str(refused.value)


@pytest.mark.parametrize(("current", "target"), ONE_DOWN)
def test_the_rules_never_move_a_case_down(current: str, target: str) -> None:
    assert not MACHINE.allowed(current, target, mover="rules", by_leader=True)


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_the_rules_only_ever_reach_steps_the_pack_marks_auto(current: str, target: str) -> None:
    if MACHINE.allowed(current, target, mover="rules"):
        assert PACK.get_step(target).auto
        assert PACK.rank(target) > PACK.rank(current)


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("mover", ["person", "rules"])
@pytest.mark.parametrize("by_leader", [False, True])
def test_moving_a_case_to_its_own_step_is_refused(step: str, mover: str, by_leader: bool) -> None:
    with pytest.raises(RefusedMove, match=f'already on "{step}"'):
        MACHINE.move(step, step, mover=mover, by_leader=by_leader)
    assert not MACHINE.allowed(step, step, mover=mover, by_leader=by_leader)


def test_a_refused_move_leaves_the_machine_usable() -> None:
    with pytest.raises(NotAllowed):
        MACHINE.move("kompliceret", "godt", by_leader=True)
    assert MACHINE.move("kompliceret", "stoerre", by_leader=True) == "stoerre"


def test_replaying_a_valid_history_gives_the_final_step() -> None:
    history = [
        ("mindre", "rules", False),
        ("kompliceret", "person", False),
        ("stoerre", "person", True),
        ("mindre", "person", True),
        ("godt", "person", False),
        ("mindre", "rules", False),
        ("stoerre", "person", False),
    ]
    assert MACHINE.replay("godt", history) == "stoerre"
    assert MACHINE.replay("godt", history[:5]) == "godt"
    assert MACHINE.replay("kompliceret", []) == "kompliceret"


def test_replaying_a_history_with_an_illegal_move_is_refused() -> None:
    history = [("kompliceret", "person", False), ("mindre", "person", True)]
    with pytest.raises(RefusedMove, match='only to "stoerre"'):
        MACHINE.replay("godt", history)


def test_the_mermaid_graph_shows_every_allowed_move_and_nothing_else() -> None:
    text = MACHINE.mermaid()
    assert text.startswith("stateDiagram-v2\n")
    arrows = {
        tuple(line.split(":")[0].split(" --> "))
        for line in text.splitlines()
        if " --> " in line and "[*]" not in line
    }
    arrows = {(a.strip(), b.strip()) for a, b in arrows}
    allowed = {
        (a, b)
        for a, b in PAIRS
        if any(
            MACHINE.allowed(a, b, mover=mover, by_leader=leader)
            for mover in ("person", "rules")
            for leader in (False, True)
        )
    }
    assert arrows == allowed
    assert "kompliceret --> mindre" not in text
    assert "kompliceret --> godt" not in text
    assert "stoerre --> godt" not in text


def test_the_mermaid_graph_labels_who_may_move() -> None:
    lines = set(MACHINE.mermaid().splitlines())
    assert "    godt --> mindre : regler (automatisk)" in lines
    assert "    stoerre --> mindre : leder" in lines
    assert "    kompliceret --> stoerre : leder" in lines
    assert "    mindre --> godt : person" in lines
    assert "    godt --> kompliceret : person" in lines
    assert not any(" : regler" in line and "--> stoerre" in line for line in lines)
    assert not any(" : regler" in line and "--> kompliceret" in line for line in lines)


def test_one_machine_per_pack() -> None:
    assert machine_for(PACK) is machine_for(PACK)
    assert machine_for(load_pack("aarhus")) is MACHINE
    assert isinstance(MACHINE, StepMachine)
