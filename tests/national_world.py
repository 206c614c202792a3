"""A small hand-built network with known answers for the national comparison.

Alpha: four student members across three professions (one student leader, so its roster
is unhealthy), an advisor, an adopted vision, one active campaign (and a draft), three
actions done, one cancelled and one planned, two outcomes, two decisions (4 and 2 days
after submission) and one sign-off overdue. Empty: a chapter with nobody. Solo: a single
student leader and nothing else. Gone: archived, left out unless asked for.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts.models import User
from campaigns.models import ActionStatus, CampaignStatus
from campaigns.outcome_models import Outcome, OutcomeDomain
from campaigns.signoff_models import MilestoneDecision, MilestoneSubmission
from chapters.models import Chapter, VisionStatus
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_signup,
    make_user,
    make_vision,
)


@dataclass
class Network:
    alpha: Chapter
    empty: Chapter
    solo: Chapter
    gone: Chapter
    people: dict[str, User]
    now: datetime

    def period_args(self) -> dict[str, str]:
        """A custom period from 60 days ago to 30 days ahead: everything below is inside."""
        return {
            "start": (self.now - timedelta(days=60)).date().isoformat(),
            "end": (self.now + timedelta(days=30)).date().isoformat(),
        }


def _outcome(action, by: User, domains=(), **counts) -> Outcome:
    outcome = Outcome(
        action_id=action.id, chapter_id=action.campaign.chapter_id, created_by_id=by.id, **counts
    )
    outcome.domains = [OutcomeDomain(domain=d) for d in domains]
    db.session.add(outcome)
    return outcome


def _signoff(milestone, leader, advisor, submitted: datetime, decided=None, decision=None):
    status = "submitted" if decision is None else decision
    sub = MilestoneSubmission(
        milestone=milestone,
        text="Done.",
        status=status,
        submitted_by_id=leader.id,
        submitted_at=submitted,
    )
    db.session.add(sub)
    milestone.status = status
    if decision is not None:
        db.session.add(
            MilestoneDecision(
                milestone_id=milestone.id,
                submission=sub,
                advisor_id=advisor.id,
                decision=decision,
                decided_at=decided,
            )
        )


def build_network() -> Network:
    now = utcnow()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    alpha = make_chapter("Alpha Health", slug="alpha", region="Northeast")
    leader = make_member(alpha, "leader", name="Lee Leader", profession="Medicine").user
    m1 = make_member(alpha, name="Mo Medicine", profession="Medicine").user
    m2 = make_member(alpha, name="Nia Nursing", profession="Nursing").user
    m3 = make_member(alpha, name="Pat Pharmacy", profession="Pharmacy").user
    advisor = make_member(alpha, "advisor", name="Dr Ada", profession="Medicine").user
    vision = make_vision(alpha, leader, status=VisionStatus.ADOPTED)
    vision.adopted_at = days(10)
    campaign = make_campaign(
        alpha,
        status=CampaignStatus.ACTIVE,
        start_date=days(50).date(),
        end_date=days(-20).date(),
    )
    make_campaign(alpha, status=CampaignStatus.DRAFT)
    a1 = make_action(campaign, starts_at=days(20), lead=m1, status=ActionStatus.DONE)
    a2 = make_action(campaign, starts_at=days(15), lead=m2, status=ActionStatus.DONE)
    a3 = make_action(campaign, starts_at=days(5), lead=m1, status=ActionStatus.DONE)
    make_action(campaign, starts_at=days(3), lead=m3, status=ActionStatus.CANCELLED)
    make_action(campaign, starts_at=days(-10), lead=leader)
    for action, people in ((a1, (m1, m2)), (a2, (m3,)), (a3, (leader,))):
        for person in people:
            make_signup(action, person, commit=False)
    _outcome(a1, m1, ("managing_self", "advocacy"), people_reached=100, commitments=2, signatures=0)
    _outcome(a2, m2, ("advocacy",), people_reached=50, signatures=30)
    ms = [make_milestone(campaign, title=f"Milestone {i}") for i in range(3)]
    _signoff(ms[0], leader, advisor, days(10), days(6), "approved")
    _signoff(ms[1], leader, advisor, days(9), days(7), "returned")
    _signoff(ms[2], leader, advisor, days(8))

    empty = make_chapter("Empty Health", slug="empty", region="South")
    solo = make_chapter("Solo Health", slug="solo", region="South")
    solo_leader = make_member(solo, "leader", name="Sol Solo", profession="Social Work").user
    gone = make_chapter("Gone Health", slug="gone", region="South", status="archived")
    staff = make_user(name="Stella Staff", national_staff=True, kind="faculty", commit=False)
    db.session.commit()
    people = {
        "leader": leader,
        "m1": m1,
        "m2": m2,
        "m3": m3,
        "advisor": advisor,
        "solo_leader": solo_leader,
        "staff": staff,
    }
    return Network(alpha, empty, solo, gone, people, now)
