"""Campaigns: plans made of milestones and actions, playbooks, rotating leads and calendars."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from chapters.panels import add_home_panel

bp = Blueprint("campaigns", __name__)

# Importing these registers the outcome and sign-off tables and the routes.
from campaigns import outcome_models, signoff_models, views  # noqa: E402,F401


def _home_panel_data(chapter) -> dict:
    from campaigns.services.campaigns import chapter_home_panels

    return chapter_home_panels(chapter)


@bp.record_once
def _add_chapter_home_panel(state: BlueprintSetupState) -> None:
    """Active campaigns, upcoming actions and pending sign-offs on the chapter home page."""
    add_home_panel(state.app, "campaigns/_home_panel.html", _home_panel_data)
