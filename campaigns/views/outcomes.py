"""Routes for an action's outcome and its evidence files, and the actions I lead that still
wait for theirs."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from accounts.current import current_actor
from campaigns import bp
from campaigns.access import get_action_or_404
from campaigns.outcome_forms import OutcomeForm
from campaigns.permissions import can_log_outcome, can_read_evidence
from campaigns.services.actions import action_signups
from campaigns.services.evidence import (
    add_evidence_files,
    evidence_in_chapter,
    file_chunks,
    remove_evidence_file,
)
from campaigns.services.outcomes import (
    NOT_OVER_MESSAGE,
    outcome_for_action,
    save_outcome,
    why_outcome_cannot_change,
)
from campaigns.services.week import actions_to_close_page
from chapters.access import get_chapter_or_404, require
from chapters.services import my_memberships
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt

RECHOOSE_FILES = (
    "Your files were not stored because of the other problems on this form; "
    "fix them and choose the files again (a browser does not keep a chosen file)."
)


@bp.route("/c/<slug>/actions/<int:action_id>/outcome", methods=["GET", "POST"])
@login_required
def log_outcome(slug: str, action_id: int):
    chapter, m, action = get_action_or_404(slug, action_id)
    require(can_log_outcome(current_user, m, action))
    back = url_for("campaigns.action_page", slug=slug, action_id=action.id)
    outcome = outcome_for_action(action.id)
    refused = why_outcome_cannot_change(action, outcome)
    if refused:
        flash(refused, "error")
        return redirect(back)
    form = OutcomeForm(obj=outcome if request.method == "GET" else None)
    if request.method == "GET" or "more_rows" in request.form:
        if request.method == "GET" and outcome is not None:
            form.fill_from(outcome)
        form.add_blank_rows()
    else:
        stale = outcome is not None and form.changed_since_opened(outcome)
        if not stale and form.validate_on_submit():
            with attempt("Outcome saved.") as done:
                saved = save_outcome(action, outcome, form.outcome_data(), current_actor())
                added = add_evidence_files(
                    saved,
                    form.inspected,
                    current_actor(),
                    no_patient_info=bool(form.no_patient_info.data),
                )
                if added:
                    files = "file" if len(added) == 1 else "files"
                    done.success = f"Outcome saved with {len(added)} new evidence {files}."
            if done:
                return redirect(back)
        if form.chosen_files() and not form.evidence.errors:
            form.evidence.errors = [*form.evidence.errors, RECHOOSE_FILES]
        # The files are chosen again, so the confirmation is given again for them.
        form.no_patient_info.data = False
    return render_template(
        "campaigns/outcome_edit.html",
        chapter=chapter,
        action=action,
        outcome=outcome,
        form=form,
        signups=action_signups(action.id, current_user.id),
    )


@bp.route("/c/<slug>/evidence/<int:file_id>")
@login_required
def evidence_file(slug: str, file_id: int):
    """The file's bytes, only through the chapter's permission check (else 404)."""
    return serve_chapter_file(slug, file_id, evidence_in_chapter)


def serve_chapter_file(slug: str, file_id: int, find) -> Response:
    """A stored evidence or addendum file (`find(file_id, chapter_id)` looks it up within
    the chapter), only to readers of the chapter (else 404)."""
    chapter, m = get_chapter_or_404(slug)
    if not can_read_evidence(current_user, m, chapter):
        abort(404)
    f = find(file_id, chapter.id)
    if f is None:
        abort(404)
    return stored_file_response(f, file_chunks(type(f), f.id, f.size))


def stored_file_response(f, chunks) -> Response:
    """A stored evidence or addendum file, streamed, as a download (images inline) with its
    detected type and server-made name; nothing in it may run."""
    response = Response(stream_with_context(chunks), mimetype=f.mime_type)
    disposition = "inline" if f.is_image else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{f.name}"'
    response.headers["Content-Length"] = str(f.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Nothing in a served file may run or load anything, whatever a browser makes of it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/c/<slug>/evidence/<int:file_id>/remove", methods=["GET", "POST"])
@login_required
def remove_evidence(slug: str, file_id: int):
    chapter, m = get_chapter_or_404(slug)
    f = evidence_in_chapter(file_id, chapter.id)
    if f is None:
        abort(404)
    action = f.outcome.action
    require(can_log_outcome(current_user, m, action))
    back = url_for("campaigns.action_page", slug=slug, action_id=action.id)
    if request.method == "POST":
        if EmptyForm().validate_on_submit():
            with attempt(f"{f.name} removed."):
                remove_evidence_file(f, current_actor())
        return redirect(back)
    refused = why_outcome_cannot_change(action, f.outcome)
    if refused and refused != NOT_OVER_MESSAGE:
        flash(refused, "error")
        return redirect(back)
    return render_template("campaigns/evidence_remove.html", chapter=chapter, action=action, file=f)


@bp.route("/me/actions-to-close")
@login_required
def actions_to_close():
    """Every action I lead that is over with no outcome logged yet, a page at a time."""
    chapter_ids = [m.chapter_id for m in my_memberships(current_user.id)]
    return render_template(
        "campaigns/actions_to_close.html",
        page=actions_to_close_page(current_user.id, chapter_ids, page_number()),
    )
