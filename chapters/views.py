"""Routes for chapters, the roster, invitations and the vision: load, authorize, call a service."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from accounts.current import current_actor
from accounts.services import get_user_by_email, start_session
from chapters import bp
from chapters.access import get_chapter_or_404, get_in_chapter_or_404, require
from chapters.forms import (
    AcceptNewAccountForm,
    ChapterForm,
    InviteForm,
    RoleForm,
    VisionForm,
    VisionResponseForm,
)
from chapters.models import CHAPTER_STATUSES, ROLES, Chapter, Invitation, Membership, VisionVersion
from chapters.permissions import (
    can_comment_vision,
    can_create_chapter,
    can_edit_chapter,
    can_invite,
    can_manage_roster,
    can_propose_vision,
    can_remove_member,
    can_withdraw_vision,
    counts_for_vision,
    invitable_roles,
    settable_roles,
)
from chapters.services import (
    accept_invitation,
    active_roster,
    adopted_vision,
    change_role,
    create_account_from_invitation,
    create_chapter,
    end_membership,
    find_invitation,
    invite,
    open_proposal,
    pending_invitations,
    propose_vision,
    resend_invitation,
    respond_to_vision,
    revoke_invitation,
    roster_health,
    update_chapter,
    vision_history,
    vision_tally,
    withdraw_vision,
)
from chapters.services import (
    archive_chapter as archive_chapter_service,
)
from core.db import utcnow
from core.extensions import db
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt

CHAPTERS_PER_PAGE = 25

# Features to the right (campaigns, ...) add panels to the chapter home page here:
# each is called with the chapter and returns extra template context.
HOME_PANELS: list = []


def home():
    """Signed in: the chapters you belong to. Anonymous: the sign-in page."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    memberships = list(
        db.session.scalars(
            select(Membership)
            .join(Membership.chapter)
            .where(Membership.user_id == current_user.id, Membership.status == "active")
            .options(selectinload(Membership.chapter))
            .order_by(Chapter.name)
        )
    )
    chapter_count = (
        db.session.scalar(select(func.count(Chapter.id))) if current_user.is_staff else None
    )
    return render_template(
        "chapters/my_chapters.html", memberships=memberships, chapter_count=chapter_count
    )


# --- chapters (national staff) --------------------------------------------------------------


@bp.route("/chapters")
@login_required
def list_chapters():
    if not current_user.is_staff:
        abort(404)
    status = request.args.get("status", "")
    region = request.args.get("region", "").strip()
    q = request.args.get("q", "").strip()[:100]
    query = select(Chapter).order_by(Chapter.name)
    if status in CHAPTER_STATUSES:
        query = query.where(Chapter.status == status)
    if region:
        query = query.where(Chapter.region == region)
    if q:
        like = f"%{q}%"
        query = query.where(or_(Chapter.name.ilike(like), Chapter.institution.ilike(like)))
    page = db.paginate(query, page=page_number(), per_page=CHAPTERS_PER_PAGE, error_out=False)
    regions = db.session.scalars(select(Chapter.region).distinct().order_by(Chapter.region)).all()
    counts = dict(
        db.session.execute(
            select(Membership.chapter_id, func.count(Membership.id))
            .where(
                Membership.status == "active",
                Membership.chapter_id.in_([c.id for c in page.items]),
            )
            .group_by(Membership.chapter_id)
        ).all()
    )
    return render_template(
        "chapters/list.html",
        page=page,
        counts=counts,
        regions=regions,
        statuses=CHAPTER_STATUSES,
        filters={"status": status, "region": region, "q": q},
    )


def _chapter_data(form: ChapterForm) -> dict:
    return {
        "name": form.name.data.strip(),
        "slug": form.slug.data.strip().lower(),
        "institution": form.institution.data.strip(),
        "region": form.region.data.strip(),
        "timezone": form.timezone.data,
        "status": form.status.data,
    }


@bp.route("/chapters/new", methods=["GET", "POST"])
@login_required
def new_chapter():
    if not can_create_chapter(current_user):
        abort(404)
    form = ChapterForm()
    if form.validate_on_submit():
        with attempt(field=form.slug) as done:
            chapter = create_chapter(_chapter_data(form), current_actor())
            done.success = f"{chapter.name} is created. Invite its first leaders and advisor now."
        if done:
            return redirect(url_for("chapters.invitations", slug=chapter.slug))
    return render_template("chapters/edit.html", form=form, chapter=None)


@bp.route("/c/<slug>")
@login_required
def chapter_home(slug: str):
    chapter, m = get_chapter_or_404(slug)
    roster = active_roster(chapter)
    proposal = open_proposal(chapter)
    voters = [r for r in roster if r.counts_for_vision]
    role_counts = {role: sum(1 for r in roster if r.role == role) for role in ROLES}
    professions = sorted({r.user.profession for r in roster if r.is_participant})
    return render_template(
        "chapters/home.html",
        chapter=chapter,
        m=m,
        roster=roster,
        role_counts=role_counts,
        professions=professions,
        health=roster_health(roster),
        vision=adopted_vision(chapter),
        proposal=proposal,
        tally=vision_tally(proposal, voters) if proposal else None,
        can_manage=can_manage_roster(current_user, m),
        can_invite=can_invite(current_user, m),
        can_edit=can_edit_chapter(current_user),
        **{k: v for provider in HOME_PANELS for k, v in provider(chapter).items()},
    )


@bp.route("/c/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_chapter(slug: str):
    chapter, _m = get_chapter_or_404(slug)
    require(can_edit_chapter(current_user))
    form = ChapterForm(obj=chapter)
    if form.validate_on_submit() and not form.changed_since_opened(chapter):
        with attempt("Chapter details saved.", field=form.slug) as done:
            update_chapter(chapter, _chapter_data(form), current_actor())
        if done:
            return redirect(url_for("chapters.chapter_home", slug=chapter.slug))
    return render_template("chapters/edit.html", form=form, chapter=chapter)


@bp.route("/c/<slug>/archive", methods=["GET", "POST"])
@login_required
def archive_chapter(slug: str):
    chapter, _m = get_chapter_or_404(slug)
    require(can_edit_chapter(current_user))
    form = EmptyForm()
    if form.validate_on_submit():
        with attempt(f"{chapter.name} is archived. Its history stays readable."):
            archive_chapter_service(chapter, current_actor())
        return redirect(url_for("chapters.chapter_home", slug=chapter.slug))
    return render_template("chapters/archive_confirm.html", chapter=chapter, form=form)


# --- roster ---------------------------------------------------------------------------------


@bp.route("/c/<slug>/roster")
@login_required
def roster(slug: str):
    chapter, m = get_chapter_or_404(slug)
    members = active_roster(chapter)
    manage = can_manage_roster(current_user, m)
    return render_template(
        "chapters/roster.html",
        chapter=chapter,
        m=m,
        members=members,
        health=roster_health(members),
        can_manage=manage,
        can_invite=can_invite(current_user, m),
        role_forms=_role_forms(members, m) if manage else {},
        removable={r.id for r in members if can_remove_member(current_user, m, r)},
        roles=ROLES,
    )


def _role_forms(members: list[Membership], m: Membership | None) -> dict[int, RoleForm]:
    """A role picker for each member whose role this user may change, with the allowed roles."""
    forms = {}
    for r in members:
        allowed = settable_roles(current_user, m, r)
        if allowed:
            form = RoleForm(role=r.role, prefix=f"m{r.id}")
            form.role.choices = {role: ROLES[role] for role in allowed}
            forms[r.id] = form
    return forms


@bp.route("/c/<slug>/roster/<int:membership_id>/role", methods=["POST"])
@login_required
def change_member_role(slug: str, membership_id: int):
    chapter, m = get_chapter_or_404(slug)
    target = get_in_chapter_or_404(Membership, membership_id, chapter)
    require(can_manage_roster(current_user, m))
    allowed = settable_roles(current_user, m, target)
    require(bool(allowed))
    form = RoleForm(prefix=f"m{target.id}")
    form.role.choices = {role: ROLES[role] for role in allowed}
    if not target.is_active:
        flash(f"{target.user.display_name} is no longer a member.", "error")
    elif form.validate_on_submit():
        with attempt() as done:
            change_role(target, form.role.data, current_actor())
            done.success = f"{target.user.display_name} is now {target.role_label.lower()}."
    else:
        flash("Choose one of the listed roles.", "error")
    return redirect(url_for("chapters.roster", slug=chapter.slug))


@bp.route("/c/<slug>/roster/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(slug: str, membership_id: int):
    chapter, m = get_chapter_or_404(slug)
    target = get_in_chapter_or_404(Membership, membership_id, chapter)
    require(can_remove_member(current_user, m, target))
    return _end_membership(chapter, target, leaving=False)


@bp.route("/c/<slug>/leave", methods=["GET", "POST"])
@login_required
def leave_chapter(slug: str):
    chapter, m = get_chapter_or_404(slug)
    require(m is not None)
    return _end_membership(chapter, m, leaving=True)


def _end_membership(chapter: Chapter, target: Membership, leaving: bool):
    form = EmptyForm()
    if form.validate_on_submit():
        said = (
            f"You have left {chapter.name}."
            if leaving
            else f"{target.user.display_name} is removed from the roster; their history stays."
        )
        with attempt(said) as done:
            end_membership(target, current_actor())
        if done and leaving:
            return redirect(url_for("home"))
        return redirect(url_for("chapters.roster", slug=chapter.slug))
    return render_template(
        "chapters/leave_confirm.html", chapter=chapter, target=target, leaving=leaving, form=form
    )


# --- invitations ----------------------------------------------------------------------------


@bp.route("/c/<slug>/invitations", methods=["GET", "POST"])
@login_required
def invitations(slug: str):
    chapter, m = get_chapter_or_404(slug)
    allowed = invitable_roles(current_user, m)
    require(bool(allowed))
    form = InviteForm()
    form.limit_roles(allowed)
    if form.validate_on_submit():
        with attempt(field=form.email) as done:
            inv = invite(chapter, form.email.data, form.role.data, current_actor())
            done.success = f"Invitation sent to {inv.email} as {inv.role_label.lower()}."
        if done:
            return redirect(url_for("chapters.invitations", slug=chapter.slug))
    return render_template(
        "chapters/invitations.html",
        chapter=chapter,
        form=form,
        pending=pending_invitations(chapter),
        now=utcnow(),
        button=EmptyForm(),
    )


@bp.route(
    "/c/<slug>/invitations/<int:invitation_id>/<any(resend, revoke):change>", methods=["POST"]
)
@login_required
def change_invitation(slug: str, invitation_id: int, change: str):
    chapter, m = get_chapter_or_404(slug)
    inv = get_in_chapter_or_404(Invitation, invitation_id, chapter)
    require(can_invite(current_user, m))
    if EmptyForm().validate_on_submit():
        said = f"Invitation to {inv.email} {'sent again' if change == 'resend' else 'revoked'}."
        with attempt(said):
            (resend_invitation if change == "resend" else revoke_invitation)(inv, current_actor())
    return redirect(url_for("chapters.invitations", slug=chapter.slug))


@bp.route("/invite/<token>", methods=["GET", "POST"], endpoint="accept_invitation")
def accept_invitation_view(token: str):
    inv = find_invitation(token)
    state = inv.state(utcnow()) if inv else "unknown"
    if state == "pending" and inv.chapter.status == "archived":
        state = "archived"  # an archived chapter takes no new members
    if state != "pending":
        return render_template("chapters/invitation_invalid.html", inv=inv, state=state), (
            404 if state == "unknown" else 410
        )
    existing = get_user_by_email(inv.email)
    if existing is not None:
        # An existing account gains the membership after signing in as itself.
        if not current_user.is_authenticated:
            flash(f"Sign in as {inv.email} to accept the invitation to {inv.chapter.name}.", "info")
            return redirect(url_for("accounts.login", next=request.path))
        if current_user.id != existing.id:
            return render_template("chapters/invitation_wrong_account.html", inv=inv), 403
        form = EmptyForm()
        if form.validate_on_submit():
            with attempt(f"You have joined {inv.chapter.name}.") as done:
                accept_invitation(inv, current_actor())
            if done:
                return redirect(url_for("chapters.chapter_home", slug=inv.chapter.slug))
            return redirect(request.path)  # the page now says why the invitation is unusable
        return render_template("chapters/invitation_accept.html", inv=inv, form=form, new=False)

    if current_user.is_authenticated:
        return render_template("chapters/invitation_wrong_account.html", inv=inv), 403
    form = AcceptNewAccountForm()
    form.policy_email = inv.email
    if form.validate_on_submit():
        with attempt(field=form.new_password) as done:
            user = create_account_from_invitation(
                inv,
                form.display_name.data.strip(),
                form.profession.data,
                form.kind.data,
                form.new_password.data,
            )
            session.clear()
            start_session(user, remember=False)
            login_user(user)
            done.success = f"Welcome to {inv.chapter.name}, {user.display_name}."
        if done:
            return redirect(url_for("chapters.chapter_home", slug=inv.chapter.slug))
    return render_template("chapters/invitation_accept.html", inv=inv, form=form, new=True)


# --- vision ---------------------------------------------------------------------------------


@bp.route("/c/<slug>/vision")
@login_required
def vision(slug: str):
    chapter, m = get_chapter_or_404(slug)
    proposal = open_proposal(chapter)
    context = {"chapter": chapter, "m": m, "adopted": adopted_vision(chapter), "proposal": proposal}
    if proposal is not None:
        voters = [v for v in active_roster(chapter) if v.counts_for_vision]
        responded = {r.user_id: r for r in proposal.responses}
        context.update(
            tally=vision_tally(proposal, voters),
            not_endorsed=[
                v for v in voters if getattr(responded.get(v.user_id), "stance", None) != "endorse"
            ],
            responded=responded,
            my_response=responded.get(current_user.id),
            response_form=VisionResponseForm(
                stance=getattr(responded.get(current_user.id), "stance", "endorse"),
                comment=getattr(responded.get(current_user.id), "comment", None),
            ),
            counts=counts_for_vision(m),
            can_comment=can_comment_vision(current_user, m, chapter),
            can_withdraw=can_withdraw_vision(current_user, m, proposal.proposed_by_id),
            button=EmptyForm(),
        )
    context["can_propose"] = can_propose_vision(current_user, m, chapter) and proposal is None
    return render_template("chapters/vision.html", **context)


@bp.route("/c/<slug>/vision/propose", methods=["GET", "POST"])
@login_required
def propose(slug: str):
    chapter, m = get_chapter_or_404(slug)
    require(can_propose_vision(current_user, m, chapter))
    current = adopted_vision(chapter)
    form = VisionForm()
    if request.method == "GET" and current is not None:
        form.statement.data = current.statement
        for entry, goal in zip(form.goals.entries, current.goals, strict=False):
            entry.data = goal.text
    if form.validate_on_submit():
        said = "Your proposal is open. Student members can now endorse it or object."
        with attempt(said) as done:
            propose_vision(chapter, current_actor(), form.statement.data, form.goals.data)
        if done:
            return redirect(url_for("chapters.vision", slug=chapter.slug))
    return render_template(
        "chapters/vision_propose.html", chapter=chapter, form=form, current=current
    )


@bp.route("/c/<slug>/vision/<int:vision_id>/respond", methods=["POST"])
@login_required
def respond(slug: str, vision_id: int):
    chapter, m = get_chapter_or_404(slug)
    version = get_in_chapter_or_404(VisionVersion, vision_id, chapter)
    require(can_comment_vision(current_user, m, chapter))
    form = VisionResponseForm()
    if form.validate_on_submit():
        with attempt() as done:
            respond_to_vision(
                version,
                current_actor(),
                form.stance.data,
                form.comment.data,
                counts=counts_for_vision(m),
            )
            done.success = (
                f"Thank you. Version {version.number} is now the chapter's adopted vision."
                if version.status == "adopted"
                else "Your response is recorded. You can change it while the proposal is open."
            )
    else:
        flash(
            " ".join(e for errs in form.errors.values() for e in errs) or "Please try again.",
            "error",
        )
    return redirect(url_for("chapters.vision", slug=chapter.slug))


@bp.route("/c/<slug>/vision/<int:vision_id>/withdraw", methods=["POST"])
@login_required
def withdraw(slug: str, vision_id: int):
    chapter, m = get_chapter_or_404(slug)
    version = get_in_chapter_or_404(VisionVersion, vision_id, chapter)
    require(can_withdraw_vision(current_user, m, version.proposed_by_id))
    if EmptyForm().validate_on_submit():
        with attempt(f"Proposal {version.number} is withdrawn."):
            withdraw_vision(version, current_actor())
    return redirect(url_for("chapters.vision", slug=chapter.slug))


@bp.route("/c/<slug>/vision/history")
@login_required
def history(slug: str):
    chapter, _m = get_chapter_or_404(slug)
    return render_template(
        "chapters/vision_history.html", chapter=chapter, versions=vision_history(chapter)
    )
