"""Test data builders: each makes a valid object with sensible defaults and commits it."""

import itertools
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from accounts.models import User
from chapters.models import Chapter, Invitation, Membership, VisionGoal, VisionVersion
from core.db import utcnow
from core.extensions import db
from core.tokens import new_token

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@lru_cache(maxsize=1)
def _default_hash() -> str:
    # scrypt is slow on purpose; hash the shared test password once per process.
    return generate_password_hash(PASSWORD)


def make_user(
    email: str | None = None,
    *,
    name: str | None = None,
    profession: str = "Medicine",
    kind: str = "student",
    password: str = PASSWORD,
    active: bool = True,
    national_staff: bool = False,
    admin: bool = False,
    commit: bool = True,
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.org",
        display_name=name or f"User {n}",
        profession=profession,
        kind=kind,
        active=active,
        is_national_staff=national_staff or admin,
        is_admin=admin,
    )
    if password == PASSWORD:
        user.password_hash = _default_hash()
    else:
        user.set_password(password)
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def make_chapter(
    name: str | None = None,
    *,
    slug: str | None = None,
    region: str = "Midwest",
    timezone: str = "America/Chicago",
    status: str = "active",
) -> Chapter:
    n = next(_seq)
    chapter = Chapter(
        name=name or f"Chapter {n}",
        slug=slug or f"chapter-{n}",
        institution=f"University {n}",
        region=region,
        timezone=timezone,
        status=status,
    )
    db.session.add(chapter)
    db.session.commit()
    return chapter


def make_member(
    chapter: Chapter,
    role: str = "member",
    *,
    user: User | None = None,
    profession: str = "Medicine",
    kind: str | None = None,
    name: str | None = None,
    commit: bool = True,
) -> Membership:
    """A person with an active membership; advisors are faculty unless told otherwise."""
    if user is None:
        kind = kind or ("faculty" if role == "advisor" else "student")
        user = make_user(name=name, profession=profession, kind=kind, commit=False)
    m = Membership(chapter=chapter, user=user, role=role, status="active")
    db.session.add(m)
    if commit:
        db.session.commit()
    return m


def make_invitation(
    chapter: Chapter,
    email: str | None = None,
    *,
    role: str = "member",
    invited_by: User | None = None,
    expires_in: timedelta = timedelta(days=14),
) -> tuple[Invitation, str]:
    """A pending invitation and the raw token its emailed link carries (only the hash is kept)."""
    raw, digest = new_token()
    now = utcnow()
    inv = Invitation(
        chapter=chapter,
        email=(email or f"invitee{next(_seq)}@example.org").lower(),
        role=role,
        invited_by=invited_by or make_user(national_staff=True, commit=False),
        token_hash=digest,
        created_at=now,
        sent_at=now,
        expires_at=now + expires_in,
    )
    db.session.add(inv)
    db.session.commit()
    return inv, raw


def make_vision(
    chapter: Chapter,
    proposed_by: User,
    *,
    statement: str = "Every patient in our county can reach primary care.",
    goals: tuple[str, ...] = ("Map the gaps in access.",),
    status: str = "proposed",
) -> VisionVersion:
    """A version of the chapter's vision (proposed unless told), numbered after the last one."""
    number = (
        db.session.scalar(
            select(func.max(VisionVersion.number)).where(VisionVersion.chapter_id == chapter.id)
        )
        or 0
    ) + 1
    vision = VisionVersion(
        chapter=chapter,
        number=number,
        statement=statement,
        status=status,
        proposed_by=proposed_by,
        adopted_at=utcnow() if status == "adopted" else None,
    )
    vision.goals = [VisionGoal(position=i, text=g) for i, g in enumerate(goals, start=1)]
    db.session.add(vision)
    db.session.commit()
    return vision
