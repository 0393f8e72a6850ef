"""``staircase export`` (§6.3, §7.2): every format opened with the library a user's
tool would use, pseudonyms stable and keyed, nothing personal without
``--with-names``, and bad requests write nothing."""

import csv
import hashlib
import hmac
import json
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from home import Home
from quality_history import AGREEMENT, NAMES, NOTE, build_history, program
from staircase.core.keys import PSEUDONYM_KEY, key_path, pseudonym_key
from staircase.db.models import AuditEntry
from staircase.db.store import session_scope
from staircase.errors import DatabaseProblem
from staircase.quality.formats import csv_cells
from staircase.quality.tables import Kind

TABLES = ("sager", "observationer", "overgange", "forslag", "eskaleringer", "handlinger", "aftaler")


@pytest.fixture
def history(home: Home) -> Home:
    build_history(home)
    return home


def export(home: Home, out: Path, fmt: str, *more: str, who: str = "KV") -> dict:
    result = home("--json", "export", "--format", fmt, "--out", str(out), *more, who=who)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def read_csv(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def every_text(path: Path) -> str:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return "".join(f.read_bytes().decode("utf-8", errors="replace") for f in files)


def last_audit(url: str) -> AuditEntry:
    with session_scope(url, write=False) as session:
        return session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()


def test_init_creates_the_pseudonym_key_beside_the_database_readable_by_its_owner(
    sqlite_home: Home,
) -> None:
    path = key_path(sqlite_home.url, PSEUDONYM_KEY)
    assert path.name == "staircase.db.pseudonym-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(path.read_text().strip())) == 32


def test_a_server_database_keeps_its_key_in_the_user_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    one = key_path("postgresql+psycopg://kv@db.kommune.dk/staircase", PSEUDONYM_KEY)
    other = key_path("postgresql+psycopg://kv@db.kommune.dk/other", PSEUDONYM_KEY)
    assert one.parent == tmp_path / "staircase" / "keys"
    assert one != other and one.name.endswith(".pseudonym-key")


def test_csv_is_pseudonymised_stable_across_exports_and_leaks_no_name_or_note(
    history: Home, tmp_path: Path
) -> None:
    first = export(history, tmp_path / "a", "csv")
    export(history, tmp_path / "b", "csv")
    assert first["counts"]["observationer"] == 3 and first["pseudonymised"]
    cases = read_csv(tmp_path / "a", "sager")
    assert cases == read_csv(tmp_path / "b", "sager")
    assert [c["Sag"] for c in cases] == ["1", "2"]
    assert cases[0]["Pårørende"].startswith("P-") and len(cases[0]["Pårørende"]) == 10
    assert cases[0]["Beboer"].startswith("B-") and cases[0]["Kontaktperson"].startswith("M-")
    assert cases[0]["Trin"] == "Godt samarbejde" and cases[0]["Trin (id)"] == "godt"
    text = every_text(tmp_path / "a")
    for secret in (*NAMES, NOTE, AGREEMENT, "SOL-1", "EGE-1", "AK", "Kritik"):
        assert secret not in text
    observation = read_csv(tmp_path / "a", "observationer")[2]
    assert (observation["Kendetegn (id)"], observation["Kendetegn"]) == (
        "kritik",
        "Direkte/indirekte kritik",
    )
    assert observation["Tidspunkt"] == "2026-09-14 11:00"
    for table in TABLES:
        assert stat.S_IMODE((tmp_path / "a" / f"{table}.csv").stat().st_mode) == 0o600


def pseudonym(url: str, kind: str, person: object) -> str:
    """What the pseudonym of ``person`` must be: keyed HMAC-SHA256 over kind and id (§6.3)."""
    digest = hmac.new(pseudonym_key(url), f"{kind}:{person}".encode(), hashlib.sha256)
    return f"{ {'relative': 'P', 'resident': 'B', 'staff': 'M'}[kind] }-{digest.hexdigest()[:8]}"


def test_the_csv_files_read_exactly_as_pinned_headers_rows_and_keyed_pseudonyms(
    history: Home, tmp_path: Path
) -> None:
    """What a quality team's script reads, byte for byte: a faster export path may
    change nothing of it (§7.2)."""
    export(history, tmp_path / "csv", "csv")
    ak, lh = pseudonym(history.url, "staff", "AK"), pseudonym(history.url, "staff", "LH")
    text = {t: (tmp_path / "csv" / f"{t}.csv").read_text(encoding="utf-8") for t in TABLES}
    assert text["observationer"] == (
        "Observation,Sag,Enhed,Kendetegn (id),Kendetegn,Kendetegnets trin,Tidspunkt,"
        "Registreret,Registreret af,Kanal,Tilbagekalder observation\n"
        f"1,1,sol,utilfredshed,Utilfredshed,Samarbejde med mindre udfordringer,"
        f"2026-08-15 11:00,2026-08-15 11:00,{ak},telefon,\n"
        f"2,2,ege,god-dialog,God dialog,Godt samarbejde,2026-08-15 11:00,2026-08-15 11:00,"
        f"{pseudonym(history.url, 'staff', 'TN')},besoeg,\n"
        f"3,1,sol,kritik,Direkte/indirekte kritik,Samarbejde med større udfordringer,"
        f"2026-09-14 11:00,2026-09-14 11:00,{ak},moede,\n"
    )
    first_case = text["sager"].splitlines()[1].split(",")
    assert first_case[2:4] == [
        pseudonym(history.url, "resident", 1),
        pseudonym(history.url, "relative", 1),
    ]
    assert text["sager"].splitlines()[0] == (
        "Sag,Enhed,Beboer,Pårørende,Relation,Barn,Trin (id),Trin,På trinnet siden,Samtykke,"
        "Primær pårørende,Kontaktperson,Oprettet,Lukket"
    )
    assert text["overgange"].splitlines()[2] == (
        "2,1,sol,mindre,Samarbejde med mindre udfordringer,stoerre,"
        f"Samarbejde med større udfordringer,op,2026-09-15 17:30,{lh},,aarhus,1.1.0"
    )
    assert text["eskaleringer"].splitlines()[1] == (
        "1,1,sol,stoerre,Samarbejde med større udfordringer,unit_leader,sol,signal-stoerre,"
        f"2026-09-14 11:00,2026-09-17 11:00,acknowledged,{lh},2026-09-15 17:00,1.25,"
    )
    assert text["aftaler"] == (
        "Aftale,Sag,Enhed,Aftalt,Aftalt af,Revideres,Status,Afsluttet\n"
        f"1,1,sol,2026-09-15 18:00,{lh},2026-10-15 18:00,active,\n"
    )


@pytest.mark.parametrize("zone", ["Europe/Copenhagen", "Asia/Kolkata", "America/St_Johns", "UTC"])
def test_times_are_local_on_both_sides_of_a_clock_change_in_any_zone(zone: str) -> None:
    """Exports turn each UTC hour into local text once (§8); the hours a clock change
    falls in, and zones half an hour off, must still read as the zone's own clock."""
    tz = ZoneInfo(zone)
    moments = [
        datetime(2026, 10, 25, 0, 59, tzinfo=UTC) + timedelta(minutes=7 * n) for n in range(60)
    ] + [datetime(2026, 3, 29, 0, 30, tzinfo=UTC) + timedelta(minutes=11 * n) for n in range(30)]
    stored = [m.strftime("%Y-%m-%d %H:%M:%S.%f") for m in moments]
    for column in (stored, [*stored, None]):
        shown = csv_cells(excel=False, tz=tz)[Kind.TIME](column)
        assert shown[: len(moments)] == [
            m.astimezone(tz).strftime("%Y-%m-%d %H:%M") for m in moments
        ]
    danish = csv_cells(excel=True, tz=tz)[Kind.TIME](stored)
    assert danish == [m.astimezone(tz).strftime("%d-%m-%Y %H:%M") for m in moments]


def test_with_names_adds_names_and_notes_and_is_audited_as_such(
    history: Home, tmp_path: Path
) -> None:
    report = export(history, tmp_path / "named", "csv", "--with-names")
    assert not report["pseudonymised"]
    case = read_csv(tmp_path / "named", "sager")[0]
    assert (case["Pårørendes navn"], case["Beboerens navn"]) == ("Maria Andersen", "Else Andersen")
    assert case["Pårørende"] == read_csv(tmp_path / "named", "sager")[0]["Pårørende"]
    assert read_csv(tmp_path / "named", "observationer")[0]["Note"] == NOTE
    assert read_csv(tmp_path / "named", "aftaler")[0]["Aftalens tekst"] == AGREEMENT
    entry = last_audit(history.url)
    assert (entry.actor, entry.action, entry.outcome) == ("KV", "export.names", "ok")
    assert "names=yes" in entry.subject and "observationer:3" in entry.subject
    assert not any(name in entry.subject for name in NAMES)


def test_a_leader_asking_for_names_is_refused_with_exit_3_audited_and_nothing_written(
    history: Home, tmp_path: Path
) -> None:
    out = tmp_path / "named.jsonl"
    result = history("export", "--format", "jsonl", "--out", str(out), "--with-names", who="LH")
    assert result.exit_code == 3
    assert not out.exists()
    entry = last_audit(history.url)
    assert (entry.actor, entry.action, entry.outcome) == ("LH", "export.names", "refused")


def test_a_leader_exports_only_their_units_and_the_period_asked_for(
    history: Home, tmp_path: Path
) -> None:
    export(history, tmp_path / "lh", "csv", who="LH")
    assert {c["Enhed"] for c in read_csv(tmp_path / "lh", "sager")} == {"sol"}
    refused = history(
        "export", "--format", "csv", "--out", str(tmp_path / "x"), "--unit", "ege", who="LH"
    )
    assert refused.exit_code == 3 and not (tmp_path / "x").exists()
    export(history, tmp_path / "p", "csv", "--since", "2026-09-01", "--until", "2026-10-01")
    assert [o["Kendetegn (id)"] for o in read_csv(tmp_path / "p", "observationer")] == ["kritik"]
    export(history, tmp_path / "u", "csv", "--unit", "ege", "--unit", "sol")
    assert len(read_csv(tmp_path / "u", "sager")) == 2
    export(history, tmp_path / "area", "csv", "--unit", "nord", who="OL")
    assert [c["Enhed"] for c in read_csv(tmp_path / "area", "sager")] == ["sol", "ege"]


def test_csv_excel_has_bom_semicolons_decimal_commas_and_danish_dates(
    history: Home, tmp_path: Path
) -> None:
    export(history, tmp_path / "excel", "csv-excel")
    raw = (tmp_path / "excel" / "eskaleringer.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "excel" / "eskaleringer.csv", encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file, dialect="excel", delimiter=";"))
    assert rows[0]["Trin"] == "Samarbejde med større udfordringer"
    assert rows[0]["Rejst"] == "14-09-2026 11:00"
    assert rows[0]["Dage til kvittering"] == "1,25"


def test_jsonl_has_one_typed_record_per_line_with_utc_times(history: Home, tmp_path: Path) -> None:
    export(history, tmp_path / "all.jsonl", "jsonl")
    records = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert {r["type"] for r in records} == {
        "case", "observation", "transition", "proposal", "escalation", "action", "agreement",
    }  # fmt: skip
    escalation = next(r for r in records if r["type"] == "escalation")
    assert escalation["raised_at"] == "2026-09-14T09:00:00Z"
    assert escalation["days_to_acknowledge"] == 1.25 and escalation["step_id"] == "stoerre"
    assert "note" not in escalation


def test_xlsx_has_a_sheet_per_table_frozen_headers_widths_and_real_dates(
    history: Home, tmp_path: Path
) -> None:
    export(history, tmp_path / "all.xlsx", "xlsx")
    book = load_workbook(tmp_path / "all.xlsx")
    assert book.sheetnames == list(TABLES)
    sheet = book["eskaleringer"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width >= 30
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Rejst"].isoformat() == "2026-09-14T11:00:00"
    assert row["Dage til kvittering"] == 1.25
    assert row["Trin"] == "Samarbejde med større udfordringer"


def test_an_existing_file_needs_force_and_a_refused_export_writes_nothing(
    history: Home, tmp_path: Path
) -> None:
    out = tmp_path / "all.xlsx"
    out.write_text("mine")
    again = history("export", "--format", "xlsx", "--out", str(out), who="KV")
    assert again.exit_code == 1 and "--force" in again.stderr
    assert out.read_text() == "mine"
    export(history, out, "xlsx", "--force")
    assert load_workbook(out).sheetnames[0] == "sager"
    bad = history("export", "--format", "csv", "--out", str(tmp_path / "c"),
                  "--since", "2026-10-01", "--until", "2026-09-01", who="KV")  # fmt: skip
    assert bad.exit_code == 1 and not (tmp_path / "c").exists()


DANISH_CSV = "Text - txt - csv (StarCalc):59,34,76,1,,1030"
"""LibreOffice's CSV filter: ``;``, ``"``, UTF-8, from line 1, Danish (1030) number and
date formats; for output add "as shown" (token 9) and the sheet to write (token 12)."""


def libreoffice(tmp_path: Path, source: Path, target: str, *infilter: str) -> Path:
    """Convert ``source`` headless as a Danish user's LibreOffice would, in a profile of its own."""
    out = tmp_path / "converted"
    command = [
        program("soffice"),
        f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
        "--headless",
        *infilter,
        "--convert-to",
        target,
        "--outdir",
        str(out),
        str(source),
    ]
    env = {"LANG": "da_DK.UTF-8", "LC_ALL": "da_DK.UTF-8", "HOME": str(tmp_path)}
    subprocess.run(command, capture_output=True, timeout=180, check=True, env=env)
    return out


def test_libreoffice_reads_csv_excel_as_dates_decimal_numbers_and_danish_letters(
    history: Home, tmp_path: Path
) -> None:
    export(history, tmp_path / "excel", "csv-excel")
    source = tmp_path / "excel" / "eskaleringer.csv"
    as_book = libreoffice(tmp_path, source, "xlsx", f"--infilter={DANISH_CSV}")
    sheet = load_workbook(as_book / "eskaleringer.xlsx").active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Rejst"] == datetime(2026, 9, 14, 11, 0)
    assert row["Dage til kvittering"] == 1.25
    assert row["Trin"] == "Samarbejde med større udfordringer"
    as_text = libreoffice(
        tmp_path, source, f"csv:{DANISH_CSV},false,true,true", f"--infilter={DANISH_CSV}"
    )
    line = (as_text / "eskaleringer.csv").read_text(encoding="utf-8").splitlines()[1]
    assert "Samarbejde med større udfordringer;" in line
    assert ";14-09-26 11:00;" in line and ";1,25;" in line


def test_libreoffice_shows_the_xlsx_dates_and_decimals_as_a_dane_reads_them(
    history: Home, tmp_path: Path
) -> None:
    export(history, tmp_path / "all.xlsx", "xlsx")
    sheet = TABLES.index("eskaleringer") + 1
    out = libreoffice(
        tmp_path, tmp_path / "all.xlsx", f"csv:{DANISH_CSV},false,true,true,false,false,{sheet}"
    )
    line = (out / "all-eskaleringer.csv").read_text(encoding="utf-8").splitlines()[1]
    assert "Samarbejde med større udfordringer;" in line
    assert ";14-09-2026 11:00;" in line and ";1,25;" in line


def test_an_installation_from_before_pseudonyms_gets_its_key_at_the_first_export(
    sqlite_home: Home, tmp_path: Path
) -> None:
    path = key_path(sqlite_home.url, PSEUDONYM_KEY)
    path.unlink()
    export(sqlite_home, tmp_path / "first", "csv")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    export(sqlite_home, tmp_path / "second", "csv")
    assert read_csv(tmp_path / "first", "sager") == read_csv(tmp_path / "second", "sager")
    path.write_text("not hex\n")
    damaged = sqlite_home("export", "--format", "csv", "--out", str(tmp_path / "x"), who="KV")
    assert damaged.exit_code == 4 and "damaged" in damaged.stderr
    assert not (tmp_path / "x").exists()


def test_a_server_databases_pseudonym_key_at_its_old_place_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the key files were one module, a server database's pseudonym key had
    another name; a new secret beside it would change every pseudonym silently."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    url = "postgresql+psycopg://kv@db.kommune.dk/staircase"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    old = tmp_path / "staircase" / f"pseudonym-key-{digest}"
    old.parent.mkdir(parents=True)
    old.write_text("ab" * 32 + "\n")

    with pytest.raises(DatabaseProblem, match="old place"):
        pseudonym_key(url)
    assert not key_path(url, PSEUDONYM_KEY).exists()
    key_path(url, PSEUDONYM_KEY).parent.mkdir(parents=True)
    old.rename(key_path(url, PSEUDONYM_KEY))
    assert pseudonym_key(url) == bytes.fromhex("ab" * 32)
