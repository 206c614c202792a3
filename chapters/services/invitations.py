"""Invitations: single-use, expiring links that add a person to a chapter with a role."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from accounts.models import User, UserKind, normalize_email
from accounts.services import create_user, get_user_by_email
from chapters.models import Chapter, ChapterStatus, Invitation, InvitationState, Membership, Role
from chapters.services.roster import join_chapter, membership_of
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.events import publish
from core.extensions import db
from core.http import external_url
from core.locking import lock_row
from core.mail import queue_email
from core.ratelimit import limiter
from core.tokens import hash_token, new_token


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
            .options(joinedload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc())
        )
    )


def invite(chapter: Chapter, email: str, role: str, actor: User) -> Invitation:
    email = normalize_email(email)
    if chapter.status == ChapterStatus.ARCHIVED:
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
    if (
        inv.state(utcnow()) != InvitationState.PENDING
        or inv.chapter.status == ChapterStatus.ARCHIVED
    ):
        raise PolicyError("This invitation can no longer be used.")
    if normalize_email(user.email) != inv.email:
        raise PolicyError(f"This invitation is for {inv.email}, not for {user.email}.")
    role = inv.role
    if (role == Role.ADVISOR and user.kind != UserKind.FACULTY) or (
        role == Role.LEADER and user.kind != UserKind.STUDENT
    ):
        role = Role.MEMBER  # the role does not fit the person; keep them in the chapter anyway
    inv.accepted_at = utcnow()
    inv.accepted_by_id = user.id
    m = join_chapter(inv.chapter, user, role, user, via=f"invitation {inv.id}")
    record_event(
        "invitation.accepted",
        actor=user,
        obj=inv,
        chapter_id=inv.chapter_id,
        after={"user_id": user.id, "role": role},
    )
    publish("invitation.accepted", invitation=inv, membership=m, user=user)
    return m


def create_account_from_invitation(
    inv: Invitation, display_name: str, profession: str, kind: str, password: str
) -> User:
    user = create_user(inv.email, display_name, password, profession, kind)
    accept_invitation(inv, user)
    return user
