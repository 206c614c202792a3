"""Routes for playbooks: browsing the plans, and publishing a completed campaign as one."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from accounts.current import current_actor
from campaigns import bp
from campaigns.access import get_campaign_or_404
from campaigns.forms import PublishForm
from campaigns.models import ACTION_KINDS
from campaigns.permissions import can_manage_campaigns
from campaigns.services.playbooks import (
    all_playbooks,
    chapters_to_plan_in,
    find_playbook,
    publish_playbook,
)
from chapters.access import require
from core.outcome import attempt


@bp.route("/playbooks")
@login_required
def playbooks():
    return render_template(
        "campaigns/playbooks.html",
        plans=all_playbooks(),
        kinds=ACTION_KINDS,
        chapters=chapters_to_plan_in(current_actor()),
    )


@bp.route("/playbooks/<playbook_slug>")
@login_required
def playbook_page(playbook_slug: str):
    plan = find_playbook(playbook_slug)
    if plan is None:
        abort(404)
    return render_template(
        "campaigns/playbook.html",
        plan=plan,
        kinds=ACTION_KINDS,
        chapters=chapters_to_plan_in(current_actor()),
    )


@bp.route("/c/<slug>/campaigns/<int:campaign_id>/publish", methods=["POST"])
@login_required
def publish(slug: str, campaign_id: int):
    chapter, m, campaign = get_campaign_or_404(slug, campaign_id)
    require(can_manage_campaigns(current_user, m, chapter))
    form = PublishForm()
    if form.validate_on_submit():
        with attempt("Published: every chapter can now copy this plan.") as done:
            pb = publish_playbook(campaign, form.summary.data or "", current_actor())
        if done:
            return redirect(url_for("campaigns.playbook_page", playbook_slug=pb.slug))
    return redirect(url_for("campaigns.campaign_page", slug=slug, campaign_id=campaign.id))
