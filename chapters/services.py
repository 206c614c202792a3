"""Chapter operations: roster changes, invitations and the vision. They flush; views commit."""

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from accounts.models import User, normalize_email
from accounts.services import create_user, get_user_by_email
from chapters.adoption import AdoptionRule, Tally, tally
from chapters.models import (
    Chapter,
    Invitation,
    Membership,
    VisionGoal,
    VisionResponse,
    VisionVersion,
)
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.http import external_url
from core.locking import lock_row
from core.mail import queue_email
from core.ratelimit import limiter
from core.tokens import hash_token, new_token

CHAPTER_FIELDS = ("name", "slug", "institution", "region", "timezone", "status")


# --- chapters -------------------------------------------------------------------------------


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
        archived_now = after["status"] == "archived" and before["status"] != "archived"
        action = "chapter.archived" if archived_now else "chapter.updated"
        record_event(
            action, actor=actor, obj=chapter, chapter_id=chapter.id, before=before, after=after
        )


def archive_chapter(chapter: Chapter, actor: User) -> None:
    """Archive the chapter: it stays readable and takes no new members."""
    update_chapter(chapter, {**_chapter_snapshot(chapter), "status": "archived"}, actor)


# --- roster ---------------------------------------------------------------------------------


def membership_of(user, chapter: Chapter) -> Membership | None:
    """The user's active membership of the chapter, if any."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Membership).where(
            Membership.chapter_id == chapter.id,
            Membership.user_id == user.id,
            Membership.status == "active",
        )
    )


def active_roster(chapter: Chapter) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.chapter_id == chapter.id, Membership.status == "active")
            .options(selectinload(Membership.user))
            .order_by(Membership.role, User.display_name)
        )
    )


def participants(chapter_id: int) -> list[Membership]:
    """Active members and leaders (not advisors), with their users: who takes part in actions."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.chapter_id == chapter_id, Membership.is_participant)
            .options(selectinload(Membership.user))
        )
    )


@dataclass(frozen=True)
class HealthCheck:
    label: str
    met: bool
    detail: str
    todo: str


def roster_health(roster: list[Membership]) -> list[HealthCheck]:
    """The three roster checks of DESIGN.md, each with what to do when it is not met."""
    student_leaders = [m for m in roster if m.role == "leader" and m.user.kind == "student"]
    professions = {m.user.profession for m in roster if m.is_participant}
    advisors = [m for m in roster if m.role == "advisor"]
    n = len(student_leaders)
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
            f"{len(advisors)} advisor{'s' if len(advisors) != 1 else ''}",
            "Invite a faculty member as advisor; they sign off milestones.",
        ),
    ]


def _count_other_active(chapter_id: int, user_id: int, role: str | None = None) -> int:
    q = select(func.count(Membership.id)).where(
        Membership.chapter_id == chapter_id,
        Membership.status == "active",
        Membership.user_id != user_id,
    )
    if role:
        q = q.where(Membership.role == role)
    return db.session.scalar(q)


def _guard_last_leader(m: Membership, verb: str) -> None:
    """At least one leader must remain while the chapter has members."""
    if m.role != "leader" or m.status != "active":
        return
    # Two leaders stepping down at once must not both see the other as the remaining one.
    lock_row(m.chapter)
    if _count_other_active(m.chapter_id, m.user_id, "leader") == 0 and _count_other_active(
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
    if role == "advisor" and m.user.kind != "faculty":
        raise PolicyError("Only faculty or staff can be advisors.")
    if role == "leader" and m.user.kind != "student":
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
    if m.status != "active":
        raise PolicyError(f"{m.user.display_name} is no longer a member.")
    _guard_last_leader(m, "leave")
    m.status = "left"
    m.left_at = utcnow()
    action = "membership.left" if actor.id == m.user_id else "membership.removed"
    record_event(
        action,
        actor=actor,
        obj=m,
        chapter_id=m.chapter_id,
        before={"status": "active", "role": m.role, "user_id": m.user_id},
        after={"status": "left"},
    )
    db.session.flush()
    # One fewer eligible person can be what an open proposal was waiting for.
    proposal = open_proposal(m.chapter)
    if proposal is not None:
        adopt_if_endorsed(proposal, actor)


def _join(chapter: Chapter, user: User, role: str, actor: User, via: str) -> Membership:
    m = db.session.scalar(
        select(Membership).where(Membership.chapter_id == chapter.id, Membership.user_id == user.id)
    )
    if m is None:
        m = Membership(chapter=chapter, user=user, role=role)
        db.session.add(m)
    elif m.status == "active":
        return m
    else:
        m.status, m.role, m.joined_at, m.left_at = "active", role, utcnow(), None
    db.session.flush()
    record_event(
        "membership.joined",
        actor=actor,
        obj=m,
        chapter_id=chapter.id,
        after={"role": role, "user_id": user.id, "via": via},
    )
    return m


# --- invitations ----------------------------------------------------------------------------


def _mail_invitation(inv: Invitation, raw: str, inviter: User) -> None:
    days = current_app.config["INVITATION_DAYS"]
    link = external_url("chapters.accept_invitation", token=raw)
    queue_email(
        inv.email,
        f"You are invited to {inv.chapter.name} on Relay",
        f"Hello,\n\n{inviter.display_name} invites you to join {inv.chapter.name} "
        f"({inv.chapter.institution}) on Relay as {inv.role_label.lower()}.\n\n"
        f"To accept, open this link within {days} days:\n\n{link}\n\n"
        "The link works once. If you did not expect this, you can ignore this message.\n",
    )


def _throttle_invites(actor: User) -> None:
    key, window = f"invite:{actor.id}", 3600
    rl = limiter()
    if rl.status(key, window).count >= current_app.config["INVITES_PER_HOUR"]:
        raise PolicyError(
            "You have sent many invitations in the last hour. Wait a while before sending more."
        )
    rl.hit(key, window)


def pending_invitations(chapter: Chapter) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.chapter_id == chapter.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .options(selectinload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc())
        )
    )


def invite(chapter: Chapter, email: str, role: str, actor: User) -> Invitation:
    email = normalize_email(email)
    if chapter.status == "archived":
        raise PolicyError("This chapter is archived; it takes no new members.")
    existing_user = get_user_by_email(email)
    if existing_user is not None and membership_of(existing_user, chapter) is not None:
        raise PolicyError(f"{email} is already a member of {chapter.name}.")
    now = utcnow()
    open_invite = db.session.scalar(
        select(Invitation).where(
            Invitation.chapter_id == chapter.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
    if open_invite is not None:
        raise PolicyError(
            f"{email} already has a pending invitation; resend it from the list below."
        )
    _throttle_invites(actor)
    raw, digest = new_token()
    inv = Invitation(
        chapter=chapter,
        email=email,
        role=role,
        invited_by=actor,
        token_hash=digest,
        created_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(inv)
    db.session.flush()
    record_event(
        "invitation.created",
        actor=actor,
        obj=inv,
        chapter_id=chapter.id,
        after={"email": email, "role": role},
    )
    _mail_invitation(inv, raw, actor)
    return inv


def resend_invitation(inv: Invitation, actor: User) -> None:
    """Send a fresh link (the old one stops working) with a new expiry."""
    if inv.accepted_at or inv.revoked_at:
        raise PolicyError("That invitation is no longer pending.")
    _throttle_invites(actor)
    raw, digest = new_token()
    now = utcnow()
    inv.token_hash = digest
    inv.sent_at = now
    inv.expires_at = now + timedelta(days=current_app.config["INVITATION_DAYS"])
    record_event(
        "invitation.resent",
        actor=actor,
        obj=inv,
        chapter_id=inv.chapter_id,
        after={"email": inv.email},
    )
    _mail_invitation(inv, raw, actor)


def revoke_invitation(inv: Invitation, actor: User) -> None:
    if inv.accepted_at or inv.revoked_at:
        raise PolicyError("That invitation is no longer pending.")
    inv.revoked_at = utcnow()
    record_event(
        "invitation.revoked",
        actor=actor,
        obj=inv,
        chapter_id=inv.chapter_id,
        after={"email": inv.email},
    )


def find_invitation(raw: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(raw)))


def accept_invitation(inv: Invitation, user: User) -> Membership:
    """Attach the invited role to this account (whose email must match the invitation)."""
    lock_row(inv, "accepted_at", "revoked_at", "expires_at")  # a double click joins once
    if inv.state(utcnow()) != "pending" or inv.chapter.status == "archived":
        raise PolicyError("This invitation can no longer be used.")
    if normalize_email(user.email) != inv.email:
        raise PolicyError(f"This invitation is for {inv.email}, not for {user.email}.")
    role = inv.role
    if (role == "advisor" and user.kind != "faculty") or (
        role == "leader" and user.kind != "student"
    ):
        role = "member"  # the role does not fit the person; keep them in the chapter anyway
    inv.accepted_at = utcnow()
    inv.accepted_by_id = user.id
    m = _join(inv.chapter, user, role, user, via=f"invitation {inv.id}")
    record_event(
        "invitation.accepted",
        actor=user,
        obj=inv,
        chapter_id=inv.chapter_id,
        after={"user_id": user.id, "role": role},
    )
    return m


def create_account_from_invitation(
    inv: Invitation, display_name: str, profession: str, kind: str, password: str
) -> User:
    user = create_user(inv.email, display_name, password, profession, kind)
    accept_invitation(inv, user)
    return user


# --- vision ---------------------------------------------------------------------------------


def adoption_rule() -> AdoptionRule:
    return AdoptionRule(
        share=Fraction(current_app.config["VISION_ADOPTION_SHARE"]),
        min_professions=current_app.config["VISION_MIN_PROFESSIONS"],
    )


def adopted_vision(chapter: Chapter) -> VisionVersion | None:
    return db.session.scalar(
        select(VisionVersion)
        .where(VisionVersion.chapter_id == chapter.id, VisionVersion.status == "adopted")
        .options(selectinload(VisionVersion.goals))
    )


def open_proposal(chapter: Chapter) -> VisionVersion | None:
    return db.session.scalar(
        select(VisionVersion)
        .where(VisionVersion.chapter_id == chapter.id, VisionVersion.status == "proposed")
        .options(
            selectinload(VisionVersion.goals),
            selectinload(VisionVersion.responses).selectinload(VisionResponse.user),
        )
    )


def eligible_voters(chapter_id: int) -> list[Membership]:
    """Active student members and leaders: the people whose endorsement counts."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(Membership.user)
            .where(Membership.chapter_id == chapter_id, Membership.counts_for_vision)
            .options(selectinload(Membership.user))
            .order_by(User.display_name)
        )
    )


def vision_tally(vision: VisionVersion, voters: list[Membership] | None = None) -> Tally:
    voters = eligible_voters(vision.chapter_id) if voters is None else voters
    endorsers = {r.user_id for r in vision.responses if r.stance == "endorse"}
    return tally({m.user_id: m.user.profession for m in voters}, endorsers, adoption_rule())


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
    return vision


def respond_to_vision(
    vision: VisionVersion, user: User, stance: str, comment: str | None, counts: bool
) -> VisionResponse:
    """Record (or change) a person's stance. Those who do not count may only comment."""
    # Two endorsements at once must both be counted by whichever is saved second.
    lock_row(vision, "status", "responses")
    if vision.status != "proposed":
        raise PolicyError("This version is no longer open for endorsement.")
    comment = (comment or "").strip() or None
    if not counts:
        stance = "comment"
    if stance in ("object", "comment") and not comment:
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
    if vision.status != "proposed" or not vision_tally(vision).adopted:
        return False
    now = utcnow()
    previous = adopted_vision(vision.chapter)
    if previous is not None:
        previous.status, previous.closed_at = "superseded", now
        record_event(
            "vision.superseded",
            actor=actor,
            obj=previous,
            chapter_id=vision.chapter_id,
            after={"by": vision.number},
        )
    vision.status, vision.adopted_at = "adopted", now
    record_event(
        "vision.adopted",
        actor=actor,
        obj=vision,
        chapter_id=vision.chapter_id,
        after={"number": vision.number},
    )
    return True


def withdraw_vision(vision: VisionVersion, actor: User) -> None:
    lock_row(vision, "status")
    if vision.status != "proposed":
        raise PolicyError("Only a proposal under discussion can be withdrawn.")
    vision.status, vision.closed_at = "withdrawn", utcnow()
    record_event("vision.withdrawn", actor=actor, obj=vision, chapter_id=vision.chapter_id)


def vision_history(chapter: Chapter) -> list[VisionVersion]:
    return list(
        db.session.scalars(
            select(VisionVersion)
            .where(VisionVersion.chapter_id == chapter.id)
            .options(
                selectinload(VisionVersion.goals),
                selectinload(VisionVersion.proposed_by),
                selectinload(VisionVersion.responses).selectinload(VisionResponse.user),
            )
            .order_by(VisionVersion.number.desc())
        )
    )
