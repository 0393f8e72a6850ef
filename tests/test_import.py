"""``staircase import`` (§7.3): observations from a spreadsheet's CSV, all or nothing,
every bad row named with its line, the same consequences as a log."""

import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import select

from home import NOW, Home
from staircase.admin.directory import add_resident
from staircase.cases.register import NewCase, open_case
from staircase.cli.render import id_list
from staircase.db.models import AuditEntry, Case, Observation, Proposal, Transition
from staircase.db.store import session_scope

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def danish(hours_ago: int) -> str:
    """A past time as a Danish spreadsheet writes it: ``21.11.2026 14:30``."""
    return (NOW - timedelta(hours=hours_ago)).astimezone(COPENHAGEN).strftime("%d.%m.%Y %H:%M")


def counts(url: str) -> tuple[int, int, int, int]:
    """Observations, transitions, proposals and import audit entries."""
    with session_scope(url, write=False) as session:

        def rows(model, *where) -> int:
            return session.exec(select(func.count()).select_from(model).where(*where)).one()

        return (
            rows(Observation),
            rows(Transition),
            rows(Proposal),
            rows(AuditEntry, AuditEntry.action == "import"),
        )


def thousand_rows(bad_line: int | None = None) -> str:
    """1,000 observations on case 1 in the last six weeks; one of them bad if asked."""
    lines = ["sag,kendetegn,tidspunkt,kanal,note"]
    for n in range(1000):
        indicator = "kritik" if n == 500 else ("utilfredshed" if n % 100 == 7 else "god dialog")
        lines.append(f"1,{indicator},{danish(n + 1)},telefon,Række {n}")
    if bad_line is not None:
        lines[bad_line - 1] = f"1,kritk,{danish(3)},telefon,stavefejl"
    return "\n".join(lines) + "\n"


def test_one_bad_row_in_a_thousand_imports_nothing_and_names_its_line_then_the_fix_imports_all(
    home: Home, tmp_path: Path
) -> None:
    path = tmp_path / "observationer.csv"
    path.write_text(thousand_rows(bad_line=734), encoding="utf-8")
    before = counts(home.url)
    refused = home("import", str(path), who="LH")
    assert refused.exit_code == 1
    assert "1 of 1000 rows cannot be imported; nothing was imported" in refused.stderr
    assert 'line 734: unknown indicator "kritk" — did you mean "kritik"?' in refused.stderr
    assert counts(home.url) == before

    path.write_text(thousand_rows(), encoding="utf-8")
    result = home("--json", "import", str(path), who="LH")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["observations"], report["cases"]) == (1000, [1])
    observations, transitions, proposals, imports = counts(home.url)
    assert observations == before[0] + 1000
    assert (transitions - before[1], proposals - before[2], imports) == (1, 1, 1)
    with session_scope(home.url, write=False) as session:
        assert session.get(Case, 1).step == "mindre"
        proposal = session.exec(select(Proposal)).one()
        assert (proposal.to_step, proposal.status) == ("stoerre", "open")
    verified = home("audit", "verify", who="KV")
    assert verified.exit_code == 0, verified.stdout + verified.stderr


def test_every_bad_row_is_reported_with_its_line_and_reason(home: Home, tmp_path: Path) -> None:
    path = tmp_path / "fejl.csv"
    rows = [
        "sag,kendetegn,tidspunkt,kanal,note",
        f"1,utilfredshed,{danish(5)},telefon,fin",
        f"1,kritk,{danish(5)},telefon,stavefejl",
        f"1,utilfredshed,{danish(-48)},telefon,i fremtiden",
        f"1,utilfredshed,{danish(5)},telefon,CPR 010190-1234",
        f"9,utilfredshed,{danish(5)},telefon,ingen sag",
        "1,utilfredshed,,telefon,uden tid",
        f"1,utilfredshed,{danish(5)},brevdue,",
        f"1,utilfredshed,{danish(5)},telefon,note,for meget",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = home("import", str(path), "--dry-run", who="LH")
    assert result.exit_code == 1
    assert "7 of 8 rows cannot be imported" in result.stderr
    for line, words in [
        (3, "unknown indicator"),
        (4, "is in the future"),
        (5, "CPR"),
        (6, "no case 9"),
        (7, "no time"),
        (8, 'unknown channel "brevdue"'),
        (9, "6 fields"),
    ]:
        assert f"line {line}: " in result.stderr and words in result.stderr
    assert "line 2:" not in result.stderr
    assert counts(home.url)[0] == 0


def test_semicolons_bom_danish_headers_and_resident_with_relative_name_are_read(
    home: Home, tmp_path: Path
) -> None:
    add_resident(home.as_("ADM"), ref="SOL-2", name="Karl Holm", unit_id="sol")
    open_case(home.as_("ADM"), NewCase(resident_ref="SOL-2", relative_name="Søs", relation="ven"))
    path = tmp_path / "excel.csv"
    path.write_text(
        "Beboer;Pårørende;Kendetegn;Tidspunkt;Kanal;Note\r\n"
        f"SOL-1;maria andersen;Utilfredshed;{danish(30)};besøg;Klagede over tøjvask\r\n"
        f"SOL-2;Søs;uklar-dialog;{(NOW - timedelta(days=2)).date().isoformat()};Møde;\r\n",
        encoding="utf-8-sig",
    )
    result = home("import", str(path), who="LH")
    assert result.exit_code == 0, result.stderr
    with session_scope(home.url, write=False) as session:
        stored = session.exec(select(Observation).order_by(Observation.id)).all()
        assert [(o.case_id, o.indicator, o.channel, o.logged_by) for o in stored] == [
            (1, "utilfredshed", "besoeg", "LH"),
            (2, "uklar-dialog", "moede", "LH"),
        ]
        assert stored[0].note == "Klagede over tøjvask" and stored[1].note is None


def test_dry_run_checks_and_writes_nothing(home: Home, tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(f"case,indicator,occurred_at\n1,kritik,{danish(2)}\n", encoding="utf-8")
    result = home("import", str(path), "--dry-run", who="LH")
    assert result.exit_code == 0, result.stderr
    assert "1 row is fine (dry run, nothing imported)" in result.stdout
    assert counts(home.url) == (0, 0, 0, 0)


def test_a_leader_cannot_import_into_another_units_case(home: Home, tmp_path: Path) -> None:
    add_resident(home.as_("ADM"), ref="EGE-1", name="Poul Berg", unit_id="ege")
    open_case(home.as_("ADM"), NewCase(resident_ref="EGE-1", relative_name="Jens", relation="søn"))
    path = tmp_path / "ege.csv"
    path.write_text(f"sag,kendetegn,tidspunkt\n1,kritik,{danish(2)}\n2,kritik,{danish(2)}\n")
    result = home("import", str(path), who="LH")
    assert result.exit_code == 3
    assert "line 3: " in result.stderr and "line 2:" not in result.stderr
    assert counts(home.url)[0] == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("sag,kendetegn,hvornår\n1,kritik,i går\n", 'unknown column "hvornår"'),
        ("sag,tidspunkt\n1,i går\n", "no column kendetegn"),
        ("sag,kendetegn,tidspunkt\n", "no rows to import"),
        ("", "is empty"),
    ],
)
def test_a_file_that_is_not_an_observation_table_is_refused_in_one_line(
    home: Home, tmp_path: Path, content: str, words: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    result = home("import", str(path), who="LH")
    assert result.exit_code == 1 and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert counts(home.url)[0] == 0


def test_a_summary_of_thousands_of_cases_stays_one_short_line() -> None:
    """An import into a municipality touches thousands of cases: the summary names
    the first thirty and counts the rest; a few are all named."""
    assert id_list([4, 8, 13]) == "4, 8, 13"
    line = id_list(list(range(1, 18_001)))
    assert line.startswith("1, 2, 3, ") and ", 30 and 17,970 more (--json lists them all)" in line
    assert "31" not in line.split(" and ")[0]
