"""Routes for who leads: the rotation pool, assigning, handing off, swaps and fairness."""

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from campaigns import bp
from campaigns.access import get_action_or_404, get_campaign_or_404, get_swap_or_404
from campaigns.forms import AssignLeadForm, HandOffForm, SwapForm
from campaigns.models import CampaignStatus, LeadMethod
from campaigns.permissions import can_manage_campaigns, can_take_part
from campaigns.services.leads import (
    accept_swap,
    ask_swap,
    assign_lead,
    cancel_swap,
    hand_off,
    lead_conflict_message,
)
from campaigns.services.pool import (
    add_many_to_pool,
    chapter_fairness,
    chapter_participant,
    join_pool,
    leave_pool,
    pool_members,
)
from chapters.access import get_chapter_or_404, require
from chapters.services import participants
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt


def _posted_id(value: int | None) -> int | None:
    """An id from a form, if it could exist (larger ones overflow database integers)."""
    return value if value is not None and 0 < value < 2**31 else None


def _posted_version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


# --- rotation pool --------------------------------------------------------------------------


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/pool", methods=["GET", "POST"])
@login_required
def pool(slug: str, campaign_id: int):
    """Everyone sees the pool; members opt in or out; leaders add and remove anyone."""
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    manage = can_manage_campaigns(current_user, m, chapter)
    members = pool_members(campaign.id)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        user_id = current_user.id
        if "user_id" in request.form:  # a leader acting for someone else
            user_id = _posted_id(request.form.get("user_id", type=int))
            if user_id is None:
                abort(404)
        change = request.form.get("change")
        if user_id != current_user.id:
            require(manage)
        else:
            require(can_take_part(current_user, m, chapter))
        target = chapter_participant(chapter.id, user_id)
        if target is None or change not in ("join", "leave"):
            abort(404)
        verb = "joined" if change == "join" else "left"
        with attempt(f"{target.user.display_name} {verb} the rotation pool."):
            (join_pool if change == "join" else leave_pool)(campaign, target.user, current_actor())
        return redirect(url_for("campaigns.pool", slug=slug, campaign_id=campaign.id))
    in_pool = {p.user_id for p in members}
    # An archived campaign's pool is a read-only record: nobody joins, leaves or is added.
    archived = campaign.status == CampaignStatus.ARCHIVED
    others = []
    if manage and not archived:
        others = sorted(
            (r for r in participants(chapter.id) if r.user_id not in in_pool),
            key=lambda r: r.user.display_name,
        )
    return render_template(
        "campaigns/pool.html",
        chapter=chapter,
        campaign=campaign,
        members=members,
        others=others,
        archived=archived,
        can_manage=manage and not archived,
        in_pool=current_user.id in in_pool,
        can_take_part=can_take_part(current_user, m, chapter) and not archived,
    )


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/pool/add", methods=["POST"])
@login_required
def pool_add(slug: str, campaign_id: int):
    """A leader adds several members at once: everyone, or those ticked (one POST)."""
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    require(can_manage_campaigns(current_user, m, chapter))
    if not EmptyForm().validate_on_submit():
        abort(400)
    user_ids = None  # everyone not in the pool yet
    if request.form.get("add") != "everyone":
        posted = (_posted_id(v) for v in request.form.getlist("user_id", type=int))
        user_ids = [v for v in posted if v is not None]
    with attempt() as done:
        added = add_many_to_pool(campaign, user_ids, current_actor())
        done.success = f"{added} member{'' if added == 1 else 's'} added to the rotation pool."
    return redirect(url_for("campaigns.pool", slug=slug, campaign_id=campaign.id))


# --- leads ----------------------------------------------------------------------------------


@bp.route("/c/<slug>/actions/<int:action_id>/lead", methods=["POST"])
@login_required
def assign(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_manage_campaigns(current_user, m, chapter))
    form = AssignLeadForm()
    # Any id is accepted here; the service checks the person belongs to the chapter.
    form.user_id.choices = [(form.user_id.data, "")] if _posted_id(form.user_id.data) else []
    if form.validate_on_submit():
        version = _posted_version()
        with attempt(stale=partial(lead_conflict_message, action_id)) as done:
            method = assign_lead(
                action, form.user_id.data, current_actor(), form.reason.data, version
            )
        if done:
            how = (
                " (suggested by the rotation)."
                if method == LeadMethod.SUGGESTED
                else "; reason recorded."
            )
            flash(f"{action.lead.display_name} leads this action{how}", "success")
    else:
        flash("Choose who leads this action.", "error")
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action_id))


@bp.route("/c/<slug>/actions/<int:action_id>/handoff", methods=["POST"])
@login_required
def handoff(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(m is not None and action.lead_id == current_user.id)
    form = HandOffForm()
    # Any id is accepted here; the service checks the person belongs to the chapter.
    form.user_id.choices = [(form.user_id.data, "")] if _posted_id(form.user_id.data) else []
    if form.validate_on_submit():
        version = _posted_version()
        with attempt("Handed off with your note.", stale=partial(lead_conflict_message, action_id)):
            hand_off(action, form.user_id.data, form.note.data, current_actor(), version)
    else:
        flash("Choose who takes over and write a note for them.", "error")
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action_id))


@bp.route("/c/<slug>/actions/<int:action_id>/swap", methods=["POST"])
@login_required
def swap(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(m is not None and action.lead_id == current_user.id)
    form = SwapForm()
    if form.validate_on_submit():
        with attempt("Swap asked: any member of the rotation pool can take the action over."):
            ask_swap(action, current_actor(), form.note.data or "")
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action_id))


@bp.route("/c/<slug>/swaps/<int:swap_id>/<any(accept, cancel):change>", methods=["POST"])
@login_required
def swap_change(slug: str, swap_id: int, change: str):
    chapter, m, swap_request = get_swap_or_404(slug, swap_id)
    action_id = swap_request.action_id
    if change == "accept":
        require(can_take_part(current_user, m, chapter))
    else:
        require(
            m is not None
            and (
                swap_request.from_user_id == current_user.id
                or can_manage_campaigns(current_user, m, chapter)
            )
        )
    if EmptyForm().validate_on_submit():
        stale = partial(lead_conflict_message, action_id)
        if change == "accept":
            with attempt("You now lead this action.", stale=stale):
                accept_swap(swap_request, current_actor())
        else:
            with attempt("Swap request cancelled.", stale=stale):
                cancel_swap(swap_request, current_actor())
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action_id))


# --- fairness -------------------------------------------------------------------------------


@bp.route("/c/<slug>/rotation")
@login_required
def fairness(slug: str):
    chapter, m = get_chapter_or_404(slug)
    return render_template(
        "campaigns/fairness.html",
        chapter=chapter,
        cap=current_app.config["ROTATION_OPEN_LEAD_CAP"],
        **chapter_fairness(chapter, page_number()),
    )
