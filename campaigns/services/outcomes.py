"""Logging what an action achieved, and the rule that locked work stays as it is."""

from campaigns.outcome_models import Outcome
from campaigns.services.signoff import outcome_locked
from core.errors import PolicyError

LOCKED_MESSAGE = (
    "This outcome is part of an approved milestone and is locked; "
    "a correction is made as an addendum to the milestone."
)


def outcome_is_locked(outcome: Outcome) -> bool:
    """True while the outcome evidences an approved milestone: an approved submission
    that links the outcome locks it, reopening the milestone unlocks it."""
    return outcome.id is not None and outcome_locked(outcome.id)


def ensure_outcome_editable(outcome: Outcome) -> None:
    """Refuse any change to a locked outcome: its fields, links, metrics and files."""
    if outcome_is_locked(outcome):
        raise PolicyError(LOCKED_MESSAGE)
