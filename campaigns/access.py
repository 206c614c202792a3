"""Load campaign objects through their chapter, so another chapter's objects are 404."""

from flask import abort

from campaigns.models import Action, Campaign, Milestone, SwapRequest
from chapters.access import get_chapter_or_404
from core.extensions import db

# How to find the chapter each kind of object belongs to.
_CHAPTER_OF = {
    Campaign: lambda c: c.chapter_id,
    Action: lambda a: a.campaign.chapter_id,
    Milestone: lambda m: m.campaign.chapter_id,
    SwapRequest: lambda s: s.action.campaign.chapter_id,
}


def _get_in_chapter_or_404(model, slug: str, object_id: int):
    """(chapter, membership, object); 404 when the object is not in that chapter."""
    chapter, m = get_chapter_or_404(slug)
    obj = db.session.get(model, object_id)
    if obj is None or _CHAPTER_OF[model](obj) != chapter.id:
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
