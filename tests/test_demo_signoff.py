"""The demo shows sign-off in every state: waiting, returned with a comment, approved and
locked, with an addendum, and overdue."""

from flask.cli import FlaskGroup
from sqlalchemy import select

from campaigns.models import Campaign, Milestone
from campaigns.services.outcomes import outcome_is_locked
from campaigns.signoff_models import MilestoneDecision, MilestoneSubmission
from chapters.models import Chapter
from core.extensions import db


def test_the_demo_shows_every_sign_off_state(app, monkeypatch, client, login_as):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    result = app.test_cli_runner().invoke(FlaskGroup(load_dotenv=False), ["demo", "load"])
    assert result.exit_code == 0, result.output

    statuses = list(db.session.scalars(select(Milestone.status)))
    assert {"submitted", "returned", "approved", "open"} <= set(statuses)
    returned = db.session.scalars(  # Riverside's (the generated chapters have their own)
        select(MilestoneDecision)
        .join(Milestone, Milestone.id == MilestoneDecision.milestone_id)
        .join(Campaign, Campaign.id == Milestone.campaign_id)
        .join(Chapter, Chapter.id == Campaign.chapter_id)
        .where(MilestoneDecision.decision == "returned", Chapter.slug == "riverside")
    ).one()
    assert returned.comment
    addenda = db.session.scalars(
        select(MilestoneSubmission).where(MilestoneSubmission.kind == "addendum")
    ).all()
    assert [a.status for a in addenda] == ["approved"]
    assert [f.mime_type for f in addenda[0].files] == ["application/pdf"]  # with its file
    locked = db.session.scalars(
        select(MilestoneSubmission).where(
            MilestoneSubmission.status == "approved", MilestoneSubmission.kind == "milestone"
        )
    ).all()
    assert any(outcome_is_locked(o) for s in locked for o in s.outcomes)

    from accounts.models import User

    advisor = db.session.scalar(select(User).where(User.email == "advisor@relay.test"))
    login_as(advisor)
    queue = client.get("/signoffs").get_data(as_text=True)
    assert "2 waiting across your chapters" in queue
    assert queue.count("Overdue</span>") == 1
