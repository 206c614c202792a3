"""The activity log: a chapter's for its advisors and national staff, the network's for staff."""

from flask import abort, render_template, request
from flask_login import current_user, login_required

from chapters import bp
from chapters.access import get_chapter_or_404, require
from chapters.forms import ActivityFilterForm
from chapters.models import Chapter
from chapters.permissions import can_read_activity, can_read_network_activity
from chapters.services.activity import ActivityFilters, activity_page
from core.activity import action_choices, action_words, object_kinds
from core.http import page_number

EVENTS_PER_PAGE = 50


@bp.route("/c/<slug>/activity")
@login_required
def chapter_activity(slug: str):
    chapter, m = get_chapter_or_404(slug)
    require(can_read_activity(current_user, m))
    return _log_page(chapter)


@bp.route("/activity")
@login_required
def network_activity():
    if not can_read_network_activity(current_user):
        abort(404)
    return _log_page(None)


def _log_page(chapter: Chapter | None):
    form = ActivityFilterForm(
        request.args,
        kinds={k.object_type: k.label for k in object_kinds().values()},
        actions=action_choices(action_words()),
    )
    valid = form.validate()
    filters = (
        ActivityFilters(
            person=(form.person.data or "").strip(),
            kind=form.kind.data or "",
            action=form.action.data or "",
            since=form.since.data,
            until=form.until.data,
        )
        if valid
        else ActivityFilters()
    )
    page, lines = activity_page(chapter, filters, page_number(), EVENTS_PER_PAGE)
    return render_template(
        "chapters/activity.html",
        chapter=chapter,
        form=form,
        filters_valid=valid,
        page=page,
        lines=lines,
        pager_args={k: v for k, v in request.args.items() if k != "page" and v} if valid else {},
        zone=chapter.timezone if chapter is not None else "UTC",
    )
