"""Test data builders: each makes a valid object with sensible defaults and commits it."""

import itertools
from functools import lru_cache

from werkzeug.security import generate_password_hash

from accounts.models import User
from chapters.models import Chapter, Membership
from core.extensions import db

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
