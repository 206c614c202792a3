"""Campaigns and their milestones: create, edit, status, progress, and the pages that list them."""

from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select, true
from sqlalchemy.orm import joinedload

from accounts.models import User
from campaigns.models import (
    CAMPAIGN_STATUSES,
    CAMPAIGN_TRANSITIONS,
    Action,
    ActionSignup,
    ActionStatus,
    Campaign,
    CampaignStatus,
    Milestone,
    MilestoneStatus,
)
from campaigns.playbook_library import PlaybookPlan, lay_out
from chapters.models import Chapter
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.timefmt import local

CAMPAIGNS_PER_PAGE = 20

CAMPAIGN_FIELDS = (
    "title",
    "issue",
    "target_community",
    "decision_maker",
    "objective",
    "goal_id",
    "start_date",
    "end_date",
)


def field_values(obj, fields) -> dict:
    """The named fields of a row, for an audit event's before and after."""
    return {f: getattr(obj, f) for f in fields}


ARCHIVED_PLAN = "This campaign is archived; its plan can no longer change."


def require_open_campaign(campaign: Campaign) -> None:
    """An archived campaign is a read-only record."""
    if campaign.status == CampaignStatus.ARCHIVED:
        raise PolicyError(ARCHIVED_PLAN)


# --- changing campaigns ---------------------------------------------------------------------


def create_campaign(
    chapter: Chapter, data: dict, actor: User, plan: PlaybookPlan | None = None
) -> Campaign:
    campaign = Campaign(
        chapter=chapter,
        created_by_id=actor.id,
        status=CampaignStatus.DRAFT,
        playbook_slug=plan.slug if plan else None,
        **{f: data[f] for f in CAMPAIGN_FIELDS},
    )
    if campaign.end_date < campaign.start_date:
        raise PolicyError("The campaign cannot end before it starts.")
    db.session.add(campaign)
    db.session.flush()
    if plan is not None:
        milestones, actions = lay_out(plan, campaign.start_date, chapter.timezone)
        for pm in milestones:
            db.session.add(
                Milestone(
                    campaign=campaign, title=pm.title, criteria=pm.criteria, due_date=pm.due_date
                )
            )
        for pa in actions:
            db.session.add(
                Action(
                    campaign=campaign,
                    title=pa.title,
                    kind=pa.kind,
                    description=pa.description,
                    starts_at=pa.starts_at,
                    ends_at=pa.ends_at,
                )
            )
        latest = max(
            [m.due_date for m in milestones]
            + [local(a.starts_at, chapter.timezone).date() for a in actions],
            default=campaign.end_date,
        )
        campaign.end_date = max(campaign.end_date, latest)
        db.session.flush()
    record_event(
        "campaign.created",
        actor=actor,
        obj=campaign,
        chapter_id=chapter.id,
        after={**field_values(campaign, CAMPAIGN_FIELDS), "playbook": plan.slug if plan else None},
    )
    return campaign


def update_campaign(campaign: Campaign, data: dict, actor: User) -> None:
    require_open_campaign(campaign)
    if data["end_date"] < data["start_date"]:
        raise PolicyError("The campaign cannot end before it starts.")
    before = field_values(campaign, CAMPAIGN_FIELDS)
    for f in CAMPAIGN_FIELDS:
        setattr(campaign, f, data[f])
    after = field_values(campaign, CAMPAIGN_FIELDS)
    if before != after:
        record_event(
            "campaign.updated",
            actor=actor,
            obj=campaign,
            chapter_id=campaign.chapter_id,
            before=before,
            after=after,
        )


def change_campaign_status(campaign: Campaign, status: CampaignStatus, actor: User) -> None:
    if status not in CAMPAIGN_TRANSITIONS.get(campaign.status, ()):
        label = campaign.status_label.lower()
        article = "An" if label[:1] in "aeiou" else "A"
        raise PolicyError(f"{article} {label} campaign cannot become {status}.")
    if status == CampaignStatus.ACTIVE and campaign.goal_id is None:
        raise PolicyError(
            "Link the campaign's objective to a goal of the adopted vision before activating it."
        )
    before = campaign.status
    campaign.status = status
    record_event(
        f"campaign.{status}",
        actor=actor,
        obj=campaign,
        chapter_id=campaign.chapter_id,
        before={"status": before},
        after={"status": status},
    )
    if status == CampaignStatus.ARCHIVED:
        # Nobody can decide a sign-off under an archived campaign: withdraw what waits.
        from campaigns.services.signoff import withdraw_for_archive

        withdraw_for_archive(campaign, actor)


def save_milestone(campaign: Campaign, milestone: Milestone | None, data: dict, actor: User):
    require_open_campaign(campaign)
    fields = ("title", "criteria", "due_date")
    before = None if milestone is None else field_values(milestone, fields)
    if milestone is None:
        milestone = Milestone(campaign=campaign)
        db.session.add(milestone)
    else:
        # Sign-off decides: locked (approved) work is refused; a submitted one is withdrawn.
        from campaigns.services.signoff import check_milestone_editable, withdraw_for_edit

        check_milestone_editable(milestone, "leader")
        if milestone.status == MilestoneStatus.SUBMITTED:
            withdraw_for_edit(milestone, actor)
    milestone.title, milestone.criteria, milestone.due_date = (
        data["title"],
        data["criteria"],
        data["due_date"],
    )
    db.session.flush()
    record_event(
        "milestone.saved",
        actor=actor,
        obj=milestone,
        chapter_id=campaign.chapter_id,
        before=before,
        after=field_values(milestone, fields),
    )
    return milestone


# --- reading campaigns ----------------------------------------------------------------------


def chapter_campaigns(chapter: Chapter, status: str, page: int) -> Pagination:
    """One page of the chapter's campaigns, newest first; `status` filters when it is one."""
    query = select(Campaign).where(Campaign.chapter_id == chapter.id)
    if status in CAMPAIGN_STATUSES:
        query = query.where(Campaign.status == status)
    query = query.order_by(Campaign.start_date.desc(), Campaign.id.desc())
    return db.paginate(query, page=page, per_page=CAMPAIGNS_PER_PAGE, error_out=False)


UPCOMING_SHOWN = 10
RECENT_SHOWN = 5
MILESTONES_SHOWN = 20
LEADS_SHOWN = 20
ACTIONS_PER_PAGE = 50


@dataclass
class CampaignPlan:
    """A window on a campaign's actions (the next few and the last few) and its milestones,
    in date order, for its page; the counts are over the whole campaign."""

    timeline: list[tuple[str, date, Action | Milestone]]
    signup_counts: dict[int, int]
    leads: list[str]
    leads_total: int
    actions_total: int
    milestones_total: int
    # For the progress bar: done of done-or-planned actions, approved of all milestones.
    progress: dict[str, int]

    @property
    def actions_shown(self) -> int:
        return sum(1 for kind, _, _ in self.timeline if kind == "action")

    @property
    def milestones_shown(self) -> int:
        return len(self.timeline) - self.actions_shown


def signup_counts(action_ids: list[int]) -> dict[int, int]:
    """How many signed up for each of these actions, in one GROUP BY."""
    if not action_ids:
        return {}
    return dict(
        db.session.execute(
            select(ActionSignup.action_id, func.count(ActionSignup.id))
            .where(ActionSignup.action_id.in_(action_ids))
            .group_by(ActionSignup.action_id)
        ).all()
    )


def campaign_plan(campaign: Campaign) -> CampaignPlan:
    tz = campaign.chapter.timezone
    now = utcnow()
    of_campaign = select(Action).where(Action.campaign_id == campaign.id)
    upcoming = db.session.scalars(
        of_campaign.where(Action.starts_at >= now)
        .options(joinedload(Action.lead))
        .order_by(Action.starts_at, Action.id)
        .limit(UPCOMING_SHOWN)
    ).all()
    recent = db.session.scalars(
        of_campaign.where(Action.starts_at < now)
        .options(joinedload(Action.lead))
        .order_by(Action.starts_at.desc(), Action.id.desc())
        .limit(RECENT_SHOWN)
    ).all()
    actions = [*reversed(recent), *upcoming]
    milestones = db.session.scalars(
        select(Milestone)
        .where(Milestone.campaign_id == campaign.id)
        .order_by(Milestone.due_date, Milestone.id)
        .limit(MILESTONES_SHOWN)
    ).all()
    # Every count of the page in one statement: the timeline's totals and the progress bar.
    action_counts = (
        select(
            func.count(Action.id),
            func.count(func.distinct(Action.lead_id)),
            func.count(Action.id).filter(Action.status == ActionStatus.DONE),
            func.count(Action.id).filter(Action.status == ActionStatus.PLANNED),
        )
        .where(Action.campaign_id == campaign.id)
        .subquery()
    )
    milestone_counts = (
        select(
            func.count(Milestone.id),
            func.count(Milestone.id).filter(Milestone.status == MilestoneStatus.APPROVED),
        )
        .where(Milestone.campaign_id == campaign.id)
        .subquery()
    )
    totals = db.session.execute(
        select(action_counts, milestone_counts).select_from(
            action_counts.join(milestone_counts, true())  # one row each
        )
    ).one()
    leads = db.session.scalars(
        select(User.display_name)
        .where(User.id.in_(select(Action.lead_id).where(Action.campaign_id == campaign.id)))
        .order_by(User.display_name)
        .limit(LEADS_SHOWN)
    ).all()
    timeline = sorted(
        [("action", local(a.starts_at, tz).date(), a) for a in actions]
        + [("milestone", ms.due_date, ms) for ms in milestones],
        key=lambda item: (item[1], item[0] == "action"),
    )
    return CampaignPlan(
        timeline,
        signup_counts([a.id for a in actions]),
        list(leads),
        leads_total=totals[1],
        actions_total=totals[0],
        milestones_total=totals[4],
        progress={
            "actions_done": totals[2],
            "actions_total": totals[2] + totals[3],
            "milestones_approved": totals[5],
            "milestones_total": totals[4],
        },
    )


def campaign_actions_page(campaign: Campaign, page: int) -> Pagination:
    """One page of all the campaign's actions in date order, with their leads."""
    query = (
        select(Action)
        .where(Action.campaign_id == campaign.id)
        .options(joinedload(Action.lead))
        .order_by(Action.starts_at, Action.id)
    )
    return db.paginate(query, page=page, per_page=ACTIONS_PER_PAGE, error_out=False)


def chapter_home_panels(chapter: Chapter) -> dict:
    """Active campaigns, the next actions and milestones awaiting sign-off, for the chapter home."""
    now = utcnow()
    return {
        "active_campaigns": db.session.scalars(
            select(Campaign)
            .where(Campaign.chapter_id == chapter.id, Campaign.status == CampaignStatus.ACTIVE)
            .order_by(Campaign.end_date)
            .limit(10)
        ).all(),
        "upcoming_actions": db.session.scalars(
            select(Action)
            .join(Campaign)
            .where(
                Campaign.chapter_id == chapter.id,
                Action.status == ActionStatus.PLANNED,
                Action.starts_at >= now,
            )
            .options(joinedload(Action.lead))
            .order_by(Action.starts_at)
            .limit(5)
        ).all(),
        "pending_signoffs": db.session.scalars(
            select(Milestone)
            .join(Campaign)
            .where(Campaign.chapter_id == chapter.id, Milestone.status == MilestoneStatus.SUBMITTED)
            .options(joinedload(Milestone.campaign))
            .order_by(Milestone.due_date)
            .limit(10)
        ).all(),
    }
