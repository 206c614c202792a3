"""Chapters themselves: creating, editing and archiving them, and the network list."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from accounts.models import User
from chapters.models import CHAPTER_STATUSES, Chapter, ChapterStatus, Membership, MembershipStatus
from core.audit import record_event
from core.errors import PolicyError
from core.extensions import db

CHAPTER_FIELDS = ("name", "slug", "institution", "region", "timezone", "status")


def _chapter_snapshot(chapter: Chapter) -> dict:
    return {f: getattr(chapter, f) for f in CHAPTER_FIELDS}


def create_chapter(data: dict, actor: User) -> Chapter:
    if db.session.scalar(select(Chapter.id).where(Chapter.slug == data["slug"])):
        raise PolicyError("Another chapter already uses that short name (slug).")
    chapter = Chapter(**{f: data[f] for f in CHAPTER_FIELDS})
    db.session.add(chapter)
    db.session.flush()
    record_event(
        "chapter.created",
        actor=actor,
        obj=chapter,
        chapter_id=chapter.id,
        after=_chapter_snapshot(chapter),
    )
    return chapter


def update_chapter(chapter: Chapter, data: dict, actor: User) -> None:
    clash = db.session.scalar(
        select(Chapter.id).where(Chapter.slug == data["slug"], Chapter.id != chapter.id)
    )
    if clash:
        raise PolicyError("Another chapter already uses that short name (slug).")
    before = _chapter_snapshot(chapter)
    for f in CHAPTER_FIELDS:
        setattr(chapter, f, data[f])
    after = _chapter_snapshot(chapter)
    if before != after:
        archived_now = (
            after["status"] == ChapterStatus.ARCHIVED and before["status"] != ChapterStatus.ARCHIVED
        )
        action = "chapter.archived" if archived_now else "chapter.updated"
        record_event(
            action, actor=actor, obj=chapter, chapter_id=chapter.id, before=before, after=after
        )


def archive_chapter(chapter: Chapter, actor: User) -> None:
    """Archive the chapter: it stays readable and takes no new members."""
    update_chapter(chapter, {**_chapter_snapshot(chapter), "status": ChapterStatus.ARCHIVED}, actor)


# --- finding chapters -----------------------------------------------------------------------


def my_memberships(user_id: int) -> list[Membership]:
    """The person's active memberships, with their chapters, by chapter name (the home page)."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.chapter)
            .where(Membership.user_id == user_id, Membership.status == MembershipStatus.ACTIVE)
            .options(contains_eager(Membership.chapter))
            .order_by(Chapter.name)
        )
    )


def chapter_count() -> int:
    return db.session.scalar(select(func.count(Chapter.id)))


def find_chapters(status: str, region: str, q: str, page: int, per_page: int) -> Pagination:
    """One page of the network's chapters by name, filtered by status, region and a search
    on name or institution (empty filters, or an unknown status, filter nothing)."""
    query = select(Chapter).order_by(Chapter.name)
    if status in CHAPTER_STATUSES:
        query = query.where(Chapter.status == status)
    if region:
        query = query.where(Chapter.region == region)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Chapter.name.ilike(like), Chapter.institution.ilike(like)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def chapter_regions() -> list[str]:
    return list(db.session.scalars(select(Chapter.region).distinct().order_by(Chapter.region)))


def active_member_counts(chapter_ids: list[int]) -> dict[int, int]:
    """Active memberships (any role) per chapter, for these chapters."""
    return dict(
        db.session.execute(
            select(Membership.chapter_id, func.count(Membership.id))
            .where(
                Membership.status == MembershipStatus.ACTIVE, Membership.chapter_id.in_(chapter_ids)
            )
            .group_by(Membership.chapter_id)
        ).all()
    )
