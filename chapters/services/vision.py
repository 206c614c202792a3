"""The common vision: proposing a version, endorsing or objecting, adoption and history."""

from fractions import Fraction

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from accounts.models import User
from chapters.adoption import AdoptionRule, Tally, tally, tally_counts
from chapters.models import (
    Chapter,
    Membership,
    Stance,
    VisionGoal,
    VisionResponse,
    VisionStatus,
    VisionVersion,
)
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.events import publish
from core.extensions import db
from core.locking import lock_row


def adoption_rule() -> AdoptionRule:
    return AdoptionRule(
        share=Fraction(current_app.config["VISION_ADOPTION_SHARE"]),
        min_professions=current_app.config["VISION_MIN_PROFESSIONS"],
    )


def adopted_vision(chapter: Chapter) -> VisionVersion | None:
    return db.session.scalar(
        select(VisionVersion)
        .where(VisionVersion.chapter_id == chapter.id, VisionVersion.status == VisionStatus.ADOPTED)
        .options(selectinload(VisionVersion.goals))
    )


def open_proposal(chapter: Chapter) -> VisionVersion | None:
    return db.session.scalar(
        select(VisionVersion)
        .where(
            VisionVersion.chapter_id == chapter.id, VisionVersion.status == VisionStatus.PROPOSED
        )
        .options(
            selectinload(VisionVersion.goals),
            selectinload(VisionVersion.responses).joinedload(VisionResponse.user),
        )
    )


def current_visions(
    chapter: Chapter, with_responses: bool = True
) -> tuple[VisionVersion | None, VisionVersion | None]:
    """(the adopted vision, the open proposal), read together for the pages that show both;
    the responses come with them unless the page shows only the numbers (`proposal_tally`)."""
    options = [selectinload(VisionVersion.goals)]
    if with_responses:
        options.append(selectinload(VisionVersion.responses).joinedload(VisionResponse.user))
    versions = db.session.scalars(
        select(VisionVersion)
        .where(
            VisionVersion.chapter_id == chapter.id,
            VisionVersion.status.in_((VisionStatus.ADOPTED, VisionStatus.PROPOSED)),
        )
        .options(*options)
    ).all()
    by_status = {v.status: v for v in versions}
    return by_status.get(VisionStatus.ADOPTED), by_status.get(VisionStatus.PROPOSED)


def eligible_voters(chapter_id: int) -> list[Membership]:
    """Active student members and leaders: the people whose endorsement counts."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.chapter_id == chapter_id, Membership.counts_for_vision)
            .options(contains_eager(Membership.user))
            .order_by(User.display_name)
        )
    )


def vision_tally(vision: VisionVersion, voters: list[Membership] | None = None) -> Tally:
    voters = eligible_voters(vision.chapter_id) if voters is None else voters
    endorsers = {r.user_id for r in vision.responses if r.stance == Stance.ENDORSE}
    return tally({m.user_id: m.user.profession for m in voters}, endorsers, adoption_rule())


def proposal_tally(vision: VisionVersion) -> Tally:
    """`vision_tally` counted in SQL, one row per profession of the eligible voters: the
    cost stays the same whatever the roster's size."""
    endorsement = and_(
        VisionResponse.vision_id == vision.id,
        VisionResponse.user_id == Membership.user_id,
        VisionResponse.stance == Stance.ENDORSE,
    )
    rows = db.session.execute(
        select(User.profession, func.count(Membership.id), func.count(VisionResponse.id))
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .outerjoin(VisionResponse, endorsement)
        .where(Membership.chapter_id == vision.chapter_id, Membership.counts_for_vision)
        .group_by(User.profession)
    ).all()
    return tally_counts({p: (e, n) for p, e, n in rows}, adoption_rule())


def propose_vision(
    chapter: Chapter, author: User, statement: str, goals: list[str]
) -> VisionVersion:
    lock_row(chapter)  # one proposal (and one version number) at a time
    if open_proposal(chapter) is not None:
        raise PolicyError(
            "A proposal is already under discussion. Endorse or object to it, or ask its "
            "author or a leader to withdraw it before proposing another."
        )
    goals = [g.strip() for g in goals if g and g.strip()]
    if not 1 <= len(goals) <= 5:
        raise PolicyError("A vision has between one and five goals.")
    number = (
        db.session.scalar(
            select(func.max(VisionVersion.number)).where(VisionVersion.chapter_id == chapter.id)
        )
        or 0
    ) + 1
    vision = VisionVersion(
        chapter=chapter, number=number, statement=statement.strip(), proposed_by=author
    )
    vision.goals = [VisionGoal(position=i, text=g) for i, g in enumerate(goals, start=1)]
    db.session.add(vision)
    db.session.flush()
    record_event(
        "vision.proposed",
        actor=author,
        obj=vision,
        chapter_id=chapter.id,
        after={"number": number, "statement": vision.statement, "goals": goals},
    )
    publish("vision.proposed", vision=vision, actor=author)
    return vision


def respond_to_vision(
    vision: VisionVersion, user: User, stance: str, comment: str | None, counts: bool
) -> VisionResponse:
    """Record (or change) a person's stance. Those who do not count may only comment."""
    # Two endorsements at once must both be counted by whichever is saved second.
    lock_row(vision, "status", "responses")
    if vision.status != VisionStatus.PROPOSED:
        raise PolicyError("This version is no longer open for endorsement.")
    comment = (comment or "").strip() or None
    if not counts:
        stance = Stance.COMMENT
    if stance in (Stance.OBJECT, Stance.COMMENT) and not comment:
        raise PolicyError("Say what you would change: a comment is required.")
    response = next((r for r in vision.responses if r.user_id == user.id), None)
    before = None
    if response is None:
        response = VisionResponse(vision=vision, user=user, stance=stance, comment=comment)
        db.session.add(response)
    else:
        before = {"stance": response.stance, "comment": response.comment}
        response.stance, response.comment, response.updated_at = stance, comment, utcnow()
    db.session.flush()
    record_event(
        "vision.responded",
        actor=user,
        obj=vision,
        chapter_id=vision.chapter_id,
        before=before,
        after={"stance": stance, "comment": comment},
    )
    adopt_if_endorsed(vision, user)
    return response


def adopt_if_endorsed(vision: VisionVersion, actor: User) -> bool:
    if vision.status != VisionStatus.PROPOSED or not vision_tally(vision).adopted:
        return False
    now = utcnow()
    previous = adopted_vision(vision.chapter)
    if previous is not None:
        previous.status, previous.closed_at = VisionStatus.SUPERSEDED, now
        record_event(
            "vision.superseded",
            actor=actor,
            obj=previous,
            chapter_id=vision.chapter_id,
            after={"by": vision.number},
        )
    vision.status, vision.adopted_at = VisionStatus.ADOPTED, now
    record_event(
        "vision.adopted",
        actor=actor,
        obj=vision,
        chapter_id=vision.chapter_id,
        after={"number": vision.number},
    )
    publish("vision.adopted", vision=vision, actor=actor)
    return True


def withdraw_vision(vision: VisionVersion, actor: User) -> None:
    lock_row(vision, "status")
    if vision.status != VisionStatus.PROPOSED:
        raise PolicyError("Only a proposal under discussion can be withdrawn.")
    vision.status, vision.closed_at = VisionStatus.WITHDRAWN, utcnow()
    record_event("vision.withdrawn", actor=actor, obj=vision, chapter_id=vision.chapter_id)


VERSIONS_PER_PAGE = 5


def vision_history(chapter: Chapter, page: int = 1) -> Pagination:
    """Every version of the chapter's vision, newest first, a few (with their responses)
    at a time."""
    return db.paginate(
        select(VisionVersion)
        .where(VisionVersion.chapter_id == chapter.id)
        .options(
            selectinload(VisionVersion.goals),
            joinedload(VisionVersion.proposed_by),
            selectinload(VisionVersion.responses).selectinload(VisionResponse.user),
        )
        .order_by(VisionVersion.number.desc()),
        page=page,
        per_page=VERSIONS_PER_PAGE,
        error_out=False,
    )
