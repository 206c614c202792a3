"""Campaign operations: plans, actions, sign-ups, rotation and leads. They flush; views commit."""

import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from hashlib import sha256
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from accounts.models import User
from campaigns.fairness import gini, profession_shares, share_who_led
from campaigns.models import (
    CAMPAIGN_TRANSITIONS,
    Action,
    ActionSignup,
    Campaign,
    LeadAssignment,
    Milestone,
    Playbook,
    PlaybookStep,
    RotationPoolMember,
    SwapRequest,
    Unavailability,
)
from campaigns.playbook_library import (
    BUILT_IN,
    BUILT_IN_BY_SLUG,
    PlaybookPlan,
    Step,
    lay_out,
)
from campaigns.rotation import Candidate, Suggestion, suggest_next_lead
from chapters.models import Chapter, Membership
from chapters.services import participants
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.locking import lock_row


class ConflictError(PolicyError):
    """Someone else changed the object first; the message says what it is now."""


CAMPAIGN_FIELDS = (
    "title",
    "issue",
    "target_community",
    "decision_maker",
    "objective",
    "goal_id",
    "start_date",
    "end_date",
)
ACTION_FIELDS = ("kind", "title", "starts_at", "ends_at", "location", "description", "capacity")


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


# --- time helpers ---------------------------------------------------------------------------


def to_utc(day: date, at: time, tzname: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(tzname)).astimezone(UTC)


def local_time_exists(day: date, at: time, tzname: str) -> bool:
    """False for a wall-clock time skipped when clocks go forward (e.g. 02:30 that night)."""
    back = to_utc(day, at, tzname).astimezone(ZoneInfo(tzname))
    return (back.date(), back.time().replace(tzinfo=None)) == (day, at)


def require_open_campaign(campaign: Campaign) -> None:
    """An archived campaign is a read-only record."""
    if campaign.status == "archived":
        raise PolicyError("This campaign is archived; its plan can no longer change.")


def local(dt: datetime, tzname: str) -> datetime:
    return dt.astimezone(ZoneInfo(tzname))


def academic_year_start(today: date, start_month: int) -> date:
    year = today.year if today.month >= start_month else today.year - 1
    return date(year, start_month, 1)


# --- campaigns ------------------------------------------------------------------------------


def create_campaign(
    chapter: Chapter, data: dict, actor: User, plan: PlaybookPlan | None = None
) -> Campaign:
    campaign = Campaign(
        chapter=chapter,
        created_by_id=actor.id,
        status="draft",
        playbook_slug=plan.slug if plan else None,
        **{f: data[f] for f in CAMPAIGN_FIELDS},
    )
    if campaign.end_date < campaign.start_date:
        raise PolicyError("The campaign cannot end before it starts.")
    db.session.add(campaign)
    db.session.flush()
    if plan is not None:
        milestones, actions = lay_out(plan, campaign.start_date, chapter.timezone)
        for pm in milestones:
            db.session.add(
                Milestone(
                    campaign=campaign, title=pm.title, criteria=pm.criteria, due_date=pm.due_date
                )
            )
        for pa in actions:
            db.session.add(
                Action(
                    campaign=campaign,
                    title=pa.title,
                    kind=pa.kind,
                    description=pa.description,
                    starts_at=pa.starts_at,
                    ends_at=pa.ends_at,
                )
            )
        latest = max(
            [m.due_date for m in milestones]
            + [local(a.starts_at, chapter.timezone).date() for a in actions],
            default=campaign.end_date,
        )
        campaign.end_date = max(campaign.end_date, latest)
        db.session.flush()
    record_event(
        "campaign.created",
        actor=actor,
        obj=campaign,
        chapter_id=chapter.id,
        after={**_snapshot(campaign, CAMPAIGN_FIELDS), "playbook": plan.slug if plan else None},
    )
    return campaign


def update_campaign(campaign: Campaign, data: dict, actor: User) -> None:
    require_open_campaign(campaign)
    if data["end_date"] < data["start_date"]:
        raise PolicyError("The campaign cannot end before it starts.")
    before = _snapshot(campaign, CAMPAIGN_FIELDS)
    for f in CAMPAIGN_FIELDS:
        setattr(campaign, f, data[f])
    after = _snapshot(campaign, CAMPAIGN_FIELDS)
    if before != after:
        record_event(
            "campaign.updated",
            actor=actor,
            obj=campaign,
            chapter_id=campaign.chapter_id,
            before=before,
            after=after,
        )


def change_campaign_status(campaign: Campaign, status: str, actor: User) -> None:
    if status not in CAMPAIGN_TRANSITIONS.get(campaign.status, ()):
        label = campaign.status_label.lower()
        article = "An" if label[:1] in "aeiou" else "A"
        raise PolicyError(f"{article} {label} campaign cannot become {status}.")
    if status == "active" and campaign.goal_id is None:
        raise PolicyError(
            "Link the campaign's objective to a goal of the adopted vision before activating it."
        )
    before = campaign.status
    campaign.status = status
    record_event(
        f"campaign.{status}",
        actor=actor,
        obj=campaign,
        chapter_id=campaign.chapter_id,
        before={"status": before},
        after={"status": status},
    )


def campaign_progress(campaign_id: int) -> dict:
    """Counts for the progress bar, in two GROUP BY queries."""
    actions = dict(
        db.session.execute(
            select(Action.status, func.count(Action.id))
            .where(Action.campaign_id == campaign_id)
            .group_by(Action.status)
        ).all()
    )
    milestones = dict(
        db.session.execute(
            select(Milestone.status, func.count(Milestone.id))
            .where(Milestone.campaign_id == campaign_id)
            .group_by(Milestone.status)
        ).all()
    )
    return {
        "actions_done": actions.get("done", 0),
        "actions_total": actions.get("done", 0) + actions.get("planned", 0),
        "milestones_approved": milestones.get("approved", 0),
        "milestones_total": sum(milestones.values()),
    }


# --- playbooks ------------------------------------------------------------------------------


def all_playbooks() -> list[PlaybookPlan]:
    published = db.session.scalars(
        select(Playbook)
        .options(selectinload(Playbook.steps), selectinload(Playbook.source_chapter))
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
            kind=s.action_kind or "other",
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
        .options(selectinload(Playbook.steps), selectinload(Playbook.source_chapter))
    )
    return _plan_of(p) if p else None


def publish_playbook(campaign: Campaign, summary: str, actor: User) -> Playbook:
    """Share a completed campaign's plan (never its people or outcomes) with every chapter."""
    if campaign.status != "completed":
        raise PolicyError("Only a completed campaign can be published as a playbook.")
    if db.session.scalar(select(Playbook.id).where(Playbook.source_campaign_id == campaign.id)):
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
        if a.status == "cancelled":
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


# --- milestones and actions -----------------------------------------------------------------


def save_milestone(campaign: Campaign, milestone: Milestone | None, data: dict, actor: User):
    require_open_campaign(campaign)
    before = None if milestone is None else _snapshot(milestone, ("title", "criteria", "due_date"))
    if milestone is None:
        milestone = Milestone(campaign=campaign)
        db.session.add(milestone)
    elif milestone.status in ("submitted", "approved"):
        raise PolicyError("A milestone that is submitted or signed off cannot be edited here.")
    milestone.title, milestone.criteria, milestone.due_date = (
        data["title"],
        data["criteria"],
        data["due_date"],
    )
    db.session.flush()
    record_event(
        "milestone.saved",
        actor=actor,
        obj=milestone,
        chapter_id=campaign.chapter_id,
        before=before,
        after=_snapshot(milestone, ("title", "criteria", "due_date")),
    )
    return milestone


def save_action(campaign: Campaign, action: Action | None, data: dict, actor: User) -> Action:
    require_open_campaign(campaign)
    if data["ends_at"] <= data["starts_at"]:
        raise PolicyError("The action must end after it starts.")
    before = None if action is None else _snapshot(action, ACTION_FIELDS)
    if action is None:
        action = Action(campaign=campaign)
        db.session.add(action)
    for f in ACTION_FIELDS:
        setattr(action, f, data[f])
    db.session.flush()
    record_event(
        "action.saved",
        actor=actor,
        obj=action,
        chapter_id=campaign.chapter_id,
        before=before,
        after=_snapshot(action, ACTION_FIELDS),
    )
    return action


def change_action_status(action: Action, status: str, actor: User) -> None:
    require_open_campaign(action.campaign)
    if action.status != "planned" or status not in ("done", "cancelled"):
        raise PolicyError("Only a planned action can be marked done or cancelled.")
    if status == "done" and action.starts_at > utcnow():
        raise PolicyError("An action can be marked done once it has started.")
    action.status = status
    # An open swap request no longer applies to an action that is over.
    for swap in db.session.scalars(
        select(SwapRequest).where(SwapRequest.action_id == action.id, SwapRequest.status == "open")
    ):
        swap.status, swap.resolved_at = "cancelled", utcnow()
    record_event(
        f"action.{status}",
        actor=actor,
        obj=action,
        chapter_id=action.campaign.chapter_id,
        before={"status": "planned"},
        after={"status": status},
    )


def sign_up(action: Action, user: User) -> None:
    require_open_campaign(action.campaign)
    if action.status != "planned" or action.starts_at <= utcnow():
        raise PolicyError("Sign-up is closed: this action has already started or is not planned.")
    # Lock the action (PostgreSQL) so two people cannot both take its last place.
    lock_row(action)
    taken = db.session.scalars(
        select(ActionSignup.user_id).where(ActionSignup.action_id == action.id)
    ).all()
    if user.id in taken:
        raise PolicyError("You are already signed up.")
    if action.capacity is not None and len(taken) >= action.capacity:
        places = "place" if action.capacity == 1 else "places"
        raise PolicyError(f"This action is full ({action.capacity} {places}).")
    action.signups.append(ActionSignup(user_id=user.id))
    db.session.flush()
    record_event("action.signed_up", actor=user, obj=action, chapter_id=action.campaign.chapter_id)


def withdraw_signup(action: Action, user: User) -> None:
    signup = next((s for s in action.signups if s.user_id == user.id), None)
    if signup is None:
        raise PolicyError("You are not signed up for this action.")
    if action.starts_at <= utcnow():
        raise PolicyError("This action has already started.")
    action.signups.remove(signup)
    db.session.flush()
    record_event("action.withdrawn", actor=user, obj=action, chapter_id=action.campaign.chapter_id)


# --- rotation pool --------------------------------------------------------------------------


def pool_members(campaign_id: int) -> list[RotationPoolMember]:
    """The pool: people who opted in and are still active members of the chapter."""
    return list(
        db.session.scalars(
            select(RotationPoolMember)
            .join(Campaign, Campaign.id == RotationPoolMember.campaign_id)
            .join(
                Membership,
                and_(
                    Membership.user_id == RotationPoolMember.user_id,
                    Membership.chapter_id == Campaign.chapter_id,
                ),
            )
            .join(User, User.id == RotationPoolMember.user_id)
            .where(
                RotationPoolMember.campaign_id == campaign_id,
                Membership.status == "active",
                Membership.role.in_(("member", "leader")),
            )
            .options(selectinload(RotationPoolMember.user))
            .order_by(User.display_name)
        )
    )


def join_pool(campaign: Campaign, user: User, actor: User) -> None:
    require_open_campaign(campaign)
    exists = db.session.scalar(
        select(RotationPoolMember.id).where(
            RotationPoolMember.campaign_id == campaign.id, RotationPoolMember.user_id == user.id
        )
    )
    if exists:
        raise PolicyError(f"{user.display_name} is already in the rotation pool.")
    db.session.add(RotationPoolMember(campaign_id=campaign.id, user_id=user.id))
    db.session.flush()
    record_event(
        "pool.joined",
        actor=actor,
        obj=campaign,
        chapter_id=campaign.chapter_id,
        after={"user_id": user.id},
    )


def leave_pool(campaign: Campaign, user: User, actor: User) -> None:
    row = db.session.scalar(
        select(RotationPoolMember).where(
            RotationPoolMember.campaign_id == campaign.id, RotationPoolMember.user_id == user.id
        )
    )
    if row is None:
        raise PolicyError(f"{user.display_name} is not in the rotation pool.")
    db.session.delete(row)
    db.session.flush()
    record_event(
        "pool.left",
        actor=actor,
        obj=campaign,
        chapter_id=campaign.chapter_id,
        after={"user_id": user.id},
    )


# --- suggesting and assigning leads ---------------------------------------------------------


def _lead_stats(
    chapter_id: int, year_start: datetime
) -> dict[int, tuple[int, datetime | None, int]]:
    """Per person in the chapter: (leads this academic year, last lead's start, open leads)."""
    counted = Action.status != "cancelled"
    rows = db.session.execute(
        select(
            Action.lead_id,
            func.count(Action.id).filter(counted, Action.starts_at >= year_start),
            func.max(Action.starts_at).filter(counted),
            func.count(Action.id).filter(Action.status == "planned"),
        )
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(Campaign.chapter_id == chapter_id, Action.lead_id.is_not(None))
        .group_by(Action.lead_id)
    ).all()
    return {lead: (n, last, open_) for lead, n, last, open_ in rows}


def _year_start_utc(chapter: Chapter) -> datetime:
    today = local(utcnow(), chapter.timezone).date()
    start = academic_year_start(today, current_app.config["ACADEMIC_YEAR_START_MONTH"])
    return to_utc(start, time(0, 0), chapter.timezone)


def _unavailable_on(user_ids: list[int], day: date) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(Unavailability.user_id).where(
                Unavailability.user_id.in_(user_ids),
                Unavailability.start_date <= day,
                Unavailability.end_date >= day,
            )
        )
    )


def _previous_lead_profession(action: Action) -> str | None:
    return db.session.scalar(
        select(User.profession)
        .join(Action, Action.lead_id == User.id)
        .where(
            Action.campaign_id == action.campaign_id,
            Action.id != action.id,
            Action.starts_at <= action.starts_at,
            Action.status != "cancelled",
        )
        .order_by(Action.starts_at.desc())
        .limit(1)
    )


@dataclass
class RotationView:
    suggestion: Suggestion | None
    candidates: list[tuple[User, Candidate]]
    previous_profession: str | None


def rotation_for(action: Action) -> RotationView:
    """The pool's candidates for leading this action, and the suggested one."""
    campaign = action.campaign
    chapter = campaign.chapter
    pool = pool_members(campaign.id)
    stats = _lead_stats(chapter.id, _year_start_utc(chapter))
    day = local(action.starts_at, chapter.timezone).date()
    away = _unavailable_on([p.user_id for p in pool], day)
    candidates = []
    for p in pool:
        n, last, open_ = stats.get(p.user_id, (0, None, 0))
        candidates.append(
            (p.user, Candidate(p.user_id, p.user.profession, n, last, open_, p.user_id in away))
        )
    previous = _previous_lead_profession(action)
    suggestion = suggest_next_lead(
        [c for _u, c in candidates if c.user_id != action.lead_id],
        previous,
        current_app.config["ROTATION_OPEN_LEAD_CAP"],
    )
    return RotationView(suggestion, candidates, previous)


def _set_lead(
    action: Action,
    user_id: int | None,
    actor: User,
    method: str,
    reason: str | None,
    suggested: int | None = None,
) -> None:
    previous = action.lead_id
    action.lead_id = user_id
    if method != "handoff":
        action.handoff_note = None
    db.session.add(
        LeadAssignment(
            action_id=action.id,
            user_id=user_id,
            previous_user_id=previous,
            assigned_by_id=actor.id,
            method=method,
            reason=reason,
            suggested_user_id=suggested,
        )
    )
    db.session.flush()  # the version column makes a concurrent change fail here
    record_event(
        "action.lead_changed",
        actor=actor,
        obj=action,
        chapter_id=action.campaign.chapter_id,
        before={"lead_id": previous},
        after={"lead_id": user_id, "method": method, "reason": reason},
    )


def _check_version(action: Action, expected_version: int) -> None:
    if action.version != expected_version:
        who = action.lead.display_name if action.lead else "nobody"
        raise ConflictError(
            f"Someone changed this action while you were deciding. Its lead is now {who}; "
            "check and try again."
        )


def assign_lead(
    action: Action, user_id: int, actor: User, reason: str | None, expected_version: int
) -> str:
    """Assign the lead. Taking the rotation's suggestion needs no reason; anyone else does."""
    require_open_campaign(action.campaign)
    _check_version(action, expected_version)
    if action.status != "planned":
        raise PolicyError("Only a planned action can get a new lead.")
    if user_id == action.lead_id:
        raise PolicyError("That person already leads this action.")
    chapter_id = action.campaign.chapter_id
    m = db.session.scalar(
        select(Membership).where(
            Membership.chapter_id == chapter_id,
            Membership.user_id == user_id,
            Membership.status == "active",
            Membership.role.in_(("member", "leader")),
        )
    )
    if m is None:
        raise PolicyError("The lead must be an active member of the chapter.")
    view = rotation_for(action)
    suggested = view.suggestion.user_id if view.suggestion else None
    reason = (reason or "").strip() or None
    if user_id == suggested:
        method = "suggested"
    else:
        if not reason:
            raise PolicyError(
                "Picking someone other than the suggested lead needs a reason; it is recorded."
            )
        method = "override"
    _set_lead(action, user_id, actor, method, reason, suggested)
    return method


def hand_off(
    action: Action, to_user_id: int, note: str, actor: User, expected_version: int
) -> None:
    """The lead passes the action to a pool member, with a note for them."""
    require_open_campaign(action.campaign)
    _check_version(action, expected_version)
    if action.status != "planned":
        raise PolicyError("Only a planned action can be handed off.")
    if action.lead_id != actor.id:
        raise PolicyError("Only the action's lead can hand it off.")
    if not note.strip():
        raise PolicyError("Write a note for the next lead: what is done and what is left.")
    if (
        to_user_id not in {p.user_id for p in pool_members(action.campaign_id)}
        or to_user_id == actor.id
    ):
        raise PolicyError("Hand off to another member of the campaign's rotation pool.")
    _set_lead(action, to_user_id, actor, "handoff", note.strip())
    action.handoff_note = note.strip()


def ask_swap(action: Action, actor: User, note: str) -> SwapRequest:
    require_open_campaign(action.campaign)
    if action.lead_id != actor.id:
        raise PolicyError("Only the action's lead can ask for a swap.")
    if action.status != "planned":
        raise PolicyError("Only a planned action can be swapped.")
    if db.session.scalar(
        select(SwapRequest.id).where(
            SwapRequest.action_id == action.id, SwapRequest.status == "open"
        )
    ):
        raise PolicyError("A swap is already asked for this action.")
    swap = SwapRequest(action_id=action.id, from_user_id=actor.id, note=note.strip())
    db.session.add(swap)
    db.session.flush()
    record_event(
        "swap.asked",
        actor=actor,
        obj=swap,
        chapter_id=action.campaign.chapter_id,
        after={"action_id": action.id},
    )
    return swap


def accept_swap(swap: SwapRequest, actor: User) -> None:
    require_open_campaign(swap.action.campaign)
    action = swap.action
    if swap.status != "open":
        raise PolicyError("This swap is no longer open.")
    if action.lead_id != swap.from_user_id:
        swap.status, swap.resolved_at = "cancelled", utcnow()
        raise ConflictError("The lead of this action changed; the swap no longer applies.")
    if actor.id == swap.from_user_id:
        raise PolicyError("You cannot accept your own swap.")
    if actor.id not in {p.user_id for p in pool_members(action.campaign_id)}:
        raise PolicyError("Join the campaign's rotation pool to take over an action.")
    swap.status, swap.resolved_at, swap.accepted_by_id = "accepted", utcnow(), actor.id
    _set_lead(action, actor.id, actor, "swap", swap.note or None)


def cancel_swap(swap: SwapRequest, actor: User) -> None:
    if swap.status != "open":
        raise PolicyError("This swap is no longer open.")
    swap.status, swap.resolved_at = "cancelled", utcnow()
    record_event(
        "swap.cancelled", actor=actor, obj=swap, chapter_id=swap.action.campaign.chapter_id
    )


# --- fairness and workload ------------------------------------------------------------------


@dataclass
class MemberLeads:
    user: User
    leads_this_year: int
    open_leads: int
    history: list[Action]


def chapter_fairness(chapter: Chapter) -> dict:
    roster = participants(chapter.id)
    year_start = _year_start_utc(chapter)
    stats = _lead_stats(chapter.id, year_start)
    led = list(
        db.session.scalars(
            select(Action)
            .join(Campaign)
            .where(
                Campaign.chapter_id == chapter.id,
                Action.lead_id.is_not(None),
                Action.status != "cancelled",
            )
            .options(selectinload(Action.campaign))
            .order_by(Action.starts_at.desc())
        )
    )
    by_lead: dict[int, list[Action]] = {}
    for a in led:
        by_lead.setdefault(a.lead_id, []).append(a)
    members = sorted(
        (
            MemberLeads(
                m.user,
                stats.get(m.user_id, (0, None, 0))[0],
                stats.get(m.user_id, (0, None, 0))[2],
                by_lead.get(m.user_id, []),
            )
            for m in roster
        ),
        key=lambda x: (-x.leads_this_year, x.user.display_name),
    )
    counts = {x.user.id: x.leads_this_year for x in members}
    return {
        "members": members,
        "share_who_led": share_who_led(list(counts.values())),
        "gini": gini(list(counts.values())),
        "professions": profession_shares(counts, {m.user_id: m.user.profession for m in roster}),
        "year_start": year_start,
    }


# --- unavailability -------------------------------------------------------------------------


def add_unavailability(user: User, start: date, end: date, reason: str) -> Unavailability:
    if end < start:
        raise PolicyError("The last unavailable day cannot be before the first.")
    if (end - start).days > 366:
        raise PolicyError("Mark at most a year at a time.")
    row = Unavailability(user_id=user.id, start_date=start, end_date=end, reason=reason.strip())
    db.session.add(row)
    db.session.flush()
    return row


# --- calendar feed tokens -------------------------------------------------------------------


# A feed URL carries ids and generation counters, signed with the app's secret. Bumping a
# generation (the person's, or the chapter's for everyone) kills the old URLs.
_MAX_ID = 2**31 - 1


def _sign_feed(kind: str, numbers: tuple[int, ...]) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    body = "-".join(str(n) for n in numbers)
    mac = hmac.new(key, f"calendar:{kind}:{body}".encode(), sha256).hexdigest()
    return f"{body}-{mac[:32]}"


def read_feed_token(kind: str, token: str, count: int) -> tuple[int, ...] | None:
    """The signed numbers of a well-formed, untampered token; None otherwise."""
    parts = token.split("-")
    if len(parts) != count + 1 or not all(p.isdigit() and len(p) <= 10 for p in parts[:-1]):
        return None
    numbers = tuple(int(p) for p in parts[:-1])
    if any(n > _MAX_ID for n in numbers):
        return None
    return numbers if hmac.compare_digest(_sign_feed(kind, numbers), token) else None


def person_feed_token(user: User) -> str:
    """The person's own feed: their leads and sign-ups."""
    return _sign_feed("user", (user.id, user.calendar_generation))


def chapter_feed_token(chapter: Chapter, user: User) -> str:
    """The chapter feed, as one person's address: it stops working when they leave."""
    return _sign_feed(
        "chapter", (chapter.id, user.id, chapter.calendar_generation, user.calendar_generation)
    )


def chapter_feed_reader(token: str) -> tuple[Chapter, User] | None:
    """The chapter and person a chapter-feed token is for, if it is current and they may read."""
    numbers = read_feed_token("chapter", token, 4)
    if numbers is None:
        return None
    chapter_id, user_id, chapter_generation, user_generation = numbers
    chapter, user = db.session.get(Chapter, chapter_id), db.session.get(User, user_id)
    if chapter is None or user is None or not user.active:
        return None
    if (chapter.calendar_generation, user.calendar_generation) != (
        chapter_generation,
        user_generation,
    ):
        return None
    member = db.session.scalar(
        select(Membership.id).where(
            Membership.chapter_id == chapter.id,
            Membership.user_id == user.id,
            Membership.status == "active",
        )
    )
    return (chapter, user) if member or user.is_staff else None


def person_feed_reader(token: str) -> User | None:
    numbers = read_feed_token("user", token, 2)
    if numbers is None:
        return None
    user = db.session.get(User, numbers[0])
    if user is None or not user.active or user.calendar_generation != numbers[1]:
        return None
    return user


# --- chapter home ---------------------------------------------------------------------------


def chapter_home_panels(chapter: Chapter) -> dict:
    """Active campaigns, the next actions and milestones awaiting sign-off, for the chapter home."""
    now = utcnow()
    return {
        "active_campaigns": db.session.scalars(
            select(Campaign)
            .where(Campaign.chapter_id == chapter.id, Campaign.status == "active")
            .order_by(Campaign.end_date)
            .limit(10)
        ).all(),
        "upcoming_actions": db.session.scalars(
            select(Action)
            .join(Campaign)
            .where(
                Campaign.chapter_id == chapter.id,
                Action.status == "planned",
                Action.starts_at >= now,
            )
            .options(selectinload(Action.lead))
            .order_by(Action.starts_at)
            .limit(5)
        ).all(),
        "pending_signoffs": db.session.scalars(
            select(Milestone)
            .join(Campaign)
            .where(Campaign.chapter_id == chapter.id, Milestone.status == "submitted")
            .options(selectinload(Milestone.campaign))
            .order_by(Milestone.due_date)
            .limit(10)
        ).all(),
    }
