"""Load a chapter (or an object in it) and authorize the current user in one step."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from chapters.models import Chapter, Membership
from chapters.permissions import can_view_chapter
from chapters.services.roster import membership_of
from core.extensions import db


def get_chapter_or_404(slug: str) -> tuple[Chapter, Membership | None]:
    """The chapter and the user's active membership; 404 for anyone who may not see it."""
    chapter = db.session.scalar(select(Chapter).where(Chapter.slug == slug))
    if chapter is None:
        abort(404)
    m = membership_of(current_user, chapter)
    if not can_view_chapter(current_user, m):
        abort(404)
    return chapter, m


def require(allowed: bool) -> None:
    """403 for someone who may see the chapter but not do this."""
    if not allowed:
        abort(403)


def get_in_chapter_or_404(model, object_id: int, chapter: Chapter):
    """An object by id, only if it belongs to this chapter (else 404, whatever the URL says)."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.chapter_id != chapter.id:
        abort(404)
    return obj
