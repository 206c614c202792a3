"""Milestone sign-off: leaders submit with evidence, advisors approve, return or reopen,
addenda correct locked work. Each operation asks campaigns.signoff_rules first.

Two advisors deciding at once: the milestone row is locked (FOR UPDATE, on PostgreSQL)
before the submission is read again, so the second waits and then finds it decided; on
SQLite the submission's version column refuses the second write instead. An approval
also locks the rows of the outcomes it covers, as every write to an outcome (or to the
action behind it) does before asking whether it is locked: the approval and the edit
take turns (on SQLite the database's write lock does the same).
"""

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from accounts.models import User
from campaigns.evidence_rules import Evidence
from campaigns.models import Action, Campaign, CampaignStatus, Milestone
from campaigns.outcome_models import Outcome
from campaigns.services.addendum_files import check_addendum_files, store_addendum_files
from campaigns.services.campaigns import require_open_campaign
from campaigns.signoff_models import (
    DecisionKind,
    MilestoneDecision,
    MilestoneSubmission,
    SubmissionKind,
    SubmissionStatus,
    submission_outcomes,
)
from campaigns.signoff_rules import MilestoneStatus, Move, Verdict, check, check_addendum
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.events import publish
from core.extensions import db
from core.timefmt import localtime

EVIDENCE_CHOICES_SHOWN = 100
ARCHIVED_REASON = "the campaign was archived"


def _allowed(verdict: Verdict) -> str:
    if not verdict.allowed:
        raise PolicyError(verdict.reason)
    assert verdict.to is not None  # nosec B101 # for mypy: an allowed verdict always has `to`
    return verdict.to


def _lock(milestone: Milestone) -> Milestone:
    """The milestone as it is now, row-locked until commit (PostgreSQL; SQLite ignores it)."""
    return db.session.scalars(
        select(Milestone)
        .where(Milestone.id == milestone.id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: rows referencing it still insert
        .execution_options(populate_existing=True)
    ).one()


def _lock_evidence(submission: MilestoneSubmission) -> None:
    """Row-lock the outcomes a submission offers, in id order (two approvals sharing
    outcomes take them in the same order, so neither deadlocks the other). Outcome writes
    lock their row before asking whether it is locked (outcomes.ensure_outcome_editable),
    so an approval and an edit of its evidence take turns on the same rows."""
    db.session.execute(
        select(Outcome.id)
        .join(submission_outcomes, submission_outcomes.c.outcome_id == Outcome.id)
        .where(submission_outcomes.c.submission_id == submission.id)
        .order_by(Outcome.id)
        .with_for_update(of=Outcome, key_share=True)
    ).all()


def _standing(milestone: Milestone, status: SubmissionStatus) -> MilestoneSubmission | None:
    """The milestone's own (not addendum) submission in this status: at most one."""
    return db.session.scalars(
        select(MilestoneSubmission)
        .where(
            MilestoneSubmission.milestone_id == milestone.id,
            MilestoneSubmission.kind == SubmissionKind.MILESTONE,
            MilestoneSubmission.status == status,
        )
        .order_by(MilestoneSubmission.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).first()


def _event(name: str, milestone: Milestone, actor: User, before: str, **after) -> None:
    record_event(
        name,
        actor=actor,
        obj=milestone,
        chapter_id=milestone.campaign.chapter_id,
        before={"status": before},
        after={"status": milestone.status, **after},
    )


# --- leaders --------------------------------------------------------------------------------


def evidence_choices(milestone: Milestone) -> list[tuple[int, str]]:
    """Outcomes logged for this campaign's actions, newest action first, as form choices."""
    rows = db.session.execute(
        select(Outcome.id, Action.title, Action.starts_at)
        .join(Action, Action.id == Outcome.action_id)
        .where(Action.campaign_id == milestone.campaign_id)
        .order_by(Action.starts_at.desc(), Outcome.id)
        .limit(EVIDENCE_CHOICES_SHOWN)
    ).all()
    tz = milestone.campaign.chapter.timezone
    return [(oid, f"{title} ({localtime(at, tz, '%d %b %Y')})") for oid, title, at in rows]


def submit_milestone(
    milestone: Milestone, summary: str, outcome_ids: list[int], actor: User, role: str | None
) -> MilestoneSubmission:
    require_open_campaign(milestone.campaign)
    milestone = _lock(milestone)
    before = milestone.status
    to = _allowed(check(before, Move.SUBMIT, role, summary))
    wanted = set(outcome_ids)
    outcomes = (
        db.session.scalars(
            select(Outcome)
            .join(Action, Action.id == Outcome.action_id)
            .where(Action.campaign_id == milestone.campaign_id, Outcome.id.in_(wanted))
        ).all()
        if wanted
        else []
    )
    if len(outcomes) != len(wanted):
        raise PolicyError("Pick evidence from the outcomes of this campaign's actions.")
    submission = MilestoneSubmission(
        milestone=milestone, text=summary.strip(), submitted_by=actor, outcomes=list(outcomes)
    )
    db.session.add(submission)
    milestone.status = to
    db.session.flush()
    _event(
        "milestone.submitted",
        milestone,
        actor,
        before,
        submission_id=submission.id,
        outcome_ids=sorted(wanted),
    )
    publish("signoff.requested", submission=submission, actor=actor)
    return submission


def check_milestone_editable(milestone: Milestone, role: str | None) -> str:
    """Where an edit leaves the milestone; refused (PolicyError) while it is locked."""
    return _allowed(check(milestone.status, Move.EDIT, role))


def withdraw_for_edit(milestone: Milestone, actor: User) -> None:
    """Editing a submitted milestone withdraws the submission: it is open again."""
    waiting = _standing(milestone, SubmissionStatus.SUBMITTED)
    if waiting is not None:
        waiting.status = SubmissionStatus.WITHDRAWN
        waiting.withdrawn_at = utcnow()
    before = milestone.status
    milestone.status = check(before, Move.EDIT, "leader").to or before
    db.session.flush()
    _event(
        "milestone.withdrawn",
        milestone,
        actor,
        before,
        submission_id=waiting.id if waiting else None,
    )


def withdraw_for_archive(campaign: Campaign, actor: User) -> None:
    """Archiving a campaign withdraws the sign-offs still waiting under it (nobody can
    decide them any more): each milestone and addendum is withdrawn, a waiting milestone
    is open again, each withdrawal recorded and the leaders told. Each milestone is locked
    first, as a decision locks it, so a decision under way lands before or finds it withdrawn.
    """
    milestones = db.session.scalars(
        select(Milestone)
        .where(
            Milestone.campaign_id == campaign.id,
            exists().where(
                MilestoneSubmission.milestone_id == Milestone.id,
                MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
            ),
        )
        .order_by(Milestone.id)
    ).all()
    for milestone in milestones:
        milestone = _lock(milestone)
        waiting = db.session.scalars(
            select(MilestoneSubmission)
            .where(
                MilestoneSubmission.milestone_id == milestone.id,
                MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
            )
            .order_by(MilestoneSubmission.id)
            .execution_options(populate_existing=True)
        ).all()
        for submission in waiting:
            before = milestone.status
            submission.status = SubmissionStatus.WITHDRAWN
            submission.withdrawn_at = utcnow()
            if not submission.is_addendum:
                milestone.status = MilestoneStatus.OPEN
            db.session.flush()
            what = "addendum" if submission.is_addendum else "milestone"
            _event(
                f"{what}.withdrawn",
                milestone,
                actor,
                before,
                submission_id=submission.id,
                reason=ARCHIVED_REASON,
            )
            publish("signoff.withdrawn", submission=submission, reason=ARCHIVED_REASON, actor=actor)


def submit_addendum(
    milestone: Milestone,
    text: str,
    actor: User,
    role: str | None,
    files: list[tuple[bytes, Evidence]] | None = None,
    *,
    no_patient_info: bool = False,
) -> MilestoneSubmission:
    """A correction to approved, locked work: text and optional (already inspected) files,
    all stored or none."""
    require_open_campaign(milestone.campaign)
    milestone = _lock(milestone)
    _allowed(check(milestone.status, Move.ADD_ADDENDUM, role, text))
    files = files or []
    check_addendum_files(files, no_patient_info=no_patient_info)
    addendum = MilestoneSubmission(
        milestone=milestone, kind=SubmissionKind.ADDENDUM, text=text.strip(), submitted_by=actor
    )
    db.session.add(addendum)
    db.session.flush()
    _event("addendum.submitted", milestone, actor, milestone.status, submission_id=addendum.id)
    store_addendum_files(addendum, files, actor)
    publish("signoff.requested", submission=addendum, actor=actor)
    return addendum


# --- advisors -------------------------------------------------------------------------------


def decided_message(submission_id: int) -> str:
    """What happened to a submission someone else decided (or withdrew) first."""
    sub = db.session.get(MilestoneSubmission, submission_id, populate_existing=True)
    if sub is None or sub.status == SubmissionStatus.SUBMITTED:
        return "Someone changed this sign-off at the same time; nothing of yours was saved."
    tz = sub.milestone.campaign.chapter.timezone
    if sub.status == SubmissionStatus.WITHDRAWN:
        when = localtime(sub.withdrawn_at, tz)
        campaign_status = db.session.scalar(  # as committed, not as this session saw it
            select(Campaign.status).where(Campaign.id == sub.milestone.campaign_id)
        )
        if campaign_status == CampaignStatus.ARCHIVED:
            return (
                f"This sign-off was withdrawn on {when}: {ARCHIVED_REASON}. "
                "Your decision was not recorded."
            )
        return (
            f"The leaders withdrew this submission on {when} (they edited the milestone); "
            "your decision was not recorded."
        )
    last = db.session.scalars(
        select(MilestoneDecision)
        .where(MilestoneDecision.submission_id == sub.id)
        .options(joinedload(MilestoneDecision.advisor))
        .order_by(MilestoneDecision.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return f"This sign-off is already {sub.status}; your decision was not recorded."
    return (
        f"{last.advisor.display_name} already {last.decision} this on "
        f"{localtime(last.decided_at, tz)}; your decision was not recorded."
    )


def decide(
    submission: MilestoneSubmission,
    approve: bool,
    comment: str,
    actor: User,
    role: str | None,
    seen_version: int | None = None,
) -> MilestoneDecision:
    """Approve or return a waiting submission or addendum; exactly one decision stands."""
    require_open_campaign(submission.milestone.campaign)
    milestone = _lock(submission.milestone)
    db.session.refresh(submission)
    if submission.status != SubmissionStatus.SUBMITTED or (
        seen_version is not None and submission.version != seen_version
    ):
        raise PolicyError(decided_message(submission.id))
    before = milestone.status
    if submission.is_addendum:
        _allowed(check_addendum(submission.status, approve, role, comment))
    else:
        move = Move.APPROVE if approve else Move.RETURN
        milestone.status = _allowed(check(before, move, role, comment))
        if approve:  # approval locks the evidence: wait for edits of it under way
            _lock_evidence(submission)
    kind = DecisionKind.APPROVED if approve else DecisionKind.RETURNED
    submission.status = SubmissionStatus.APPROVED if approve else SubmissionStatus.RETURNED
    decision = MilestoneDecision(
        milestone_id=milestone.id,
        submission=submission,
        advisor=actor,
        decision=kind,
        comment=comment.strip(),
    )
    db.session.add(decision)
    db.session.flush()
    what = "addendum" if submission.is_addendum else "milestone"
    _event(f"{what}.{kind}", milestone, actor, before, submission_id=submission.id, comment=comment)
    publish("signoff.decided", decision=decision, submission=submission, actor=actor)
    return decision


def reopen_milestone(
    milestone: Milestone, reason: str, actor: User, role: str | None
) -> MilestoneDecision:
    """Unlock approved work, with the reason kept; its evidence is editable again."""
    require_open_campaign(milestone.campaign)
    milestone = _lock(milestone)
    before = milestone.status
    milestone.status = _allowed(check(before, Move.REOPEN, role, reason))
    standing = _standing(milestone, SubmissionStatus.APPROVED)
    if standing is None:  # approved without a submission: only by hand in the database
        raise PolicyError("This milestone has no approved submission to reopen.")
    standing.status = SubmissionStatus.REOPENED
    decision = MilestoneDecision(
        milestone_id=milestone.id,
        submission=standing,
        advisor=actor,
        decision=DecisionKind.REOPENED,
        comment=reason.strip(),
    )
    db.session.add(decision)
    db.session.flush()
    _event("milestone.reopened", milestone, actor, before, submission_id=standing.id, reason=reason)
    return decision


# --- the lock -------------------------------------------------------------------------------

_LOCKING = (
    select(submission_outcomes.c.outcome_id)
    .join(MilestoneSubmission, MilestoneSubmission.id == submission_outcomes.c.submission_id)
    .where(
        MilestoneSubmission.kind == SubmissionKind.MILESTONE,
        MilestoneSubmission.status == SubmissionStatus.APPROVED,
    )
)


def outcome_locked(outcome_id: int) -> bool:
    """An outcome is locked while an approved milestone's standing submission offers it."""
    return bool(
        db.session.scalar(
            select(exists(_LOCKING.where(submission_outcomes.c.outcome_id == outcome_id)))
        )
    )


def locked_outcome_ids(outcome_ids: list[int]) -> set[int]:
    """Which of these outcomes are locked, in one statement (for a page listing several)."""
    if not outcome_ids:
        return set()
    return set(
        db.session.scalars(_LOCKING.where(submission_outcomes.c.outcome_id.in_(outcome_ids)))
    )


# --- reading --------------------------------------------------------------------------------


def waiting_submissions(milestone: Milestone) -> list[MilestoneSubmission]:
    """What waits for an advisor on this milestone: its submission and any addenda."""
    return list(
        db.session.scalars(
            select(MilestoneSubmission)
            .where(
                MilestoneSubmission.milestone_id == milestone.id,
                MilestoneSubmission.status == SubmissionStatus.SUBMITTED,
            )
            .options(
                joinedload(MilestoneSubmission.submitted_by),
                selectinload(MilestoneSubmission.files),
            )
            .order_by(MilestoneSubmission.submitted_at, MilestoneSubmission.id)
            .limit(10)
        )
    )


TIMELINE_PER_PAGE = 10


def milestone_timeline(milestone: Milestone, page: int):
    """Every submission and addendum, newest first, each with its evidence and decisions."""
    query = (
        select(MilestoneSubmission)
        .where(MilestoneSubmission.milestone_id == milestone.id)
        .options(
            joinedload(MilestoneSubmission.submitted_by),
            selectinload(MilestoneSubmission.outcomes).joinedload(Outcome.action),
            selectinload(MilestoneSubmission.decisions).joinedload(MilestoneDecision.advisor),
            selectinload(MilestoneSubmission.files),
        )
        .order_by(MilestoneSubmission.submitted_at.desc(), MilestoneSubmission.id.desc())
    )
    return db.paginate(query, page=page, per_page=TIMELINE_PER_PAGE, error_out=False)
