"""Routes for invitations: sending, resending and revoking them, and accepting one."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user

from accounts.current import current_actor
from accounts.services import get_user_by_email, start_session
from chapters import bp
from chapters.access import get_chapter_or_404, get_in_chapter_or_404, require
from chapters.forms import AcceptNewAccountForm, InviteForm
from chapters.models import ChapterStatus, Invitation, InvitationState
from chapters.permissions import can_invite, invitable_roles
from chapters.services import (
    accept_invitation,
    create_account_from_invitation,
    find_invitation,
    invite,
    pending_invitations,
    resend_invitation,
    revoke_invitation,
)
from core.db import utcnow
from core.forms import EmptyForm
from core.outcome import attempt


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
    if state == InvitationState.PENDING and inv.chapter.status == ChapterStatus.ARCHIVED:
        state = ChapterStatus.ARCHIVED  # an archived chapter takes no new members
    if state != InvitationState.PENDING:
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
