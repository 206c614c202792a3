"""Campaigns: plans made of milestones and actions, playbooks, rotating leads and calendars."""

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from chapters.panels import add_home_panel, add_week_panel

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


def _week_data(user, memberships) -> dict:
    from campaigns.services.week import my_week

    return my_week(user, memberships)


@bp.record_once
def _add_week_panel(state: BlueprintSetupState) -> None:
    """My next actions, swaps asked of me, actions I lead with no outcome yet, sign-offs
    waiting for me, milestones returned to my chapter and actions without a lead on the
    signed-in home page."""
    add_week_panel(
        state.app,
        _week_data,
        next="campaigns/_week_next.html",
        needs="campaigns/_week_needs.html",
        needs_empty="campaigns/_week_needs_empty.html",
        chapter="campaigns/_week_chapter.html",
        gaps="campaigns/_week_gaps.html",
    )


@bp.record_once
def _register_activity(state: BlueprintSetupState) -> None:
    """How the activity log names and words campaigns' objects and events."""
    from campaigns.activity import register_activity

    register_activity(state.app)
