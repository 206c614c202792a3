"""Logging what an action achieved, and the rule that locked work stays as it is."""

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from campaigns.models import Action, ActionStatus, CampaignStatus
from campaigns.outcome_models import (
    OUTCOME_COUNTS,
    CustomMetric,
    EvidenceFile,
    EvidenceLink,
    Outcome,
    OutcomeDomain,
)
from campaigns.services.campaigns import field_values, require_open_campaign
from campaigns.services.signoff import outcome_locked
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.locking import lock_row, take_write_lock

LOCKED_MESSAGE = (
    "This outcome is part of an approved milestone and is locked; "
    "a correction is made as an addendum to the milestone."
)
# What an approval covered of the action behind a locked outcome: what it was, when and
# where, and whether it happened. The description (notes) and the places (sign-up has
# closed once the action is over) stay editable: they change nothing the approval says.
ACTION_FROZEN_FIELDS = ("kind", "title", "starts_at", "ends_at", "location")
ACTION_LOCKED_MESSAGE = (
    "This action's outcome is part of an approved milestone, so its kind, title, times, "
    "location and status are locked (its description and places can still change); "
    "a correction is made as an addendum to the milestone. Nothing was saved."
)
NOT_OVER_MESSAGE = "An outcome can be logged once the action is done or its end has passed."
ARCHIVED_MESSAGE = "This campaign is archived; its outcomes can no longer change."
OUTCOME_FIELDS = (*OUTCOME_COUNTS, "narrative", "reflection")


def outcome_is_locked(outcome: Outcome) -> bool:
    """True while the outcome evidences an approved milestone: an approved submission
    that links the outcome locks it, reopening the milestone unlocks it."""
    return outcome.id is not None and outcome_locked(outcome.id)


def ensure_outcome_editable(outcome: Outcome) -> None:
    """Refuse any change to a locked outcome: its fields, links, metrics and files.

    The outcome's row is locked first, until commit: an approval locks the rows of the
    outcomes it covers too (signoff.decide), so it lands wholly before this check (which
    then refuses) or after the change has committed (and covers it); never in between.
    """
    if outcome.id is not None:
        lock_row(outcome)
    if outcome_is_locked(outcome):
        raise PolicyError(LOCKED_MESSAGE)


def ensure_action_editable(action: Action) -> None:
    """Refuse a change to what an approval covered of the action behind a locked outcome.

    The outcome's row is locked first (as ensure_outcome_editable does), so an approval
    under way lands wholly before the check or after the change.
    """
    take_write_lock()
    outcome_id = db.session.scalar(
        select(Outcome.id).where(Outcome.action_id == action.id).with_for_update()
    )
    if outcome_id is not None and outcome_locked(outcome_id):
        raise PolicyError(ACTION_LOCKED_MESSAGE)


def action_is_over(action: Action) -> bool:
    """An outcome is logged for an action that is done, or whose end has passed."""
    if action.status == ActionStatus.CANCELLED:
        return False
    return action.status == ActionStatus.DONE or action.ends_at <= utcnow()


def why_outcome_cannot_change(
    action: Action, outcome: Outcome | None, locked: bool | None = None
) -> str | None:
    """Why the action's outcome cannot be logged or changed now (None: it can), for the
    pages to offer only what will be accepted; the services enforce the same rules.
    `locked`: outcome_is_locked's answer when the caller already asked (one query less)."""
    if action.campaign.status == CampaignStatus.ARCHIVED:
        return ARCHIVED_MESSAGE
    if locked is None:
        locked = outcome is not None and outcome_is_locked(outcome)
    if locked:
        return LOCKED_MESSAGE
    if not action_is_over(action):
        return NOT_OVER_MESSAGE
    return None


def outcome_for_action(action_id: int) -> Outcome | None:
    """The action's outcome with everything its page shows (not the files' bytes)."""
    return db.session.scalar(
        select(Outcome)
        .where(Outcome.action_id == action_id)
        .options(
            selectinload(Outcome.domains),
            selectinload(Outcome.metrics),
            selectinload(Outcome.links),
            selectinload(Outcome.files).joinedload(EvidenceFile.uploaded_by),
            joinedload(Outcome.created_by),
        )
    )


def _snapshot(outcome: Outcome) -> dict:
    """Everything an edit can change, for the audit event's before and after."""
    return field_values(outcome, OUTCOME_FIELDS) | {
        "domains": sorted(outcome.domain_keys),
        # Normalised: "300" as typed and "300.00" as stored are the same value.
        "metrics": [
            [m.name, format(Decimal(m.value).normalize(), "f"), m.unit] for m in outcome.metrics
        ],
        "links": [link.url for link in outcome.links],
    }


def save_outcome(action: Action, outcome: Outcome | None, data: dict, actor: User) -> Outcome:
    """Log the action's outcome, or change it while it is not locked.

    `data` holds the counts, narrative and reflection, `domains` (keys), `metrics`
    ((name, value, unit) tuples) and `links` (URLs), all already validated by the form.
    """
    require_open_campaign(action.campaign)
    if not action_is_over(action):
        raise PolicyError(NOT_OVER_MESSAGE)
    if outcome is None:
        if db.session.scalar(select(Outcome.id).where(Outcome.action_id == action.id)):
            raise PolicyError("Someone logged this action's outcome meanwhile; edit it instead.")
        before = None
        outcome = Outcome(
            action=action, chapter_id=action.campaign.chapter_id, created_by_id=actor.id
        )
        db.session.add(outcome)
    else:
        ensure_outcome_editable(outcome)
        before = _snapshot(outcome)
    for f in OUTCOME_FIELDS:
        setattr(outcome, f, data[f])
    outcome.domains = [OutcomeDomain(domain=key) for key in dict.fromkeys(data["domains"])]
    outcome.metrics = [
        CustomMetric(position=i, name=name, value=Decimal(value), unit=unit)
        for i, (name, value, unit) in enumerate(data["metrics"])
    ]
    outcome.links = [EvidenceLink(position=i, url=url) for i, url in enumerate(data["links"])]
    # The version moves even when only the related rows changed, so a stale form is caught.
    outcome.updated_at = utcnow()
    db.session.flush()
    after = _snapshot(outcome)
    if after != before:
        record_event(
            "outcome.logged" if before is None else "outcome.edited",
            actor=actor,
            obj=outcome,
            chapter_id=outcome.chapter_id,
            before=before,
            after=after,
        )
    return outcome


def campaign_outcome_totals(campaign_id: int) -> dict[str, int]:
    """The standard counts summed over the campaign's logged outcomes, in one statement."""
    row = db.session.execute(
        select(
            func.count(Outcome.id),
            *(func.coalesce(func.sum(getattr(Outcome, name)), 0) for name in OUTCOME_COUNTS),
        )
        .join(Action, Action.id == Outcome.action_id)
        .where(Action.campaign_id == campaign_id)
    ).one()
    return {"outcomes": row[0]} | dict(zip(OUTCOME_COUNTS, row[1:], strict=True))


def evidence_file_count(outcome_id: int) -> int:
    return db.session.scalar(
        select(func.count(EvidenceFile.id)).where(EvidenceFile.outcome_id == outcome_id)
    )
