"""The roster: who is in a chapter with which role, role changes, leaving, and its health."""

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from accounts.models import User, UserKind
from chapters.models import PARTICIPANT_ROLES, Chapter, Membership, MembershipStatus, Role
from chapters.services.vision import adopt_if_endorsed, open_proposal
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.locking import lock_row


def membership_of(user, chapter: Chapter) -> Membership | None:
    """The user's active membership of the chapter, if any."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Membership).where(
            Membership.chapter_id == chapter.id,
            Membership.user_id == user.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


def _active_roster_query(chapter: Chapter):
    return (
        select(Membership)
        .join(Membership.user)
        .where(Membership.chapter_id == chapter.id, Membership.status == MembershipStatus.ACTIVE)
        .options(contains_eager(Membership.user))
        .order_by(Membership.role, User.display_name, Membership.id)
    )


def active_roster(chapter: Chapter) -> list[Membership]:
    return list(db.session.scalars(_active_roster_query(chapter)))


def roster_page(chapter: Chapter, page: int, per_page: int) -> Pagination:
    """One page of the active roster, in the order of `active_roster`."""
    return db.paginate(_active_roster_query(chapter), page=page, per_page=per_page, error_out=False)


def participants(chapter_id: int) -> list[Membership]:
    """Active members and leaders (not advisors), with their users: who takes part in actions."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.chapter_id == chapter_id, Membership.is_participant)
            .options(joinedload(Membership.user))
        )
    )


def participant_choices(chapter_id: int) -> list[tuple[int, str]]:
    """(user id, "Name (Profession)") for every participant, by name: a lead picker's options,
    read as plain rows."""
    rows = db.session.execute(
        select(User.id, User.display_name, User.profession)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.chapter_id == chapter_id, Membership.is_participant)
        .order_by(User.display_name, User.id)
    )
    return [(user_id, f"{name} ({profession})") for user_id, name, profession in rows]


@dataclass(frozen=True)
class HealthCheck:
    label: str
    met: bool
    detail: str
    todo: str


@dataclass(frozen=True)
class RosterSummary:
    """The whole active roster in numbers: people per role, student professions, health."""

    role_counts: dict[str, int]
    professions: list[str]
    health: list[HealthCheck]


def roster_summary(chapter: Chapter) -> RosterSummary:
    """Counted over the whole active roster in one GROUP BY (the page shows only numbers)."""
    rows = db.session.execute(
        select(Membership.role, User.kind, User.profession, func.count(Membership.id))
        .join(Membership.user)
        .where(Membership.chapter_id == chapter.id, Membership.status == MembershipStatus.ACTIVE)
        .group_by(Membership.role, User.kind, User.profession)
    ).all()
    role_counts: dict[str, int] = dict.fromkeys(Role, 0)
    for role, _, _, c in rows:
        role_counts[role] += c
    n = sum(c for role, kind, _, c in rows if role == Role.LEADER and kind == UserKind.STUDENT)
    professions = {p for role, _, p, _ in rows if role in PARTICIPANT_ROLES}
    advisors = role_counts[Role.ADVISOR]
    return RosterSummary(
        role_counts, sorted(professions), health_from_counts(n, professions, advisors)
    )


def roster_health(chapter: Chapter) -> list[HealthCheck]:
    """The three roster checks of DESIGN.md over the whole active roster."""
    return roster_summary(chapter).health


def health_from_counts(n: int, professions: set[str], advisors: int) -> list[HealthCheck]:
    """The checks, each with what to do when it is not met, from the roster's counts."""
    return [
        HealthCheck(
            "Leadership team of 3–8 students",
            3 <= n <= 8,
            f"{n} student leader{'s' if n != 1 else ''}",
            "Make more members leaders (from the roster), or invite students as leaders."
            if n < 3
            else "A large leadership team is hard to coordinate; consider fewer leaders.",
        ),
        HealthCheck(
            "At least two professions",
            len(professions) >= 2,
            f"{len(professions)} profession{'s' if len(professions) != 1 else ''}"
            + (f": {', '.join(sorted(professions))}" if professions else ""),
            "Invite students from another health profession to make the chapter interprofessional.",
        ),
        HealthCheck(
            "At least one faculty advisor",
            bool(advisors),
            f"{advisors} advisor{'s' if advisors != 1 else ''}",
            "Invite a faculty member as advisor; they sign off milestones.",
        ),
    ]


def _count_other_active(chapter_id: int, user_id: int, role: str | None = None) -> int:
    q = select(func.count(Membership.id)).where(
        Membership.chapter_id == chapter_id,
        Membership.status == MembershipStatus.ACTIVE,
        Membership.user_id != user_id,
    )
    if role:
        q = q.where(Membership.role == role)
    return db.session.scalar(q)


def _guard_last_leader(m: Membership, verb: str) -> None:
    """At least one leader must remain while the chapter has members."""
    if m.role != Role.LEADER or m.status != MembershipStatus.ACTIVE:
        return
    # Two leaders stepping down at once must not both see the other as the remaining one.
    lock_row(m.chapter)
    if _count_other_active(m.chapter_id, m.user_id, Role.LEADER) == 0 and _count_other_active(
        m.chapter_id, m.user_id
    ):
        who = m.user.display_name
        raise PolicyError(
            f"{who} is the chapter's last student leader and cannot {verb} while others "
            "remain. Make another member a leader first."
        )


def change_role(m: Membership, role: str, actor: User) -> None:
    if role == m.role:
        return
    if role == Role.ADVISOR and m.user.kind != UserKind.FACULTY:
        raise PolicyError("Only faculty or staff can be advisors.")
    if role == Role.LEADER and m.user.kind != UserKind.STUDENT:
        raise PolicyError("Student leaders are students; faculty take part as advisors.")
    _guard_last_leader(m, "stop being a leader")
    before = m.role
    m.role = role
    record_event(
        "membership.role_changed",
        actor=actor,
        obj=m,
        chapter_id=m.chapter_id,
        before={"role": before, "user_id": m.user_id},
        after={"role": role, "user_id": m.user_id},
    )


def end_membership(m: Membership, actor: User) -> None:
    """Remove a member or let one leave: the row stays, marked `left`, with its history."""
    if m.status != MembershipStatus.ACTIVE:
        raise PolicyError(f"{m.user.display_name} is no longer a member.")
    _guard_last_leader(m, "leave")
    m.status = MembershipStatus.LEFT
    m.left_at = utcnow()
    action = "membership.left" if actor.id == m.user_id else "membership.removed"
    record_event(
        action,
        actor=actor,
        obj=m,
        chapter_id=m.chapter_id,
        before={"status": MembershipStatus.ACTIVE, "role": m.role, "user_id": m.user_id},
        after={"status": MembershipStatus.LEFT},
    )
    db.session.flush()
    # One fewer eligible person can be what an open proposal was waiting for.
    proposal = open_proposal(m.chapter)
    if proposal is not None:
        adopt_if_endorsed(proposal, actor)


def join_chapter(chapter: Chapter, user: User, role: str, actor: User, via: str) -> Membership:
    m = db.session.scalar(
        select(Membership).where(Membership.chapter_id == chapter.id, Membership.user_id == user.id)
    )
    if m is None:
        m = Membership(chapter=chapter, user=user, role=role)
        db.session.add(m)
    elif m.status == MembershipStatus.ACTIVE:
        return m
    else:
        m.status, m.role, m.joined_at, m.left_at = MembershipStatus.ACTIVE, role, utcnow(), None
    db.session.flush()
    record_event(
        "membership.joined",
        actor=actor,
        obj=m,
        chapter_id=chapter.id,
        after={"role": role, "user_id": user.id, "via": via},
    )
    return m
