"""Campaigns: plans made of milestones and actions, playbooks, rotating leads and calendars."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__)

from campaigns import views  # noqa: E402,F401  (routes register on import)


def _home_panels(chapter):
    from campaigns.services.campaigns import chapter_home_panels

    return chapter_home_panels(chapter)


def _register_home_panels() -> None:
    from chapters.views import HOME_PANELS

    if _home_panels not in HOME_PANELS:
        HOME_PANELS.append(_home_panels)


_register_home_panels()
