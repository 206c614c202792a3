"""Routes for campaigns and their milestones."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from campaigns import bp
from campaigns.access import get_campaign_or_404, get_milestone_or_404
from campaigns.forms import CampaignForm, MilestoneForm, NewCampaignForm, PublishForm
from campaigns.models import CAMPAIGN_STATUSES, CAMPAIGN_TRANSITIONS, CampaignStatus
from campaigns.outcome_models import OUTCOME_COUNTS
from campaigns.permissions import can_manage_campaigns, can_take_part
from campaigns.services.campaigns import (
    campaign_actions_page,
    campaign_plan,
    change_campaign_status,
    chapter_campaigns,
    create_campaign,
    save_milestone,
    signup_counts,
    update_campaign,
)
from campaigns.services.outcomes import campaign_outcome_totals
from campaigns.services.playbooks import (
    all_playbooks,
    find_playbook,
    playbook_title,
    published_playbook_slug,
)
from campaigns.services.pool import pool_start_choices, pool_summary, start_pool
from campaigns.signoff_rules import Move, check, is_locked
from chapters.access import get_chapter_or_404, require
from chapters.models import Chapter
from chapters.services import adopted_vision
from core.db import utcnow
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt
from core.timefmt import local


@bp.route("/c/<slug>/campaigns")
@login_required
def campaign_list(slug: str):
    chapter, m = get_chapter_or_404(slug)
    status = request.args.get("status", "")
    return render_template(
        "campaigns/list.html",
        chapter=chapter,
        m=m,
        page=chapter_campaigns(chapter, status, page_number()),
        status=status,
        statuses=CAMPAIGN_STATUSES,
        can_manage=can_manage_campaigns(current_user, m, chapter),
    )


def _goal_choices(chapter: Chapter) -> tuple[list, bool]:
    vision = adopted_vision(chapter)
    if vision is None:
        return [(0, "No adopted vision yet: draft only")], False
    return [(0, "Not linked yet")] + [(g.id, g.text) for g in vision.goals], True


def _campaign_data(form: CampaignForm) -> dict:
    return {
        "title": form.title.data.strip(),
        "issue": (form.issue.data or "").strip(),
        "target_community": (form.target_community.data or "").strip(),
        "decision_maker": (form.decision_maker.data or "").strip(),
        "objective": (form.objective.data or "").strip(),
        "goal_id": form.goal_id.data or None,
        "start_date": form.start_date.data,
        "end_date": form.end_date.data,
    }


@bp.route("/c/<slug>/campaigns/new", methods=["GET", "POST"])
@login_required
def new_campaign(slug: str):
    chapter, m = get_chapter_or_404(slug)
    require(can_manage_campaigns(current_user, m, chapter))
    form = NewCampaignForm()
    form.goal_id.choices, has_vision = _goal_choices(chapter)
    plans = all_playbooks()
    form.playbook.choices = [("", "No playbook: an empty plan")] + [
        (p.slug, f"{p.title} ({p.source})") for p in plans
    ]
    if request.method == "GET":
        form.playbook.data = request.args.get("playbook", "")
        form.start_date.data = form.start_date.data or local(utcnow(), chapter.timezone).date()
        plan = find_playbook(form.playbook.data) if form.playbook.data else None
        if plan is not None:
            form.title.data = form.title.data or plan.title
            form.end_date.data = form.start_date.data + timedelta(days=plan.duration_days)
    form.pool_start.choices = pool_start_choices(chapter)
    if form.validate_on_submit():
        plan = find_playbook(form.playbook.data) if form.playbook.data else None
        laid_out = " Its plan is laid out below; edit anything." if plan else ""
        with attempt() as done:
            campaign = create_campaign(chapter, _campaign_data(form), current_actor(), plan)
            pooled = start_pool(campaign, form.pool_start.data, current_actor())
            done.success = f"Campaign drafted.{laid_out} " + (
                f"{pooled} member{'' if pooled == 1 else 's'} in its rotation pool."
                if pooled
                else "Its rotation pool is empty: add members on the pool page."
            )
        if done:
            return redirect(url_for("campaigns.campaign_page", slug=slug, campaign_id=campaign.id))
    return render_template(
        "campaigns/edit.html", chapter=chapter, form=form, campaign=None, has_vision=has_vision
    )


@bp.route("/c/<slug>/campaigns/<int:campaign_id>")
@login_required
def campaign_page(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    plan = campaign_plan(campaign)
    pool = pool_summary(campaign.id, current_user.id)
    published = published_playbook_slug(campaign.id)
    # An archived campaign is a read-only record: no edit links or pool buttons.
    archived = campaign.status == CampaignStatus.ARCHIVED
    manage = can_manage_campaigns(current_user, m, chapter) and not archived
    return render_template(
        "campaigns/campaign.html",
        chapter=chapter,
        m=m,
        campaign=campaign,
        timeline=plan.timeline,
        signup_counts=plan.signup_counts,
        plan=plan,
        progress=plan.progress,
        outcome_totals=campaign_outcome_totals(campaign.id),
        outcome_counts=OUTCOME_COUNTS,
        pool=pool,
        in_pool=pool.has_viewer,
        leads=plan.leads,
        can_manage=manage,
        can_take_part=can_take_part(current_user, m, chapter) and not archived,
        transitions=CAMPAIGN_TRANSITIONS.get(campaign.status, ()) if manage else (),
        published=published,
        playbook_title=playbook_title(campaign.playbook_slug),
        publish_form=PublishForm(),
    )


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/actions")
@login_required
def campaign_actions(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    page = campaign_actions_page(campaign, page_number())
    return render_template(
        "campaigns/actions_list.html",
        chapter=chapter,
        campaign=campaign,
        page=page,
        signup_counts=signup_counts([a.id for a in page.items]),
    )


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@login_required
def edit_campaign(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    require(can_manage_campaigns(current_user, m, chapter))
    form = CampaignForm(obj=campaign)
    form.goal_id.choices, has_vision = _goal_choices(chapter)
    if campaign.goal_id and campaign.goal_id not in {c[0] for c in form.goal_id.choices}:
        form.goal_id.choices.append((campaign.goal_id, f"{campaign.goal.text} (earlier vision)"))
    if request.method == "GET":
        form.goal_id.data = campaign.goal_id or 0
    if form.validate_on_submit() and not form.changed_since_opened(campaign):
        with attempt("Campaign saved.") as done:
            update_campaign(campaign, _campaign_data(form), current_actor())
        if done:
            return redirect(url_for("campaigns.campaign_page", slug=slug, campaign_id=campaign.id))
    return render_template(
        "campaigns/edit.html", chapter=chapter, form=form, campaign=campaign, has_vision=has_vision
    )


@bp.route(
    "/c/<slug>/campaigns/<int:campaign_id>/status/<any(active, completed, archived):status>",
    methods=["GET", "POST"],
)
@login_required
def campaign_status(slug: str, campaign_id: int, status: str):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    require(can_manage_campaigns(current_user, m, chapter))
    form = EmptyForm()
    if form.validate_on_submit():
        with attempt() as done:
            change_campaign_status(campaign, CampaignStatus(status), current_actor())
            done.success = f"The campaign is now {campaign.status_label.lower()}."
        return redirect(url_for("campaigns.campaign_page", slug=slug, campaign_id=campaign.id))
    return render_template(
        "campaigns/status_confirm.html",
        chapter=chapter,
        campaign=campaign,
        status=status,
        statuses=CAMPAIGN_STATUSES,
        form=form,
    )


# --- milestones -----------------------------------------------------------------------------

LOCKED_EDIT = check("approved", Move.EDIT, "leader").reason


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/milestones/new", methods=["GET", "POST"])
@login_required
def new_milestone(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    require(can_manage_campaigns(current_user, m, chapter))
    return _milestone_form(chapter, campaign, None)


@bp.route("/c/<slug>/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@login_required
def edit_milestone(slug: str, milestone_id: int):
    chapter, m, milestone = get_milestone_or_404(slug, milestone_id)
    require(can_manage_campaigns(current_user, m, chapter))
    if request.method == "GET" and is_locked(milestone.status):
        flash(LOCKED_EDIT, "error")
        return redirect(url_for("campaigns.milestone_page", slug=slug, milestone_id=milestone.id))
    return _milestone_form(chapter, milestone.campaign, milestone)


def _milestone_form(chapter, campaign, milestone):
    form = MilestoneForm(obj=milestone)
    stale = milestone is not None and form.is_submitted() and form.changed_since_opened(milestone)
    if not stale and form.validate_on_submit():
        data = {
            "title": form.title.data.strip(),
            "criteria": (form.criteria.data or "").strip(),
            "due_date": form.due_date.data,
        }
        with attempt("Milestone saved.") as done:
            save_milestone(campaign, milestone, data, current_actor())
        if done:
            return redirect(
                url_for("campaigns.campaign_page", slug=chapter.slug, campaign_id=campaign.id)
            )
    return render_template(
        "campaigns/milestone_edit.html",
        chapter=chapter,
        campaign=campaign,
        milestone=milestone,
        form=form,
    )
