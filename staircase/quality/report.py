"""The HTML report (``export --format html``, §7.2): one file to read and print.

Per unit: the cases on each step at each month's end as a stacked bar
chart (with the figures as a table beside it, for print and for screen
readers), escalation response times, and each case's step over time as a
small chart; the rule pack and version that judged the unit. The charts
are inline SVG drawn here from plain geometry, so the file needs no script,
no font and no network, and prints the same as it shows. Pseudonymised
like every export unless ``--with-names``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from staircase import i18n
from staircase.clock import format_local
from staircase.core.work import Work
from staircase.db.models import Case, Escalation, Relative, Resident, Unit
from staircase.domain.pack import Pack
from staircase.i18n import _, pgettext
from staircase.quality.formats import private_file
from staircase.quality.scope import Scope
from staircase.quality.stats import CaseTimeline, UnitMonth, compute, period, timelines
from staircase.quality.tables import STREAM_ROWS, Context

COLOURS = {
    "green": "#2e7d32",
    "yellow": "#f2b705",
    "dark_orange": "#e8710a",
    "orange": "#e8710a",
    "red": "#c62828",
}
"""The packs' terminal colours (rich names) as print-safe web colours."""


def _months() -> tuple[str, ...]:
    """Month labels under the bars, short, in the language in use: ``maj 26``/``May 26``."""
    return (
        pgettext("short month", "Jan"),
        pgettext("short month", "Feb"),
        pgettext("short month", "Mar"),
        pgettext("short month", "Apr"),
        pgettext("short month", "May"),
        pgettext("short month", "Jun"),
        pgettext("short month", "Jul"),
        pgettext("short month", "Aug"),
        pgettext("short month", "Sep"),
        pgettext("short month", "Oct"),
        pgettext("short month", "Nov"),
        pgettext("short month", "Dec"),
    )


def decimal(value: float) -> str:
    """A figure with one decimal as the reader writes it: ``2,5`` in Danish, ``2.5`` in English."""
    text = f"{value:.1f}"
    return text if i18n.language() == "en" else text.replace(".", ",")


CHART_WIDTH, CHART_HEIGHT, MARGIN = 640, 220, 36
SMALL_WIDTH, SMALL_HEIGHT = 300, 90


def colour(name: str) -> str:
    return COLOURS.get(name, name.replace("_", ""))


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str = ""
    opacity: float = 1.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    """An SVG drawing: rectangles, text and step lines in a view box."""

    width: int
    height: int
    label: str
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Response:
    """One escalation's response: raised, due, acknowledged, hours, on time or not."""

    case_id: int
    step: str
    raised: str
    due: str
    acknowledged: str
    hours: float | None
    late: bool


@dataclass(frozen=True)
class CaseChart:
    title: str
    step_now: str
    chart: Chart


@dataclass
class UnitReport:
    unit_id: str
    name: str
    pack: Pack
    months: list[UnitMonth]
    distribution: Chart
    responses: list[Response]
    response_chart: Chart
    cases: list[CaseChart]


def write_report(work: Work, scope: Scope, ctx: Context, path: Path, *, with_names: bool) -> dict:
    """Render the report for the scope into ``path``; returns what it counted."""
    tz = work.clock.tz
    scope = period(scope, work.clock.now, tz)
    statistics = compute(work.session, scope, ctx.labels, tz)
    by_unit: dict[str, list[CaseTimeline]] = defaultdict(list)
    for timeline in timelines(work.session, scope):
        if timeline.closed_at is None or timeline.closed_at >= scope.since:
            by_unit[timeline.unit_id].append(timeline)
    names = _names(work.session, scope) if with_names else {}
    units = []
    for unit in work.session.exec(select(Unit).order_by(Unit.id)):
        if unit.id not in by_unit:
            continue
        pack = ctx.labels.packs[unit.id]
        months = [m for m in statistics.months if m.unit == unit.id]
        responses = _responses(work.session, scope, unit.id, pack, tz)
        cases = [
            _case_chart(t, pack, scope, ctx, names.get(t.case_id), tz) for t in by_unit[unit.id]
        ]
        units.append(
            UnitReport(
                unit.id,
                unit.name,
                pack,
                months,
                _distribution(months, pack),
                responses,
                _response_chart(responses),
                cases,
            )
        )
    html = template().render(
        lang=i18n.language(),
        decimal=decimal,
        units=units,
        since=format_local(scope.since, tz),
        until=format_local(scope.until, tz),
        generated=format_local(work.now, tz),
        pseudonymised=not with_names,
        colour=colour,
    )
    with private_file(path) as file:
        file.write(html)
    return {"enheder": len(units), "sager": sum(len(u.cases) for u in units)}


def template():
    """The report's template, its words from the catalogue in the language in use (§7.5)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("staircase.quality", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n._, ngettext=i18n.ngettext, pgettext=i18n.pgettext
    )
    return env.get_template("report.html.j2")


def _names(session: Session, scope: Scope) -> dict[int, str]:
    """``Maria Andersen (datter) – Else Andersen`` per case: only with ``--with-names``."""
    query = (
        select(Case.id, Relative.name, Relative.relation, Resident.name)
        .join(Relative, col(Relative.id) == Case.relative_id)
        .join(Resident, col(Resident.id) == Case.resident_id)
    )
    if scope.units is not None:
        query = query.where(col(Case.unit_id).in_(scope.units))
    return {
        case_id: f"{relative} ({relation}) – {resident}"
        for case_id, relative, relation, resident in session.exec(query)
    }


def _distribution(months: list[UnitMonth], pack: Pack) -> Chart:
    """Stacked bars: the cases on each step at each month's end, bottom step at the bottom."""
    chart = Chart(CHART_WIDTH, CHART_HEIGHT, _("Cases per step at the end of each month"))
    top = max([sum(m.steps.values()) for m in months] + [1])
    months_named = _months()
    plot_height = CHART_HEIGHT - 2 * MARGIN
    slot = (CHART_WIDTH - 2 * MARGIN) / max(len(months), 1)
    for tick in sorted({0, top // 2, top}):
        y = CHART_HEIGHT - MARGIN - plot_height * tick / top
        chart.rects.append(Rect(MARGIN, y, CHART_WIDTH - 2 * MARGIN, 0.6, "#bbbbbb"))
        chart.texts.append(Text(MARGIN - 6, y + 4, str(tick), "end"))
    for index, month in enumerate(months):
        x = MARGIN + index * slot + slot * 0.15
        y = CHART_HEIGHT - MARGIN
        for step in pack.ladder:
            count = month.steps.get(step.id, 0)
            if not count:
                continue
            height = plot_height * count / top
            y -= height
            title = f"{month.month}: {step.name.spoken()} {count}"
            chart.rects.append(Rect(x, y, slot * 0.7, height, colour(step.colour), title))
        year, number = month.month.split("-")
        label = f"{months_named[int(number) - 1]} {year[2:]}"
        chart.texts.append(Text(x + slot * 0.35, CHART_HEIGHT - MARGIN + 16, label))
    return chart


def _responses(
    session: Session, scope: Scope, unit_id: str, pack: Pack, tz: ZoneInfo
) -> list[Response]:
    """The unit's escalations raised in the period, with how long the answer took."""
    query = (
        select(Escalation)
        .join(Case, col(Case.id) == Escalation.case_id)
        .where(Case.unit_id == unit_id)
        .where(col(Escalation.raised_at) >= scope.since, col(Escalation.raised_at) < scope.until)
        .order_by(Escalation.raised_at)
        .execution_options(yield_per=STREAM_ROWS)
    )
    responses = []
    for escalation in session.exec(query):
        answered = escalation.acknowledged_at
        hours = None
        if answered is not None:
            hours = round((answered - escalation.raised_at).total_seconds() / 3600, 1)
        due = escalation.due_at
        late = due is not None and (answered or scope.until) > due
        responses.append(
            Response(
                case_id=escalation.case_id,
                step=pack.get_step(escalation.step).name.spoken(),
                raised=format_local(escalation.raised_at, tz),
                due=format_local(due, tz) if due else "",
                acknowledged=format_local(answered, tz) if answered else "",
                hours=hours,
                late=late,
            )
        )
    return responses


def _response_chart(responses: list[Response]) -> Chart:
    """One horizontal bar per acknowledged escalation: hours to acknowledge, red when late."""
    answered = [r for r in responses if r.hours is not None]
    row = 18
    chart = Chart(CHART_WIDTH, max(len(answered), 1) * row + 24, _("Hours to acknowledge"))
    longest = max([r.hours or 0 for r in answered] + [1])
    left, width = 110, CHART_WIDTH - 110 - 60
    for index, response in enumerate(answered):
        y = 8 + index * row
        length = max(width * (response.hours or 0) / longest, 1)
        fill = "#c62828" if response.late else "#2e7d32"
        case = _("Case {id}").format(id=response.case_id)
        chart.rects.append(Rect(left, y, length, row - 6, fill, case))
        chart.texts.append(Text(left - 6, y + 10, case, "end"))
        hours = _("{hours} h").format(hours=decimal(response.hours or 0))
        chart.texts.append(Text(left + length + 4, y + 10, hours, "start"))
    return chart


def _case_chart(
    timeline: CaseTimeline, pack: Pack, scope: Scope, ctx: Context, name: str | None, tz: ZoneInfo
) -> CaseChart:
    """A case's step over the period: bands per step, and the step line across them."""
    ladder = pack.ladder
    band = (SMALL_HEIGHT - 20) / len(ladder)
    left, width = 4, SMALL_WIDTH - 8
    start, end = scope.since, scope.until
    span = (end - start).total_seconds() or 1

    def x(moment: datetime) -> float:
        clamped = min(max(moment, start), end)
        return left + width * (clamped - start).total_seconds() / span

    def y(step_id: str) -> float:
        return SMALL_HEIGHT - 20 - band * (pack.rank(step_id) - 0.5)

    chart = Chart(SMALL_WIDTH, SMALL_HEIGHT, _("Step over time"))
    for index, step in enumerate(ladder):
        top = SMALL_HEIGHT - 20 - band * (index + 1)
        chart.rects.append(
            Rect(left, top, width, band, colour(step.colour), step.name.spoken(), 0.2)
        )
    chart.texts.append(Text(left, SMALL_HEIGHT - 6, format_local(start, tz)[:10], "start"))
    chart.texts.append(Text(left + width, SMALL_HEIGHT - 6, format_local(end, tz)[:10], "end"))
    finish = min(end, timeline.closed_at or end)
    points: list[str] = []
    previous: str | None = None
    for at, step in timeline.points:
        if at > finish:
            break
        if previous is not None:
            points.append(f"{x(at):.1f},{y(previous):.1f}")
        points.append(f"{x(at):.1f},{y(step):.1f}")
        previous = step
    if previous is not None:
        points.append(f"{x(finish):.1f},{y(previous):.1f}")
    chart.lines.append(" ".join(points))
    who = name or f"{ctx.pseudonyms.relative(timeline.relative_id)}"
    step_now = timeline.step_at(finish) or timeline.points[-1][1]
    return CaseChart(
        title=_("Case {id} · {who}").format(id=timeline.case_id, who=who),
        step_now=pack.get_step(step_now).name.spoken(),
        chart=chart,
    )
