"""Test data builders: each makes a valid object with sensible defaults and commits it."""

import hashlib
import itertools
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from accounts.models import User, UserKind
from chapters.models import Chapter, Invitation, Membership, Role, VisionGoal, VisionVersion
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
        kind = kind or (UserKind.FACULTY if role == Role.ADVISOR else UserKind.STUDENT)
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
    commit: bool = True,
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
    if commit:
        db.session.commit()
    return inv, raw


def make_vision(
    chapter: Chapter,
    proposed_by: User,
    *,
    statement: str = "Every patient in our county can reach primary care.",
    goals: tuple[str, ...] = ("Map the gaps in access.",),
    status: str = "proposed",
    commit: bool = True,
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
    if commit:
        db.session.commit()
    return vision


# --- campaigns (appended for the campaigns test modules) ------------------------------------

from datetime import date as _date  # noqa: E402

from campaigns.models import (  # noqa: E402
    Action,
    ActionSignup,
    Campaign,
    Milestone,
    RotationPoolMember,
    Unavailability,
)
from campaigns.outcome_models import EvidenceFile, Outcome  # noqa: E402


def make_campaign(
    chapter: Chapter,
    *,
    title: str | None = None,
    status: str = "draft",
    created_by: User | None = None,
    goal: VisionGoal | None = None,
    start_date: _date | None = None,
    end_date: _date | None = None,
    commit: bool = True,
) -> Campaign:
    """A campaign in the chapter running from today for sixty days unless told otherwise."""
    n = next(_seq)
    start = start_date or utcnow().date()
    author = created_by or make_user(commit=False)
    if author.id is None:
        db.session.flush()
    campaign = Campaign(
        chapter=chapter,
        title=title or f"Campaign {n}",
        objective=f"Objective {n}",
        goal=goal,
        start_date=start,
        end_date=end_date or start + timedelta(days=60),
        status=status,
        created_by_id=author.id,
    )
    db.session.add(campaign)
    if commit:
        db.session.commit()
    return campaign


def make_action(
    campaign: Campaign,
    *,
    title: str | None = None,
    starts_at=None,
    minutes: int = 60,
    kind: str = "meeting",
    lead: User | None = None,
    status: str = "planned",
    capacity: int | None = None,
    location: str = "",
    commit: bool = True,
) -> Action:
    """An action a week from now (to the minute) unless told otherwise; no lead unless given."""
    begins = starts_at or (utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)
    action = Action(
        campaign=campaign,
        title=title or f"Action {next(_seq)}",
        kind=kind,
        starts_at=begins,
        ends_at=begins + timedelta(minutes=minutes),
        lead=lead,
        status=status,
        capacity=capacity,
        location=location,
    )
    db.session.add(action)
    if commit:
        db.session.commit()
    return action


def make_milestone(
    campaign: Campaign,
    *,
    title: str | None = None,
    due_date: _date | None = None,
    status: str = "open",
    criteria: str = "",
    commit: bool = True,
) -> Milestone:
    milestone = Milestone(
        campaign=campaign,
        title=title or f"Milestone {next(_seq)}",
        criteria=criteria,
        due_date=due_date or campaign.start_date + timedelta(days=14),
        status=status,
    )
    db.session.add(milestone)
    if commit:
        db.session.commit()
    return milestone


def add_to_pool(campaign: Campaign, *users: User, commit: bool = True) -> None:
    """Put people in the campaign's rotation pool (they must be members of its chapter)."""
    for user in users:
        db.session.add(RotationPoolMember(campaign_id=campaign.id, user_id=user.id))
    if commit:
        db.session.commit()


def make_signup(action: Action, user: User, *, commit: bool = True) -> ActionSignup:
    signup = ActionSignup(action=action, user=user)
    db.session.add(signup)
    if commit:
        db.session.commit()
    return signup


def make_unavailability(
    user: User, start: _date, end: _date | None = None, *, reason: str = "Exams"
) -> Unavailability:
    row = Unavailability(user_id=user.id, start_date=start, end_date=end or start, reason=reason)
    db.session.add(row)
    db.session.commit()
    return row


def make_outcome(
    action: Action, *, by: User | None = None, commit: bool = True, **fields
) -> Outcome:
    """The action's outcome, logged by `by` (default: its lead); the action is moved into
    the past and marked done first."""
    if action.ends_at > utcnow():
        action.starts_at = utcnow() - timedelta(hours=3)
        action.ends_at = utcnow() - timedelta(hours=2)
    action.status = "done"
    author = by or action.lead
    assert author is not None, "give `by` for an action without a lead"
    outcome = Outcome(
        action=action, chapter_id=action.campaign.chapter_id, created_by_id=author.id, **fields
    )
    db.session.add(outcome)
    if commit:
        db.session.commit()
    return outcome


def make_evidence_file(
    outcome: Outcome, data: bytes, *, mime_type: str, by: User, commit: bool = True
) -> EvidenceFile:
    """A stored file, as if uploaded (no inspection: give it real bytes of that type)."""
    f = EvidenceFile(
        outcome=outcome,
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        mime_type=mime_type,
        name=f"evidence-{outcome.action_id}-{next(_seq)}.{mime_type.split('/')[1]}",
        uploaded_by_id=by.id,
    )
    db.session.add(f)
    if commit:
        db.session.commit()
    return f
