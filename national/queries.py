"""The SQL behind every metric (national/metrics.py), for many chapters at once.

Each source is one statement that groups by chapter and labels its columns with the
metrics' keys; a chapter with nothing to count has no row and gets the metric's empty
value. No source loops over chapters, so the dashboard sends the same number of
statements for 3 chapters or 1,000.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    distinct,
    func,
    or_,
    select,
    type_coerce,
    union_all,
)

from accounts.models import User, UserKind
from campaigns.fairness import gini_from_sums
from campaigns.models import Action, ActionSignup, ActionStatus, Campaign, CampaignStatus, Milestone
from campaigns.outcome_models import Outcome, OutcomeDomain
from campaigns.signoff_models import (
    DecisionKind,
    MilestoneDecision,
    MilestoneSubmission,
    SubmissionKind,
    SubmissionStatus,
)
from chapters.models import (
    PARTICIPANT_ROLES,
    Membership,
    Role,
    VisionResponse,
    VisionVersion,
)
from chapters.services.roster import health_from_counts
from core.db import UTCDateTime
from core.extensions import db
from national.query_context import Context, Values, days_between, on_roster

# --- the sources ----------------------------------------------------------------------------


def roster(scope: Select, ctx: Context) -> Values:
    """Active members by profession, professions, and the roster health check's counts."""
    rows = db.session.execute(
        select(Membership.chapter_id, Membership.role, User.kind, User.profession, func.count())
        .join(User, User.id == Membership.user_id)
        .where(Membership.chapter_id.in_(scope), on_roster(ctx))
        .group_by(Membership.chapter_id, Membership.role, User.kind, User.profession)
    ).all()
    out: Values = {}
    leaders: dict[int, int] = {}
    advisors: dict[int, int] = {}
    for chapter_id, role, kind, profession, n in rows:
        v = out.setdefault(chapter_id, {"active_members": 0, "members_by_profession": {}})
        if role in PARTICIPANT_ROLES:
            v["active_members"] += n
            by = v["members_by_profession"]
            by[profession] = by.get(profession, 0) + n
        if role == Role.LEADER and kind == UserKind.STUDENT:
            leaders[chapter_id] = leaders.get(chapter_id, 0) + n
        if role == Role.ADVISOR:
            advisors[chapter_id] = advisors.get(chapter_id, 0) + n
    for chapter_id, v in out.items():
        v["members_by_profession"] = dict(sorted(v["members_by_profession"].items()))
        v["professions"] = len(v["members_by_profession"])
        checks = health_from_counts(
            leaders.get(chapter_id, 0),
            set(v["members_by_profession"]),
            advisors.get(chapter_id, 0),
        )
        v["roster_problems"] = [c.label for c in checks if not c.met]
    return out


def vision(scope: Select, ctx: Context) -> Values:
    latest = func.max(VisionVersion.adopted_at)
    rows = db.session.execute(
        select(VisionVersion.chapter_id, type_coerce(latest, UTCDateTime))
        .where(VisionVersion.chapter_id.in_(scope), VisionVersion.adopted_at < ctx.as_of)
        .group_by(VisionVersion.chapter_id)
    ).all()
    return {
        chapter_id: {"vision_adopted": 1, "days_since_vision": (ctx.as_of - adopted).days}
        for chapter_id, adopted in rows
        if adopted is not None
    }


def campaigns(scope: Select, ctx: Context) -> Values:
    rows = db.session.execute(
        select(Campaign.chapter_id, func.count(Campaign.id).label("active_campaigns"))
        .where(
            Campaign.chapter_id.in_(scope),
            Campaign.status.in_((CampaignStatus.ACTIVE, CampaignStatus.COMPLETED)),
            Campaign.start_date <= ctx.period.last_day,
            Campaign.end_date >= ctx.period.first_day,
        )
        .group_by(Campaign.chapter_id)
    ).all()
    return {r.chapter_id: {"active_campaigns": r.active_campaigns} for r in rows}


def actions(scope: Select, ctx: Context) -> Values:
    rows = db.session.execute(
        select(Campaign.chapter_id, func.count(Action.id).label("actions_done"))
        .join(Action, Action.campaign_id == Campaign.id)
        .where(
            Campaign.chapter_id.in_(scope),
            Action.status == ActionStatus.DONE,
            ctx.in_period(Action.starts_at),
        )
        .group_by(Campaign.chapter_id)
    ).all()
    return {r.chapter_id: {"actions_done": r.actions_done} for r in rows}


def outcomes(scope: Select, ctx: Context) -> Values:
    rows = db.session.execute(
        select(
            Outcome.chapter_id,
            func.coalesce(func.sum(Outcome.people_reached), 0).label("people_reached"),
            func.coalesce(func.sum(Outcome.commitments), 0).label("commitments"),
            func.coalesce(func.sum(Outcome.signatures), 0).label("signatures"),
            func.count(Outcome.id).label("outcomes_logged"),
        )
        .join(Action, Action.id == Outcome.action_id)
        .where(Outcome.chapter_id.in_(scope), ctx.in_period(Action.starts_at))
        .group_by(Outcome.chapter_id)
    ).all()
    keys = ("people_reached", "commitments", "signatures", "outcomes_logged")
    return {r.chapter_id: {k: int(getattr(r, k)) for k in keys} for r in rows}


def domains(scope: Select, ctx: Context) -> Values:
    rows = db.session.execute(
        select(
            Outcome.chapter_id,
            func.count(distinct(OutcomeDomain.domain)).label("domain_coverage"),
        )
        .join(OutcomeDomain, OutcomeDomain.outcome_id == Outcome.id)
        .join(Action, Action.id == Outcome.action_id)
        .where(
            Outcome.chapter_id.in_(scope),
            OutcomeDomain.domain.in_(ctx.domains),
            ctx.in_period(Action.starts_at),
        )
        .group_by(Outcome.chapter_id)
    ).all()
    return {r.chapter_id: {"domain_coverage": r.domain_coverage} for r in rows}


def _decisions(ctx: Context, *kinds: str):
    """Decisions of these kinds made in the period, with their submission and chapter."""
    return (
        select(Campaign.chapter_id, MilestoneDecision, MilestoneSubmission)
        .join(Milestone, Milestone.campaign_id == Campaign.id)
        .join(MilestoneDecision, MilestoneDecision.milestone_id == Milestone.id)
        .join(MilestoneSubmission, MilestoneSubmission.id == MilestoneDecision.submission_id)
        .where(MilestoneDecision.decision.in_(kinds), ctx.in_period(MilestoneDecision.decided_at))
    )


def milestones_approved(scope: Select, ctx: Context) -> Values:
    rows = db.session.execute(
        _decisions(ctx, DecisionKind.APPROVED)
        .with_only_columns(
            Campaign.chapter_id,
            func.count(distinct(Milestone.id)).label("milestones_approved"),
        )
        .where(
            Campaign.chapter_id.in_(scope),
            MilestoneSubmission.kind == SubmissionKind.MILESTONE,
            MilestoneSubmission.status == SubmissionStatus.APPROVED,
        )
        .group_by(Campaign.chapter_id)
    ).all()
    return {r.chapter_id: {"milestones_approved": r.milestones_approved} for r in rows}


def decision_days(scope: Select, ctx: Context) -> Values:
    """The median per chapter, with window functions (PostgreSQL and SQLite alike): rank
    each chapter's waits, keep the middle one or two, and average them."""
    days = days_between(MilestoneDecision.decided_at, MilestoneSubmission.submitted_at)
    ranked = (
        _decisions(ctx, DecisionKind.APPROVED, DecisionKind.RETURNED)
        .with_only_columns(
            Campaign.chapter_id.label("chapter_id"),
            days.label("days"),
            func.row_number()
            .over(partition_by=Campaign.chapter_id, order_by=days)
            .label("position"),
            func.count().over(partition_by=Campaign.chapter_id).label("n"),
        )
        .where(Campaign.chapter_id.in_(scope))
        .subquery()
    )
    # Integer division: n = 4 keeps positions 2 and 3; n = 3 keeps position 2 twice over.
    middle = or_(
        ranked.c.position == (ranked.c.n + 1) // 2, ranked.c.position == (ranked.c.n + 2) // 2
    )
    rows = db.session.execute(
        select(ranked.c.chapter_id, func.avg(ranked.c.days).label("median"))
        .where(middle)
        .group_by(ranked.c.chapter_id)
    ).all()
    return {r.chapter_id: {"median_days_to_decision": round(float(r.median), 1)} for r in rows}


def overdue(scope: Select, ctx: Context) -> Values:
    limit = ctx.now - timedelta(days=ctx.overdue_days)
    rows = db.session.execute(
        select(Campaign.chapter_id, func.count(MilestoneSubmission.id).label("overdue_signoffs"))
        .join(Milestone, Milestone.campaign_id == Campaign.id)
        .join(MilestoneSubmission, MilestoneSubmission.milestone_id == Milestone.id)
        .where(
            Campaign.chapter_id.in_(scope),
            MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
            MilestoneSubmission.submitted_at <= limit,
        )
        .group_by(Campaign.chapter_id)
    ).all()
    return {r.chapter_id: {"overdue_signoffs": r.overdue_signoffs} for r in rows}


def leads(scope: Select, ctx: Context) -> Values:
    """Each participant's lead count (zeros included), ranked within the chapter, summed
    into what campaigns.fairness.gini_from_sums needs."""
    per_lead = (
        select(
            Campaign.chapter_id.label("chapter_id"),
            Action.lead_id.label("user_id"),
            func.count(Action.id).label("leads"),
        )
        .join(Action, Action.campaign_id == Campaign.id)
        .where(
            Campaign.chapter_id.in_(scope),
            Action.lead_id.is_not(None),
            Action.status != ActionStatus.CANCELLED,
            ctx.in_period(Action.starts_at),
        )
        .group_by(Campaign.chapter_id, Action.lead_id)
        .subquery()
    )
    count = func.coalesce(per_lead.c.leads, 0)
    members = (
        select(
            Membership.chapter_id.label("chapter_id"),
            count.label("leads"),
            func.row_number()
            .over(partition_by=Membership.chapter_id, order_by=count)
            .label("position"),
        )
        .outerjoin(
            per_lead,
            and_(
                per_lead.c.chapter_id == Membership.chapter_id,
                per_lead.c.user_id == Membership.user_id,
            ),
        )
        .where(
            Membership.chapter_id.in_(scope),
            on_roster(ctx),
            Membership.role.in_(PARTICIPANT_ROLES),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(
            members.c.chapter_id,
            func.count().label("n"),
            func.sum(members.c.leads).label("total"),
            func.sum(members.c.position * members.c.leads).label("weighted"),
            func.sum(case((members.c.leads > 0, 1), else_=0)).label("led"),
        ).group_by(members.c.chapter_id)
    ).all()
    return {
        r.chapter_id: {
            "share_led": r.led / r.n,
            "gini_leads": round(gini_from_sums(r.n, int(r.total), int(r.weighted)), 4),
        }
        for r in rows
        if r.n
    }


def professions_per_action(scope: Select, ctx: Context) -> Values:
    done = and_(
        Campaign.chapter_id.in_(scope),
        Action.status == ActionStatus.DONE,
        ctx.in_period(Action.starts_at),
    )
    # The people of each action: who signed up, and the lead. A lead who also signed up
    # appears twice, which COUNT(DISTINCT profession) does not mind: no UNION (and its sort)
    # is needed to drop them, and each branch carries its chapter so nothing joins back.
    people = union_all(
        select(
            Campaign.chapter_id.label("chapter_id"),
            Action.id.label("action_id"),
            ActionSignup.user_id.label("user_id"),
        )
        .join(Action, Action.id == ActionSignup.action_id)
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(done),
        select(Campaign.chapter_id, Action.id, Action.lead_id)
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(done, Action.lead_id.is_not(None)),
    ).subquery()
    per_action = (
        select(
            people.c.chapter_id,
            func.count(distinct(User.profession)).label("professions"),
        )
        .join(User, User.id == people.c.user_id)
        .group_by(people.c.chapter_id, people.c.action_id)
        .subquery()
    )
    rows = db.session.execute(
        select(per_action.c.chapter_id, func.avg(per_action.c.professions).label("mean")).group_by(
            per_action.c.chapter_id
        )
    ).all()
    return {r.chapter_id: {"professions_per_action": round(float(r.mean), 2)} for r in rows}


def last_activity(scope: Select, ctx: Context) -> Values:
    """The latest moment of each kind per chapter first (each branch is one GROUP BY over an
    index), then the latest of those: the union holds a few rows per chapter, not every
    action, outcome and decision of the network."""
    by_campaign = Campaign.chapter_id.in_(scope)
    latest = func.max
    moments = union_all(
        select(Campaign.chapter_id.label("chapter_id"), latest(Action.starts_at).label("at"))
        .join(Action, Action.campaign_id == Campaign.id)
        .where(by_campaign, Action.status == ActionStatus.DONE, Action.starts_at < ctx.as_of)
        .group_by(Campaign.chapter_id),
        select(Outcome.chapter_id, latest(Outcome.created_at))
        .where(Outcome.chapter_id.in_(scope), Outcome.created_at < ctx.as_of)
        .group_by(Outcome.chapter_id),
        select(Campaign.chapter_id, latest(MilestoneSubmission.submitted_at))
        .join(Milestone, Milestone.campaign_id == Campaign.id)
        .join(MilestoneSubmission, MilestoneSubmission.milestone_id == Milestone.id)
        .where(by_campaign, MilestoneSubmission.submitted_at < ctx.as_of)
        .group_by(Campaign.chapter_id),
        select(Campaign.chapter_id, latest(MilestoneDecision.decided_at))
        .join(Milestone, Milestone.campaign_id == Campaign.id)
        .join(MilestoneDecision, MilestoneDecision.milestone_id == Milestone.id)
        .where(by_campaign, MilestoneDecision.decided_at < ctx.as_of)
        .group_by(Campaign.chapter_id),
        select(VisionVersion.chapter_id, latest(VisionVersion.proposed_at))
        .where(VisionVersion.chapter_id.in_(scope), VisionVersion.proposed_at < ctx.as_of)
        .group_by(VisionVersion.chapter_id),
        select(VisionVersion.chapter_id, latest(VisionResponse.updated_at))
        .join(VisionResponse, VisionResponse.vision_id == VisionVersion.id)
        .where(VisionVersion.chapter_id.in_(scope), VisionResponse.updated_at < ctx.as_of)
        .group_by(VisionVersion.chapter_id),
    ).subquery()
    rows = db.session.execute(
        select(
            moments.c.chapter_id, type_coerce(func.max(moments.c.at), UTCDateTime).label("last")
        ).group_by(moments.c.chapter_id)
    ).all()
    return {r.chapter_id: {"last_activity": r.last} for r in rows if r.last is not None}


SOURCES: dict[str, Callable[[Select, Context], Values]] = {
    "roster": roster,
    "vision": vision,
    "campaigns": campaigns,
    "actions": actions,
    "outcomes": outcomes,
    "domains": domains,
    "milestones_approved": milestones_approved,
    "decision_days": decision_days,
    "overdue": overdue,
    "leads": leads,
    "professions_per_action": professions_per_action,
    "last_activity": last_activity,
}

# What a chapter with no row in a source gets for each metric.
EMPTY: dict[str, Any] = {
    "active_members": 0,
    "members_by_profession": {},
    "professions": 0,
    "roster_problems": [],
    "vision_adopted": 0,
    "days_since_vision": None,
    "active_campaigns": 0,
    "actions_done": 0,
    "people_reached": 0,
    "commitments": 0,
    "signatures": 0,
    "outcomes_logged": 0,
    "domain_coverage": 0,
    "milestones_approved": 0,
    "median_days_to_decision": None,
    "overdue_signoffs": 0,
    "share_led": None,
    "gini_leads": None,
    "professions_per_action": None,
    "last_activity": None,
}
