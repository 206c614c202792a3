"""Routes for a campaign's actions and signing up for them."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from campaigns import bp
from campaigns.access import get_action_or_404, get_campaign_or_404
from campaigns.forms import ActionForm, AssignLeadForm, HandOffForm, SwapForm
from campaigns.models import ActionStatus, CampaignStatus
from campaigns.outcome_models import OUTCOME_COUNTS
from campaigns.permissions import (
    can_edit_action,
    can_log_outcome,
    can_manage_campaigns,
    can_take_part,
)
from campaigns.services.actions import (
    action_signups,
    action_signups_page,
    change_action_status,
    save_action,
    sign_up,
    withdraw_signup,
)
from campaigns.services.campaigns import ARCHIVED_PLAN
from campaigns.services.leads import lead_history, lead_history_page, open_swap, rotation_for
from campaigns.services.outcomes import (
    action_is_over,
    outcome_for_action,
    outcome_is_locked,
    why_outcome_cannot_change,
)
from campaigns.services.pool import pool_people
from chapters.access import require
from chapters.services import participant_choices
from core.db import utcnow
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt
from core.timefmt import local, local_time_exists, to_utc


def _action_data(form: ActionForm, tzname: str) -> dict:
    return {
        "kind": form.kind.data,
        "title": form.title.data.strip(),
        "starts_at": to_utc(form.day.data, form.start_time.data, tzname),
        "ends_at": to_utc(form.day.data, form.end_time.data, tzname),
        "location": (form.location.data or "").strip(),
        "description": (form.description.data or "").strip(),
        "capacity": form.capacity.data,
    }


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    require(can_manage_campaigns(current_user, m, chapter))
    return _action_form(chapter, campaign, None)


@bp.route("/c/<slug>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_edit_action(current_user, m, action))
    return _action_form(chapter, action.campaign, action)


def _times_exist(form: ActionForm, tzname: str) -> bool:
    """Refuse wall-clock times that the chapter's zone skips when clocks go forward."""
    ok = True
    for field in (form.start_time, form.end_time):
        if not local_time_exists(form.day.data, field.data, tzname):
            field.errors.append(
                f"{field.data:%H:%M} does not exist on that day in {tzname}: the clocks go "
                "forward. Choose a time an hour later."
            )
            ok = False
    return ok


def _action_form(chapter, campaign, action):
    if request.method == "GET" and campaign.status == CampaignStatus.ARCHIVED:
        # Say so before anyone fills in a form that could not be saved.
        flash(ARCHIVED_PLAN, "error")
        if action is not None:
            return redirect(
                url_for("campaigns.action_page", slug=chapter.slug, action_id=action.id)
            )
        return redirect(
            url_for("campaigns.campaign_page", slug=chapter.slug, campaign_id=campaign.id)
        )
    form = ActionForm(obj=action)
    if request.method == "GET" and action is not None:
        start, end = (
            local(action.starts_at, chapter.timezone),
            local(action.ends_at, chapter.timezone),
        )
        form.day.data, form.start_time.data, form.end_time.data = (
            start.date(),
            start.time(),
            end.time(),
        )
    stale = action is not None and form.is_submitted() and form.changed_since_opened(action)
    if not stale and form.validate_on_submit() and _times_exist(form, chapter.timezone):
        with attempt("Action saved.") as done:
            saved = save_action(
                campaign, action, _action_data(form, chapter.timezone), current_actor()
            )
        if done:
            return redirect(url_for("campaigns.action_page", slug=chapter.slug, action_id=saved.id))
    return render_template(
        "campaigns/action_edit.html", chapter=chapter, campaign=campaign, action=action, form=form
    )


@bp.route("/c/<slug>/actions/<int:action_id>")
@login_required
def action_page(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    signups = action_signups(action.id, current_user.id)
    manage = can_manage_campaigns(current_user, m, chapter)
    # An archived campaign is a read-only record: no buttons that would change it.
    archived = action.campaign.status == CampaignStatus.ARCHIVED
    changeable = action.status == ActionStatus.PLANNED and not archived
    rotation = lead_form = None
    if manage and changeable:
        rotation = rotation_for(action)
        # With an empty pool the page says so and links to the pool: no picker, so nobody
        # is preset for the leader (the alphabetically first member, say).
        if rotation.pool_size:
            lead_form = AssignLeadForm(version=action.version)
            choices = participant_choices(chapter.id)
            if rotation.suggestion:
                lead_form.user_id.data = rotation.suggestion.user_id
            else:
                choices = [(0, "Choose a member"), *choices]
            lead_form.user_id.choices = choices
    is_lead = action.lead_id == current_user.id
    swap = open_swap(action.id)
    # The pool is needed for the lead's hand-off picker and to offer an open swap.
    pool = pool_people(action.campaign_id) if is_lead or swap else []
    handoff_form = None
    if is_lead and changeable:
        handoff_form = HandOffForm(version=action.version)
        handoff_form.user_id.choices = [
            (p.user_id, p.display_name) for p in pool if p.user_id != current_user.id
        ]
    history, earlier_history = lead_history(action.id)
    outcome = outcome_for_action(action.id)
    outcome_locked = outcome is not None and outcome_is_locked(outcome)
    now = utcnow()
    return render_template(
        "campaigns/action.html",
        chapter=chapter,
        m=m,
        action=action,
        signups=signups,
        signed_up=signups.signed_up,
        can_sign_up=can_take_part(current_user, m, chapter)
        and changeable
        and action.starts_at > now,
        full=action.capacity is not None and signups.total >= action.capacity,
        can_edit=can_edit_action(current_user, m, action) and not archived,
        archived=archived,
        can_manage=manage,
        is_lead=is_lead,
        rotation=rotation,
        lead_form=lead_form,
        handoff_form=handoff_form,
        open_swap=swap,
        swap_form=SwapForm(),
        history=history,
        earlier_history=earlier_history,
        started=action.starts_at <= now,
        in_pool=any(p.user_id == current_user.id for p in pool),
        outcome=outcome,
        outcome_locked=outcome_locked,
        outcome_counts=OUTCOME_COUNTS,
        domain_labels=current_app.config["LEADERSHIP_DOMAINS"],
        action_over=action_is_over(action),
        can_log_outcome=can_log_outcome(current_user, m, action)
        and why_outcome_cannot_change(action, outcome, outcome_locked) is None,
    )


@bp.route("/c/<slug>/actions/<int:action_id>/signups")
@login_required
def action_signup_list(slug: str, action_id: int):
    """Everyone signed up, a page at a time (the action page lists the first few)."""
    chapter, _m, action = get_action_or_404(slug, action_id)
    return render_template(
        "campaigns/action_signups.html",
        chapter=chapter,
        action=action,
        page=action_signups_page(action.id, page_number()),
    )


@bp.route("/c/<slug>/actions/<int:action_id>/history")
@login_required
def action_lead_history(slug: str, action_id: int):
    """Every change of the action's lead, newest first, a page at a time."""
    chapter, _m, action = get_action_or_404(slug, action_id)
    return render_template(
        "campaigns/action_history.html",
        chapter=chapter,
        action=action,
        page=lead_history_page(action.id, page_number()),
    )


@bp.route("/c/<slug>/actions/<int:action_id>/<any(signup, withdraw):change>", methods=["POST"])
@login_required
def signup(slug: str, action_id: int, change: str):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_take_part(current_user, m, chapter))
    if EmptyForm().validate_on_submit():
        if change == "signup":
            with attempt("You are signed up."):
                sign_up(action, current_actor())
        else:
            with attempt("You are no longer signed up."):
                withdraw_signup(action, current_actor())
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action.id))


@bp.route(
    "/c/<slug>/actions/<int:action_id>/status/<any(done, cancelled):status>",
    methods=["GET", "POST"],
)
@login_required
def action_status(slug: str, action_id: int, status: str):
    """GET asks first (what will happen, who is told, what is kept); POST changes it."""
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_edit_action(current_user, m, action))
    form = EmptyForm()
    if form.validate_on_submit():
        with attempt() as done:
            change_action_status(action, ActionStatus(status), current_actor())
            done.success = f"The action is marked {action.status_label.lower()}."
        return redirect(url_for("campaigns.action_page", slug=slug, action_id=action.id))
    if action.status != ActionStatus.PLANNED:
        flash(f"This action is already {action.status_label.lower()}.", "error")
        return redirect(url_for("campaigns.action_page", slug=slug, action_id=action.id))
    return render_template(
        "campaigns/action_status_confirm.html",
        chapter=chapter,
        action=action,
        status=status,
        signups=action_signups(action.id, current_user.id),
        swap=open_swap(action.id),
    )
