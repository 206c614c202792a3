"""The world the outcome and evidence tests run in: an action that is over, its lead, a leader,
members of two professions who signed up, an advisor, national staff and another chapter."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import User
from campaigns.models import Action
from chapters.models import Chapter
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_signup,
    make_user,
)


@dataclass
class World:
    chapter: Chapter
    action: Action  # ended an hour ago, still "planned", led by `lead`
    lead: User
    leader: User
    member: User
    advisor: User
    staff: User
    outsider: User  # a member of another chapter

    @property
    def outcome_url(self) -> str:
        return f"/c/{self.chapter.slug}/actions/{self.action.id}/outcome"

    @property
    def action_url(self) -> str:
        return f"/c/{self.chapter.slug}/actions/{self.action.id}"


@pytest.fixture(name="w")
def outcomes_world(app) -> World:
    chapter = make_chapter("Eastside Health", slug="eastside", timezone="America/New_York")
    other = make_chapter("Westside Health", slug="westside")
    lead = make_member(chapter, "member", name="Lara Lead", profession="Nursing").user
    member = make_member(chapter, "member", name="Pam Pharm", profession="Pharmacy").user
    campaign = make_campaign(chapter, title="Safe streets", status="active")
    action = make_action(
        campaign, title="Meet the dean", lead=lead, starts_at=utcnow() - timedelta(hours=2)
    )
    make_signup(action, lead, commit=False)
    make_signup(action, member)
    return World(
        chapter=chapter,
        action=action,
        lead=lead,
        leader=make_member(chapter, "leader", name="Leo Leader").user,
        member=member,
        advisor=make_member(chapter, "advisor", name="Dr Ada Advisor").user,
        staff=make_user(name="Stella Staff", national_staff=True, kind="faculty"),
        outsider=make_member(other, "member", name="Otto Outsider").user,
    )


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def outcome_form(**overrides) -> dict:
    """A complete, valid outcome form as the browser posts it."""
    data = {
        "attendance": "12",
        "people_reached": "40",
        "commitments": "1",
        "media_pieces": "",
        "signatures": "150",
        "metrics-0-name": "Flyers handed out",
        "metrics-0-value": "300",
        "metrics-0-unit": "flyers",
        "metrics-1-name": "",
        "metrics-1-value": "",
        "metrics-1-unit": "",
        "narrative": "We met the dean with the survey.",
        "reflection": "I let the first-years speak first.",
        "domain_keys": ["fostering_teamwork", "coaching_mentoring"],
        "link_urls-0": "https://example.org/minutes",
        "link_urls-1": "",
        "save": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
