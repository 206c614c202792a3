"""Actions of a campaign and who signed up for them."""

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.models import Action, ActionSignup, ActionStatus, Campaign
from campaigns.services.campaigns import field_values, require_open_campaign
from campaigns.services.leads import cancel_open_swaps
from campaigns.services.outcomes import ACTION_FROZEN_FIELDS, ensure_action_editable
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.events import publish
from core.extensions import db
from core.locking import lock_row

ACTION_FIELDS = ("kind", "title", "starts_at", "ends_at", "location", "description", "capacity")


def save_action(campaign: Campaign, action: Action | None, data: dict, actor: User) -> Action:
    require_open_campaign(campaign)
    if data["ends_at"] <= data["starts_at"]:
        raise PolicyError("The action must end after it starts.")
    before = None if action is None else field_values(action, ACTION_FIELDS)
    if action is not None and any(data[f] != getattr(action, f) for f in ACTION_FROZEN_FIELDS):
        ensure_action_editable(action)
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
        after=field_values(action, ACTION_FIELDS),
    )
    publish("action.saved", action=action, before=before, actor=actor)
    return action


def change_action_status(action: Action, status: ActionStatus, actor: User) -> None:
    require_open_campaign(action.campaign)
    if action.status != ActionStatus.PLANNED or status not in (
        ActionStatus.DONE,
        ActionStatus.CANCELLED,
    ):
        raise PolicyError("Only a planned action can be marked done or cancelled.")
    if status == ActionStatus.DONE and action.starts_at > utcnow():
        raise PolicyError("An action can be marked done once it has started.")
    ensure_action_editable(action)
    action.status = status
    # An open swap request no longer applies to an action that is over.
    cancel_open_swaps(action, actor, f"action {status}")
    record_event(
        f"action.{status}",
        actor=actor,
        obj=action,
        chapter_id=action.campaign.chapter_id,
        before={"status": ActionStatus.PLANNED},
        after={"status": status},
    )
    publish("action.status_changed", action=action, status=status, actor=actor)


def sign_up(action: Action, user: User) -> None:
    require_open_campaign(action.campaign)
    if action.status != ActionStatus.PLANNED or action.starts_at <= utcnow():
        raise PolicyError("Sign-up is closed: this action has already started or is not planned.")
    # Lock the action (PostgreSQL) so two people cannot both take its last place.
    lock_row(action)
    taken, mine = db.session.execute(
        select(
            func.count(ActionSignup.id),
            func.count(ActionSignup.id).filter(ActionSignup.user_id == user.id),
        ).where(ActionSignup.action_id == action.id)
    ).one()
    if mine:
        raise PolicyError("You are already signed up.")
    if action.capacity is not None and taken >= action.capacity:
        places = "place" if action.capacity == 1 else "places"
        raise PolicyError(f"This action is full ({action.capacity} {places}).")
    action.signups.append(ActionSignup(user_id=user.id))
    db.session.flush()
    record_event("action.signed_up", actor=user, obj=action, chapter_id=action.campaign.chapter_id)


def withdraw_signup(action: Action, user: User) -> None:
    require_open_campaign(action.campaign)
    signup = next((s for s in action.signups if s.user_id == user.id), None)
    if signup is None:
        raise PolicyError("You are not signed up for this action.")
    if action.starts_at <= utcnow():
        raise PolicyError("This action has already started.")
    action.signups.remove(signup)
    db.session.flush()
    record_event("action.withdrawn", actor=user, obj=action, chapter_id=action.campaign.chapter_id)


SIGNUPS_SHOWN = 50


@dataclass(frozen=True)
class Signups:
    """Who signed up for an action: the first few with their users, and counts over all."""

    shown: list[ActionSignup]
    total: int
    professions: list[str]
    signed_up: bool  # the viewer


SIGNUPS_PER_PAGE = 100


def action_signups_page(action_id: int, page: int) -> Pagination:
    """Everyone signed up for the action, first come first, one page at a time."""
    return db.paginate(
        select(ActionSignup)
        .where(ActionSignup.action_id == action_id)
        .options(joinedload(ActionSignup.user))
        .order_by(ActionSignup.created_at, ActionSignup.id),
        page=page,
        per_page=SIGNUPS_PER_PAGE,
        error_out=False,
    )


def action_signups(action_id: int, viewer_id: int | None) -> Signups:
    """The first SIGNUPS_SHOWN sign-ups, first come first; the total, the professions and
    whether the viewer signed up come from one GROUP BY over all of them."""
    shown = list(
        db.session.scalars(
            select(ActionSignup)
            .where(ActionSignup.action_id == action_id)
            .options(joinedload(ActionSignup.user))
            .order_by(ActionSignup.created_at, ActionSignup.id)
            .limit(SIGNUPS_SHOWN)
        )
    )
    by_profession = db.session.execute(
        select(
            User.profession,
            func.count(ActionSignup.id),
            func.count(ActionSignup.id).filter(ActionSignup.user_id == viewer_id),
        )
        .join(User, User.id == ActionSignup.user_id)
        .where(ActionSignup.action_id == action_id)
        .group_by(User.profession)
    ).all()
    return Signups(
        shown,
        total=sum(n for _, n, _ in by_profession),
        professions=sorted(p for p, _, _ in by_profession),
        signed_up=any(mine for _, _, mine in by_profession),
    )
