"""Who leads an action: the rotation's suggestion, assigning, handing off and swapping."""

from dataclasses import dataclass

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.models import (
    Action,
    ActionStatus,
    LeadAssignment,
    LeadMethod,
    SwapRequest,
    SwapStatus,
)
from campaigns.rotation import Candidate, Suggestion, rank, suggest_next_lead
from campaigns.services.campaigns import require_open_campaign
from campaigns.services.pool import (
    PoolPerson,
    chapter_participant,
    lead_stats,
    pool_people,
    unavailable_in_pool,
    year_start_utc,
)
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.events import publish
from core.extensions import db
from core.timefmt import local


class ConflictError(PolicyError):
    """Someone else changed the object first; the message says what it is now."""


SWAP_LAPSED = "The lead of this action changed; the swap no longer applies."

# --- the rotation's suggestion --------------------------------------------------------------


def _previous_lead_profession(action: Action) -> str | None:
    return db.session.scalar(
        select(User.profession)
        .join(Action, Action.lead_id == User.id)
        .where(
            Action.campaign_id == action.campaign_id,
            Action.id != action.id,
            Action.starts_at <= action.starts_at,
            Action.status != ActionStatus.CANCELLED,
        )
        .order_by(Action.starts_at.desc())
        .limit(1)
    )


CANDIDATES_SHOWN = 10


@dataclass
class RotationView:
    suggestion: Suggestion | None
    suggested: PoolPerson | None
    # The fairest CANDIDATES_SHOWN of the pool, in the rule's order; pool_size counts all.
    candidates: list[tuple[PoolPerson, Candidate]]
    pool_size: int
    previous_profession: str | None


def rotation_for(action: Action) -> RotationView:
    """The rotation's suggestion for leading this action, over the whole pool."""
    campaign = action.campaign
    chapter = campaign.chapter
    pool = {p.user_id: p for p in pool_people(campaign.id)}
    stats = lead_stats(chapter.id, year_start_utc(chapter))
    day = local(action.starts_at, chapter.timezone).date()
    away = unavailable_in_pool(campaign.id, day)
    candidates = []
    for p in pool.values():
        n, last, open_ = stats.get(p.user_id, (0, None, 0))
        candidates.append(Candidate(p.user_id, p.profession, n, last, open_, p.user_id in away))
    previous = _previous_lead_profession(action)
    suggestion = suggest_next_lead(
        [c for c in candidates if c.user_id != action.lead_id],
        previous,
        current_app.config["ROTATION_OPEN_LEAD_CAP"],
    )
    shown = rank(candidates, previous)[:CANDIDATES_SHOWN]
    return RotationView(
        suggestion,
        pool[suggestion.user_id] if suggestion else None,
        [(pool[c.user_id], c) for c in shown],
        len(pool),
        previous,
    )


# --- changing the lead ----------------------------------------------------------------------


def _set_lead(
    action: Action,
    user_id: int | None,
    actor: User,
    method: str,
    reason: str | None,
    suggested: int | None = None,
) -> None:
    """Every lead change goes through here: recorded, and any open swap of the old lead lapses."""
    cancel_open_swaps(action, actor, "lead changed")
    previous = action.lead_id
    action.lead_id = user_id
    if method != LeadMethod.HANDOFF:
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
    publish(
        "lead.changed",
        action=action,
        previous_id=previous,
        lead_id=user_id,
        method=method,
        note=reason,
        actor=actor,
    )


def _check_version(action: Action, expected_version: int) -> None:
    if action.version != expected_version:
        who = action.lead.display_name if action.lead else "nobody"
        raise ConflictError(
            f"Someone changed this action while you were deciding. Its lead is now {who}; "
            "check and try again."
        )


def lead_conflict_message(action_id: int) -> str:
    """What to tell someone whose lead change lost a race, read after the rollback."""
    current = db.session.get(Action, action_id)
    who = current.lead.display_name if current and current.lead else "nobody"
    return (
        f"Someone changed this action at the same time. Its lead is now {who}; nothing of yours "
        "was saved. Check and try again."
    )


def assign_lead(
    action: Action, user_id: int, actor: User, reason: str | None, expected_version: int
) -> str:
    """Assign the lead. Taking the rotation's suggestion needs no reason; anyone else does."""
    require_open_campaign(action.campaign)
    if action.version != expected_version and action.lead_id == user_id and action.lead:
        # The same form sent twice (a double click, a resubmitted page): refused as stale.
        raise ConflictError(
            f"{action.lead.display_name} already leads this action: the form was sent twice, "
            "or someone chose them meanwhile. Nothing more was changed."
        )
    _check_version(action, expected_version)
    if action.status != ActionStatus.PLANNED:
        raise PolicyError("Only a planned action can get a new lead.")
    if user_id == action.lead_id:
        raise PolicyError("That person already leads this action.")
    if chapter_participant(action.campaign.chapter_id, user_id) is None:
        raise PolicyError("The lead must be an active member of the chapter.")
    view = rotation_for(action)
    suggested = view.suggestion.user_id if view.suggestion else None
    reason = (reason or "").strip() or None
    if user_id == suggested:
        method = LeadMethod.SUGGESTED
    else:
        if not reason:
            raise PolicyError(
                "Picking someone other than the suggested lead needs a reason; it is recorded."
            )
        method = LeadMethod.OVERRIDE
    _set_lead(action, user_id, actor, method, reason, suggested)
    return method


def hand_off(
    action: Action, to_user_id: int, note: str, actor: User, expected_version: int
) -> None:
    """The lead passes the action to a pool member, with a note for them."""
    require_open_campaign(action.campaign)
    _check_version(action, expected_version)
    if action.status != ActionStatus.PLANNED:
        raise PolicyError("Only a planned action can be handed off.")
    if action.lead_id != actor.id:
        raise PolicyError("Only the action's lead can hand it off.")
    if not note.strip():
        raise PolicyError("Write a note for the next lead: what is done and what is left.")
    if (
        to_user_id not in {p.user_id for p in pool_people(action.campaign_id)}
        or to_user_id == actor.id
    ):
        raise PolicyError("Hand off to another member of the campaign's rotation pool.")
    _set_lead(action, to_user_id, actor, LeadMethod.HANDOFF, note.strip())
    action.handoff_note = note.strip()


LEAD_HISTORY_SHOWN = 10
LEAD_HISTORY_PER_PAGE = 50


def _lead_changes(action_id: int) -> Select:
    return (
        select(LeadAssignment)
        .where(LeadAssignment.action_id == action_id)
        .options(joinedload(LeadAssignment.user), joinedload(LeadAssignment.assigned_by))
        .order_by(LeadAssignment.created_at.desc(), LeadAssignment.id.desc())
    )


def lead_history(action_id: int) -> tuple[list[LeadAssignment], bool]:
    """The action's last LEAD_HISTORY_SHOWN lead changes, newest first, and whether there
    are earlier ones (read with one row more than shown)."""
    rows = list(db.session.scalars(_lead_changes(action_id).limit(LEAD_HISTORY_SHOWN + 1)))
    return rows[:LEAD_HISTORY_SHOWN], len(rows) > LEAD_HISTORY_SHOWN


def lead_history_page(action_id: int, page: int) -> Pagination:
    """Every lead change of the action, newest first, one page at a time."""
    return db.paginate(
        _lead_changes(action_id), page=page, per_page=LEAD_HISTORY_PER_PAGE, error_out=False
    )


# --- swaps ----------------------------------------------------------------------------------


def open_swap(action_id: int) -> SwapRequest | None:
    """The action's open swap request (there is at most one)."""
    return db.session.scalar(
        select(SwapRequest).where(
            SwapRequest.action_id == action_id, SwapRequest.status == SwapStatus.OPEN
        )
    )


def cancel_open_swaps(action: Action, actor: User, why: str) -> None:
    """An open swap asks for the current lead's place; it lapses when that place changes."""
    for swap in db.session.scalars(
        select(SwapRequest).where(
            SwapRequest.action_id == action.id, SwapRequest.status == SwapStatus.OPEN
        )
    ):
        swap.status, swap.resolved_at = SwapStatus.CANCELLED, utcnow()
        record_event(
            "swap.cancelled",
            actor=actor,
            obj=swap,
            chapter_id=action.campaign.chapter_id,
            after={"reason": why},
        )


def ask_swap(action: Action, actor: User, note: str) -> SwapRequest:
    require_open_campaign(action.campaign)
    if action.lead_id != actor.id:
        raise PolicyError("Only the action's lead can ask for a swap.")
    if action.status != ActionStatus.PLANNED:
        raise PolicyError("Only a planned action can be swapped.")
    if open_swap(action.id) is not None:
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
    publish("swap.asked", swap=swap, actor=actor)
    return swap


def accept_swap(swap: SwapRequest, actor: User) -> None:
    """Take over the action. A refusal changes nothing: a lapsed swap was cancelled already."""
    require_open_campaign(swap.action.campaign)
    action = swap.action
    lead_moved = action.lead_id != swap.from_user_id
    if swap.status != SwapStatus.OPEN:
        if swap.status == SwapStatus.CANCELLED and lead_moved:
            raise ConflictError(SWAP_LAPSED)
        raise PolicyError("This swap is no longer open.")
    if lead_moved:  # only a swap asked before lead changes cancelled open swaps
        raise ConflictError(SWAP_LAPSED)
    if actor.id == swap.from_user_id:
        raise PolicyError("You cannot accept your own swap.")
    if actor.id not in {p.user_id for p in pool_people(action.campaign_id)}:
        raise PolicyError("Join the campaign's rotation pool to take over an action.")
    swap.status, swap.resolved_at, swap.accepted_by_id = SwapStatus.ACCEPTED, utcnow(), actor.id
    _set_lead(action, actor.id, actor, LeadMethod.SWAP, swap.note or None)


def cancel_swap(swap: SwapRequest, actor: User) -> None:
    require_open_campaign(swap.action.campaign)
    if swap.status != SwapStatus.OPEN:
        raise PolicyError("This swap is no longer open.")
    swap.status, swap.resolved_at = SwapStatus.CANCELLED, utcnow()
    record_event(
        "swap.cancelled", actor=actor, obj=swap, chapter_id=swap.action.campaign.chapter_id
    )
