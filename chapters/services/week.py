"""The signed-in home ("my week"): each of my chapters at a glance and the visions awaiting me.

A fixed number of statements whatever the number of chapters or members: one GROUP BY for
every chapter's roster health, one for the visions. Features to the right add their blocks
through chapters.panels.add_week_panel.
"""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, select

from accounts.models import User, UserKind
from chapters.models import (
    PARTICIPANT_ROLES,
    Membership,
    MembershipStatus,
    Role,
    VisionResponse,
    VisionStatus,
    VisionVersion,
)
from chapters.permissions import can_comment_vision, can_manage_roster, counts_for_vision
from chapters.services.roster import HealthCheck, health_from_counts
from core.extensions import db


@dataclass
class ChapterGlance:
    """One of my chapters: my membership, its roster health and where its vision stands."""

    m: Membership
    health: list[HealthCheck] = field(default_factory=list)
    vision_adopted: bool = False
    proposal_number: int | None = None
    # The open proposal waits for my response (I may respond and have not yet).
    awaiting_me: bool = False
    # My response counts toward adoption (else I may comment).
    my_response_counts: bool = False
    # I may act on the roster's health advice (change roles, invite).
    can_fix_roster: bool = False

    @property
    def chapter(self):
        return self.m.chapter

    @property
    def checks_met(self) -> int:
        return sum(1 for c in self.health if c.met)

    @property
    def unmet(self) -> list[HealthCheck]:
        return [c for c in self.health if not c.met]


def _health_by_chapter(chapter_ids: list[int]) -> dict[int, list[HealthCheck]]:
    """The roster checks of every chapter, from one GROUP BY over their active rosters."""
    rows = db.session.execute(
        select(
            Membership.chapter_id,
            Membership.role,
            User.kind,
            User.profession,
            func.count(Membership.id),
        )
        .join(Membership.user)
        .where(Membership.chapter_id.in_(chapter_ids), Membership.status == MembershipStatus.ACTIVE)
        .group_by(Membership.chapter_id, Membership.role, User.kind, User.profession)
    ).all()
    leaders: dict[int, int] = dict.fromkeys(chapter_ids, 0)
    advisors: dict[int, int] = dict.fromkeys(chapter_ids, 0)
    professions: dict[int, set[str]] = {cid: set() for cid in chapter_ids}
    for chapter_id, role, kind, profession, n in rows:
        if role == Role.LEADER and kind == UserKind.STUDENT:
            leaders[chapter_id] += n
        if role == Role.ADVISOR:
            advisors[chapter_id] += n
        if role in PARTICIPANT_ROLES:
            professions[chapter_id].add(profession)
    return {
        cid: health_from_counts(leaders[cid], professions[cid], advisors[cid])
        for cid in chapter_ids
    }


def my_chapter_glances(user: User, memberships: list[Membership]) -> list[ChapterGlance]:
    """Each chapter of these memberships at a glance, in their order."""
    if not memberships:
        return []
    ids = [m.chapter_id for m in memberships]
    health = _health_by_chapter(ids)
    glances = {
        m.chapter_id: ChapterGlance(
            m,
            health[m.chapter_id],
            my_response_counts=counts_for_vision(m),
            can_fix_roster=can_manage_roster(user, m),
        )
        for m in memberships
    }
    # The adopted and open versions of every chapter, with whether I responded to each.
    versions = db.session.execute(
        select(
            VisionVersion.chapter_id,
            VisionVersion.status,
            VisionVersion.number,
            VisionResponse.id.is_not(None),
        )
        .outerjoin(
            VisionResponse,
            and_(
                VisionResponse.vision_id == VisionVersion.id,
                VisionResponse.user_id == user.id,
            ),
        )
        .where(
            VisionVersion.chapter_id.in_(ids),
            VisionVersion.status.in_((VisionStatus.ADOPTED, VisionStatus.PROPOSED)),
        )
    ).all()
    for chapter_id, status, number, responded in versions:
        glance = glances[chapter_id]
        if status == VisionStatus.ADOPTED:
            glance.vision_adopted = True
        else:
            glance.proposal_number = number
            may_respond = can_comment_vision(user, glance.m, glance.chapter)
            glance.awaiting_me = may_respond and not responded
    return list(glances.values())
