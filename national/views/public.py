"""The public network summary at /network: anyone, signed in or not."""

from flask import current_app, render_template

from core.db import utcnow
from national import bp
from national.comparison import Filters, Sort, compare
from national.period import offered_years
from national.public import network_summary


@bp.route("/network")
def network_summary_page():
    config = current_app.config
    period = offered_years(utcnow().date(), config["ACADEMIC_YEAR_START_MONTH"])[0]
    comparison = compare(period, Filters(), Sort(), False)
    summary = network_summary(comparison, config["NETWORK_PUBLIC_MIN_MEMBERS"])
    return render_template("national/public.html", summary=summary)
