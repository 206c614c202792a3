"""`make run` loads the demo: every feature has something to show, and production refuses it."""

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from accounts.models import User
from campaigns.models import (
    Action,
    ActionSignup,
    Campaign,
    LeadAssignment,
    Playbook,
    SwapRequest,
    Unavailability,
)
from chapters.models import Chapter, Invitation, Membership, VisionVersion
from core.db import utcnow
from core.extensions import db
from core.models import OutboxMessage, OutboxStatus
from core.timefmt import academic_year_start
from demo import LOGINS


@pytest.fixture
def flask_command(app, monkeypatch):
    """`flask --app wsgi ...` for this app: commands from entry points as well as the app's."""
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # the group sets it; undo it afterwards
    runner, group = app.test_cli_runner(), FlaskGroup(load_dotenv=False)
    return lambda *args: runner.invoke(group, list(args))


def test_the_demo_shows_every_feature(app, flask_command):
    result = flask_command("demo", "load")
    assert result.exit_code == 0, result.output
    assert "leader@relay.test" in result.output and "relay-demo-2026" in result.output

    chapters = db.session.scalars(select(Chapter)).all()
    assert len(chapters) >= 8  # enough for the national comparison
    for chapter in chapters:
        roster = db.session.scalars(
            select(Membership).where(Membership.chapter_id == chapter.id)
        ).all()
        assert any(m.role == "advisor" for m in roster)
        if chapter.slug in ("riverside", "harbor-city"):  # the hand-made ones
            assert 6 <= len(roster) <= 10
            assert len({m.user.profession for m in roster}) >= 4
    assert len({c.region for c in chapters}) >= 5
    sizes = [
        db.session.scalar(select(func.count(Membership.id)).where(Membership.chapter_id == c.id))
        for c in chapters
    ]
    assert min(sizes) <= 5 and max(sizes) >= 20  # small chapters and large ones
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
    # Every email it queued went out (more than one batch: `make run` has no mail worker).
    statuses = db.session.scalars(select(OutboxMessage.status)).all()
    assert len(statuses) > app.config["MAIL_BATCH_SIZE"]
    assert set(statuses) == {OutboxStatus.SENT}

    again = flask_command("demo", "load", "--if-empty")
    assert again.exit_code == 0 and "not reloaded" in again.output


def test_the_demo_is_never_loaded_in_production(app, flask_command):
    app.config["ENV_NAME"] = "production"
    result = flask_command("demo", "load")
    assert result.exit_code != 0
    assert "never loaded in production" in result.output
    assert db.session.scalar(select(func.count(Chapter.id))) == 0


def test_the_demo_gives_a_member_something_to_do(flask_command):
    assert flask_command("demo", "load").exit_code == 0
    diego = db.session.scalar(select(User).where(User.email == "member@relay.test"))

    # A proposal of his chapter's vision he has not answered yet...
    riverside = db.session.scalar(select(Chapter).where(Chapter.slug == "riverside"))
    open_here = db.session.scalar(
        select(VisionVersion).where(
            VisionVersion.chapter_id == riverside.id, VisionVersion.status == "proposed"
        )
    )
    assert open_here is not None
    assert diego.id not in {r.user_id for r in open_here.responses}
    # ...and an upcoming action of an active campaign he neither leads nor signed up for.
    signed = select(ActionSignup.action_id).where(ActionSignup.user_id == diego.id)
    free = db.session.scalars(
        select(Action)
        .join(Campaign)
        .where(
            Campaign.chapter_id == riverside.id,
            Campaign.status == "active",
            Action.status == "planned",
            Action.starts_at > utcnow(),
            Action.lead_id.is_distinct_from(diego.id),
            Action.id.not_in(signed),
        )
    ).all()
    assert free


def test_the_demo_chose_every_lead_before_the_action(flask_command):
    assert flask_command("demo", "load").exit_code == 0

    rows = db.session.execute(
        select(LeadAssignment.created_at, Action.starts_at).join(
            Action, Action.id == LeadAssignment.action_id
        )
    ).all()

    assert rows
    assert all(chosen < starts for chosen, starts in rows)
    for vision in db.session.scalars(select(VisionVersion)):
        assert all(r.updated_at >= vision.proposed_at for r in vision.responses)
        if vision.adopted_at is not None:
            assert vision.adopted_at >= max(r.updated_at for r in vision.responses)


def test_the_readme_demo_table_lists_every_login_the_readme_mentions(flask_command):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("### Demo logins", 1)[1].split("\n## ", 1)[0]
    in_table = set(re.findall(r"\| ([\w.]+@relay\.test) \|", table))
    mentioned = set(re.findall(r"[\w.]+@relay\.test", readme))

    assert mentioned <= in_table, f"add to the README's demo table: {mentioned - in_table}"
    assert in_table == {email for _who, email in LOGINS}
    assert flask_command("demo", "load").exit_code == 0
    existing = set(db.session.scalars(select(User.email).where(User.email.in_(in_table))))
    assert existing == in_table


@pytest.mark.dates
def test_the_demo_network_gives_the_comparison_every_flag(app, flask_command, login_as, clock):
    # "Falling" compares the academic year so far with the same stretch of the year before,
    # so in a year's first two weeks no chapter can show it: look a month in at the least.
    began = academic_year_start(utcnow().date(), app.config["ACADEMIC_YEAR_START_MONTH"])
    a_month_in = datetime.combine(began + timedelta(days=30), time(15), tzinfo=UTC)
    if utcnow() < a_month_in:
        clock.move_to(a_month_in)
    assert flask_command("demo", "load").exit_code == 0
    staff = db.session.scalar(select(User).where(User.email == "staff@relay.test"))
    client = app.test_client()
    login_as(staff, client_=client)

    page = client.get("/network/compare").get_data(as_text=True)

    for flag in ("Overdue sign-offs", "No activity in 30 days", "Unhealthy roster", "Falling"):
        assert flag in page


def test_demo_generate_writes_a_valid_network(app, flask_command, login_as):
    result = flask_command("demo", "generate", "--chapters", "3")
    assert result.exit_code == 0, result.output

    chapters = db.session.scalars(select(Chapter).where(Chapter.slug.like("gen-%"))).all()
    assert len(chapters) == 3
    members = db.session.scalar(select(func.count(Membership.id)))
    assert 3 * 10 <= members <= 3 * 45
    assert db.session.scalar(select(func.count(Campaign.id))) == 30
    actions = db.session.scalar(select(func.count(Action.id)))
    assert 3 * 60 <= actions <= 3 * 400
    assert db.session.scalar(select(func.count(ActionSignup.id))) >= 2 * actions
    years = {a.year for a in db.session.scalars(select(Action.starts_at))}
    assert len(years) >= 3  # three academic years of history
    assert flask_command("audit", "verify").exit_code == 0

    staff = db.session.scalar(select(User).where(User.email == "staff@relay.test"))
    client = app.test_client()
    login_as(staff, client_=client)
    page = client.get("/network/compare")
    assert page.status_code == 200
    assert all(c.name in page.get_data(as_text=True) for c in chapters)
    report = client.get(f"/c/{chapters[0].slug}/report")
    assert report.status_code == 200

    # A second run adds more chapters after the first ones.
    assert flask_command("demo", "generate", "--chapters", "2").exit_code == 0
    assert db.session.scalar(select(func.count(Chapter.id))) == 5


def test_make_run_ends_with_the_demo_logins(flask_command):
    # `make run` prints them last, below the start-up mail of `flask notify run`.
    result = flask_command("demo", "logins")
    assert result.exit_code == 0
    assert "password for all: " in result.output
    assert all(email in result.output for _who, email in LOGINS)
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert run.index("notify run") < run.index("demo logins") < run.index("$(FLASK) run")
