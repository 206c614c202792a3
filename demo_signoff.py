"""Demo sign-offs for `make run`: a milestone in every state the advisor and leaders meet.

The finished fair: one milestone approved and locked (its outcomes with it), one waiting
past the overdue limit, one approved with an addendum
(with the recounted sign-in sheet as a PDF) that was approved too. The current
campaign: one returned with a comment, one waiting. Times are moved back so the
queue shows days waiting.
"""

from datetime import timedelta

from sqlalchemy import select

from accounts.models import User
from campaigns.evidence_rules import Evidence
from campaigns.models import Action, Campaign, Milestone
from campaigns.outcome_models import Outcome
from campaigns.services.signoff import decide, submit_addendum, submit_milestone
from campaigns.signoff_models import MilestoneSubmission
from core.db import utcnow
from core.extensions import db
from demo_outcomes import tiny_pdf


def _outcomes(campaign: Campaign) -> list[int]:
    return list(
        db.session.scalars(
            select(Outcome.id)
            .join(Action, Action.id == Outcome.action_id)
            .where(Action.campaign_id == campaign.id)
            .order_by(Outcome.id)
        )
    )


def _back(sub: MilestoneSubmission, days: int, decided_after: int | None = None) -> None:
    """Move a submission (and its decisions) back in time."""
    sub.submitted_at = utcnow() - timedelta(days=days)
    for d in sub.decisions:
        d.decided_at = sub.submitted_at + timedelta(days=decided_after or 2)


def _submit(ms: Milestone, summary: str, outcome_ids: list[int], leader: User, days: int):
    sub = submit_milestone(ms, summary, outcome_ids, leader, "leader")
    _back(sub, days)
    return sub


def load_signoffs(fair: Campaign, current: Campaign, leader: User, advisor: User) -> None:
    fair_ms = sorted(fair.milestones, key=lambda m: m.due_date)
    now_ms = sorted(current.milestones, key=lambda m: m.due_date)
    fair_evidence = _outcomes(fair)
    current_evidence = _outcomes(current)

    # Approved and locked, with the fair's outcomes as evidence.
    if fair_ms:
        sub = _submit(
            fair_ms[0],
            "Partner confirmed in writing; six stations staffed by four professions.",
            fair_evidence[:2],
            leader,
            days=70,
        )
        decide(sub, True, "Well evidenced. Thank you.", advisor, "advisor")
        db.session.flush()
        _back(sub, 70, decided_after=3)
    # Approved, then corrected by an addendum that was approved in turn.
    if len(fair_ms) > 1:
        sub = _submit(fair_ms[-1], "150 people screened.", fair_evidence[2:4], leader, days=50)
        decide(sub, True, "", advisor, "advisor")
        db.session.flush()
        _back(sub, 50, decided_after=4)
        addendum = submit_addendum(
            fair_ms[-1],
            "Correction: 162 people were screened, not 150; the sign-in sheet was recounted.",
            leader,
            "leader",
            [(tiny_pdf("Recounted sign-in sheet: 162"), Evidence("application/pdf", "pdf"))],
            no_patient_info=True,
        )
        decide(addendum, True, "Noted.", advisor, "advisor")
        db.session.flush()
        _back(addendum, 40, decided_after=1)

    # Waiting well past the overdue limit: the advisor's queue marks it.
    if len(fair_ms) > 2:
        _submit(
            fair_ms[1],
            "Two faculty preceptors signed up; supplies checked against the list.",
            [],
            leader,
            days=10,
        )

    # The current campaign: one returned with a comment, one waiting.
    if now_ms:
        sub = _submit(
            now_ms[0],
            "The ask is agreed: two evening sessions a week.",
            current_evidence[:1],
            leader,
            days=6,
        )
        decide(
            sub,
            False,
            "The criteria ask for the one-pager too: attach it, then submit again.",
            advisor,
            "advisor",
        )
        db.session.flush()
        _back(sub, 6, decided_after=1)
    if len(now_ms) > 1:
        _submit(
            now_ms[1],
            "Thank-you letter and the 212 survey responses sent to the commissioner's office.",
            current_evidence[1:3],
            leader,
            days=2,
        )
    db.session.flush()
