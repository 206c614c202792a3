"""`make run` loads the demo: every feature has something to show, and production refuses it."""

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from campaigns.models import Action, Campaign, Playbook, SwapRequest, Unavailability
from chapters.models import Chapter, Invitation, Membership, VisionVersion
from core.extensions import db


@pytest.fixture
def flask_command(app, monkeypatch):
    """`flask --app wsgi ...` for this app: commands from entry points as well as the app's."""
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # the group sets it; undo it afterwards
    runner, group = app.test_cli_runner(), FlaskGroup(load_dotenv=False)
    return lambda *args: runner.invoke(group, list(args))


def test_the_demo_shows_every_feature(flask_command):
    result = flask_command("demo", "load")
    assert result.exit_code == 0, result.output
    assert "leader@relay.test" in result.output and "relay-demo-2026" in result.output

    chapters = db.session.scalars(select(Chapter)).all()
    assert len(chapters) >= 2
    for chapter in chapters:
        roster = db.session.scalars(
            select(Membership).where(Membership.chapter_id == chapter.id)
        ).all()
        assert 6 <= len(roster) <= 10
        assert len({m.user.profession for m in roster}) >= 4
        assert any(m.role == "advisor" for m in roster)
    statuses = set(db.session.scalars(select(VisionVersion.status)))
    assert {"adopted", "proposed"} <= statuses
    assert db.session.scalar(
        select(func.count(Invitation.id)).where(Invitation.accepted_at.is_(None))
    )
    assert db.session.scalar(
        select(func.count(Campaign.id)).where(Campaign.playbook_slug.is_not(None))
    )
    assert db.session.scalar(select(func.count(Playbook.id))) >= 1
    assert db.session.scalar(
        select(func.count(SwapRequest.id)).where(SwapRequest.status == "accepted")
    )
    assert db.session.scalar(select(func.count(Unavailability.id)))
    leads = db.session.scalars(select(Action.lead_id).where(Action.lead_id.is_not(None))).all()
    assert len(set(leads)) >= 4  # the lead rotated

    again = flask_command("demo", "load", "--if-empty")
    assert again.exit_code == 0 and "not reloaded" in again.output


def test_the_demo_is_never_loaded_in_production(app, flask_command):
    app.config["ENV_NAME"] = "production"
    result = flask_command("demo", "load")
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
    assert db.session.scalar(select(func.count(Chapter.id))) == 0
