"""A chapter's report: its metrics against the network, for national staff and the
chapter's own leaders and advisors (anyone else: 404)."""

import json

from flask import Response, abort, render_template, request
from flask_login import current_user, login_required

from chapters.access import get_chapter_or_404
from national import bp
from national.charts import data_uri, render_report_svg, render_trend_svg, report_bars
from national.comparison import TREND_METRICS, Filters, Sort, chapter_trend, compare
from national.exports import report_csv, report_json
from national.metrics import BY_KEY, CHARTABLE, COLUMNS
from national.pdf import PdfUnavailable, render_pdf
from national.permissions import can_read_report
from national.report import (
    campaign_lines,
    highlights,
    milestone_titles,
    report_extras_json,
    signoff_history,
)
from national.views.charts import SVG_POLICY
from national.views.common import asked, years_offered
from national.views.exports import _download, download_name


def _load(slug: str):
    chapter, m = get_chapter_or_404(slug)
    if not can_read_report(current_user, m):
        abort(404)
    view = asked()
    comparison = compare(
        view.choice.period, Filters(), Sort(), view.per_member, include=chapter.id, only=chapter.id
    )
    row = comparison.rows[0]
    return chapter, view, comparison, row


def _render_report(loaded, **extra) -> str:
    chapter, view, comparison, row = loaded
    period = comparison.period
    decisions = signoff_history(chapter, period)
    trend = chapter_trend(chapter.id, years_offered()[:3])
    trend_metrics = tuple(BY_KEY[k] for k in TREND_METRICS)
    trend_title = f"{chapter.name} over three academic years"
    return render_template(
        "national/report.html",
        **extra,
        chapter=chapter,
        view=view,
        comparison=comparison,
        row=row,
        columns=COLUMNS,
        by_key=BY_KEY,
        years=years_offered(),
        campaigns=campaign_lines(chapter, period),
        decisions=decisions,
        titles=milestone_titles(decisions),
        highlights=highlights(chapter, period),
        bars=report_bars(comparison, row, CHARTABLE),
        trend=trend,
        trend_metrics=trend_metrics,
        trend_src=data_uri(render_trend_svg(trend_title, trend, trend_metrics)),
    )


@bp.route("/c/<slug>/report")
@login_required
def report(slug: str):
    return _render_report(_load(slug))


@bp.route("/c/<slug>/report.pdf")
@login_required
def report_pdf(slug: str):
    """The same report as a PDF (A4, or `paper=letter`), its chart drawn in line."""
    loaded = chapter, _view, comparison, row = _load(slug)
    title = f"{chapter.name} against the network median (100 = median)"
    svg = render_report_svg(title, report_bars(comparison, row, CHARTABLE))
    html = _render_report(loaded, chart_src=data_uri(svg))
    paper = request.args.get("paper", "a4")
    try:
        body = render_pdf(html, request.url_root, paper)
    except PdfUnavailable:
        abort(503, "PDF rendering is not installed on this server (run `make pdf-deps`).")
    name = download_name(f"relay-{chapter.slug}", comparison.period.label, "pdf")
    return _download(body, "application/pdf", name)


@bp.route("/c/<slug>/report.svg")
@login_required
def report_svg(slug: str):
    chapter, _view, comparison, row = _load(slug)
    title = f"{chapter.name} against the network median (100 = median)"
    svg = render_report_svg(title, report_bars(comparison, row, CHARTABLE))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/c/<slug>/report.csv")
@login_required
def report_csv_view(slug: str):
    chapter, _view, comparison, row = _load(slug)
    name = download_name(f"relay-{chapter.slug}", comparison.period.label, "csv")
    return _download(report_csv(comparison, row), "text/csv", name)


@bp.route("/c/<slug>/report.json")
@login_required
def report_json_view(slug: str):
    chapter, _view, comparison, row = _load(slug)
    period = comparison.period
    decisions = signoff_history(chapter, period)
    extra = report_extras_json(
        campaign_lines(chapter, period), decisions, milestone_titles(decisions)
    )
    body = json.dumps(report_json(comparison, row, extra), indent=1, default=str)
    name = download_name(f"relay-{chapter.slug}", period.label, "json")
    return _download(body, "application/json", name)
