"""Downloads: the dashboard and a chapter's report as CSV and JSON."""

import json

from flask import Response
from flask_login import login_required

from national import bp
from national.comparison import compare
from national.exports import dashboard_csv, dashboard_json
from national.views.common import asked, require_staff


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def download_name(stem: str, period_label: str, ext: str, per_member: bool = False) -> str:
    """`relay-chapters-academic-year-2025-26.csv`; the per-member view says so in its name."""
    safe = "".join(c if c.isalnum() else "-" for c in period_label.lower()).strip("-")
    view = "-per-member" if per_member else ""
    return f"{stem}-{safe}{view}.{ext}"


@bp.route("/network/compare.csv", endpoint="dashboard_csv")
@login_required
def dashboard_csv_view():
    require_staff()
    view = asked()
    comparison = compare(view.choice.period, view.filters, view.sort, view.per_member)
    name = download_name("relay-chapters", comparison.period.label, "csv", view.per_member)
    return _download(dashboard_csv(comparison), "text/csv", name)


@bp.route("/network/compare.json", endpoint="dashboard_json")
@login_required
def dashboard_json_view():
    require_staff()
    view = asked()
    comparison = compare(view.choice.period, view.filters, view.sort, view.per_member)
    name = download_name("relay-chapters", comparison.period.label, "json", view.per_member)
    body = json.dumps(dashboard_json(comparison), indent=1, default=str)
    return _download(body, "application/json", name)
