"""Builders for sign-off tests: a chapter with a leader, a lead, an advisor, a campaign,
a done action with a logged outcome, and a milestone; and the steps of sign-off."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from accounts.models import User
from campaigns.models import Action, Campaign, Milestone
from campaigns.outcome_models import Outcome
from campaigns.services.signoff import decide, submit_milestone
from campaigns.signoff_models import MilestoneSubmission
from chapters.models import Chapter
from core.db import utcnow
from core.extensions import db
from tests.factories import make_action, make_campaign, make_chapter, make_member, make_milestone


def make_outcome(action: Action, by: User, *, people_reached: int = 40) -> Outcome:
    outcome = Outcome(
        action_id=action.id,
        chapter_id=action.campaign.chapter_id,
        people_reached=people_reached,
        narrative="We met the dean.",
        created_by_id=by.id,
    )
    db.session.add(outcome)
    db.session.commit()
    return outcome


def submit(milestone: Milestone, leader: User, outcomes=(), summary="Done as planned."):
    sub = submit_milestone(milestone, summary, [o.id for o in outcomes], leader, "leader")
    db.session.commit()
    return sub


def approve(sub: MilestoneSubmission, advisor: User) -> None:
    decide(sub, True, "", advisor, "advisor")
    db.session.commit()


@dataclass
class Scene:
    chapter: Chapter
    leader: User
    lead: User
    member: User
    advisor: User
    campaign: Campaign
    action: Action
    outcome: Outcome
    milestone: Milestone


def build_scene(slug: str = "riverside") -> Scene:
    chapter = make_chapter("Riverside Health", slug=slug, timezone="America/Chicago")
    leader = make_member(chapter, "leader", name="Leo Leader").user
    lead = make_member(chapter, "member", name="Lara Lead", profession="Nursing").user
    member = make_member(chapter, "member", name="Mia Member").user
    advisor = make_member(chapter, "advisor", name="Dr Ada Advisor").user
    campaign = make_campaign(chapter, title="Clinic hours", status="active")
    action = make_action(
        campaign,
        title="Meet the dean",
        lead=lead,
        status="done",
        starts_at=(utcnow() - timedelta(days=3)).replace(second=0, microsecond=0),
    )
    outcome = make_outcome(action, lead)
    milestone = make_milestone(campaign, title="Dean agrees", criteria="A written yes")
    return Scene(chapter, leader, lead, member, advisor, campaign, action, outcome, milestone)


@pytest.fixture(name="scene")
def scene_fixture(app) -> Scene:
    return build_scene()
