"""Load campaign objects through their chapter, so another chapter's objects are 404."""

from flask import abort

from campaigns.models import Action, Campaign, Milestone, SwapRequest
from chapters.access import get_chapter_or_404
from core.extensions import db


def get_campaign_or_404(slug: str, campaign_id: int):
    chapter, m = get_chapter_or_404(slug)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.chapter_id != chapter.id:
        abort(404)
    return chapter, m, campaign


def get_action_or_404(slug: str, action_id: int):
    chapter, m = get_chapter_or_404(slug)
    action = db.session.get(Action, action_id)
    if action is None or action.campaign.chapter_id != chapter.id:
        abort(404)
    return chapter, m, action


def get_milestone_or_404(slug: str, milestone_id: int):
    chapter, m = get_chapter_or_404(slug)
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.campaign.chapter_id != chapter.id:
        abort(404)
    return chapter, m, milestone


def get_swap_or_404(slug: str, swap_id: int):
    chapter, m = get_chapter_or_404(slug)
    swap = db.session.get(SwapRequest, swap_id)
    if swap is None or swap.action.campaign.chapter_id != chapter.id:
        abort(404)
    return chapter, m, swap
