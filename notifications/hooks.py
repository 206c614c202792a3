"""Who hears about what: one handler per domain event, each naming its recipients.

Handlers run inside the service's transaction (core.events), so a notification and its
email exist exactly when the change they describe was committed.
"""

from flask import Flask
from sqlalchemy import select

from campaigns.models import Action, ActionSignup, ActionStatus, LeadMethod
from campaigns.services.pool import pool_people
from campaigns.signoff_models import DecisionKind, MilestoneDecision, MilestoneSubmission
from chapters.models import Chapter, Invitation, Membership, MembershipStatus, Role, VisionVersion
from core.events import subscribe
from core.extensions import db
from core.http import app_path
from core.timefmt import localtime
from notifications.kinds import Kind
from notifications.services import notify

WHEN = "%a %d %b %Y, %H:%M"


def action_path(action: Action) -> str:
    return app_path("campaigns.action_page", slug=action.campaign.chapter.slug, action_id=action.id)


def action_when(action: Action) -> str:
    return localtime(action.starts_at, action.campaign.chapter.timezone, WHEN)


def action_people(action: Action) -> list[int | None]:
    """Its lead and everyone signed up."""
    signed_up = db.session.scalars(
        select(ActionSignup.user_id).where(ActionSignup.action_id == action.id)
    )
    return [action.lead_id, *signed_up]


def members_with_role(chapter_id: int, *roles: str) -> list[int]:
    query = select(Membership.user_id).where(
        Membership.chapter_id == chapter_id, Membership.status == MembershipStatus.ACTIVE
    )
    if roles:
        query = query.where(Membership.role.in_(roles))
    return list(db.session.scalars(query))


# --- chapters -------------------------------------------------------------------------------


def on_invitation_accepted(invitation: Invitation, membership: Membership, user) -> None:
    chapter = invitation.chapter
    notify(
        Kind.INVITATION_ACCEPTED,
        [invitation.invited_by_id],
        chapter_id=chapter.id,
        link=app_path("chapters.roster", slug=chapter.slug),
        text=f"{user.display_name} accepted your invitation and joined {chapter.name} "
        f"as {membership.role_label.lower()}.",
        actor=user,
        obj=membership,
    )


def _vision_link(chapter: Chapter) -> str:
    return app_path("chapters.vision", slug=chapter.slug)


def on_vision_proposed(vision: VisionVersion, actor) -> None:
    chapter = vision.chapter
    notify(
        Kind.VISION_PROPOSED,
        members_with_role(chapter.id),
        chapter_id=chapter.id,
        link=_vision_link(chapter),
        text=f"{actor.display_name} proposed version {vision.number} of {chapter.name}'s "
        "common vision. Read it and endorse, object or comment.",
        actor=actor,
        obj=vision,
    )


def on_vision_adopted(vision: VisionVersion, actor) -> None:
    chapter = vision.chapter
    notify(
        Kind.VISION_ADOPTED,
        members_with_role(chapter.id),
        chapter_id=chapter.id,
        link=_vision_link(chapter),
        text=f"{chapter.name} adopted version {vision.number} of its common vision.",
        actor=actor,
        obj=vision,
    )


# --- actions and leads ----------------------------------------------------------------------


def on_lead_changed(
    action: Action, previous_id: int | None, lead_id: int | None, method: str, note, actor
) -> None:
    title, when = action.title, action_when(action)
    common = {
        "chapter_id": action.campaign.chapter_id,
        "link": action_path(action),
        "actor": actor,
        "obj": action,
    }
    if method in (LeadMethod.SUGGESTED, LeadMethod.OVERRIDE):
        notify(
            Kind.LEAD_ASSIGNED,
            [lead_id],
            text=f"{actor.display_name} asked you to lead “{title}” on {when}.",
            **common,
        )
    elif method == LeadMethod.HANDOFF:
        notify(
            Kind.LEAD_HANDED_OFF,
            [lead_id],
            text=f"{actor.display_name} handed “{title}” on {when} off to you. Their note: {note}",
            **common,
        )
    elif method == LeadMethod.SWAP:
        notify(
            Kind.SWAP_ACCEPTED,
            [previous_id],
            text=f"{actor.display_name} accepted your swap and now leads “{title}” on {when}.",
            **common,
        )


def on_swap_asked(swap, actor) -> None:
    action = swap.action
    asked = (
        [swap.to_user_id]
        if swap.to_user_id is not None
        else [p.user_id for p in pool_people(action.campaign_id)]
    )
    note = f" Their note: {swap.note}" if swap.note else ""
    notify(
        Kind.SWAP_ASKED,
        asked,
        chapter_id=action.campaign.chapter_id,
        link=action_path(action),
        text=f"{actor.display_name} asks for someone to take over leading “{action.title}” "
        f"on {action_when(action)}.{note}",
        actor=actor,
        obj=swap,
    )


def on_action_saved(action: Action, before: dict | None, actor) -> None:
    """Its lead and sign-ups hear when the time or place of a planned action moves."""
    if before is None or action.status != ActionStatus.PLANNED:
        return
    moved = [f for f in ("starts_at", "ends_at", "location") if before[f] != getattr(action, f)]
    if not moved:
        return
    where = f" at {action.location}" if action.location else ""
    notify(
        Kind.ACTION_CHANGED,
        action_people(action),
        chapter_id=action.campaign.chapter_id,
        link=action_path(action),
        text=f"“{action.title}” changed: it is now on {action_when(action)}{where}.",
        actor=actor,
        obj=action,
    )


def on_action_status_changed(action: Action, status: str, actor) -> None:
    if status != ActionStatus.CANCELLED:
        return
    notify(
        Kind.ACTION_CANCELLED,
        action_people(action),
        chapter_id=action.campaign.chapter_id,
        link=action_path(action),
        text=f"“{action.title}” on {action_when(action)} was cancelled.",
        actor=actor,
        obj=action,
    )


# --- sign-off -------------------------------------------------------------------------------


def _milestone_path(milestone) -> str:
    return app_path(
        "campaigns.milestone_page",
        slug=milestone.campaign.chapter.slug,
        milestone_id=milestone.id,
    )


def on_signoff_requested(submission: MilestoneSubmission, actor) -> None:
    milestone = submission.milestone
    chapter_id = milestone.campaign.chapter_id
    what = "an addendum to " if submission.is_addendum else ""
    notify(
        Kind.SIGNOFF_REQUESTED,
        members_with_role(chapter_id, Role.ADVISOR),
        chapter_id=chapter_id,
        link=_milestone_path(milestone),
        text=f"{actor.display_name} submitted {what}“{milestone.title}” "
        f"({milestone.campaign.title}) for your sign-off.",
        actor=actor,
        obj=milestone,
    )


def on_signoff_decided(decision: MilestoneDecision, submission: MilestoneSubmission, actor):
    """The one who submitted and the chapter's leaders hear of an approval or a return."""
    milestone = submission.milestone
    chapter_id = milestone.campaign.chapter_id
    people = [submission.submitted_by_id, *members_with_role(chapter_id, Role.LEADER)]
    what = "The addendum to " if submission.is_addendum else ""
    if decision.decision == DecisionKind.APPROVED:
        kind = Kind.MILESTONE_APPROVED
        text = f"{what}“{milestone.title}” was approved by {actor.display_name}."
    elif decision.decision == DecisionKind.RETURNED:
        kind = Kind.MILESTONE_RETURNED
        text = f"{what}“{milestone.title}” was returned by {actor.display_name}: {decision.comment}"
    else:
        return
    notify(
        kind,
        people,
        chapter_id=chapter_id,
        link=_milestone_path(milestone),
        text=text[0].upper() + text[1:],
        actor=actor,
        obj=milestone,
    )


def on_signoff_withdrawn(submission: MilestoneSubmission, reason: str, actor) -> None:
    """The one who submitted and the chapter's leaders hear that it waits no more."""
    milestone = submission.milestone
    chapter_id = milestone.campaign.chapter_id
    what = "The addendum to " if submission.is_addendum else ""
    text = (
        f"{what}“{milestone.title}” ({milestone.campaign.title}) was withdrawn from "
        f"sign-off: {reason}."
    )
    notify(
        Kind.SIGNOFF_WITHDRAWN,
        [submission.submitted_by_id, *members_with_role(chapter_id, Role.LEADER)],
        chapter_id=chapter_id,
        link=_milestone_path(milestone),
        text=text[0].upper() + text[1:],
        actor=actor,
        obj=milestone,
    )


def subscribe_all(app: Flask) -> None:
    for name, handler in {
        "invitation.accepted": on_invitation_accepted,
        "vision.proposed": on_vision_proposed,
        "vision.adopted": on_vision_adopted,
        "lead.changed": on_lead_changed,
        "swap.asked": on_swap_asked,
        "action.saved": on_action_saved,
        "action.status_changed": on_action_status_changed,
        "signoff.requested": on_signoff_requested,
        "signoff.decided": on_signoff_decided,
        "signoff.withdrawn": on_signoff_withdrawn,
    }.items():
        subscribe(app, name, handler)
