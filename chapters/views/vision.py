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
from core.outcome import attempt


@bp.route("/c/<slug>/vision")
@login_required
def vision(slug: str):
    chapter, m = get_chapter_or_404(slug)
    adopted, proposal = current_visions(chapter)
    context = {"chapter": chapter, "m": m, "adopted": adopted, "proposal": proposal}
    if proposal is not None:
        voters = eligible_voters(chapter.id)
        responded = {r.user_id: r for r in proposal.responses}
        context.update(
            tally=vision_tally(proposal, voters),
            not_endorsed=[
                v
                for v in voters
                if getattr(responded.get(v.user_id), "stance", None) != Stance.ENDORSE
            ],
            responded=responded,
            my_response=responded.get(current_user.id),
            response_form=VisionResponseForm(
                stance=getattr(responded.get(current_user.id), "stance", Stance.ENDORSE),
                comment=getattr(responded.get(current_user.id), "comment", None),
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
                if version.status == VisionStatus.ADOPTED
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
