"""Chapters: the chapter itself, its roster (memberships), invitations and the common vision."""

from flask import Blueprint

bp = Blueprint("chapters", __name__)

from chapters import views  # noqa: E402,F401  (routes register on import)


@bp.record_once
def _register_activity(state) -> None:
    """How the activity log names and words the chapters' objects and events."""
    from chapters.activity import register_activity

    register_activity(state.app)
