"""Danish first (issue 12, §7.5): the daily screens speak Danish by default, English on
request, by name rather than by id, and ``--json`` is the same in both.

The driver asks for English (``STAIRCASE_LANG=en``) so that the older tests read as
they were written; these tests ask for Danish themselves, and check what a social-
og sundhedsassistent would read.
"""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from databases import closing_engine, sqlite_copy
from driver import AWAY, Staircase
from home import Home
from staircase.db.models import Notification

DA = {"STAIRCASE_LANG": "da"}
EN = {"STAIRCASE_LANG": "en"}


@pytest.fixture
def twins(sqlite_template: Path, tmp_path: Path) -> Iterator[tuple[Home, Home]]:
    """Two identical copies of the standard home: one to work in Danish, one in English."""
    with (
        closing_engine(sqlite_copy(sqlite_template, tmp_path / "da.db")) as da,
        closing_engine(sqlite_copy(sqlite_template, tmp_path / "en.db")) as en,
    ):
        yield Home(da), Home(en)


def test_log_says_what_it_recorded_and_why_in_danish(home: Home) -> None:
    home("log", "1", "utilfredshed", who="AK", now="2026-11-02 10:00")
    home("log", "1", "uklar dialog", who="AK", now="2026-11-09 10:00")
    result = home("log", "1", "kontaktbehov", "--channel", "besøg", who="AK", env=DA)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "Registreret på sag 1: Stort/stigende kontaktbehov (mindre udfordringer) — observation 3"
    )
    assert "Forslag 1: Mindre udfordringer → Større udfordringer venter på en leder." in lines
    assert "Sag 1 — Maria Andersen (datter) og Else Andersen (SOL-1), enhed sol" in lines
    assert (
        "  hvorfor: 3 gange mindre udfordringer på 30 dage: "
        "utilfredshed 2/11, uklar dialog 9/11, stort kontaktbehov 23/11"
    ) in lines
    assert "stoerre" not in result.stdout and "unit_leader" not in result.stdout


def test_log_says_it_in_english_when_asked(home: Home) -> None:
    result = home("--lang", "en", "log", "1", "kritik", who="AK", env={"STAIRCASE_LANG": None})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Logged on case 1: Direct or indirect criticism (major challenges) — observation 1"
    )
    assert "  why: major challenges within 60 days: criticism 23/11" in result.stdout.splitlines()


def test_show_names_steps_roles_and_channels_in_danish(home: Home) -> None:
    home("log", "1", "manglende dialog", "--channel", "moede", "--note", "Aflyste mødet", who="AK")
    result = home("show", "1", who="AK", env=DA)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Trin: Samarbejde med mindre udfordringer; observationerne peger på: " in out
    assert "Kompliceret samarbejde" in out
    assert "enhedsleder (sol)" in out
    assert "områdeleder" not in out or "nord" in out
    assert "møde" in out and "moede" not in out
    assert "Manglende dialog" in out
    assert "Hurtig og opsøgende reaktion" in out
    assert "kontaktperson AK; samtykke givet af beboeren" in out
    for heading in ("Forslag", "Eskaleringer", "Handlinger", "Observationer"):
        assert heading in out


def test_assess_names_the_family_and_marks_what_is_overdue_in_danish(home: Home) -> None:
    home("log", "1", "kritik", who="AK", now="2026-11-10 10:00")
    result = home("assess", who="LH", env={**DA, "COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "Overblik — enheder sol: 1 åben sag"
    assert "Forslag, der venter på din beslutning" in out
    assert "Maria Andersen /" in out and "Else Andersen" in out
    assert "OVERSKREDET" in out
    assert "enhedsleder" in out
    assert "Større udfordringer" in out
    assert "kritik 10/11" in out and "inden for 60 dage" in " ".join(out.split())
    assert all(len(line) <= 80 for line in out.splitlines())


def test_assess_counts_open_cases_in_english_grammar(home: Home) -> None:
    result = home("assess", who="LH", env=EN)
    assert result.stdout.splitlines()[0] == "Assess — units sol: 1 open case"


def test_inbox_names_the_family_and_the_step_in_danish(home: Home) -> None:
    home("log", "1", "kritik", who="AK", now="2026-11-10 10:00")
    result = home("inbox", who="LH", env=DA)
    assert result.exit_code == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "Indbakke for LH" in out
    assert "Maria Andersen / Else Andersen" in out
    assert "kvittér: Større udfordringer foreslået; sagen står på mindre udfordringer" in out
    assert "beslut: Mindre udfordringer → Større udfordringer" in out
    assert "OVERSKREDET" in out


def test_an_error_is_one_danish_line(home: Home) -> None:
    before = home.contents(leave_out=("audit", "audit_detail", "setting"))
    result = home("log", "1", "utilfredhed", who="AK", env=DA)
    assert result.exit_code == 1
    assert result.stderr == (
        'staircase: ukendt kendetegn "utilfredhed" — mente du "utilfredshed"? '
        "(se listen med `staircase rules show`)\n"
    )
    assert home.contents(leave_out=("audit", "audit_detail", "setting")) == before


@pytest.mark.parametrize(
    ("argv", "danish", "english"),
    [
        (("log",), "Fejl: Mangler argumentet 'SAG'.", "Error: Missing argument 'CASE'."),
        (
            ("lgo",),
            "Fejl: Der er ingen kommando 'lgo'. Mente du 'log'?",
            "Error: No such command 'lgo'. Did you mean 'log'?",
        ),
        (("--bogus", "show", "1"), "Fejl: Der er intet tilvalg --bogus", "Error: No such option"),
        (("show", "1", "2"), "Fejl: Uventet ekstra argument (2)", "Error: Got unexpected extra"),
    ],
)
def test_a_command_typed_wrong_is_told_in_the_language_in_use(
    argv: tuple[str, ...], danish: str, english: str
) -> None:
    """typer words its usage errors without gettext; the boundary gives them the catalogue's."""
    for lang, hint, error in (("da", "Prøv 'staircase", danish), ("en", "Try 'staircase", english)):
        result = _whole_process(*argv, lang=lang)
        assert result.returncode == 2
        assert hint in result.stderr and error in result.stderr, result.stderr


def test_an_unknown_language_is_one_line_and_writes_nothing(home: Home) -> None:
    for env, line in ((EN, "unknown language 'tysk'"), (DA, "ukendt sprog 'tysk'")):
        result = home("--lang", "tysk", "show", "1", who="AK", env=env)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"staircase: {line}")
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("log", "1", "kritik", "--at", "-1h"), "AK"),
        (("show", "1"), "AK"),
        (("assess",), "LH"),
        (("inbox",), "LH"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else value,
)
def test_json_and_every_id_are_the_same_in_both_languages(
    twins: tuple[Home, Home], args: tuple[str, ...], env: str
) -> None:
    danish, english = twins
    for home in (danish, english):
        home("log", "1", "kritik", who="AK", now="2026-11-10 10:00")
    in_danish = danish("--json", *args, who=env, env=DA)
    in_english = english("--json", *args, who=env, env=EN)
    assert in_danish.json() == in_english.json()
    assert in_danish.stdout == in_english.stdout


def _whole_process(*args: str, lang: str) -> subprocess.CompletedProcess:
    environ = {**Staircase().environ(), "STAIRCASE_LANG": lang, "COLUMNS": "80"}
    return subprocess.run(
        [str(Path(sys.executable).with_name("staircase")), *args],
        env=environ,
        cwd=AWAY,
        capture_output=True,
        text=True,
        check=False,
    )


def test_help_is_danish_by_default_and_english_on_request() -> None:
    danish = _whole_process("log", "--help", lang="da")
    assert danish.returncode == 0, danish.stderr
    assert danish.stdout.startswith("Brug: staircase log [OPTIONS] {SAG} [KENDETEGN]...")
    assert "Registrér hvad du har observeret på en sag" in danish.stdout
    assert "Eksempler:" in danish.stdout
    assert "kompliceret: manglende-dialog, aftaler-brudt, trusler-vold-chikane" in danish.stdout
    assert "--at NÅR" in danish.stdout
    assert "<str>" not in danish.stdout and "<int>" not in danish.stdout

    english = _whole_process("--lang", "en", "log", "--help", lang="da")
    assert english.stdout.startswith("Usage: staircase log [OPTIONS] {CASE} [KENDETEGN]...")
    assert "Log what you observed on a case" in english.stdout
    assert "--at WHEN" in english.stdout


def test_the_command_list_shows_whole_summaries() -> None:
    listing = _whole_process("--help", lang="da").stdout
    commands = listing.split("Kommandoer:")[1]
    assert "..." not in commands
    assert "Alt, der er gemt om én pårørende eller beboer (GDPR art. 15)" in " ".join(
        listing.split()
    )


def test_an_english_locale_chooses_english() -> None:
    environ = {**Staircase().environ(), "LANG": "en_GB.UTF-8"}
    environ.pop("STAIRCASE_LANG")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("staircase")), "show", "--help"],
        env=environ,
        cwd=AWAY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.startswith("Usage: staircase show"), result.stdout


def test_json_carries_no_translated_words(home: Home) -> None:
    home("log", "1", "kritik", who="AK")
    shown = json.dumps(home.json("show", "1", who="AK"), ensure_ascii=False)
    assert '"stoerre"' in shown and '"unit_leader"' in shown
    assert "Større udfordringer" not in shown and "enhedsleder" not in shown


def test_the_e_mail_to_the_leader_is_in_danish(home: Home) -> None:
    assert home("staff", "edit", "LH", "--email", "lise@solhaven.dk").exit_code == 0
    logged = home("log", "1", "kritik", who="AK", env={**DA, "STAIRCASE_SMTP": "localhost:2525"})
    assert logged.exit_code == 0, logged.stderr
    [mail] = home.rows(Notification)
    assert mail.subject == (
        "staircase: sag 1, eskalering om Samarbejde med større udfordringer — "
        "kvittér senest 2026-11-26 10:00"
    )
    assert "Kvittér:       staircase ack 1" in mail.body


def test_a_long_assess_shows_fifty_rows_and_where_to_read_the_rest(home: Home) -> None:
    """Output that scales (issue 14): a table stops at 50 rows and says how to see all."""
    from staircase.admin.directory import add_resident
    from staircase.cases.observe import Entry, log
    from staircase.cases.register import NewCase, open_case

    admin, staff = home.as_("ADM"), home.as_("AK")
    for n in range(2, 57):
        add_resident(admin, ref=f"SOL-{n}", name=f"Beboer {n}", unit_id="sol")
        case = open_case(
            admin,
            NewCase(f"SOL-{n}", relative_name=f"Pårørende {n}", relation="søn", consent="named"),
        )
        log(staff, Entry(case.id, ("utilfredshed",)))
    log(staff, Entry(1, ("utilfredshed",)))
    result = home("assess", who="LH", env=DA)
    assert result.exit_code == 0, result.stderr
    assert "… og 6 rækker mere: afgræns med --unit, eller læs det hele med --json" in result.stdout
    assert result.stdout.splitlines()[0] == "Overblik — enheder sol: 56 åbne sager"
    assert len(home.json("assess", who="LH")["cases"]) == 56


def test_every_shipped_pack_names_its_steps_and_kendetegn_in_both_languages() -> None:
    """A sentence saying what was seen needs the short names (``uklar dialog``), in Danish
    and in English, of every step, kendetegn and action of a shipped pack."""
    from staircase.domain.pack import installed_packs, load_pack

    for pack_id in installed_packs():
        pack = load_pack(pack_id)
        for item in (*pack.steps, *pack.indicators):
            assert item.short is not None, f"{pack_id}: {item.id} has no short name"
            assert item.short.da.strip() and item.short.en.strip(), item.id
        for action in pack.actions:
            assert action.name.da.strip() and action.name.en.strip(), action.id


def _leaf_commands():
    import typer

    from staircase.cli.app import app

    def walk(command, path):
        subs = getattr(command, "commands", {})
        if not subs:
            yield path, command
        for name, sub in sorted(subs.items()):
            yield from walk(sub, (*path, name))

    return list(walk(typer.main.get_command(app), ()))


@pytest.mark.parametrize(
    ("path", "command"), _leaf_commands(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_every_command_teaches_by_example(path: tuple[str, ...], command) -> None:
    """Help that teaches (issue 12, item 5): each command shows how it is typed."""
    assert "Example" in (command.help or ""), f"`staircase {' '.join(path)}` has no example"
    assert " ".join(path) in command.help.split("Example")[1]
