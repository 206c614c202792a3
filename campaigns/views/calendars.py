"""Routes for calendars and feeds, and a person's unavailable dates beside their own feed."""

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from campaigns import bp
from campaigns.access import get_action_or_404
from campaigns.calendar import ActionEvent, build_calendar
from campaigns.forms import UnavailableForm
from campaigns.permissions import can_manage_campaigns
from campaigns.services.calendars import (
    CALENDAR_WEEKS,
    FeedWindow,
    chapter_calendar_weeks,
    chapter_feed_entries,
    chapter_feed_reader,
    chapter_feed_token,
    person_feed_actions,
    person_feed_etag,
    person_feed_reader,
    person_feed_token,
    renew_chapter_feed_addresses,
    renew_person_feed_address,
)
from campaigns.services.pool import (
    add_unavailability,
    delete_unavailability,
    own_unavailability,
    upcoming_unavailability,
)
from chapters.access import get_chapter_or_404, require
from core.forms import EmptyForm
from core.http import external_url, site_host
from core.outcome import attempt


@bp.route("/c/<slug>/calendar")
@login_required
def chapter_calendar(slug: str):
    chapter, m = get_chapter_or_404(slug)
    weeks = chapter_calendar_weeks(chapter)
    feed_url = None
    if m is not None or current_user.is_staff:
        feed_url = external_url(
            "campaigns.chapter_feed", token=chapter_feed_token(chapter, current_actor())
        )
    return render_template(
        "campaigns/calendar.html",
        chapter=chapter,
        weeks=weeks,
        feed_url=feed_url,
        weeks_ahead=CALENDAR_WEEKS,
        can_regenerate=can_manage_campaigns(current_user, m, chapter),
    )


@bp.route("/c/<slug>/calendar/regenerate", methods=["POST"])
@login_required
def regenerate_chapter_feed(slug: str):
    chapter, m = get_chapter_or_404(slug)
    require(can_manage_campaigns(current_user, m, chapter))
    if EmptyForm().validate_on_submit():
        with attempt("New calendar addresses made for everyone; the old ones no longer work."):
            renew_chapter_feed_addresses(chapter, current_actor())
    return redirect(url_for("campaigns.chapter_calendar", slug=slug))


def _ics_response(body: bytes, filename: str, etag: str | None = None) -> Response:
    """A polled feed (with its ETag) may be kept five minutes; a one-off download is not
    kept (core.security's default)."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if etag is not None:
        response.headers["Cache-Control"] = "private, max-age=300"
        response.set_etag(etag)
    return response


def _not_modified(etag: str) -> Response | None:
    """304 when the calendar app already holds this version of the feed."""
    if not request.if_none_match.contains_weak(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/calendar/chapter/<token>.ics")
def chapter_feed(token: str):
    window, host = FeedWindow.today(), site_host()
    feed = chapter_feed_reader(token, window, host)
    if feed is None:
        abort(404)
    if (unchanged := _not_modified(feed.etag)) is not None:
        return unchanged
    chapter = feed.chapter
    actions, milestones = chapter_feed_entries(chapter, window)
    return _ics_response(
        build_calendar(f"{chapter.name} (Relay)", actions, milestones, host),
        f"{chapter.slug}.ics",
        feed.etag,
    )


@bp.route("/calendar/me/<token>.ics")
def person_feed(token: str):
    user = person_feed_reader(token)
    if user is None:
        abort(404)
    window, host = FeedWindow.today(), site_host()
    etag = person_feed_etag(user, window, host)
    if (unchanged := _not_modified(etag)) is not None:
        return unchanged
    actions = person_feed_actions(user, window)
    return _ics_response(
        build_calendar("My Relay actions", actions, [], host), "relay-me.ics", etag
    )


@bp.route("/c/<slug>/actions/<int:action_id>.ics")
@login_required
def action_ics(slug: str, action_id: int):
    _chapter, _m, action = get_action_or_404(slug, action_id)
    return _ics_response(
        build_calendar(action.title, [ActionEvent.of(action)], [], site_host()),
        f"action-{action.id}.ics",
    )


# --- my availability and my feed ------------------------------------------------------------


@bp.route("/me/availability", methods=["GET", "POST"])
@login_required
def my_availability():
    """Your unavailable dates and your personal calendar feed."""
    form = UnavailableForm()
    if form.validate_on_submit():
        with attempt("Saved. The rotation will not suggest you on those days.") as done:
            add_unavailability(
                current_actor(), form.start_date.data, form.end_date.data, form.reason.data or ""
            )
        if done:
            return redirect(url_for("campaigns.my_availability"))
    me = current_actor()
    feed_url = external_url("campaigns.person_feed", token=person_feed_token(me))
    return render_template(
        "campaigns/availability.html",
        form=form,
        rows=upcoming_unavailability(me),
        feed_url=feed_url,
    )


@bp.route("/me/availability/<int:row_id>/delete", methods=["POST"])
@login_required
def delete_availability(row_id: int):
    me = current_actor()
    row = own_unavailability(row_id, me)
    if row is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        with attempt("Removed."):
            delete_unavailability(row, me)
    return redirect(url_for("campaigns.my_availability"))


@bp.route("/me/calendar/regenerate", methods=["POST"])
@login_required
def regenerate_my_feed():
    if EmptyForm().validate_on_submit():
        with attempt("New calendar address made; the old one no longer works."):
            renew_person_feed_address(current_actor())
    return redirect(url_for("campaigns.my_availability"))
