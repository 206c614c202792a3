"""Load campaign objects through their chapter, so another chapter's objects are 404."""

from flask import abort
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from campaigns.models import Action, Campaign, Milestone, SwapRequest
from campaigns.signoff_models import MilestoneSubmission
from chapters.access import get_chapter_or_404
from core.extensions import db

# One statement per kind, built once: the object by id, only if its campaign is in the
# chapter, loaded with that campaign (and a swap with its action).
_IN_CHAPTER = {
    Campaign: select(Campaign).where(Campaign.chapter_id == bindparam("chapter_id")),
    Action: select(Action)
    .join(Action.campaign)
    .options(contains_eager(Action.campaign))
    .where(Campaign.chapter_id == bindparam("chapter_id")),
    Milestone: select(Milestone)
    .join(Milestone.campaign)
    .options(contains_eager(Milestone.campaign))
    .where(Campaign.chapter_id == bindparam("chapter_id")),
    SwapRequest: select(SwapRequest)
    .join(SwapRequest.action)
    .join(Action.campaign)
    .options(contains_eager(SwapRequest.action).contains_eager(Action.campaign))
    .where(Campaign.chapter_id == bindparam("chapter_id")),
    MilestoneSubmission: select(MilestoneSubmission)
    .join(MilestoneSubmission.milestone)
    .join(Milestone.campaign)
    .options(contains_eager(MilestoneSubmission.milestone).contains_eager(Milestone.campaign))
    .where(Campaign.chapter_id == bindparam("chapter_id")),
}
_IN_CHAPTER = {
    model: stmt.where(model.id == bindparam("object_id")) for model, stmt in _IN_CHAPTER.items()
}


def _get_in_chapter_or_404(model, slug: str, object_id: int):
    """(chapter, membership, object); 404 when the object is not in that chapter."""
    chapter, m = get_chapter_or_404(slug)
    obj = db.session.scalar(_IN_CHAPTER[model], {"chapter_id": chapter.id, "object_id": object_id})
    if obj is None:
        abort(404)
    return chapter, m, obj


def get_campaign_or_404(slug: str, campaign_id: int):
    return _get_in_chapter_or_404(Campaign, slug, campaign_id)


def get_action_or_404(slug: str, action_id: int):
    return _get_in_chapter_or_404(Action, slug, action_id)


def get_milestone_or_404(slug: str, milestone_id: int):
    return _get_in_chapter_or_404(Milestone, slug, milestone_id)


def get_swap_or_404(slug: str, swap_id: int):
    return _get_in_chapter_or_404(SwapRequest, slug, swap_id)


def get_submission_or_404(slug: str, submission_id: int):
    return _get_in_chapter_or_404(MilestoneSubmission, slug, submission_id)
