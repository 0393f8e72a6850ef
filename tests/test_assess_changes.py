"""What a leader's assess calls new (§1.2, issue 10 item 9): events since their last look."""

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from home import NOW
from staircase.cases.assess import assess
from staircase.cases.decide import move
from staircase.cases.observe import Entry, log

DAY = timedelta(days=1)


def changed(home, who: str = "LH", when=NOW) -> list[int]:
    return [c.id for c in assess(home.as_(who, when)).cases if c.changed]


def test_a_first_assess_is_an_overview(home) -> None:
    log(home.as_("AK", NOW - 2 * DAY), Entry(1, ("utilfredshed",)))
    first = home("assess", who="LH", now="2026-11-23 10:00")
    assert first.exit_code == 0, first.stderr
    assert "Your first assess" in first.stdout
    assert "Overview: cases off the bottom step" in first.stdout
    data = home.json("assess", who="LH", now="2026-11-23 11:00")
    assert data["first"] is False
    assert [c["changed"] for c in data["cases"]] == [False]


def test_a_case_that_went_up_and_down_shows_as_changed(home) -> None:
    assert changed(home, when=NOW - 10 * DAY) == []
    move(home.as_("AK", NOW - 9 * DAY), 1, "mindre", reason="Utilfreds med maden")
    move(home.as_("LH", NOW - 8 * DAY), 1, "godt", reason="Talt igennem; det er godt")
    [case] = assess(home.as_("LH")).cases
    assert (case.step, case.previous_step, case.changed) == ("godt", "godt", True)
    assert changed(home, when=NOW + DAY) == [], "and only once"


def test_a_case_that_came_down_to_godt_shows_as_changed(home) -> None:
    log(home.as_("AK", NOW - 40 * DAY), Entry(1, ("utilfredshed",)))
    assert changed(home, when=NOW - 2 * DAY) == [1], "first assess: the case is off the bottom"
    move(home.as_("LH", NOW - DAY), 1, "godt", reason="Roligt i en måned")
    assert changed(home) == [1]


def test_a_new_observation_or_proposal_is_a_change_for_each_leader(home) -> None:
    changed(home, when=NOW - DAY)
    changed(home, who="OL", when=NOW - DAY)
    log(home.as_("AK"), Entry(1, ("god-dialog",)))
    assert changed(home, when=NOW + DAY) == [1], "even a good observation is news"
    log(home.as_("AK", NOW + 2 * DAY), Entry(1, ("kritik",)))
    assert changed(home, when=NOW + 3 * DAY) == [1]
    assert changed(home, who="OL", when=NOW + 3 * DAY) == [1]


def _more_cases(home, count: int) -> None:
    """Cases 2.. on Solhaven, every other one with something observed."""
    from staircase.admin.directory import add_resident
    from staircase.cases.register import NewCase, open_case

    admin = home.as_("ADM", NOW - 30 * DAY)
    for n in range(2, count + 2):
        add_resident(admin, ref=f"SOL-{n}", name=f"Beboer {n}", unit_id="sol")
        case = open_case(
            admin,
            NewCase(f"SOL-{n}", relative_name=f"Pårørende {n}", relation="søn", consent="named"),
        )
        if n % 2:
            log(home.as_("AK", NOW - 20 * DAY), Entry(case.id, ("utilfredshed",)))


def test_an_assess_read_in_chunks_sees_and_remembers_what_one_read_whole_does(
    home, monkeypatch
) -> None:
    """Assess streams a chunk of cases at a time (issue 14): where a chunk ends changes
    nothing a leader sees, now or at their next assess."""
    from staircase.cases import assess as assessing
    from staircase.cases.close import close_case

    _more_cases(home, 6)

    def both(when):
        whole = assess(home.as_("OL", when), unit="sol")
        with monkeypatch.context() as patch:
            patch.setattr(assessing, "CHUNK", 2)
            patch.setattr(assessing, "WRITTEN_TOGETHER", 3)
            chunked = assess(home.as_("LH", when))
        assert chunked.model_dump() == whole.model_dump()
        return chunked

    first = both(NOW - 2 * DAY)
    assert first.total == 7 and [c.id for c in first.cases if c.changed] == [3, 5, 7]
    log(home.as_("AK", NOW - DAY), Entry(4, ("kritik",)))
    close_case(home.as_("LH", NOW - DAY), 6, reason="Flyttet")
    second = both(NOW)
    assert [c.id for c in second.cases] == [1, 2, 3, 4, 5, 7]
    assert [c.id for c in second.cases if c.changed] == [4]
    assert [c.id for c in both(NOW + DAY).cases if c.changed] == []


def test_assess_json_is_the_assessments_own_serialisation(home) -> None:
    """``assess --json`` is written as it is read, and reads exactly as the model prints."""
    import json

    from staircase.views import Assessment

    _more_cases(home, 3)
    for indicator in ("kritik", "trussel-presse", "utilfredshed"):
        log(home.as_("AK", NOW - DAY), Entry(1, (indicator,)))
    for when in ("2026-11-23 10:00", "2026-11-23 11:00"):
        # The second time, the cases carry what the leader saw at the first.
        log(home.as_("AK", NOW - DAY), Entry(2, ("uklar-dialog",)))
        result = home("assess", "--json", who="LH", now=when)
        assert result.exit_code == 0, result.stderr
        model = Assessment.model_validate_json(result.stdout)
        assert model.escalations and model.proposals
        assert any(c.seen for c in model.cases)
        printed = json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2)
        assert result.stdout == printed + "\n"
    assert any(c.previous_step for c in model.cases)


@given(st.sets(st.integers(min_value=1, max_value=2_000_000), max_size=300))
def test_a_listing_names_every_case_it_read_in_runs_no_guard_mistakes_for_a_cpr(ids) -> None:
    """An assess of a municipality is audited as runs of ids (``1:9990``): read back,
    they are exactly the cases listed, and the CPR guard never refuses them."""
    from staircase.core.audit import listed_cases, listing_detail
    from staircase.cpr import find_cpr

    detail = listing_detail("units=* recompute=False", sorted(ids))
    assert listed_cases(detail) == ids
    assert find_cpr(detail) is None


def test_a_screen_shows_the_first_rows_of_each_table_and_counts_the_rest(home, monkeypatch) -> None:
    """A municipality's assess on a terminal shows the first rows of each table and
    says how many more there are (issue 14): the rows it shows and the numbers it
    gives are those of the whole assessment, read to its end."""
    from staircase.cli import render

    _more_cases(home, 6)
    for n in (1, 2, 4):
        log(home.as_("AK", NOW - DAY), Entry(n, ("trusler-vold-chikane",)))
    whole = assess(home.as_("OL"), unit="sol")
    changed = [c for c in whole.cases if c.changed]
    tables = {
        "Proposals": whole.proposals,
        "Escalations": whole.escalations,
        "Actions overdue": whole.actions_overdue,
        "Overview": changed,
    }
    assert all(len(rows) > 2 for rows in tables.values())
    monkeypatch.setattr(render, "ROWS_SHOWN", 2)
    shown = home("assess", who="LH")
    assert shown.exit_code == 0, shown.stderr
    screen = shown.stdout
    assert f"{whole.total} open cases" in screen
    starts = [screen.index(title) for title in tables] + [screen.index("Cases per step")]
    for (title, rows), start, end in zip(tables.items(), starts, starts[1:], strict=False):
        table = screen[start:end]
        hidden = len(rows) - 2
        assert f"… and {hidden} more row{'s' if hidden > 1 else ''}" in table, table
        if title == "Overview":
            assert [c.relative for c in changed[:2]] == [
                c.relative for c in changed if c.relative in table
            ]


def test_a_listings_plain_data_is_what_its_views_json_holds() -> None:
    """A listing is written from plain data (issue 14): a time to the second in UTC,
    a column the query lacks at its default, the family's names left out — exactly
    what the view's own JSON holds for the same row."""
    import json
    from datetime import UTC, datetime, timedelta, timezone

    from staircase.views import AssessedProposal, list_of, plain

    keys = ("id", "case_id", "from_step", "to_step", "direction", "status", "raised_at")
    keys += ("rules", "decided_by", "decided_at", "resident", "relative")
    first = datetime(2026, 6, 1, 9, 30, 5, 123456, UTC)
    second = datetime(2026, 6, 2, 9, tzinfo=timezone(timedelta(hours=2)))
    decided = datetime(2026, 6, 3, 8, 0, 0, 999999, UTC)
    rows = [
        (1, 4, "godt", "mindre", "up", "open", first, ("signal-mindre",), None, None, "Anna", "Bo"),
        (2, 5, "mindre", "godt", "down", "rejected", second, (), "LH", decided, "Eva", "Ib"),
    ]
    fields = [dict(zip(keys, row, strict=True)) for row in rows]
    views = list_of(AssessedProposal).validate_python(fields)
    data = json.loads(json.dumps(plain(AssessedProposal, keys, rows)))
    own = json.loads(list_of(AssessedProposal).dump_json(views))
    assert data == own and [list(d) for d in data] == [list(d) for d in own]
    assert data[0]["raised_at"] == "2026-06-01T09:30:05Z" and "resident" not in data[0]
    assert data[1]["raised_at"] == "2026-06-02T07:00:00Z" and data[1]["reason"] is None


def test_the_listing_rows_are_named_as_the_query_gives_its_columns(home) -> None:
    """Assess reads its listing's rows by name through named tuples, which take the
    columns by position: the names must be the query's own, in its order."""
    from staircase.cases.assess import Evaluating, Listed, _open_cases, assessing

    with assessing(home.as_("LH")) as live:
        for evaluating, row in ((False, Listed), (True, Evaluating)):
            query = _open_cases(live._work, None, evaluating=evaluating)
            assert tuple(query.selected_columns.keys()) == row._fields
