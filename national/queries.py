"""The SQL behind every metric (national/metrics.py), for many chapters at once.

Each source is a statement that groups by chapter and labels its columns with the
metrics' keys; national/table.py joins them all to the chapters in one statement (a
chapter with nothing to count has no row and gets the metric's empty value). No source
loops over chapters, so the dashboard sends the same statements for 3 chapters or 1,000.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Float,
    Integer,
    Numeric,
    Select,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
    type_coerce,
    union_all,
)

from accounts.models import User, UserKind
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
from core.db import UTCDateTime
from core.extensions import db
from national.query_context import Context, days_between, month_of, on_roster

Joins = Callable[[Select], Select]

# --- the sources ----------------------------------------------------------------------------
# Each returns a statement grouped by chapter, its columns labelled with the metrics' keys
# and holding their final values (rounded as stored), for national/table.py to join.


def _participant():
    return Membership.role.in_(PARTICIPANT_ROLES)


def roster(scope: Select, ctx: Context) -> Select:
    """Active members, their professions, and the roster health check's counts."""
    participant = _participant()
    # First by chapter and profession (a hash aggregate), then by chapter: the professions
    # are the groups with a participant, so no COUNT(DISTINCT) sorts every member.
    groups = (
        select(
            Membership.chapter_id.label("chapter_id"),
            func.sum(case((participant, 1), else_=0)).label("participants"),
            func.sum(
                case(
                    (and_(Membership.role == Role.LEADER, User.kind == UserKind.STUDENT), 1),
                    else_=0,
                )
            ).label("leaders"),
            func.sum(case((Membership.role == Role.ADVISOR, 1), else_=0)).label("advisors"),
            User.profession.label("profession"),
        )
        .join(User, User.id == Membership.user_id)
        .where(Membership.chapter_id.in_(scope), on_roster(ctx))
        .group_by(Membership.chapter_id, User.profession)
        .subquery()
    )
    return select(
        groups.c.chapter_id,
        cast(func.sum(groups.c.participants), Integer).label("active_members"),
        func.count(
            case((and_(groups.c.participants > 0, groups.c.profession.is_not(None)), 1))
        ).label("professions"),
        cast(func.sum(groups.c.leaders), Integer).label("leaders"),
        cast(func.sum(groups.c.advisors), Integer).label("advisors"),
    ).group_by(groups.c.chapter_id)


def members_by_profession(chapter_ids: list[int], ctx: Context) -> dict[int, dict[str, int]]:
    """The breakdown, for the chapters shown only (a mapping is not sorted or summed)."""
    rows = db.session.execute(
        select(Membership.chapter_id, User.profession, func.count())
        .join(User, User.id == Membership.user_id)
        .where(Membership.chapter_id.in_(chapter_ids), on_roster(ctx), _participant())
        .group_by(Membership.chapter_id, User.profession)
        .order_by(Membership.chapter_id, User.profession)
    ).all()
    out: dict[int, dict[str, int]] = {}
    for chapter_id, profession, n in rows:
        out.setdefault(chapter_id, {})[profession] = n
    return out


def monthly_actions(chapter_ids: list[int], ctx: Context) -> dict[int, dict[str, int]]:
    """Actions done per UTC month of the period ('YYYY-MM' -> count), for the chapters shown
    (the dashboard's sparklines): the same rule as actions_done, counted by month."""
    month = month_of(Action.starts_at)
    rows = db.session.execute(
        select(Campaign.chapter_id, month, func.count(Action.id))
        .join(Action, Action.campaign_id == Campaign.id)
        .where(
            Campaign.chapter_id.in_(chapter_ids),
            Action.status == ActionStatus.DONE,
            ctx.in_period(Action.starts_at),
        )
        .group_by(Campaign.chapter_id, month)
    ).all()
    out: dict[int, dict[str, int]] = {}
    for chapter_id, key, n in rows:
        out.setdefault(chapter_id, {})[key] = n
    return out


def vision(scope: Select, ctx: Context) -> Select:
    latest = type_coerce(func.max(VisionVersion.adopted_at), UTCDateTime)
    return (
        select(VisionVersion.chapter_id.label("chapter_id"), latest.label("adopted_at"))
        .where(VisionVersion.chapter_id.in_(scope), VisionVersion.adopted_at < ctx.as_of)
        .group_by(VisionVersion.chapter_id)
    )


def campaigns(scope: Select, ctx: Context) -> Select:
    return (
        select(
            Campaign.chapter_id.label("chapter_id"),
            func.count(Campaign.id).label("active_campaigns"),
        )
        .where(
            Campaign.chapter_id.in_(scope),
            Campaign.status.in_((CampaignStatus.ACTIVE, CampaignStatus.COMPLETED)),
            Campaign.start_date <= ctx.period.last_day,
            Campaign.end_date >= ctx.period.first_day,
        )
        .group_by(Campaign.chapter_id)
    )


def actions(scope: Select, ctx: Context) -> Select:
    return (
        select(Campaign.chapter_id.label("chapter_id"), func.count(Action.id).label("actions_done"))
        .join(Action, Action.campaign_id == Campaign.id)
        .where(
            Campaign.chapter_id.in_(scope),
            Action.status == ActionStatus.DONE,
            ctx.in_period(Action.starts_at),
        )
        .group_by(Campaign.chapter_id)
    )


def outcomes(scope: Select, ctx: Context) -> Select:
    return (
        select(
            Outcome.chapter_id.label("chapter_id"),
            func.coalesce(func.sum(Outcome.people_reached), 0).label("people_reached"),
            func.coalesce(func.sum(Outcome.commitments), 0).label("commitments"),
            func.coalesce(func.sum(Outcome.signatures), 0).label("signatures"),
            func.count(Outcome.id).label("outcomes_logged"),
        )
        .join(Action, Action.id == Outcome.action_id)
        .where(Outcome.chapter_id.in_(scope), ctx.in_period(Action.starts_at))
        .group_by(Outcome.chapter_id)
    )


def domains(scope: Select, ctx: Context) -> Select:
    return (
        select(
            Outcome.chapter_id.label("chapter_id"),
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
    )


def rounded(value, places: int):
    """Rounded in SQL (NUMERIC rounds the same on both databases), read back as a float."""
    return type_coerce(func.round(cast(value, Numeric), places), Float)


def _decisions(ctx: Context, *kinds: str):
    """Decisions of these kinds made in the period, with their submission and chapter."""
    return (
        select(Campaign.chapter_id, MilestoneDecision, MilestoneSubmission)
        .join(Milestone, Milestone.campaign_id == Campaign.id)
        .join(MilestoneDecision, MilestoneDecision.milestone_id == Milestone.id)
        .join(MilestoneSubmission, MilestoneSubmission.id == MilestoneDecision.submission_id)
        .where(MilestoneDecision.decision.in_(kinds), ctx.in_period(MilestoneDecision.decided_at))
    )


def milestones_approved(scope: Select, ctx: Context) -> Select:
    return (
        _decisions(ctx, DecisionKind.APPROVED)
        .with_only_columns(
            Campaign.chapter_id.label("chapter_id"),
            func.count(distinct(Milestone.id)).label("milestones_approved"),
        )
        .where(Campaign.chapter_id.in_(scope), standing_approval())
        .group_by(Campaign.chapter_id)
    )


def standing_approval():
    """A decision that counts as a milestone approved: an approval of a milestone
    submission that still stands approved (not reopened since)."""
    return and_(
        MilestoneDecision.decision == DecisionKind.APPROVED,
        MilestoneSubmission.kind == SubmissionKind.MILESTONE,
        MilestoneSubmission.status == SubmissionStatus.APPROVED,
    )


def decision_days(scope: Select, ctx: Context) -> Select:
    waits = (
        _decisions(ctx, DecisionKind.APPROVED, DecisionKind.RETURNED)
        .with_only_columns(
            Campaign.chapter_id.label("chapter_id"),
            days_between(MilestoneDecision.decided_at, MilestoneSubmission.submitted_at).label(
                "days"
            ),
        )
        .where(Campaign.chapter_id.in_(scope))
    )
    return median_wait(waits)


def median_wait(waits: Select) -> Select:
    """The median of (chapter_id, days) rows per chapter, with window functions (PostgreSQL
    and SQLite alike): rank each chapter's waits, keep the middle one or two, average them."""
    rows = waits.subquery()
    ranked = select(
        rows.c.chapter_id,
        rows.c.days,
        func.row_number()
        .over(partition_by=rows.c.chapter_id, order_by=rows.c.days)
        .label("position"),
        func.count().over(partition_by=rows.c.chapter_id).label("n"),
    ).subquery()
    # Integer division: n = 4 keeps positions 2 and 3; n = 3 keeps position 2 twice over.
    middle = or_(
        ranked.c.position == (ranked.c.n + 1) // 2, ranked.c.position == (ranked.c.n + 2) // 2
    )
    return (
        select(
            ranked.c.chapter_id,
            rounded(func.avg(ranked.c.days), 1).label("median_days_to_decision"),
        )
        .where(middle)
        .group_by(ranked.c.chapter_id)
    )


def overdue(scope: Select, ctx: Context) -> Select:
    limit = ctx.now - timedelta(days=ctx.overdue_days)
    return (
        select(
            Campaign.chapter_id.label("chapter_id"),
            func.count(MilestoneSubmission.id).label("overdue_signoffs"),
        )
        .join(Milestone, Milestone.campaign_id == Campaign.id)
        .join(MilestoneSubmission, MilestoneSubmission.milestone_id == Milestone.id)
        .where(
            Campaign.chapter_id.in_(scope),
            MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
            MilestoneSubmission.submitted_at <= limit,
        )
        .group_by(Campaign.chapter_id)
    )


def leads(scope: Select, ctx: Context) -> Select:
    """Each participant's lead count (zeros included), ranked within the chapter, summed
    into the share who led and the Gini index (campaigns.fairness.gini_from_sums, in SQL)."""
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
    return lead_shares(scope, ctx, per_lead)


def lead_shares(scope: Select, ctx: Context, per_lead: Subquery) -> Select:
    """The share who led and the Gini index from lead counts per person (chapter_id,
    user_id, leads): every participant on the roster counts, with 0 when not there."""
    count = func.coalesce(per_lead.c.leads, 0)
    # How many members led each number of times (a few rows per chapter, not one per
    # member), so the ranking below sorts those rather than every member.
    counts = (
        select(
            Membership.chapter_id.label("chapter_id"),
            count.label("leads"),
            func.count().label("m"),
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
            _participant(),
        )
        .group_by(Membership.chapter_id, count)
        .subquery()
    )
    # Ranked by lead count, the m members who led `leads` times hold the positions after
    # the `below` members who led fewer: below + 1 to below + m, which add up to
    # m * below + m * (m + 1) / 2 (the sum of position x leads the Gini index needs).
    ranked = select(
        counts,
        (
            func.sum(counts.c.m).over(partition_by=counts.c.chapter_id, order_by=counts.c.leads)
            - counts.c.m
        ).label("below"),
    ).subquery()
    m = ranked.c.m
    positions = m * ranked.c.below + m * (m + 1) / 2
    sums = (
        select(
            ranked.c.chapter_id,
            func.sum(m).label("n"),
            func.sum(ranked.c.leads * m).label("total"),
            func.sum(ranked.c.leads * positions).label("weighted"),
            func.sum(case((ranked.c.leads > 0, m), else_=0)).label("led"),
        )
        .group_by(ranked.c.chapter_id)
        .subquery()
    )
    n, total = sums.c.n * 1.0, sums.c.total * 1.0
    gini = case((sums.c.total == 0, 0.0), else_=(2 * sums.c.weighted) / (n * total) - (n + 1) / n)
    return select(
        sums.c.chapter_id,
        type_coerce(sums.c.led * 1.0 / n, Float).label("share_led"),
        rounded(gini, 4).label("gini_leads"),
    ).where(sums.c.n > 0)


def professions_per_action(scope: Select, ctx: Context) -> Select:
    per_action = action_professions(
        and_(Campaign.chapter_id.in_(scope), ctx.in_period(Action.starts_at))
    ).subquery()
    return select(
        per_action.c.chapter_id,
        rounded(func.avg(per_action.c.professions), 2).label("professions_per_action"),
    ).group_by(per_action.c.chapter_id)


def action_professions(where, *, by_month: bool = False) -> Select:
    """For each done action matching `where`: its chapter (and, `by_month`, the month it
    started) and how many professions its people (who signed up, and the lead) have."""
    done = and_(where, Action.status == ActionStatus.DONE)
    month = [month_of(Action.starts_at).label("month")] if by_month else []
    # A lead who also signed up appears twice, which COUNT(DISTINCT profession) does not
    # mind: no UNION (and its sort) is needed to drop them, and each branch carries its
    # chapter so nothing joins back.
    people = union_all(
        select(
            Campaign.chapter_id.label("chapter_id"),
            *month,
            Action.id.label("action_id"),
            ActionSignup.user_id.label("user_id"),
        )
        .join(Action, Action.id == ActionSignup.action_id)
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(done),
        select(Campaign.chapter_id, *month, Action.id, Action.lead_id)
        .join(Campaign, Campaign.id == Action.campaign_id)
        .where(done, Action.lead_id.is_not(None)),
    ).subquery()
    keys = [people.c.chapter_id, *([people.c.month] if by_month else [])]
    return (
        select(*keys, func.count(distinct(User.profession)).label("professions"))
        .join(User, User.id == people.c.user_id)
        .group_by(*keys, people.c.action_id)
    )


def last_activity(scope: Select, ctx: Context) -> Select:
    """The latest moment of each kind per chapter first (each branch is one GROUP BY over an
    index), then the latest of those: the union holds a few rows per chapter, not every
    action, outcome and decision of the network."""
    return latest_of(activity_moments(scope, ctx.as_of).subquery())


def activity_kinds(where_chapter: Callable[[Any], Any]) -> list[tuple[Any, Any, Joins]]:
    """Every kind of activity last activity counts, as (its chapter column, its moment
    column, what a statement selecting them joins and filters), the chapter filtered by
    `where_chapter(column)`: an action done, an outcome logged, a milestone submitted or
    decided, a vision proposed or responded to."""
    return [
        (
            Campaign.chapter_id,
            Action.starts_at,
            lambda q: (
                q.select_from(Campaign)
                .join(Action, Action.campaign_id == Campaign.id)
                .where(where_chapter(Campaign.chapter_id), Action.status == ActionStatus.DONE)
            ),
        ),
        (
            Outcome.chapter_id,
            Outcome.created_at,
            lambda q: q.select_from(Outcome).where(where_chapter(Outcome.chapter_id)),
        ),
        (
            Campaign.chapter_id,
            MilestoneSubmission.submitted_at,
            lambda q: (
                q.select_from(Campaign)
                .join(Milestone, Milestone.campaign_id == Campaign.id)
                .join(MilestoneSubmission, MilestoneSubmission.milestone_id == Milestone.id)
                .where(where_chapter(Campaign.chapter_id))
            ),
        ),
        (
            Campaign.chapter_id,
            MilestoneDecision.decided_at,
            lambda q: (
                q.select_from(Campaign)
                .join(Milestone, Milestone.campaign_id == Campaign.id)
                .join(MilestoneDecision, MilestoneDecision.milestone_id == Milestone.id)
                .where(where_chapter(Campaign.chapter_id))
            ),
        ),
        (
            VisionVersion.chapter_id,
            VisionVersion.proposed_at,
            lambda q: q.select_from(VisionVersion).where(where_chapter(VisionVersion.chapter_id)),
        ),
        (
            VisionVersion.chapter_id,
            VisionResponse.updated_at,
            lambda q: (
                q.select_from(VisionVersion)
                .join(VisionResponse, VisionResponse.vision_id == VisionVersion.id)
                .where(where_chapter(VisionVersion.chapter_id))
            ),
        ),
    ]


def activity_moments(scope: Select, before: datetime, since: datetime | None = None):
    """The latest activity of each kind per chapter (chapter_id, at), before `before` and
    (when given) from `since` on."""

    def within(column):
        return column < before if since is None else and_(column >= since, column < before)

    return union_all(
        *(
            joins(select(chapter.label("chapter_id"), func.max(moment).label("at")))
            .where(within(moment))
            .group_by(chapter)
            for chapter, moment, joins in activity_kinds(lambda column: column.in_(scope))
        )
    )


def latest_of(moments: Subquery) -> Select:
    """The latest moment per chapter of (chapter_id, at) rows."""
    return select(
        moments.c.chapter_id,
        type_coerce(func.max(moments.c.at), UTCDateTime).label("last_activity"),
    ).group_by(moments.c.chapter_id)


SOURCES: dict[str, Callable[[Select, Context], Select]] = {
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

# What a chapter with no row in a source gets for each metric: counts are 0, measures blank.
COUNTED = (
    "active_members",
    "professions",
    "leaders",
    "advisors",
    "active_campaigns",
    "actions_done",
    "people_reached",
    "commitments",
    "signatures",
    "outcomes_logged",
    "domain_coverage",
    "milestones_approved",
    "overdue_signoffs",
)
MEASURED = (
    "median_days_to_decision",
    "share_led",
    "gini_leads",
    "professions_per_action",
    "last_activity",
)
