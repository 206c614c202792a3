"""Routes for campaigns, actions, leads, playbooks, calendars and fairness."""

from datetime import date, timedelta

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from accounts.models import User
from campaigns import bp
from campaigns.access import (
    get_action_or_404,
    get_campaign_or_404,
    get_milestone_or_404,
    get_swap_or_404,
)
from campaigns.calendar import build_calendar
from campaigns.forms import (
    ActionForm,
    AssignLeadForm,
    CampaignForm,
    HandOffForm,
    MilestoneForm,
    NewCampaignForm,
    PublishForm,
    SwapForm,
    UnavailableForm,
)
from campaigns.models import (
    ACTION_KINDS,
    CAMPAIGN_STATUSES,
    CAMPAIGN_TRANSITIONS,
    Action,
    ActionSignup,
    Campaign,
    LeadAssignment,
    Milestone,
    Playbook,
    SwapRequest,
    Unavailability,
)
from campaigns.permissions import can_edit_action, can_manage_campaigns, can_take_part
from campaigns.services import (
    ConflictError,
    accept_swap,
    add_unavailability,
    all_playbooks,
    ask_swap,
    assign_lead,
    campaign_progress,
    cancel_swap,
    change_action_status,
    change_campaign_status,
    chapter_fairness,
    chapter_feed_reader,
    chapter_feed_token,
    create_campaign,
    find_playbook,
    hand_off,
    join_pool,
    leave_pool,
    local,
    local_time_exists,
    person_feed_reader,
    person_feed_token,
    pool_members,
    publish_playbook,
    rotation_for,
    save_action,
    save_milestone,
    sign_up,
    to_utc,
    update_campaign,
    withdraw_signup,
)
from chapters.access import get_chapter_or_404, require
from chapters.models import Chapter, Membership
from chapters.services import adopted_vision, participants
from core.audit import record_event
from core.db import utcnow
from core.errors import PolicyError
from core.extensions import db
from core.forms import EmptyForm
from core.http import external_url, page_number

CAMPAIGNS_PER_PAGE = 20
CALENDAR_WEEKS = 12


def _posted_id(value: int | None) -> int | None:
    """An id from a form, if it could exist (larger ones overflow database integers)."""
    return value if value is not None and 0 < value < 2**31 else None


def _actor() -> User:
    return db.session.get(User, current_user.id)


def _fail(exc: PolicyError) -> None:
    db.session.rollback()
    flash(str(exc), "error")


# --- campaigns ------------------------------------------------------------------------------


@bp.route("/c/<slug>/campaigns")
@login_required
def campaign_list(slug: str):
    chapter, m = get_chapter_or_404(slug)
    status = request.args.get("status", "")
    query = select(Campaign).where(Campaign.chapter_id == chapter.id)
    if status in CAMPAIGN_STATUSES:
        query = query.where(Campaign.status == status)
    query = query.order_by(Campaign.start_date.desc(), Campaign.id.desc())
    page = db.paginate(query, page=page_number(), per_page=CAMPAIGNS_PER_PAGE, error_out=False)
    return render_template(
        "campaigns/list.html",
        chapter=chapter,
        m=m,
        page=page,
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
    if form.validate_on_submit():
        plan = find_playbook(form.playbook.data) if form.playbook.data else None
        try:
            campaign = create_campaign(chapter, _campaign_data(form), _actor(), plan)
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(
                "Campaign drafted."
                + (" Its plan is laid out below; edit anything." if plan else ""),
                "success",
            )
            return redirect(url_for("campaigns.campaign_page", slug=slug, campaign_id=campaign.id))
    return render_template(
        "campaigns/edit.html", chapter=chapter, form=form, campaign=None, has_vision=has_vision
    )


@bp.route("/c/<slug>/campaigns/<int:campaign_id>")
@login_required
def campaign_page(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    actions = list(
        db.session.scalars(
            select(Action)
            .where(Action.campaign_id == campaign.id)
            .options(selectinload(Action.lead))
            .order_by(Action.starts_at)
        )
    )
    milestones = list(
        db.session.scalars(
            select(Milestone)
            .where(Milestone.campaign_id == campaign.id)
            .order_by(Milestone.due_date)
        )
    )
    signup_counts = dict(
        db.session.execute(
            select(ActionSignup.action_id, func.count(ActionSignup.id))
            .join(Action)
            .where(Action.campaign_id == campaign.id)
            .group_by(ActionSignup.action_id)
        ).all()
    )
    timeline = sorted(
        [("action", local(a.starts_at, chapter.timezone).date(), a) for a in actions]
        + [("milestone", ms.due_date, ms) for ms in milestones],
        key=lambda item: (item[1], item[0] == "action"),
    )
    pool = pool_members(campaign.id)
    published = db.session.scalar(
        select(Playbook.slug).where(Playbook.source_campaign_id == campaign.id)
    )
    # An archived campaign is a read-only record: no edit links or pool buttons.
    manage = can_manage_campaigns(current_user, m, chapter) and campaign.status != "archived"
    return render_template(
        "campaigns/campaign.html",
        chapter=chapter,
        m=m,
        campaign=campaign,
        timeline=timeline,
        signup_counts=signup_counts,
        progress=campaign_progress(campaign.id),
        pool=pool,
        in_pool=any(p.user_id == current_user.id for p in pool),
        leads=sorted({a.lead.display_name for a in actions if a.lead}),
        can_manage=manage,
        can_take_part=can_take_part(current_user, m, chapter),
        transitions=CAMPAIGN_TRANSITIONS.get(campaign.status, ()) if manage else (),
        published=published,
        button=EmptyForm(),
        publish_form=PublishForm(),
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
        try:
            update_campaign(campaign, _campaign_data(form), _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash("Campaign saved.", "success")
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
        try:
            change_campaign_status(campaign, status, _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(f"The campaign is now {campaign.status_label.lower()}.", "success")
        return redirect(url_for("campaigns.campaign_page", slug=slug, campaign_id=campaign.id))
    return render_template(
        "campaigns/status_confirm.html",
        chapter=chapter,
        campaign=campaign,
        status=status,
        statuses=CAMPAIGN_STATUSES,
        form=form,
    )


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/publish", methods=["POST"])
@login_required
def publish(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    require(can_manage_campaigns(current_user, m, chapter))
    form = PublishForm()
    if form.validate_on_submit():
        try:
            pb = publish_playbook(campaign, form.summary.data or "", _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash("Published: every chapter can now copy this plan.", "success")
            return redirect(url_for("campaigns.playbook_page", playbook_slug=pb.slug))
    return redirect(url_for("campaigns.campaign_page", slug=slug, campaign_id=campaign.id))


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
        target = db.session.scalar(
            select(Membership).where(
                Membership.chapter_id == chapter.id,
                Membership.user_id == user_id,
                Membership.status == "active",
                Membership.role.in_(("member", "leader")),
            )
        )
        if target is None or change not in ("join", "leave"):
            abort(404)
        try:
            (join_pool if change == "join" else leave_pool)(campaign, target.user, _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            verb = "joined" if change == "join" else "left"
            flash(f"{target.user.display_name} {verb} the rotation pool.", "success")
        return redirect(url_for("campaigns.pool", slug=slug, campaign_id=campaign.id))
    in_pool = {p.user_id for p in members}
    others = []
    if manage:
        others = [r for r in participants(chapter.id) if r.user_id not in in_pool]
    return render_template(
        "campaigns/pool.html",
        chapter=chapter,
        campaign=campaign,
        members=members,
        others=others,
        can_manage=manage,
        button=EmptyForm(),
        in_pool=current_user.id in in_pool,
        can_take_part=can_take_part(current_user, m, chapter),
    )


# --- milestones -----------------------------------------------------------------------------


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
        try:
            save_milestone(campaign, milestone, data, _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash("Milestone saved.", "success")
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


# --- actions --------------------------------------------------------------------------------


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
        try:
            saved = save_action(campaign, action, _action_data(form, chapter.timezone), _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash("Action saved.", "success")
            return redirect(url_for("campaigns.action_page", slug=chapter.slug, action_id=saved.id))
    return render_template(
        "campaigns/action_edit.html", chapter=chapter, campaign=campaign, action=action, form=form
    )


@bp.route("/c/<slug>/actions/<int:action_id>")
@login_required
def action_page(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    signups = list(
        db.session.scalars(
            select(ActionSignup)
            .where(ActionSignup.action_id == action.id)
            .options(selectinload(ActionSignup.user))
            .order_by(ActionSignup.created_at)
        )
    )
    manage = can_manage_campaigns(current_user, m, chapter)
    rotation = lead_form = None
    if manage and action.status == "planned":
        rotation = rotation_for(action)
        lead_form = AssignLeadForm(version=action.version)
        members = participants(chapter.id)
        lead_form.user_id.choices = sorted(
            ((r.user_id, f"{r.user.display_name} ({r.user.profession})") for r in members),
            key=lambda c: c[1],
        )
        if rotation.suggestion:
            lead_form.user_id.data = rotation.suggestion.user_id
    is_lead = action.lead_id == current_user.id
    open_swap = db.session.scalar(
        select(SwapRequest).where(SwapRequest.action_id == action.id, SwapRequest.status == "open")
    )
    # The pool is needed for the lead's hand-off picker and to offer an open swap.
    pool = pool_members(action.campaign_id) if is_lead or open_swap else []
    handoff_form = None
    if is_lead and action.status == "planned":
        handoff_form = HandOffForm(version=action.version)
        handoff_form.user_id.choices = [
            (p.user_id, p.user.display_name) for p in pool if p.user_id != current_user.id
        ]
    history = list(
        db.session.scalars(
            select(LeadAssignment)
            .where(LeadAssignment.action_id == action.id)
            .options(selectinload(LeadAssignment.user), selectinload(LeadAssignment.assigned_by))
            .order_by(LeadAssignment.created_at.desc())
        )
    )
    now = utcnow()
    return render_template(
        "campaigns/action.html",
        chapter=chapter,
        m=m,
        action=action,
        signups=signups,
        signed_up=any(s.user_id == current_user.id for s in signups),
        can_sign_up=can_take_part(current_user, m, chapter)
        and action.campaign.status != "archived"
        and action.status == "planned"
        and action.starts_at > now,
        full=action.capacity is not None and len(signups) >= action.capacity,
        can_edit=can_edit_action(current_user, m, action),
        can_manage=manage,
        is_lead=is_lead,
        rotation=rotation,
        lead_form=lead_form,
        handoff_form=handoff_form,
        open_swap=open_swap,
        swap_form=SwapForm(),
        history=history,
        button=EmptyForm(),
        started=action.starts_at <= now,
        in_pool=any(p.user_id == current_user.id for p in pool),
    )


@bp.route("/c/<slug>/actions/<int:action_id>/<any(signup, withdraw):change>", methods=["POST"])
@login_required
def signup(slug: str, action_id: int, change: str):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_take_part(current_user, m, chapter))
    if EmptyForm().validate_on_submit():
        try:
            (sign_up if change == "signup" else withdraw_signup)(action, _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(
                "You are signed up." if change == "signup" else "You are no longer signed up.",
                "success",
            )
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action.id))


@bp.route(
    "/c/<slug>/actions/<int:action_id>/status/<any(done, cancelled):status>", methods=["POST"]
)
@login_required
def action_status(slug: str, action_id: int, status: str):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_edit_action(current_user, m, action))
    if EmptyForm().validate_on_submit():
        try:
            change_action_status(action, status, _actor())
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(f"The action is marked {action.status_label.lower()}.", "success")
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action.id))


def _posted_version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


@bp.route("/c/<slug>/actions/<int:action_id>/lead", methods=["POST"])
@login_required
def assign(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_manage_campaigns(current_user, m, chapter))
    form = AssignLeadForm()
    # Any id is accepted here; the service checks the person belongs to the chapter.
    form.user_id.choices = [(form.user_id.data, "")] if _posted_id(form.user_id.data) else []
    if form.validate_on_submit():
        try:
            method = assign_lead(
                action, form.user_id.data, _actor(), form.reason.data, _posted_version()
            )
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            _report_conflict(action.id)
        except PolicyError as exc:
            _fail(exc)
        else:
            lead = db.session.get(User, form.user_id.data)
            flash(
                f"{lead.display_name} leads this action"
                + (
                    " (suggested by the rotation)."
                    if method == "suggested"
                    else "; reason recorded."
                ),
                "success",
            )
    return redirect(url_for("campaigns.action_page", slug=slug, action_id=action_id))


def _report_conflict(action_id: int) -> None:
    current = db.session.get(Action, action_id)
    who = current.lead.display_name if current and current.lead else "nobody"
    flash(
        f"Someone changed this action at the same time. Its lead is now {who}; nothing of yours "
        "was saved. Check and try again.",
        "error",
    )


@bp.route("/c/<slug>/actions/<int:action_id>/handoff", methods=["POST"])
@login_required
def handoff(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(m is not None and action.lead_id == current_user.id)
    form = HandOffForm()
    # Any id is accepted here; the service checks the person belongs to the chapter.
    form.user_id.choices = [(form.user_id.data, "")] if _posted_id(form.user_id.data) else []
    if form.validate_on_submit():
        try:
            hand_off(action, form.user_id.data, form.note.data, _actor(), _posted_version())
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            _report_conflict(action_id)
        except PolicyError as exc:
            _fail(exc)
        else:
            flash("Handed off with your note.", "success")
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
        try:
            ask_swap(action, _actor(), form.note.data or "")
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(
                "Swap asked: any member of the rotation pool can take the action over.", "success"
            )
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
        try:
            (accept_swap if change == "accept" else cancel_swap)(swap_request, _actor())
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            _report_conflict(action_id)
        except ConflictError as exc:
            db.session.commit()  # keep the swap marked cancelled
            flash(str(exc), "error")
        except PolicyError as exc:
            _fail(exc)
        else:
            flash(
                "You now lead this action." if change == "accept" else "Swap request cancelled.",
                "success",
            )
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
        **chapter_fairness(chapter),
    )


# --- playbooks ------------------------------------------------------------------------------


@bp.route("/playbooks")
@login_required
def playbooks():
    return render_template(
        "campaigns/playbooks.html",
        plans=all_playbooks(),
        kinds=ACTION_KINDS,
        chapters=_my_leader_chapters(),
    )


@bp.route("/playbooks/<playbook_slug>")
@login_required
def playbook_page(playbook_slug: str):
    plan = find_playbook(playbook_slug)
    if plan is None:
        abort(404)
    return render_template(
        "campaigns/playbook.html", plan=plan, kinds=ACTION_KINDS, chapters=_my_leader_chapters()
    )


def _my_leader_chapters() -> list[Chapter]:
    return list(
        db.session.scalars(
            select(Chapter)
            .join(Membership)
            .where(
                Membership.user_id == current_user.id,
                Membership.status == "active",
                Membership.role == "leader",
                Chapter.status != "archived",
            )
            .order_by(Chapter.name)
        )
    )


# --- calendars ------------------------------------------------------------------------------


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@bp.route("/c/<slug>/calendar")
@login_required
def chapter_calendar(slug: str):
    chapter, m = get_chapter_or_404(slug)
    now = utcnow()
    actions = list(
        db.session.scalars(
            select(Action)
            .join(Campaign)
            .where(
                Campaign.chapter_id == chapter.id,
                Action.ends_at >= now,
                Action.starts_at < now + timedelta(weeks=CALENDAR_WEEKS),
                Action.status != "cancelled",
            )
            .options(selectinload(Action.lead), selectinload(Action.campaign))
            .order_by(Action.starts_at)
        )
    )
    weeks: dict[date, list[Action]] = {}
    for a in actions:
        weeks.setdefault(_week_start(local(a.starts_at, chapter.timezone).date()), []).append(a)
    feed_url = None
    if m is not None or current_user.is_staff:
        feed_url = external_url(
            "campaigns.chapter_feed", token=chapter_feed_token(chapter, _actor())
        )
    return render_template(
        "campaigns/calendar.html",
        chapter=chapter,
        weeks=weeks,
        feed_url=feed_url,
        weeks_ahead=CALENDAR_WEEKS,
        button=EmptyForm(),
        can_regenerate=can_manage_campaigns(current_user, m, chapter),
    )


@bp.route("/c/<slug>/calendar/regenerate", methods=["POST"])
@login_required
def regenerate_chapter_feed(slug: str):
    chapter, m = get_chapter_or_404(slug)
    require(can_manage_campaigns(current_user, m, chapter))
    if EmptyForm().validate_on_submit():
        chapter.calendar_generation += 1
        record_event("calendar.regenerated", obj=chapter, chapter_id=chapter.id)
        db.session.commit()
        flash("New calendar addresses made for everyone; the old ones no longer work.", "success")
    return redirect(url_for("campaigns.chapter_calendar", slug=slug))


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _host() -> str:
    return request.host.split(":")[0] or "relay"


@bp.route("/calendar/chapter/<token>.ics")
def chapter_feed(token: str):
    reader = chapter_feed_reader(token)
    if reader is None:
        abort(404)
    chapter, _user = reader
    since = utcnow() - timedelta(days=90)
    actions = db.session.scalars(
        select(Action)
        .join(Campaign)
        .where(Campaign.chapter_id == chapter.id, Action.ends_at >= since)
        .options(
            selectinload(Action.lead), selectinload(Action.campaign).selectinload(Campaign.chapter)
        )
        .order_by(Action.starts_at)
    ).all()
    milestones = db.session.scalars(
        select(Milestone)
        .join(Campaign)
        .where(Campaign.chapter_id == chapter.id, Milestone.due_date >= since.date())
        .options(selectinload(Milestone.campaign))
    ).all()
    return _ics_response(
        build_calendar(f"{chapter.name} (Relay)", actions, milestones, _host()),
        f"{chapter.slug}.ics",
    )


@bp.route("/calendar/me/<token>.ics")
def person_feed(token: str):
    user = person_feed_reader(token)
    if user is None:
        abort(404)
    user_id = user.id
    since = utcnow() - timedelta(days=90)
    signed = select(ActionSignup.action_id).where(ActionSignup.user_id == user_id)
    actions = db.session.scalars(
        select(Action)
        .join(Campaign)
        .join(
            Membership,
            (Membership.chapter_id == Campaign.chapter_id) & (Membership.user_id == user_id),
        )
        .where(
            Membership.status == "active",
            Action.ends_at >= since,
            (Action.lead_id == user_id) | Action.id.in_(signed),
        )
        .options(
            selectinload(Action.lead), selectinload(Action.campaign).selectinload(Campaign.chapter)
        )
        .order_by(Action.starts_at)
    ).all()
    return _ics_response(build_calendar("My Relay actions", actions, [], _host()), "relay-me.ics")


@bp.route("/c/<slug>/actions/<int:action_id>.ics")
@login_required
def action_ics(slug: str, action_id: int):
    _chapter, _m, action = get_action_or_404(slug, action_id)
    return _ics_response(
        build_calendar(action.title, [action], [], _host()), f"action-{action.id}.ics"
    )


@bp.route("/me/availability", methods=["GET", "POST"])
@login_required
def my_availability():
    """Your unavailable dates and your personal calendar feed."""
    form = UnavailableForm()
    if form.validate_on_submit():
        try:
            add_unavailability(
                _actor(), form.start_date.data, form.end_date.data, form.reason.data or ""
            )
        except PolicyError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash("Saved. The rotation will not suggest you on those days.", "success")
            return redirect(url_for("campaigns.my_availability"))
    rows = db.session.scalars(
        select(Unavailability)
        .where(
            Unavailability.user_id == current_user.id,
            Unavailability.end_date >= utcnow().date() - timedelta(days=1),
        )
        .order_by(Unavailability.start_date)
    ).all()
    me = _actor()
    feed_url = external_url("campaigns.person_feed", token=person_feed_token(me))
    return render_template(
        "campaigns/availability.html", form=form, rows=rows, feed_url=feed_url, button=EmptyForm()
    )


@bp.route("/me/availability/<int:row_id>/delete", methods=["POST"])
@login_required
def delete_availability(row_id: int):
    row = db.session.get(Unavailability, row_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    if EmptyForm().validate_on_submit():
        db.session.delete(row)
        db.session.commit()
        flash("Removed.", "success")
    return redirect(url_for("campaigns.my_availability"))


@bp.route("/me/calendar/regenerate", methods=["POST"])
@login_required
def regenerate_my_feed():
    if EmptyForm().validate_on_submit():
        me = _actor()
        me.calendar_generation += 1
        db.session.commit()
        flash("New calendar address made; the old one no longer works.", "success")
    return redirect(url_for("campaigns.my_availability"))
