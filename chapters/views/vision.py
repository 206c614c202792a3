"""Routes for the common vision: the open proposal and its responses, proposing, history."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from chapters import bp
from chapters.access import get_chapter_or_404, get_in_chapter_or_404, require
from chapters.forms import VisionForm, VisionResponseForm
from chapters.models import Stance, VisionStatus, VisionVersion
from chapters.permissions import (
    can_comment_vision,
    can_propose_vision,
    can_withdraw_vision,
    counts_for_vision,
)
from chapters.services import (
    adopted_vision,
    current_visions,
    eligible_voters,
    propose_vision,
    respond_to_vision,
    vision_history,
    vision_tally,
    withdraw_vision,
)
from core.forms import EmptyForm
from core.http import page_number
from core.outcome import attempt


@bp.route("/c/<slug>/vision")
@login_required
def vision(slug: str):
    chapter, m = get_chapter_or_404(slug)
    return _vision_page(chapter, m)


def _vision_page(chapter, m, response_form: VisionResponseForm | None = None):
    """The vision page; with `response_form`, a response that was refused, shown with why."""
    adopted, proposal = current_visions(chapter)
    context = {"chapter": chapter, "m": m, "adopted": adopted, "proposal": proposal}
    if proposal is not None:
        voters = eligible_voters(chapter.id)
        responded = {r.user_id: r for r in proposal.responses}
        mine = responded.get(current_user.id)
        context.update(
            tally=vision_tally(proposal, voters),
            not_endorsed=[
                v
                for v in voters
                if getattr(responded.get(v.user_id), "stance", None) != Stance.ENDORSE
            ],
            responded=responded,
            my_response=mine,
            # A first response starts with nothing chosen; a change starts from one's own.
            response_form=response_form
            or VisionResponseForm(
                stance=getattr(mine, "stance", None), comment=getattr(mine, "comment", None)
            ),
            counts=counts_for_vision(m),
            can_comment=can_comment_vision(current_user, m, chapter),
            can_withdraw=can_withdraw_vision(current_user, m, proposal.proposed_by_id),
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
        with attempt(field=form.comment) as done:
            respond_to_vision(
                version,
                current_actor(),
                form.stance.data,
                form.comment.data,
                counts=counts_for_vision(m),
            )
            done.success = _response_message(version)
        if done:
            return redirect(url_for("chapters.vision", slug=chapter.slug))
    if version.status != VisionStatus.PROPOSED:
        flash("This version is no longer open for endorsement.", "error")
        return redirect(url_for("chapters.vision", slug=chapter.slug))
    return _vision_page(chapter, m, response_form=form)


def _response_message(version: VisionVersion) -> str:
    if version.status != VisionStatus.ADOPTED:
        return "Your response is recorded. You can change it while the proposal is open."
    said = (
        f"Your response is recorded, and with it version {version.number} meets the adoption "
        "rule: it is now the chapter's adopted vision."
    )
    objections = len(version.objections)
    if objections:
        said += (
            f" {objections} objection{'' if objections == 1 else 's'} still stood; "
            f"{'it stays' if objections == 1 else 'they stay'} on the adoption record "
            "in the vision history."
        )
    return said


@bp.route("/c/<slug>/vision/<int:vision_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, vision_id: int):
    chapter, m = get_chapter_or_404(slug)
    version = get_in_chapter_or_404(VisionVersion, vision_id, chapter)
    require(can_withdraw_vision(current_user, m, version.proposed_by_id))
    if version.status != VisionStatus.PROPOSED:
        flash("Only a proposal under discussion can be withdrawn.", "error")
        return redirect(url_for("chapters.vision", slug=chapter.slug))
    if EmptyForm().validate_on_submit():
        with attempt(f"Proposal {version.number} is withdrawn."):
            withdraw_vision(version, current_actor())
        return redirect(url_for("chapters.vision", slug=chapter.slug))
    return render_template(
        "chapters/vision_withdraw_confirm.html",
        chapter=chapter,
        version=version,
        adopted=adopted_vision(chapter),
    )


@bp.route("/c/<slug>/vision/history")
@login_required
def history(slug: str):
    chapter, _m = get_chapter_or_404(slug)
    return render_template(
        "chapters/vision_history.html", chapter=chapter, page=vision_history(chapter, page_number())
    )
