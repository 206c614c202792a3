"""Chapters: the chapter itself, its roster (memberships), invitations and the common vision."""

from flask import Blueprint

bp = Blueprint("chapters", __name__)

from chapters import views  # noqa: E402,F401  (routes register on import)


@bp.record_once
def _register_activity(state) -> None:
    """How the activity log names and words the chapters' objects and events."""
    from chapters.activity import register_activity

    register_activity(state.app)


@bp.record_once
def _register_template_globals(state) -> None:
    """What the chapter navigation macro asks about its reader (imported macros see globals)."""
    from chapters.access import may_read_chapter_activity

    state.app.jinja_env.globals["may_read_chapter_activity"] = may_read_chapter_activity
