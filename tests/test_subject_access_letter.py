"""The subject-access letter (§6.4): every name the installation knows is
redacted but the subject's and the contact person's, the HTML speaks Danish
(or English when asked) without ids or column names, carries the art. 15 information from the
settings, and prints on A4 without cutting a table.
"""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from home import NOW, Home
from staircase.admin.directory import add_resident
from staircase.admin.settings import set_setting
from staircase.cases.observe import Entry, log
from staircase.cases.register import NewCase, open_case
from staircase.errors import InvalidInput

LONG_NOTE = (
    "Maria ringede om aftenen og fortalte i detaljer om besøget, om maden, om tøjvasken, "
    "om hvordan hun oplever tonen på afdelingen, og om at hun gerne vil have et møde med "
    "lederen snarest muligt, fordi hun er bekymret for sin mor og ønsker en fast aftale "
    "om ugentlig telefonkontakt med kontaktpersonen hver torsdag eftermiddag sidstepunktum "
    "langtordudenmellemrumsomikkemaaskaeresafvedhojrekantenpaaenudskrevenside"
)
OTHERS_NOTE = (
    "Peter Jensen (far til Karen Jensen) og Thomas Nielsen var med; Karen sov; "
    "TN og Aisha Khan hjalp"
)
CONTROLLER = "Aarhus Kommune, Sundhed og Omsorg, Rådhuspladsen 2, 8000 Aarhus C"


@pytest.fixture
def letter_home(home: Home) -> Home:
    return furnish(home)


def furnish(home: Home) -> Home:
    """Another family in ege (resident Karen Jensen, relative Peter Jensen);
    notes on case 1 naming them, TN and the contact person AK; the controller set."""
    admin = home.as_("ADM")
    add_resident(admin, ref="EGE-1", name="Karen Jensen", unit_id="ege")
    open_case(admin, NewCase(resident_ref="EGE-1", relative_name="Peter Jensen", relation="søn"))
    earlier = NOW - timedelta(hours=5)
    log(home.as_("AK", earlier), Entry(1, ("utilfredshed",), channel="besøg", note=OTHERS_NOTE))
    log(home.as_("AK", earlier), Entry(1, ("kritik",), note=LONG_NOTE, channel="telefon"))
    set_setting(admin, key="controller", value=CONTROLLER)
    set_setting(admin, key="retention_days", value="3650")
    return home


def export(home: Home, out: Path, language: str = "da") -> tuple[str, str]:
    """The letter, in Danish unless ``language`` says otherwise (the relative reads it)."""
    result = home(
        "subject-access", "--relative", "1", "--out", str(out), who="KV",
        env={"STAIRCASE_LANG": language},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return (
        out.with_suffix(".json").read_text(encoding="utf-8"),
        out.with_suffix(".html").read_text(encoding="utf-8"),
    )


def test_other_families_are_redacted_and_the_contact_person_stays(
    letter_home: Home, tmp_path: Path
) -> None:
    raw, html = export(letter_home, tmp_path / "indsigt")
    [case] = json.loads(raw)["cases"]
    redacted = case["observations"][0]["note"]
    assert redacted == (
        "[pårørende] (far til [beboer]) og [medarbejder] var med; [beboer] sov; "
        "[medarbejder] og Aisha Khan hjalp"
    )
    assert case["case"]["contact"] == "Aisha Khan"
    for text in (raw, html):
        for other in ("Peter", "Jensen", "Karen", "Thomas", "Nielsen", "TN "):
            assert other not in text
        assert "Aisha Khan hjalp" in text


def test_the_letter_is_danish_without_ids_and_says_what_art_15_asks(
    letter_home: Home, tmp_path: Path
) -> None:
    _, html = export(letter_home, tmp_path / "indsigt")
    visible = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    for internal in (
        "resident_id",
        "relative_id",
        "logged_by",
        "case_id",
        "besoeg",
        "case.read",
        "utilfredshed",
        "unit_id",
        "_at",
        "(staff)",
        "(relative)",
    ):
        assert internal not in visible, internal
    for danish in ("Utilfredshed", "besøg", "sagen blev læst", "Godt samarbejde", "Solhaven"):
        assert danish in visible, danish
    for art_15 in (CONTROLLER, "3650 dage", "Datatilsynet", "rettet", "slettet", "begrænset"):
        assert art_15 in visible, art_15
    assert "indsigelse" in visible
    assert "@page { size: A4" in html and "table-layout: fixed" in html
    assert "word-wrap: break-word" in html
    assert '<html lang="da">' in html
    for danish in ("Indsigt i dine oplysninger", "Hvornår", "Kontaktform", "23. nov. 2026 kl. "):
        assert danish in visible, danish


def test_the_letter_speaks_english_when_asked(letter_home: Home, tmp_path: Path) -> None:
    """Its fixed texts come from the catalogue (§7.5): English with STAIRCASE_LANG=en."""
    _, html = export(letter_home, tmp_path / "access", language="en")
    visible = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    assert '<html lang="en">' in visible
    for english in (
        "Access to your information",
        "Who processes your information, and why",
        "Data controller",
        "Observations",
        "Form of contact",
        "the case was read",
        "Dissatisfaction",
        "Good collaboration",
        "telephone",
        "23 Nov 2026, ",
        "3650 days",
        "Datatilsynet",
    ):
        assert english in visible, english
    for danish in ("Indsigt i dine oplysninger", "Hvornår", "sagen blev læst", "Kontaktform"):
        assert danish not in visible, danish


def test_settings_are_checked_and_shown(letter_home: Home) -> None:
    admin = letter_home.as_("ADM")
    with pytest.raises(InvalidInput, match="unknown setting"):
        set_setting(admin, key="audit_head", value="x")
    with pytest.raises(InvalidInput, match="number of days"):
        set_setting(admin, key="retention_days", value="tusind")
    shown = letter_home.json("settings", "show", who="KV")
    assert shown == {"controller": CONTROLLER, "retention_days": "3650"}
    refused = letter_home("settings", "set", "controller", "x", who="KV")
    assert refused.exit_code == 3


@pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdftotext")),
    reason="printing needs chromium and pdftotext",
)
def test_printed_on_a4_a_long_note_is_there_in_full(sqlite_home: Home, tmp_path: Path) -> None:
    """The letter is the same on both databases: printed once, on SQLite."""
    export(furnish(sqlite_home), tmp_path / "indsigt")
    pdf = tmp_path / "indsigt.pdf"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (tmp_path / "indsigt.html").as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    squeezed = re.sub(r"\s+", "", text).replace("-", "")
    assert re.sub(r"\s+", "", LONG_NOTE) in squeezed
