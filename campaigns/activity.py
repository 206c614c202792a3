"""How the activity log names campaigns, actions, milestones, outcomes and the rest, and
words their events (registered with core.activity when the blueprint is)."""

from collections.abc import Callable

from flask import Flask
from sqlalchemy import Select, String, cast, select

from campaigns.models import (
    Action,
    Campaign,
    LeadMethod,
    Milestone,
    Playbook,
    SwapRequest,
    Unavailability,
)
from campaigns.outcome_models import EvidenceFile, Outcome
from campaigns.signoff_models import AddendumFile, MilestoneSubmission
from core.activity import add_action_words, add_object_kind
from core.models import AuditEvent


def _titles(model) -> Callable[[set[int]], Select]:
    def names(ids: set[int]) -> Select:
        return select(model.id, model.title).where(model.id.in_(ids))

    return names


def _action_titles(model) -> Callable[[set[int]], Select]:
    """Things named after their action (an outcome, a swap)."""

    def names(ids: set[int]) -> Select:
        return (
            select(model.id, Action.title)
            .join(Action, Action.id == model.action_id)
            .where(model.id.in_(ids))
        )

    return names


def _evidence_names(ids: set[int]) -> Select:
    return select(EvidenceFile.id, EvidenceFile.name).where(EvidenceFile.id.in_(ids))


def _addendum_file_names(ids: set[int]) -> Select:
    """An addendum's file by its milestone: its stored name is server-made, not the author's."""
    return (
        select(AddendumFile.id, Milestone.title)
        .join(MilestoneSubmission, MilestoneSubmission.id == AddendumFile.submission_id)
        .join(Milestone, Milestone.id == MilestoneSubmission.milestone_id)
        .where(AddendumFile.id.in_(ids))
    )


def lead_change_words(event: AuditEvent | None) -> str:
    """A lead change in the words of how it happened (campaigns.services.leads._set_lead
    records the lead before and after, and the method). Who acted matters: the one taking
    over a swap is the new lead, the one handing off the old one."""
    if event is None:
        return "{actor} made {after.lead} the lead of {object}"
    before, after = event.before or {}, event.after or {}
    method, lead_id, previous_id = after.get("method"), after.get("lead_id"), before.get("lead_id")
    if lead_id is None:
        return "{actor} left {object} without a lead"
    if method == LeadMethod.SWAP:
        return "{actor} took over leading {object} from {before.lead}"
    if method == LeadMethod.HANDOFF:
        return "{actor} handed {object} over to {after.lead}"
    if lead_id == event.actor_id:
        words = "{actor} took the lead of {object}"
    else:
        words = "{actor} made {after.lead} the lead of {object}"
    if previous_id is not None:
        words += " in place of {before.lead}"
    if method == LeadMethod.SUGGESTED:
        words += ", as the rotation suggested"
    return words


def _unavailability_names(ids: set[int]) -> Select:
    return select(Unavailability.id, cast(Unavailability.start_date, String)).where(
        Unavailability.id.in_(ids)
    )


def register_activity(app: Flask) -> None:
    add_object_kind(app, "campaigns", "Campaign", _titles(Campaign))
    add_object_kind(app, "actions", "Action", _titles(Action))
    add_object_kind(app, "milestones", "Milestone", _titles(Milestone))
    add_object_kind(app, "outcomes", "Outcome", _action_titles(Outcome), "the outcome of {}")
    add_object_kind(app, "evidence_files", "Evidence file", _evidence_names)
    add_object_kind(app, "swap_requests", "Swap", _action_titles(SwapRequest), "a swap of {}")
    add_object_kind(
        app, "addendum_files", "Addendum file", _addendum_file_names, "an addendum to {}"
    )
    add_object_kind(app, "playbooks", "Playbook", _titles(Playbook))
    add_object_kind(
        app, "unavailabilities", "Unavailability", _unavailability_names, "the days from {}"
    )
    add_action_words(
        app,
        {
            "campaign.created": "{actor} started the campaign {object}",
            "campaign.updated": "{actor} edited the campaign {object}",
            "campaign.draft": "{actor} moved {object} back to draft",
            "campaign.active": "{actor} made {object} active",
            "campaign.completed": "{actor} marked {object} completed",
            "campaign.archived": "{actor} archived {object}",
            "action.saved": "{actor} saved the action {object}",
            "action.done": "{actor} marked {object} done",
            "action.cancelled": "{actor} cancelled {object}",
            "action.signed_up": "{actor} signed up for {object} at {chapter}",
            "action.withdrawn": "{actor} withdrew from {object}",
            "action.lead_changed": lead_change_words,
            "swap.asked": "{actor} asked the pool for {object}",
            "swap.cancelled": "{actor} cancelled {object}",
            "pool.joined": "{person} joined the rotation pool of {object}",
            "pool.left": "{person} left the rotation pool of {object}",
            "pool.filled": "{actor} added people to the rotation pool of {object}",
            "milestone.saved": "{actor} saved the milestone {object}",
            "milestone.submitted": "{actor} submitted {object} for sign-off",
            "milestone.withdrawn": "{actor} withdrew {object} from sign-off",
            "milestone.approved": "{actor} approved {object}",
            "milestone.returned": "{actor} returned {object}",
            "milestone.reopened": "{actor} reopened {object}",
            "addendum.submitted": "{actor} submitted an addendum to {object} for sign-off",
            "addendum.approved": "{actor} approved an addendum to {object}",
            "addendum.returned": "{actor} returned an addendum to {object}",
            "addendum.file_added": "{actor} added a file to {object}",
            "outcome.logged": "{actor} logged {object}",
            "outcome.edited": "{actor} edited {object}",
            "evidence.added": "{actor} added the evidence file {object}",
            "evidence.removed": "{actor} removed an evidence file",
            "playbook.published": "{actor} published the playbook {object}",
        },
    )
    # Someone's unavailable days are theirs and the leaders' business.
    add_action_words(
        app,
        {
            "unavailability.added": "{actor} marked {object} as unavailable",
            "unavailability.removed": "{actor} removed the unavailable days {object}",
        },
        shared=False,
    )
