"""Routes for milestone sign-off: the milestone page, submitting, deciding, reopening,
addenda, a chapter's milestones by state, and the advisor's queue."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from campaigns import bp
from campaigns.access import get_milestone_or_404, get_submission_or_404
from campaigns.models import CampaignStatus
from campaigns.permissions import can_manage_campaigns, can_sign_off
from campaigns.services.addendum_files import addendum_file_in_chapter
from campaigns.services.signoff import (
    decide,
    decided_message,
    evidence_choices,
    milestone_timeline,
    reopen_milestone,
    submit_addendum,
    submit_milestone,
    waiting_submissions,
)
from campaigns.services.signoff_queue import (
    MILESTONE_STATES,
    advises_a_chapter,
    advisor_queue,
    chapter_milestones,
    milestone_state_counts,
    return_comments,
)
from campaigns.signoff_forms import AddendumForm, DecisionForm, ReopenForm, SubmitMilestoneForm
from campaigns.signoff_rules import TRANSITIONS, MilestoneStatus, Move, check, is_locked
from campaigns.views.outcomes import RECHOOSE_FILES, serve_chapter_file
from chapters.access import get_chapter_or_404, require
from core.http import page_number
from core.outcome import attempt

SUBMITTABLE = TRANSITIONS[Move.SUBMIT]


def _role(m) -> str | None:
    return m.role if m is not None else None


def _milestone_url(chapter, milestone) -> str:
    return url_for("campaigns.milestone_page", slug=chapter.slug, milestone_id=milestone.id)


@bp.route("/c/<slug>/milestones")
@login_required
def chapter_milestone_list(slug: str):
    chapter, m = get_chapter_or_404(slug)
    state = request.args.get("state", MilestoneStatus.OPEN)
    state = state if state in MILESTONE_STATES else MilestoneStatus.OPEN
    page = chapter_milestones(chapter, state, page_number())
    return render_template(
        "campaigns/milestones.html",
        chapter=chapter,
        state=state,
        states=MILESTONE_STATES,
        counts=milestone_state_counts(chapter),
        page=page,
        comments=return_comments([ms.id for ms in page.items])
        if state == MilestoneStatus.RETURNED
        else {},
    )


@bp.route("/c/<slug>/milestones/<int:milestone_id>")
@login_required
def milestone_page(slug: str, milestone_id: int):
    chapter, m, milestone = get_milestone_or_404(slug, milestone_id)
    campaign_open = milestone.campaign.status != CampaignStatus.ARCHIVED
    manage = can_manage_campaigns(current_user, m, chapter) and campaign_open
    advise = can_sign_off(current_user, m, chapter) and campaign_open
    return render_template(
        "campaigns/milestone.html",
        chapter=chapter,
        milestone=milestone,
        campaign=milestone.campaign,
        locked=is_locked(milestone.status),
        can_manage=manage,
        can_sign_off=advise,
        waiting=waiting_submissions(milestone),
        # A returned milestone shows its advisor's comment first (one statement, then).
        returned_by=return_comments([milestone.id]).get(milestone.id)
        if milestone.status == MilestoneStatus.RETURNED
        else None,
        timeline=milestone_timeline(milestone, page_number()),
        decision_form=DecisionForm(),
    )


@bp.route("/c/<slug>/milestones/<int:milestone_id>/submit", methods=["GET", "POST"])
@login_required
def submit_for_signoff(slug: str, milestone_id: int):
    chapter, m, milestone = get_milestone_or_404(slug, milestone_id)
    require(can_manage_campaigns(current_user, m, chapter))
    if request.method == "GET" and milestone.status not in SUBMITTABLE:
        flash(check(milestone.status, Move.SUBMIT, _role(m), "-").reason, "error")
        return redirect(_milestone_url(chapter, milestone))
    form = SubmitMilestoneForm()
    form.outcome_ids.choices = evidence_choices(milestone)
    if form.validate_on_submit():
        with attempt("Submitted for sign-off; the chapter's advisors can now decide.") as done:
            submit_milestone(
                milestone, form.summary.data, form.outcome_ids.data, current_actor(), _role(m)
            )
        if done:
            return redirect(_milestone_url(chapter, milestone))
    return render_template(
        "campaigns/milestone_submit.html", chapter=chapter, milestone=milestone, form=form
    )


@bp.route("/c/<slug>/signoffs/<int:submission_id>/decide", methods=["GET", "POST"])
@login_required
def decide_signoff(slug: str, submission_id: int):
    chapter, m, submission = get_submission_or_404(slug, submission_id)
    require(can_sign_off(current_user, m, chapter))
    milestone = submission.milestone
    form = DecisionForm()
    if request.method == "GET":
        form.version.data = str(submission.version)
    if form.validate_on_submit():
        approve = request.form.get("decision") == "approve"
        seen = int(form.version.data) if (form.version.data or "").isdigit() else None
        what = "addendum" if submission.is_addendum else "milestone"
        with attempt(
            f"The {what} is approved." if approve else f"The {what} is returned with your comment.",
            stale=lambda: decided_message(submission_id),
            field=form.comment,
        ) as done:
            decide(submission, approve, form.comment.data or "", current_actor(), _role(m), seen)
        if done:
            if form.back.data == "queue":
                return redirect(url_for("campaigns.signoff_queue"))
            return redirect(_milestone_url(chapter, milestone))
    return render_template(
        "campaigns/signoff_decide.html",
        chapter=chapter,
        milestone=milestone,
        submission=submission,
        form=form,
    )


@bp.route("/c/<slug>/milestones/<int:milestone_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(slug: str, milestone_id: int):
    chapter, m, milestone = get_milestone_or_404(slug, milestone_id)
    require(can_sign_off(current_user, m, chapter))
    form = ReopenForm()
    if form.validate_on_submit():
        with attempt("Reopened: the milestone and its evidence can be edited again.") as done:
            reopen_milestone(milestone, form.reason.data, current_actor(), _role(m))
        if done:
            return redirect(_milestone_url(chapter, milestone))
    return render_template(
        "campaigns/milestone_form.html",
        chapter=chapter,
        milestone=milestone,
        form=form,
        field_names=["reason"],
        heading=f"Reopen “{milestone.title}”?",
        intro="Reopening unlocks the signed-off milestone and the outcomes that evidence it: "
        "leaders can edit them and submit again. The reason is kept in the milestone's history.",
        button="Reopen it",
    )


@bp.route("/c/<slug>/milestones/<int:milestone_id>/addendum", methods=["GET", "POST"])
@login_required
def add_addendum(slug: str, milestone_id: int):
    chapter, m, milestone = get_milestone_or_404(slug, milestone_id)
    require(can_manage_campaigns(current_user, m, chapter))
    form = AddendumForm()
    if form.validate_on_submit():
        with attempt("Addendum submitted for sign-off.") as done:
            added = submit_addendum(
                milestone,
                form.text.data,
                current_actor(),
                _role(m),
                form.inspected,
                no_patient_info=bool(form.no_patient_info.data),
            )
            if added.files:
                n = len(added.files)
                done.success = f"Addendum submitted for sign-off with {n} file{'s' * (n != 1)}."
        if done:
            return redirect(_milestone_url(chapter, milestone))
    if form.chosen_files() and not form.evidence.errors and request.method == "POST":
        form.evidence.errors = [*form.evidence.errors, RECHOOSE_FILES]
    # Files chosen again are confirmed again.
    form.no_patient_info.data = False
    return render_template(
        "campaigns/milestone_form.html",
        chapter=chapter,
        milestone=milestone,
        form=form,
        field_names=["text", "evidence", "no_patient_info"],
        multipart=True,
        heading=f"Addendum to “{milestone.title}”",
        intro="The signed-off milestone stays as it was; the addendum is added beside it "
        "once an advisor approves it.",
        button="Submit the addendum",
    )


@bp.route("/c/<slug>/addendum-files/<int:file_id>")
@login_required
def addendum_file(slug: str, file_id: int):
    """An addendum's file, only through the chapter's permission check (else 404)."""
    return serve_chapter_file(slug, file_id, addendum_file_in_chapter)


@bp.route("/signoffs")
@login_required
def signoff_queue():
    page, items = advisor_queue(current_user, page_number())
    return render_template(
        "campaigns/signoff_queue.html",
        page=page,
        items=items,
        advises=bool(items) or advises_a_chapter(current_user),
        decision_form=DecisionForm(),
    )
