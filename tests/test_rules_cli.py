"""``staircase rules …`` and the help of every command, through the real command line (§4.3)."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main

from driver import Run, Staircase
from staircase import __version__
from staircase.cli.app import app
from staircase.domain.pack import installed_packs, load_pack

SHIPPED = installed_packs()["aarhus"].read_text(encoding="utf-8")
run = Staircase()
"""The rules commands read no database."""


def broken(tmp_path: Path, old: str, new: str) -> str:
    """The shipped pack with one edit, as a consultant's file would be; its path."""
    assert old in SHIPPED, f"the shipped pack no longer contains {old!r}"
    path = tmp_path / "broken.toml"
    path.write_text(SHIPPED.replace(old, new, 1), encoding="utf-8")
    return str(path)


def assert_one_line_error(
    result: Run, expected: str | None = None, *, report: bool = False
) -> None:
    """Exit 1, one ``staircase: …`` line on stderr, no traceback; stdout empty unless a report."""
    assert result.exit_code == 1, result.output
    assert report or result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("staircase: ")
    assert "Traceback" not in result.output
    if expected is not None:
        assert lines[0] == expected


def test_check_the_default_pack() -> None:
    result = run("rules", "check")
    pack = load_pack()
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"aarhus 1.1.0: 4 steps, 12 indicators, 5 rules, {len(pack.tests)} tests — OK\n"
    )


def test_check_by_path_and_as_json() -> None:
    path = str(installed_packs()["aarhus"])
    assert run("rules", "check", path).exit_code == 0
    data = json.loads(run("--json", "rules", "check", path).stdout)
    assert data["id"] == "aarhus" and data["ok"] is True and data["steps"] == 4


def test_a_misspelt_indicator_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = broken(
        tmp_path,
        'steps = ["mindre"], count_at_least = 3',
        'indicators = ["utilfredhed"], count_at_least = 3',
    )
    assert_one_line_error(
        run("rules", "check", path),
        'staircase: broken.toml: rule "moenster-mindre": unknown indicator "utilfredhed"'
        ' — did you mean "utilfredshed"?',
    )


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        pytest.param(
            'step_at_least = "kompliceret", escalate',
            'step_at_least = "komplisert", escalate',
            'rule "vold-trusler": unknown step "komplisert" — did you mean "kompliceret"?',
            id="rule-to-missing-step",
        ),
        pytest.param(
            'id = "naervaer"',
            'id = "god-dialog"',
            'indicator "god-dialog": appears twice',
            id="duplicate-indicator",
        ),
        pytest.param(
            'escalation = { to = "none" }\n',
            "",
            'step "godt": missing field "escalation"',
            id="step-without-escalation",
        ),
        pytest.param(
            '[[steps]]\nid = "godt"',
            '[[steps]\nid = "godt"',
            "not valid TOML",
            id="invalid-toml",
        ),
        pytest.param(
            "calm_days = 14",
            "calm_dayz = 14",
            'step "mindre": unknown field "calm_dayz"',
            id="unknown-field",
        ),
        pytest.param(
            'aliases = ["vold", "chikane"',
            'aliases = ["vold", "trusler", "chikane"',
            'indicator "trusler-vold-chikane": "trusler" also fits trussel-presse; '
            "a label must name one kendetegn",
            id="alias-fitting-two-indicators",
        ),
        pytest.param(
            'aliases = ["uklar",',
            'aliases = ["uklar", "dialog",',
            'indicator "uklar-dialog": "dialog" also fits god-dialog, vanskelig-dialog, '
            "manglende-dialog",
            id="alias-fitting-four-indicators",
        ),
    ],
)
def test_a_broken_pack_is_one_clear_line(tmp_path: Path, old: str, new: str, says: str) -> None:
    result = run("rules", "check", broken(tmp_path, old, new))
    assert_one_line_error(result)
    assert result.stderr.startswith("staircase: broken.toml: ")
    assert says in result.stderr


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("aarhsu", 'staircase: unknown rule pack "aarhsu" — did you mean "aarhus"?'),
        ("nope.toml", "staircase: nope.toml: no such rule file"),
    ],
)
def test_an_unknown_pack_is_one_clear_line(ref: str, says: str) -> None:
    assert_one_line_error(run("rules", "check", ref), says)


def test_the_default_packs_tests_pass() -> None:
    result = run("rules", "test")
    count = len(load_pack().tests)
    assert result.exit_code == 0, result.stderr
    assert f"{count} of {count} pack tests passed" in result.stdout
    assert "FAIL" not in result.stdout


def test_a_failing_pack_test_fails_the_command(tmp_path: Path) -> None:
    path = broken(tmp_path, "escalation_due_days = 3", "escalation_due_days = 2")
    count = len(load_pack().tests)
    result = run("rules", "test", path)
    assert_one_line_error(result, f"staircase: aarhus: 1 of {count} pack tests failed", report=True)
    assert "FAIL" in result.stdout
    assert "escalation_due_days: expected 2, got 3" in result.stdout


def test_pack_tests_as_json_before_and_after_the_command() -> None:
    for args in (("rules", "test", "--json"), ("--json", "rules", "test")):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        tests = json.loads(result.stdout)["tests"]
        assert len(tests) == len(load_pack().tests)
        assert all(t["passed"] and t["failures"] == [] for t in tests)


def test_show_draws_every_step_and_indicator() -> None:
    result = run("rules", "show", env={"STAIRCASE_LANG": "da"})
    pack = load_pack()
    assert result.exit_code == 0, result.stderr
    for step in pack.steps:
        assert step.name.da in result.stdout
    for indicator in pack.indicators:
        assert indicator.id in result.stdout


def test_show_draws_the_top_step_first_and_furthest_right() -> None:
    lines = run("rules", "show", env={"STAIRCASE_LANG": "da"}).stdout.splitlines()
    ladder = load_pack().ladder
    rows = [next(i for i, line in enumerate(lines) if step.name.da in line) for step in ladder]
    columns = [lines[row].index(step.name.da) for row, step in zip(rows, ladder, strict=True)]
    assert rows == sorted(rows, reverse=True)
    assert columns == sorted(columns) and len(set(columns)) == len(columns)


def test_show_states_the_calm_days_and_the_violence_hold_on_every_step_above_godt() -> None:
    """§3.3: the way down exactly as the engine applies it (calm days, the 365-day hold)."""
    result = run("rules", "show", env={"COLUMNS": "400", "STAIRCASE_LANG": "da"})
    assert result.exit_code == 0, result.stderr
    pack = load_pack()
    for step in pack.ladder[1:]:
        [line] = [
            line
            for line in result.stdout.splitlines()
            if "flyt" in line and f"forslag ned efter {step.calm_days} rolige dage" in line
        ]
        assert "regnet fra seneste kendetegn over godt eller ankomsten hertil" in line
        assert (
            "ikke inden for 365 dage efter Trusler, vold og chikane mod personale (vold-trusler)"
            in line
        )


def _colour_codes(text: str) -> list[str]:
    """The SGR escape sequences in ``text`` that set a foreground or background colour."""
    colour = re.compile(r"^(3[0-9]|4[0-9]|9[0-7]|10[0-7])$")
    return [
        params
        for params in re.findall(r"\x1b\[([0-9;]*)m", text)
        if any(colour.match(p) for p in params.split(";"))
    ]


def test_show_honours_no_color() -> None:
    assert "\x1b" not in run("rules", "show", env={"NO_COLOR": "1"}).stdout
    on_a_terminal = run("rules", "show", env={"NO_COLOR": "", "FORCE_COLOR": "1"}).stdout
    assert _colour_codes(on_a_terminal), "a terminal should get the steps' colours"
    forced = run("rules", "show", env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout
    assert _colour_codes(forced) == []


@pytest.mark.parametrize("args", [("rules", "show", "--json"), ("--json", "rules", "show")])
def test_show_as_json(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "aarhus"
    assert len(data["steps"]) == 4
    assert "større" in result.stdout


def test_graph_is_mermaid() -> None:
    result = run("rules", "graph")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("stateDiagram-v2\n")
    assert "    stoerre --> mindre : leder\n" in result.stdout


def _command_paths() -> Iterator[tuple[str, ...]]:
    """Every command and group of the tree, so commands added later are covered too."""

    def walk(command, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


def _command(path: tuple[str, ...]):
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


@pytest.mark.parametrize("path", list(_command_paths()), ids=lambda p: " ".join(p) or "staircase")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = _command(path)
    assert (command.help or "").strip(), f"`staircase {' '.join(path)}` has no help text"
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    first_line = command.help.strip().splitlines()[0]
    assert " ".join(first_line.split()) in " ".join(result.stdout.split())


def test_the_rules_commands_are_registered() -> None:
    assert {("rules", name) for name in ("check", "test", "show", "graph")} <= set(_command_paths())


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"staircase {__version__}\n"
