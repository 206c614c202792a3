"""The chart of one metric across chapters: a page with the SVG, its summary and table."""

from flask import Response, abort, render_template, request
from flask_login import login_required
from werkzeug.http import generate_etag

from national import bp
from national.charts import chart_data, parse_sparkline, render_sparkline, render_svg
from national.comparison import compare
from national.metrics import BY_KEY, CHARTABLE
from national.views.common import asked, require_staff, years_offered

# The SVG is an image with inline styles and no script: this policy allows that only.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'"


def _chosen_metric():
    key = request.args.get("metric", "")
    return BY_KEY[key] if key in BY_KEY and BY_KEY[key] in CHARTABLE else CHARTABLE[0]


@bp.route("/network/chart")
@login_required
def chart_page():
    require_staff()
    view = asked()
    metric = _chosen_metric()
    comparison = compare(view.choice.period, view.filters, view.sort, view.per_member)
    return render_template(
        "national/chart.html",
        view=view,
        metric=metric,
        chartable=CHARTABLE,
        data=chart_data(comparison, metric),
        years=years_offered(),
    )


@bp.route("/network/chart.svg")
@login_required
def chart_svg():
    require_staff()
    view = asked()
    comparison = compare(view.choice.period, view.filters, view.sort, view.per_member)
    response = Response(
        render_svg(chart_data(comparison, _chosen_metric())), mimetype="image/svg+xml"
    )
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/network/sparkline.svg")
@login_required
def sparkline_svg():
    """A dashboard row's sparkline, drawn from the counts in its address (the page has them
    and says them in words): no query, so the browser may keep it a day, then revalidate
    it. Its ETag is the counts' (weak: pygal gives each drawing a new element id)."""
    require_staff()
    counts = parse_sparkline(request.args.get("v", ""))
    if counts is None:
        abort(404)
    etag = generate_etag(",".join(map(str, counts)).encode())
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(render_sparkline(counts), mimetype="image/svg+xml")
        response.headers["Content-Security-Policy"] = SVG_POLICY
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
