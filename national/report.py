"""What a chapter's report shows beyond its metrics: campaigns and their outcomes, the
sign-off history and the period's highlights, each one bounded query for the chapter."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from campaigns.models import Action, ActionStatus, Campaign, CampaignStatus, Milestone
from campaigns.outcome_models import Outcome
from campaigns.signoff_models import MilestoneDecision
from chapters.models import Chapter
from core.extensions import db
from national.period import Period

SIGNOFFS_SHOWN = 50
HIGHLIGHTS_SHOWN = 5
CAMPAIGNS_SHOWN = 50


@dataclass(frozen=True)
class CampaignLine:
    campaign: Campaign
    actions_done: int
    outcomes_logged: int
    people_reached: int
    milestones_approved: int


def _in(column, period: Period):
    return (column >= period.starts_at) & (column < period.ends_at)


def campaign_lines(chapter: Chapter, period: Period) -> list[CampaignLine]:
    """The chapter's campaigns whose dates overlap the period (not drafts), with what
    their actions in the period did; counted per campaign in SQL."""
    in_period = _in(Action.starts_at, period)
    done = func.count(Action.id).filter(Action.status == ActionStatus.DONE, in_period)
    outcome_counts = (
        select(
            Action.campaign_id.label("campaign_id"),
            func.count(Outcome.id).label("n"),
            func.coalesce(func.sum(Outcome.people_reached), 0).label("reached"),
        )
        .join(Outcome, Outcome.action_id == Action.id)
        .where(Outcome.chapter_id == chapter.id, in_period)
        .group_by(Action.campaign_id)
        .subquery()
    )
    approved = (
        select(Milestone.campaign_id.label("campaign_id"), func.count(Milestone.id).label("n"))
        .where(Milestone.status == "approved")
        .group_by(Milestone.campaign_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Campaign,
            done,
            func.coalesce(func.max(outcome_counts.c.n), 0),
            func.coalesce(func.max(outcome_counts.c.reached), 0),
            func.coalesce(func.max(approved.c.n), 0),
        )
        .outerjoin(Action, Action.campaign_id == Campaign.id)
        .outerjoin(outcome_counts, outcome_counts.c.campaign_id == Campaign.id)
        .outerjoin(approved, approved.c.campaign_id == Campaign.id)
        .where(
            Campaign.chapter_id == chapter.id,
            Campaign.status != CampaignStatus.DRAFT,
            Campaign.start_date <= period.last_day,
            Campaign.end_date >= period.first_day,
        )
        .group_by(Campaign.id)
        .order_by(Campaign.start_date, Campaign.id)
        .limit(CAMPAIGNS_SHOWN)
    ).all()
    return [CampaignLine(c, d, int(o), int(r), int(a)) for c, d, o, r, a in rows]


def signoff_history(chapter: Chapter, period: Period) -> list[MilestoneDecision]:
    """The advisors' decisions in the period, newest first (the last SIGNOFFS_SHOWN)."""
    return list(
        db.session.scalars(
            select(MilestoneDecision)
            .join(Milestone, Milestone.id == MilestoneDecision.milestone_id)
            .join(Campaign, Campaign.id == Milestone.campaign_id)
            .where(Campaign.chapter_id == chapter.id, _in(MilestoneDecision.decided_at, period))
            .options(
                joinedload(MilestoneDecision.advisor),
                joinedload(MilestoneDecision.submission),
            )
            .order_by(MilestoneDecision.decided_at.desc(), MilestoneDecision.id.desc())
            .limit(SIGNOFFS_SHOWN)
        ).unique()
    )


def milestone_titles(decisions: list[MilestoneDecision]) -> dict[int, str]:
    ids = {d.milestone_id for d in decisions}
    if not ids:
        return {}
    return dict(
        db.session.execute(select(Milestone.id, Milestone.title).where(Milestone.id.in_(ids))).all()
    )


def highlights(chapter: Chapter, period: Period) -> list[Outcome]:
    """The period's outcomes that reached the most people."""
    return list(
        db.session.scalars(
            select(Outcome)
            .join(Action, Action.id == Outcome.action_id)
            .where(Outcome.chapter_id == chapter.id, _in(Action.starts_at, period))
            .options(joinedload(Outcome.action))
            .order_by(
                func.coalesce(Outcome.people_reached, 0).desc(),
                func.coalesce(Outcome.commitments, 0).desc(),
                Outcome.id,
            )
            .limit(HIGHLIGHTS_SHOWN)
        )
    )


def report_extras_json(lines: list[CampaignLine], decisions, titles) -> dict[str, Any]:
    return {
        "campaigns": [
            {
                "title": line.campaign.title,
                "status": line.campaign.status,
                "start_date": line.campaign.start_date.isoformat(),
                "end_date": line.campaign.end_date.isoformat(),
                "actions_done": line.actions_done,
                "outcomes_logged": line.outcomes_logged,
                "people_reached": line.people_reached,
                "milestones_approved": line.milestones_approved,
            }
            for line in lines
        ],
        "signoffs": [
            {
                "milestone": titles.get(d.milestone_id, ""),
                # An addendum's approval and the milestone's own read the same without these.
                "addendum": d.submission.is_addendum,
                "decision": d.decision,
                "advisor": d.advisor.display_name,
                "decided_at": d.decided_at.isoformat(),
            }
            for d in decisions
        ],
    }
