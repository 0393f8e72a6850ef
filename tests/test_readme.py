"""The README runs as written (issue 9): its walk-through, block by block.

Every ```sh block of the "Walk-through" section runs in order, in a fresh
folder with a fresh database, through the installed ``staircase`` command.
A command exits 0 unless its line ends in ``# exit N``, as the README tells
the reader. A command that needs a person at a terminal has no place in a
block: the prose says how it behaves.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
WALKTHROUGHS = [(README, "Walk-through"), (ROOT / "README.da.md", "Gennemgang")]
"""Each README and the section that is its walk-through: English, and Danish for staff."""
EXPECTED_EXIT = re.compile(r"#\s*exit\s+(\d+)\b")


def walkthrough_commands(text: str, heading: str = "Walk-through") -> list[tuple[str, int]]:
    """The walk-through's shell commands, continuation lines joined, with their exit."""
    section = text.split(f"\n## {heading}", 1)[1].split("\n## ", 1)[0]
    commands: list[tuple[str, int]] = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            expected = EXPECTED_EXIT.search(line)
            commands.append((line, int(expected.group(1)) if expected else 0))
    return commands


def script(commands: list[tuple[str, int]]) -> str:
    """One bash script that stops at the first command exiting other than promised."""
    lines = ["set -u"]
    for command, expected in commands:
        quoted = command.replace("'", "'\\''")
        lines.append(
            f"{command}\nrc=$?\nif [ $rc -ne {expected} ]; then "
            f"echo 'README command failed: {quoted}' >&2; "
            f'echo "exit $rc, the README says {expected}" >&2; exit 1; fi'
        )
    return "\n".join(lines) + "\n"


def test_the_walkthrough_has_commands_for_every_role() -> None:
    commands = [c for c, _ in walkthrough_commands(README.read_text(encoding="utf-8"))]
    assert any(" init " in f" {c} " for c in commands)
    for person in ("ADM", "AK", "LH", "KV"):
        assert any(f"--as {person} " in c for c in commands), person


@pytest.mark.parametrize(("readme", "heading"), WALKTHROUGHS, ids=lambda v: getattr(v, "name", v))
def test_the_walkthrough_runs_in_order_on_a_fresh_database(
    tmp_path: Path, readme: Path, heading: str
) -> None:
    commands = walkthrough_commands(readme.read_text(encoding="utf-8"), heading)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("STAIRCASE_") and key not in ("NO_COLOR", "COLUMNS")
    }
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="100",
    )
    result = subprocess.run(
        ["bash", "-c", script(commands)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]


def test_the_danish_walkthrough_shows_real_danish_output() -> None:
    """The staff's README shows assess and show as they print, in Danish (issue 12)."""
    text = (ROOT / "README.da.md").read_text(encoding="utf-8")
    assert "Overblik — enheder solhaven: 2 åbne sager" in text
    assert "Sag 1 — Maria Andersen (datter) og Else Andersen (SOL-001)" in text
    assert "hvorfor: 3 gange mindre udfordringer på 30 dage: utilfredshed 2/11" in text
    assert "(README.da.md)" in README.read_text(encoding="utf-8")
