"""The HTML report (``export --format html``, §7.2): self-contained, charts as inline
SVG, pseudonymised, and printed to A4 by a real headless browser with nothing cut."""

import re
import stat
import subprocess
from pathlib import Path

import pytest

from home import Home
from quality_history import AGREEMENT, NAMES, NOTE, build_history, program
from staircase.domain.pack import load_pack

OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=socks5://127.0.0.1:9"]
"""Chromium with the network cut off: any fetch the report tried would fail."""


@pytest.fixture
def report(home: Home, tmp_path: Path) -> Path:
    build_history(home)
    out = tmp_path / "rapport.html"
    result = export_html(home, out)
    assert result["counts"] == {"enheder": 2, "sager": 2}
    return out


def export_html(home: Home, out: Path, *more: str, language: str = "da") -> dict:
    """The report as a care home prints it: in Danish unless ``language`` says otherwise."""
    result = home(
        "--json", "export", "--format", "html", "--out", str(out), *more, who="KV",
        env={"STAIRCASE_LANG": language},
    )  # fmt: skip
    return result.json()


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Debian chromium with a profile of its own (tests may run side by side)."""
    command = [
        program("chromium"),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp_path / 'profile'}",
        *OFFLINE,
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def test_the_report_is_one_private_file_with_inline_charts_and_nothing_to_fetch(
    report: Path,
) -> None:
    html = report.read_text(encoding="utf-8")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert html.count("<svg") == 2 + 1 + 2  # two units, one with escalations, two cases
    assert html.count('class="step-line"') == 2
    assert f"aarhus version {load_pack().version}" in html
    assert not re.search(r"<(script|link|img|iframe)\b|\b(src|href)=|url\(|@import", html)
    for secret in (*NAMES, NOTE, AGREEMENT):
        assert secret not in html
    assert re.search(r"Sag 1 · P-[0-9a-f]{8}", html)


def test_with_names_the_report_names_the_family(home: Home, tmp_path: Path) -> None:
    build_history(home)
    out = tmp_path / "navne.html"
    export_html(home, out, "--with-names")
    html = out.read_text(encoding="utf-8")
    assert "Sag 1 · Maria Andersen (datter) – Else Andersen" in html


@pytest.mark.parametrize(
    ("language", "words", "not_words"),
    [
        (
            "da",
            (
                '<html lang="da">',
                "Samarbejdstrappen – kvalitetsrapport",
                "Sager pr. trin ved månedens udgang",
                "<th>Måned</th>",
                "Eskaleringer: svartider",
                "Sagernes trin over tid",
                "pseudonymiseret: pårørende vises som P-koder",
                "Godt samarbejde",
            ),
            ("quality report", "Cases per step", "Month", "Escalations", "Good collaboration"),
        ),
        (
            "en",
            (
                '<html lang="en">',
                "The collaboration staircase – quality report",
                "Cases per step at the end of each month",
                "<th>Month</th>",
                "Escalations: response times",
                "The cases' steps over time",
                "pseudonymised: relatives are shown as P-codes",
                "Good collaboration",
            ),
            (
                "Godt samarbejde",
                "kvalitetsrapport",
                "Sager pr. trin",
                "Måned",
                "Eskaleringer",
                "pseudonymiseret",
            ),
        ),
    ],
)
def test_the_report_speaks_the_chosen_language(
    home: Home, tmp_path: Path, language: str, words: tuple[str, ...], not_words: tuple[str, ...]
) -> None:
    """Every fixed word of the report comes from the catalogue (§7.5): Danish by default,
    English with --lang en, and the page says which (``<html lang>``)."""
    build_history(home)
    out = tmp_path / f"rapport-{language}.html"
    export_html(home, out, language=language)
    html = out.read_text(encoding="utf-8")
    for word in words:
        assert word in html, word
    for word in not_words:
        assert word not in html, word


def test_the_report_renders_offline_and_prints_on_a4_with_nothing_cut(
    report: Path, tmp_path: Path
) -> None:
    dom = chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    assert dom.count("<rect") >= 20 and "Sager pr. trin ved månedens udgang" in dom
    pdf = tmp_path / "rapport.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report.as_uri())
    info = subprocess.run(
        [program("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)", info)
    text = subprocess.run(
        [program("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for seen in (
        "Samarbejdstrappen – kvalitetsrapport",
        "Solhaven (sol)",
        "Egebakken (ege)",
        f"aarhus version {load_pack().version}",
        "Sag 1 · P-",
        "Sag 2 · P-",
        "30,0",
        "nov 26",
    ):
        assert seen in text, seen
    last_column = ("Tilbage", "godt,", "median", "(dage)")
    assert all(word in text for word in last_column)
    widest = max(len(line) for line in text.splitlines())
    assert widest < 140


def test_a_screenshot_of_the_report_is_taken(report: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    chromium(tmp_path, "--hide-scrollbars", f"--screenshot={png}", "--window-size=900,1400",
             report.as_uri())  # fmt: skip
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 20_000
