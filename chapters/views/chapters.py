"""Routes for the chapters themselves: home, the network list, a chapter's page and its details."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from chapters import bp
from chapters.access import get_chapter_or_404, require
from chapters.forms import ChapterForm
from chapters.models import CHAPTER_STATUSES
from chapters.panels import home_panels, week_panels
from chapters.permissions import (
    can_create_chapter,
    can_edit_chapter,
    can_invite,
    can_manage_roster,
    can_read_activity,
)
from chapters.services import (
    active_member_counts,
    chapter_regions,
    create_chapter,
    current_visions,
    find_chapters,
    my_chapter_glances,
    my_memberships,
    proposal_tally,
    roster_summary,
    update_chapter,
)
from chapters.services import archive_chapter as archive_chapter_service
from chapters.services.activity import recent_activity
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt

CHAPTERS_PER_PAGE = 25


@bp.route("/")
def home():
    """Signed in: my week (national staff: the network). Anonymous: the sign-in page."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    if current_user.is_staff:
        return redirect(url_for("chapters.list_chapters"))
    memberships = my_memberships(current_user.id)
    panels = week_panels(current_user, memberships)
    return render_template(
        "chapters/my_week.html",
        glances=my_chapter_glances(current_user, memberships),
        panels=panels,
        needs=sum(p.data.get("needs", 0) for p in panels),
        gaps=sum(p.data.get("gaps", 0) for p in panels),
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
    page = find_chapters(status, region, q, page=page_number(), per_page=CHAPTERS_PER_PAGE)
    return render_template(
        "chapters/list.html",
        page=page,
        counts=active_member_counts([c.id for c in page.items]),
        regions=chapter_regions(),
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
    summary = roster_summary(chapter)
    vision, proposal = current_visions(chapter, with_responses=False)
    return render_template(
        "chapters/home.html",
        chapter=chapter,
        m=m,
        role_counts=summary.role_counts,
        professions=summary.professions,
        health=summary.health,
        vision=vision,
        proposal=proposal,
        tally=proposal_tally(proposal) if proposal else None,
        can_manage=can_manage_roster(current_user, m),
        can_invite=can_invite(current_user, m),
        can_edit=can_edit_chapter(current_user),
        panels=home_panels(chapter),
        recent=recent_activity(chapter),
        can_read_activity=can_read_activity(current_user, m),
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
