"""National: every chapter compared side by side, the chapter report, charts and exports."""

from typing import cast

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from national.display import shown_text

bp = Blueprint("national", __name__)
# `value | metric_text(metric, per_member)`: a value written as the exports round it.
bp.add_app_template_filter(shown_text, "metric_text")


@bp.record_once
def _add_commands(state: BlueprintSetupState) -> None:
    """`flask export network` and `flask import network`."""
    from national.cli import register

    register(state.app)


@bp.record_once
def _add_activity_words(state: BlueprintSetupState) -> None:
    """How the activity log words national's own event (staff only: it names no chapter)."""
    from core.activity import add_action_words

    add_action_words(
        cast(Flask, state.app),  # registered on a Flask app, typed as its sans-IO base
        {
            "network.imported_with_broken_audit": (
                "{actor} imported a network file whose audit log was broken"
            )
        },
        shared=False,
    )


from national import summary, views  # noqa: E402,F401  (hooks and routes register on import)
