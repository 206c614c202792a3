"""Load a chapter (or an object in it) and authorize the current user in one step."""

from flask import abort, g
from flask_login import current_user
from sqlalchemy import and_, bindparam, select

from chapters.models import Chapter, Membership
from chapters.permissions import can_read_activity, can_view_chapter
from core.extensions import db

# Every chapter page runs this: the chapter by slug and the user's active membership of it
# (or None), in one statement built once.
_CHAPTER_WITH_MEMBERSHIP = (
    select(Chapter, Membership)
    .outerjoin(
        Membership,
        and_(
            Membership.chapter_id == Chapter.id,
            Membership.user_id == bindparam("user_id"),
            Membership.status == "active",
        ),
    )
    .where(Chapter.slug == bindparam("slug"))
)


def get_chapter_or_404(slug: str) -> tuple[Chapter, Membership | None]:
    """The chapter and the user's active membership; 404 for anyone who may not see it."""
    user_id = current_user.id if current_user.is_authenticated else None
    row = db.session.execute(_CHAPTER_WITH_MEMBERSHIP, {"slug": slug, "user_id": user_id}).first()
    if row is None:
        abort(404)
    chapter, m = row
    if not can_view_chapter(current_user, m):
        abort(404)
    # Kept for the chapter's navigation, which shows links by the reader's role without
    # asking the database again (may_read_chapter_activity below).
    g.setdefault("chapter_memberships", {})[(user_id, chapter.id)] = m
    return chapter, m


def loaded_membership(chapter: Chapter) -> Membership | None:
    """The current user's membership of a chapter this request loaded with
    get_chapter_or_404 (None when it did not: the navigation then shows less, never more)."""
    user_id = current_user.id if current_user.is_authenticated else None
    return g.get("chapter_memberships", {}).get((user_id, chapter.id))


def may_read_chapter_activity(chapter: Chapter) -> bool:
    """Whether the chapter's navigation links its activity log (a template global)."""
    return can_read_activity(current_user, loaded_membership(chapter))


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
