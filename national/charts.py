"""Server-rendered SVG charts (pygal) of the comparison, with their numbers in words.

pygal's JavaScript is off (`js=[]`) and its inline configuration script is removed, so
the SVG holds no script at all. Its styles are inline (a <style> element and a few
style attributes); the SVG is served from its own route as an image, with a policy that
allows exactly that and nothing else (national/views/charts.py).
"""

import base64
import re
import sys
from dataclasses import dataclass

import pygal

# pygal appends a legacy import hook to sys.meta_path (for its map plugins, unused here)
# that has no find_spec: every import that falls through to it raises an ImportWarning,
# which the test suite (and `-W error`) turns into a failure. Take it back out at once,
# before the imports below pull in more modules.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

from pygal.style import Style  # noqa: E402

from national.comparison import ChapterRow, Comparison  # noqa: E402
from national.display import export_value, shown_text  # noqa: E402
from national.metrics import Better, Metric  # noqa: E402

CHART_BARS = 50  # the chart shows the 50 highest chapters; the table beside it all of them
BAR = "#1d4f91"
MEDIAN = "#b3261e"

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#4a5563",
    colors=(BAR,),
    font_family="system-ui, sans-serif",
    title_font_size=18,
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    is_median: bool = False


@dataclass(frozen=True)
class ChartData:
    metric: Metric
    per_member: bool
    title: str
    bars: list[Bar]  # highest first, with the median among them
    median: float | None
    blank: list[str]  # chapters with no value
    total_chapters: int

    def summary(self) -> str:
        """The chart in one paragraph, for screen readers and for print."""
        chapters = [b for b in self.bars if not b.is_median]
        if not chapters:
            return f"No chapter has a value for {self.metric.name.lower()} in this period."
        fmt = lambda v: shown_text(v, self.metric, self.per_member)  # noqa: E731
        parts = [
            f"{self.total_chapters} chapters compared.",
            f"Highest: {chapters[0].label} ({fmt(chapters[0].value)}).",
            f"Lowest shown: {chapters[-1].label} ({fmt(chapters[-1].value)}).",
            f"Network median: {fmt(self.median)}.",
        ]
        above = sum(1 for b in chapters if self.median is not None and b.value > self.median)
        parts.append(f"{above} of the chapters shown are above the median.")
        if len(chapters) < self.total_chapters - len(self.blank):
            parts.append(f"The chart shows the {len(chapters)} highest; the table lists all.")
        if self.blank:
            parts.append(f"{len(self.blank)} chapters have no value.")
        return " ".join(parts)


def chart_data(comparison: Comparison, metric: Metric) -> ChartData:
    pm = comparison.per_member
    valued: list[tuple[ChapterRow, float]] = []
    blank = []
    for row in comparison.rows:
        value = export_value(row.shown(metric, pm), metric, pm)
        if value is None:
            blank.append(row.chapter.name)
        else:
            valued.append((row, float(value)))
    valued.sort(key=lambda rv: (-rv[1], rv[0].chapter.name.lower()))
    median = comparison.medians.get(metric.key)
    median = None if median is None else export_value(median, metric, pm)
    bars = [Bar(row.chapter.name, value) for row, value in valued[:CHART_BARS]]
    if median is not None:
        at = next((i for i, b in enumerate(bars) if b.value < median), len(bars))
        bars.insert(at, Bar("Network median", float(median), is_median=True))
    suffix = " per active member" if pm and metric.per_member else ""
    title = f"{metric.name}{suffix}, {comparison.period.label}"
    return ChartData(metric, pm, title, bars, median, blank, len(comparison.rows))


def render_svg(data: ChartData) -> str:
    height = 120 + 26 * max(len(data.bars), 1)
    chart = pygal.HorizontalBar(
        js=[],
        style=_STYLE,
        width=900,
        height=height,
        show_legend=False,
        disable_xml_declaration=True,
        print_values=False,
        truncate_label=40,
        title=data.title,
        no_data_text="No values",
    )
    # Highest at the top: pygal draws the first label at the bottom of a horizontal bar.
    bars = list(reversed(data.bars))
    chart.x_labels = [b.label for b in bars]
    chart.add(
        data.metric.name,
        [{"value": b.value, "color": MEDIAN} if b.is_median else b.value for b in bars],
    )
    return _SCRIPT.sub("", chart.render(is_unicode=True))


@dataclass(frozen=True)
class ReportBar:
    metric: Metric
    value: float
    median: float
    index: float  # the chapter's value as a percentage of the network median

    @property
    def worse(self) -> bool:
        """Worse than the median chapter, where the metric has a better direction."""
        if self.metric.better == Better.LOWER:
            return self.index > 100
        if self.metric.better == Better.HIGHER:
            return self.index < 100
        return False


def report_bars(comparison: Comparison, row: ChapterRow, metrics: tuple[Metric, ...]) -> list:
    """Per metric: the chapter's value against the network median, as a percentage of
    it (100 = the median chapter). Metrics whose median is blank or zero are left out:
    there is nothing to compare to."""
    pm = comparison.per_member
    bars = []
    for metric in metrics:
        value = export_value(row.shown(metric, pm), metric, pm)
        median = export_value(comparison.medians.get(metric.key), metric, pm)
        if value is None or not median:
            continue
        bars.append(ReportBar(metric, float(value), float(median), 100 * value / median))
    return bars


def render_report_svg(title: str, bars: list[ReportBar]) -> str:
    chart = pygal.HorizontalBar(
        js=[],
        style=_STYLE,
        width=900,
        height=120 + 30 * max(len(bars), 1),
        show_legend=False,
        disable_xml_declaration=True,
        truncate_label=40,
        title=title,
        no_data_text="Nothing to compare",
    )
    ordered = list(reversed(bars))
    chart.x_labels = [b.metric.name for b in ordered]
    chart.add(
        "% of the network median",
        [{"value": round(b.index), "color": MEDIAN if b.worse else BAR} for b in ordered],
    )
    return _SCRIPT.sub("", chart.render(is_unicode=True))


SPARK_MAX_POINTS = 60  # five years of months, the longest custom period


def parse_sparkline(text: str) -> list[int] | None:
    """The counts of a sparkline's address (`v=3,0,5`); None when they are not counts."""
    parts = text.split(",") if text else []
    # ASCII digits only: str.isdigit() also accepts "²" (int() refuses it) and "١" (other
    # scripts' digits, which no link of ours writes).
    if not 0 < len(parts) <= SPARK_MAX_POINTS or not all(
        p.isascii() and p.isdigit() for p in parts
    ):
        return None
    return [min(int(p), 10**6) for p in parts]


def render_sparkline(counts: list[int]) -> str:
    """A small line of the counts, no axes or labels: the page gives its numbers in words."""
    chart = pygal.Line(
        js=[],
        style=_STYLE,
        disable_xml_declaration=True,
        show_dots=False,
        stroke_style={"width": 2},
    )
    chart.add("Actions done", counts)
    return _SCRIPT.sub("", chart.render_sparkline(width=120, height=28, is_unicode=True))


def render_trend_svg(title: str, trend, metrics: tuple[Metric, ...]) -> str:
    """One line per metric across the academic years (the table beside it has the numbers)."""
    chart = pygal.Line(
        js=[],
        style=Style(
            background="#ffffff",
            plot_background="#ffffff",
            foreground="#1f2933",
            foreground_strong="#1f2933",
            foreground_subtle="#4a5563",
            colors=(BAR, MEDIAN, "#2e7d32", "#6a4c93"),
            font_family="system-ui, sans-serif",
            title_font_size=18,
            label_font_size=12,
            major_label_font_size=12,
            legend_font_size=12,
        ),
        width=900,
        height=360,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        title=title,
        no_data_text="No history",
    )
    chart.x_labels = [year.period.label.removeprefix("Academic year ") for year in trend]
    for metric in metrics:
        chart.add(metric.name, [year.values.get(metric.key) for year in trend])
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def data_uri(svg: str) -> str:
    """An SVG as an image address the page can hold (the policy allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
