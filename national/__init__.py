"""National: every chapter compared side by side, the chapter report, charts and exports."""

from flask import Blueprint

from national.display import shown_text

bp = Blueprint("national", __name__)
# `value | metric_text(metric, per_member)`: a value written as the exports round it.
bp.add_app_template_filter(shown_text, "metric_text")

from national import views  # noqa: E402,F401  (routes register on import)
