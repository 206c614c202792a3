"""The comparison dashboard and the definitions page (national staff)."""

from flask import render_template
from flask_login import login_required

from chapters.models import CHAPTER_STATUSES
from core.http import page_number
from national import bp
from national.comparison import compare, monthly_activity, regions
from national.metrics import CHARTABLE, COLUMNS, METRICS
from national.views.common import asked, require_staff, years_offered


@bp.route("/network/definitions")
@login_required
def definitions():
    """Every metric in plain words: anyone signed in may read what a number means."""
    return render_template("national/definitions.html", metrics=METRICS)


@bp.route("/network/compare")
@login_required
def dashboard():
    require_staff()
    view = asked()
    comparison = compare(
        view.choice.period, view.filters, view.sort, view.per_member, page=page_number()
    )
    return render_template(
        "national/dashboard.html",
        view=view,
        comparison=comparison,
        page=comparison.page,
        activity=monthly_activity(comparison),
        columns=COLUMNS,
        chartable_keys={m.key for m in CHARTABLE},
        years=years_offered(),
        regions=regions(),
        statuses=CHAPTER_STATUSES,
    )
