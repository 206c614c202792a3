"""The setup the campaigns tests run in: a chapter with an adopted vision, its leader signed in.

Shared by test_campaigns_lifecycle.py and test_campaigns_timeline.py, which import the
fixture by name.
"""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from accounts.models import User
from chapters.models import Chapter, VisionGoal
from core.extensions import db
from tests.factories import make_chapter, make_member, make_vision


@dataclass
class Setup:
    chapter: Chapter
    leader: User
    member: User
    goal: VisionGoal


@pytest.fixture(name="s")
def s_fixture(app, login_as) -> Setup:
    """Riverside has an adopted vision; its leader is signed in."""
    chapter = make_chapter("Riverside Health", slug="riverside")
    leader = make_member(chapter, "leader", name="Leo Leader").user
    member = make_member(chapter, "member", name="Mia Member", profession="Nursing").user
    vision = make_vision(
        chapter,
        leader,
        goals=("Every dorm has naloxone.", "Clinic hours double."),
        status="adopted",
    )
    login_as(leader)
    return Setup(chapter, leader, member, vision.goals[0])


def form(**overrides) -> dict:
    return {
        "playbook": "",
        "title": "Naloxone in every dorm",
        "issue": "Overdoses on campus",
        "target_community": "Residents of campus housing",
        "decision_maker": "Dean of Students",
        "objective": "Naloxone kits in every residence hall",
        "goal_id": "0",
        "start_date": "2026-09-01",
        "end_date": "2026-12-15",
    } | overrides


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def followed(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)
