"""Playbooks: the built-in plans, and completed campaigns that chapters share as plans."""

from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from campaigns.models import (
    ActionKind,
    ActionStatus,
    Campaign,
    CampaignStatus,
    Playbook,
    PlaybookStep,
)
from campaigns.playbook_library import BUILT_IN, BUILT_IN_BY_SLUG, PlaybookPlan, Step
from chapters.models import Chapter, ChapterStatus, Membership, MembershipStatus, Role
from core.audit import record_event
from core.errors import PolicyError
from core.extensions import db
from core.timefmt import local


def all_playbooks() -> list[PlaybookPlan]:
    published = db.session.scalars(
        select(Playbook)
        .options(selectinload(Playbook.steps), joinedload(Playbook.source_chapter))
        .order_by(Playbook.published_at.desc())
    ).all()
    return list(BUILT_IN) + [_plan_of(p) for p in published]


def _plan_of(p: Playbook) -> PlaybookPlan:
    steps = tuple(
        Step(
            s.title,
            s.day_offset,
            s.detail,
            milestone=s.is_milestone,
            kind=s.action_kind or ActionKind.OTHER,
            at=None if s.start_minute is None else time(s.start_minute // 60, s.start_minute % 60),
            minutes=s.duration_minutes or 60,
        )
        for s in p.steps
    )
    return PlaybookPlan(
        p.slug, p.title, p.summary, steps, source=f"Shared by {p.source_chapter.name}"
    )


def find_playbook(slug: str) -> PlaybookPlan | None:
    if slug in BUILT_IN_BY_SLUG:
        return BUILT_IN_BY_SLUG[slug]
    p = db.session.scalar(
        select(Playbook)
        .where(Playbook.slug == slug)
        .options(selectinload(Playbook.steps), joinedload(Playbook.source_chapter))
    )
    return _plan_of(p) if p else None


def playbook_title(slug: str | None) -> str | None:
    """The title of the playbook a campaign started from (built-in ones need no query);
    None when there is none or it is gone."""
    if not slug:
        return None
    if slug in BUILT_IN_BY_SLUG:
        return BUILT_IN_BY_SLUG[slug].title
    return db.session.scalar(select(Playbook.title).where(Playbook.slug == slug))


def published_playbook_slug(campaign_id: int) -> str | None:
    """The playbook the campaign was published as, if it was."""
    return db.session.scalar(
        select(Playbook.slug).where(Playbook.source_campaign_id == campaign_id)
    )


def chapters_to_plan_in(user: User) -> list[Chapter]:
    """The open chapters where the person is a leader, so may start a campaign from a plan."""
    return list(
        db.session.scalars(
            select(Chapter)
            .join(Membership)
            .where(
                Membership.user_id == user.id,
                Membership.status == MembershipStatus.ACTIVE,
                Membership.role == Role.LEADER,
                Chapter.status != ChapterStatus.ARCHIVED,
            )
            .order_by(Chapter.name)
        )
    )


def publish_playbook(campaign: Campaign, summary: str, actor: User) -> Playbook:
    """Share a completed campaign's plan (never its people or outcomes) with every chapter."""
    if campaign.status != CampaignStatus.COMPLETED:
        raise PolicyError("Only a completed campaign can be published as a playbook.")
    if published_playbook_slug(campaign.id) is not None:
        raise PolicyError("This campaign is already published as a playbook.")
    tz = campaign.chapter.timezone
    pb = Playbook(
        slug=f"{campaign.chapter.slug}-{campaign.id}",
        title=campaign.title,
        summary=summary.strip() or campaign.objective,
        source_chapter_id=campaign.chapter_id,
        source_campaign_id=campaign.id,
        published_by_id=actor.id,
    )
    position = 0
    for m in campaign.milestones:
        position += 1
        pb.steps.append(
            PlaybookStep(
                position=position,
                is_milestone=True,
                title=m.title,
                detail=m.criteria,
                day_offset=(m.due_date - campaign.start_date).days,
            )
        )
    for a in campaign.actions:
        if a.status == ActionStatus.CANCELLED:
            continue
        position += 1
        start = local(a.starts_at, tz)
        pb.steps.append(
            PlaybookStep(
                position=position,
                is_milestone=False,
                title=a.title,
                detail=a.description,
                action_kind=a.kind,
                day_offset=(start.date() - campaign.start_date).days,
                start_minute=start.hour * 60 + start.minute,
                duration_minutes=max(1, int((a.ends_at - a.starts_at).total_seconds() // 60)),
            )
        )
    pb.duration_days = max((s.day_offset for s in pb.steps), default=0)
    db.session.add(pb)
    db.session.flush()
    record_event(
        "playbook.published",
        actor=actor,
        obj=pb,
        chapter_id=campaign.chapter_id,
        after={"slug": pb.slug, "campaign_id": campaign.id},
    )
    return pb
