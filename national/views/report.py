"""A chapter's report: its metrics against the network, for national staff and the
chapter's own leaders and advisors (anyone else: 404)."""

import json

from flask import Response, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from chapters.access import get_chapter_or_404
from core.db import utcnow
from core.extensions import db
from national import bp
from national.charts import data_uri, render_report_svg, render_trend_svg, report_bars
from national.comparison import TREND_METRICS, Filters, Sort, chapter_trend, compare
from national.exports import report_csv, report_json
from national.metrics import BY_KEY, CHARTABLE, COLUMNS
from national.pdf import PdfTooSlow, PdfUnavailable, count_pdf_request, render_pdf
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


def _readable_chapter(slug: str):
    chapter, m = get_chapter_or_404(slug)
    if not can_read_report(current_user, m):
        abort(404)
    return chapter


def _load(slug: str):
    return _compared(_readable_chapter(slug))


def _compared(chapter):
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
        generated_at=utcnow(),
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
    """The same report as a PDF (A4, or `paper=letter`), its chart drawn in line; a few per
    person per window, each stopped when it takes too long (national/pdf.py)."""
    chapter = _readable_chapter(slug)
    wait = count_pdf_request(current_user.id)
    if wait:
        cfg = current_app.config
        return _pdf_refused(
            chapter,
            429,
            "Too many PDFs for now",
            f"You have asked for {cfg['REPORT_PDF_MAX_PER_PERSON']} report PDFs within "
            f"{_minutes(cfg['REPORT_PDF_WINDOW_SECONDS'])}, the most Relay makes for one "
            f"person. Try again in about {_minutes(wait)}; meanwhile the report page prints "
            "from your browser.",
            {"Retry-After": str(wait)},
        )
    loaded = _compared(chapter)
    _chapter, view, comparison, row = loaded
    title = f"{chapter.name} against the network median (100 = median)"
    svg = render_report_svg(title, report_bars(comparison, row, CHARTABLE))
    html = _render_report(loaded, chart_src=data_uri(svg))
    name = download_name(f"relay-{chapter.slug}", comparison.period.label, "pdf", view.per_member)
    paper = request.args.get("paper", "a4")
    db.session.close()  # the reads are done: no connection is held while the PDF renders
    seconds = current_app.config["REPORT_PDF_SECONDS"]
    try:
        body = render_pdf(html, request.url_root, paper, seconds)
    except PdfUnavailable:
        return _pdf_refused(
            chapter,
            503,
            "PDFs are not available",
            "PDF rendering is not installed on this server (run `make pdf-deps`). The report "
            "page prints from your browser.",
        )
    except PdfTooSlow:
        return _pdf_refused(
            chapter,
            503,
            "The PDF took too long",
            f"Making this PDF took longer than {seconds} seconds, so it was stopped to keep "
            "Relay quick for everyone. Try again in a few minutes, or print the report page "
            "from your browser.",
        )
    return _download(body, "application/pdf", name)


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _pdf_refused(chapter, code: int, title: str, message: str, headers=None):
    """An error page that says why there is no PDF and links the printable report page."""
    page = render_template(
        "errors/error.html",
        code=code,
        title=title,
        message=message,
        link=(
            url_for("national.report", slug=chapter.slug, **asked().query_args()),
            "Open the report",
        ),
    )
    return page, code, headers or {}


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
    chapter, view, comparison, row = _load(slug)
    name = download_name(f"relay-{chapter.slug}", comparison.period.label, "csv", view.per_member)
    return _download(report_csv(comparison, row), "text/csv", name)


@bp.route("/c/<slug>/report.json")
@login_required
def report_json_view(slug: str):
    chapter, view, comparison, row = _load(slug)
    period = comparison.period
    decisions = signoff_history(chapter, period)
    extra = report_extras_json(
        campaign_lines(chapter, period), decisions, milestone_titles(decisions)
    )
    body = json.dumps(report_json(comparison, row, extra), indent=1, default=str)
    name = download_name(f"relay-{chapter.slug}", period.label, "json", view.per_member)
    return _download(body, "application/json", name)
