"""Routes for the roster: who is in the chapter, role changes, removal and leaving."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from chapters import bp
from chapters.access import get_chapter_or_404, get_in_chapter_or_404, require
from chapters.forms import RoleForm
from chapters.models import ROLES, Chapter, Membership
from chapters.permissions import can_invite, can_manage_roster, can_remove_member, settable_roles
from chapters.services import change_role, end_membership, roster_health, roster_page
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt

ROSTER_PER_PAGE = 50


@bp.route("/c/<slug>/roster")
@login_required
def roster(slug: str):
    chapter, m = get_chapter_or_404(slug)
    page = roster_page(chapter, page_number(), ROSTER_PER_PAGE)
    members = page.items
    manage = can_manage_roster(current_user, m)
    # Each row's role picker is a plain <select> posting to change_member_role with the
    # session's one CSRF token: no form object (and token) per member.
    return render_template(
        "chapters/roster.html",
        chapter=chapter,
        m=m,
        page=page,
        members=members,
        health=roster_health(chapter),
        can_manage=manage,
        can_invite=can_invite(current_user, m),
        role_choices={r.id: settable_roles(current_user, m, r) for r in members} if manage else {},
        removable={r.id for r in members if can_remove_member(current_user, m, r)},
        roles=ROLES,
    )


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
            return redirect(url_for("chapters.home"))
        return redirect(url_for("chapters.roster", slug=chapter.slug))
    return render_template(
        "chapters/leave_confirm.html", chapter=chapter, target=target, leaving=leaving, form=form
    )
