"""What `flask notify run` makes once a day: reminders (an action tomorrow, an overdue
sign-off) and the daily digest email of each person's digest-kind notifications.

Each reminder has a dedupe key that the notifications table holds unique per recipient,
so a second run (or two at once) makes no second reminder.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from accounts.models import User
from campaigns.models import Action, ActionSignup, ActionStatus, Campaign, CampaignStatus, Milestone
from campaigns.signoff_models import MilestoneSubmission, SubmissionStatus
from campaigns.signoff_rules import waiting
from chapters.models import Chapter, Membership, MembershipStatus, Role
from core.extensions import db
from core.http import app_path
from core.locking import take_write_lock
from notifications.email import mail_digest
from notifications.hooks import action_path, action_when
from notifications.kinds import DEFAULT_DELIVERY, Delivery, Kind
from notifications.models import EmailState, Notification, NotificationPreference
from notifications.services import may_see_chapter, notify


@dataclass(frozen=True)
class RunReport:
    action_reminders: int
    overdue_reminders: int
    digests: int


def remind_actions_tomorrow(now: datetime) -> int:
    """Its lead and sign-ups hear the day before a planned action (on the chapter's calendar)."""
    actions = list(
        db.session.scalars(
            select(Action)
            .join(Action.campaign)
            .join(Campaign.chapter)
            .options(contains_eager(Action.campaign).contains_eager(Campaign.chapter))
            .where(
                Action.status == ActionStatus.PLANNED,
                Campaign.status != CampaignStatus.ARCHIVED,
                Action.starts_at > now,
                Action.starts_at < now + timedelta(days=2, hours=14),  # every zone's tomorrow
            )
            .order_by(Action.starts_at, Action.id)
        )
    )
    tomorrow = []
    for action in actions:
        zone = ZoneInfo(action.campaign.chapter.timezone or "UTC")
        day = action.starts_at.astimezone(zone).date()
        if day == now.astimezone(zone).date() + timedelta(days=1):
            tomorrow.append((action, day))
    signed_up: dict[int, list[int]] = defaultdict(list)
    if tomorrow:
        for action_id, user_id in db.session.execute(
            select(ActionSignup.action_id, ActionSignup.user_id).where(
                ActionSignup.action_id.in_([a.id for a, _ in tomorrow])
            )
        ):
            signed_up[action_id].append(user_id)
    made = 0
    for action, day in tomorrow:
        where = f" at {action.location}" if action.location else ""
        made += len(
            notify(
                Kind.ACTION_TOMORROW,
                [action.lead_id, *signed_up[action.id]],
                chapter_id=action.campaign.chapter_id,
                link=action_path(action),
                text=f"Tomorrow: “{action.title}” on {action_when(action)}{where}.",
                obj=action,
                dedupe_key=f"action_tomorrow:{action.id}:{day.isoformat()}",
            )
        )
    return made


def remind_overdue_signoffs(now: datetime) -> int:
    """A sign-off waiting past SIGNOFF_OVERDUE_DAYS reminds the chapter's advisors; past
    SIGNOFF_ESCALATE_DAYS it also reminds national staff. Each once per submission."""
    overdue_days = current_app.config["SIGNOFF_OVERDUE_DAYS"]
    escalate_days = current_app.config["SIGNOFF_ESCALATE_DAYS"]
    waiting_subs = list(
        db.session.scalars(
            select(MilestoneSubmission)
            .join(MilestoneSubmission.milestone)
            .join(Milestone.campaign)
            .join(Campaign.chapter)
            .options(
                contains_eager(MilestoneSubmission.milestone)
                .contains_eager(Milestone.campaign)
                .contains_eager(Campaign.chapter)
            )
            .where(
                MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
                # a day's margin for the chapter's zone; `waiting` decides exactly
                MilestoneSubmission.submitted_at < now - timedelta(days=overdue_days - 1),
            )
            .order_by(MilestoneSubmission.submitted_at, MilestoneSubmission.id)
        )
    )
    if not waiting_subs:
        return 0
    advisors: dict[int, list[int]] = defaultdict(list)
    for chapter_id, user_id in db.session.execute(
        select(Membership.chapter_id, Membership.user_id).where(
            Membership.chapter_id.in_({s.milestone.campaign.chapter_id for s in waiting_subs}),
            Membership.role == Role.ADVISOR,
            Membership.status == MembershipStatus.ACTIVE,
        )
    ):
        advisors[chapter_id].append(user_id)
    staff: list[int] | None = None
    made = 0
    for sub in waiting_subs:
        milestone = sub.milestone
        chapter: Chapter = milestone.campaign.chapter
        first = waiting(sub.submitted_at, now, chapter.timezone, overdue_days)
        if not first.overdue:
            continue
        link = app_path("campaigns.milestone_page", slug=chapter.slug, milestone_id=milestone.id)
        text = (
            f"Sign-off overdue: “{milestone.title}” ({chapter.name}) has waited "
            f"{first.days} days for an advisor's decision."
        )
        made += len(
            notify(
                Kind.SIGNOFF_OVERDUE,
                advisors[chapter.id],
                chapter_id=chapter.id,
                link=link,
                text=text,
                obj=milestone,
                dedupe_key=f"signoff_overdue:{sub.id}:advisors",
            )
        )
        if waiting(sub.submitted_at, now, chapter.timezone, escalate_days).overdue:
            if staff is None:
                staff = list(
                    db.session.scalars(
                        select(User.id).where(
                            or_(User.is_national_staff, User.is_admin), User.active.is_(True)
                        )
                    )
                )
            made += len(
                notify(
                    Kind.SIGNOFF_OVERDUE,
                    staff,
                    chapter_id=chapter.id,
                    link=link,
                    text=text,
                    obj=milestone,
                    dedupe_key=f"signoff_overdue:{sub.id}:staff",
                )
            )
    return made


def send_digests(now: datetime) -> int:
    """One email per person with their notifications waiting for the digest; each goes once.

    Left out (and not sent later): what the person may no longer read, and kinds they have
    since switched to in-app only or to email at once.
    """
    # Two runs at once must not both send a notification: PostgreSQL locks the rows taken
    # (a second run skips them), SQLite's write lock makes the second run wait for the first.
    take_write_lock()
    rows = list(
        db.session.scalars(
            select(Notification)
            .join(Notification.recipient)
            .options(contains_eager(Notification.recipient))
            .where(Notification.email_state == EmailState.DIGEST)
            .order_by(Notification.recipient_id, Notification.created_at, Notification.id)
            .with_for_update(of=Notification, skip_locked=True)
        )
    )
    if not rows:
        return 0
    readable = set(
        db.session.scalars(
            select(Notification.id)
            .join(Notification.recipient)
            .where(
                Notification.email_state == EmailState.DIGEST,
                or_(
                    Notification.chapter_id.is_(None),
                    User.is_national_staff,
                    User.is_admin,
                    may_see_chapter(Notification.recipient_id, Notification.chapter_id),
                ),
            )
        )
    )
    chosen = {
        (p.user_id, p.kind): p.delivery
        for p in db.session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id.in_({n.recipient_id for n in rows})
            )
        )
    }
    per_person: dict[int, list[Notification]] = defaultdict(list)
    for n in rows:
        wanted = chosen.get((n.recipient_id, n.kind), DEFAULT_DELIVERY[n.kind])
        if n.id in readable and wanted == Delivery.DIGEST and n.recipient.active:
            per_person[n.recipient_id].append(n)
            n.email_state, n.emailed_at = EmailState.SENT, now
        else:
            n.email_state = EmailState.NONE
    for items in per_person.values():
        mail_digest(items[0].recipient, items)
    db.session.flush()
    return len(per_person)


def run_daily(now: datetime) -> RunReport:
    return RunReport(
        action_reminders=remind_actions_tomorrow(now),
        overdue_reminders=remind_overdue_signoffs(now),
        digests=send_digests(now),
    )
