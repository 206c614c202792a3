"""The activity log's sentences for events whose words depend on how they happened (a lead
taken over in a swap, handed off, assigned or taken), addenda's files, and a guard that
every event the code records has words of its own rather than the raw fallback."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.services.leads import accept_swap, ask_swap, assign_lead, hand_off
from chapters.models import Role
from chapters.services.activity import describe
from core.activity import action_choices, action_words
from core.audit import record_event
from core.db import utcnow
from core.extensions import db
from core.models import AuditEvent
from demo_outcomes import tiny_pdf
from notifications.services import turn_off
from tests.factories import add_to_pool, make_action, make_campaign, make_chapter, make_member
from tests.signoff_world import Scene, approve, scene_fixture, submit  # noqa: F401  (fixture)
from tests.test_activity_log import log_lines, page_of
from tests.test_addendum_files import send


@pytest.fixture
def crew(app):
    chapter = make_chapter("Lakeview", slug="lakeview")
    leader = make_member(chapter, Role.LEADER, name="Leo Leader", commit=False).user
    advisor = make_member(chapter, Role.ADVISOR, name="Dr Ada Advisor", commit=False).user
    priya = make_member(chapter, name="Priya Raman", profession="Nursing", commit=False).user
    mei = make_member(chapter, name="Mei Tanaka", profession="Pharmacy", commit=False).user
    campaign = make_campaign(chapter, title="Flu season", status="active")
    add_to_pool(campaign, priya, mei)
    fair = make_action(
        campaign, title="Health fair", lead=mei, starts_at=utcnow() + timedelta(days=5)
    )
    db.session.commit()
    return {"leader": leader, "advisor": advisor, "priya": priya, "mei": mei, "fair": fair}


def newest_line(client, login_as, reader) -> str:
    login_as(reader)
    return log_lines(page_of(client, "/c/lakeview/activity"))[0]


def test_a_swap_taken_over_names_who_took_it_and_from_whom(crew, client, login_as):
    swap = ask_swap(crew["fair"], crew["mei"], "Exams that week")
    accept_swap(swap, crew["priya"])
    db.session.commit()

    line = newest_line(client, login_as, crew["advisor"])
    assert line == "Priya Raman took over leading Health fair from Mei Tanaka"
    # The overview's recent activity, read by a member, says the same.
    login_as(crew["mei"])
    assert "Priya Raman took over leading Health fair from Mei Tanaka" in page_of(
        client, "/c/lakeview"
    )
    assert "Priya Raman made Priya Raman" not in page_of(client, "/c/lakeview")


def test_a_hand_off_names_the_new_lead(crew, client, login_as):
    fair = crew["fair"]
    hand_off(fair, crew["priya"].id, "Venue booked; flyers left.", crew["mei"], fair.version)
    db.session.commit()

    assert (
        newest_line(client, login_as, crew["advisor"])
        == "Mei Tanaka handed Health fair over to Priya Raman"
    )


def test_a_leader_assigning_a_lead_is_named_with_the_one_replaced(crew, client, login_as):
    fair = crew["fair"]
    assign_lead(fair, crew["priya"].id, crew["leader"], "Mei has exams", fair.version)
    db.session.commit()

    line = newest_line(client, login_as, crew["advisor"])
    assert line.startswith("Leo Leader made Priya Raman the lead of Health fair in place of Mei")


def test_a_leader_who_takes_the_lead_is_not_named_twice(crew, client, login_as):
    fair = crew["fair"]
    assign_lead(fair, crew["leader"].id, crew["leader"], "I know the venue", fair.version)
    db.session.commit()

    line = newest_line(client, login_as, crew["advisor"])
    assert line == "Leo Leader took the lead of Health fair in place of Mei Tanaka"


def test_the_rotations_suggestion_taken_says_so(crew, client, login_as):
    unled = make_action(crew["fair"].campaign, title="Clinic day")
    assign_lead(unled, crew["priya"].id, crew["leader"], "", unled.version)
    db.session.commit()

    line = newest_line(client, login_as, crew["advisor"])
    assert re.fullmatch(
        r"Leo Leader made \w+ \w+ the lead of Clinic day, as the rotation suggested", line
    )


@pytest.fixture
def signed_off(scene) -> Scene:
    approve(submit(scene.milestone, scene.leader, [scene.outcome]), scene.advisor)
    return scene


def test_an_addendums_file_is_named_by_its_milestone(signed_off, client, login_as):
    s = signed_off
    login_as(s.leader)
    assert (
        send(
            client, f"/c/riverside/milestones/{s.milestone.id}/addendum", [(tiny_pdf("x"), "a.pdf")]
        ).status_code
        == 302
    )

    login_as(s.advisor)
    html = page_of(client, "/c/riverside/activity")
    expected = f"{s.leader.display_name} added a file to an addendum to {s.milestone.title}"
    assert expected in html
    assert "addendum files #" not in html and "file added (" not in html


def test_turning_a_notification_off_reads_as_ones_own_settings(crew, app):
    turn_off(crew["priya"], "lead_assigned")
    db.session.flush()
    ev = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "notifications.preferences_changed")
    ).one()
    (line,) = describe([ev], None, with_changes=False)
    assert line.words == "Priya Raman changed their notification settings"


def test_an_unknown_kind_of_object_reads_as_a_noun_not_a_table(crew, app):
    ev = record_event(
        "gadget.polished", actor=crew["priya"], object_type="gadget_batteries", object_id=7
    )
    (line,) = describe([ev], None, with_changes=False)
    assert line.words == "Priya Raman: polished (gadget battery #7)"


# Every action name the code records, literally or from a status: each has its own words.
_RECORDED = re.compile(r'(?:record_event|_event)\(\s*f?"([a-z_]+(?:\.[a-z_{}]+)?)"')
_STATUSES = {
    "action.{status}": ("action.done", "action.cancelled"),
    "campaign.{status}": (
        "campaign.draft",
        "campaign.active",
        "campaign.completed",
        "campaign.archived",
    ),
}


def recorded_actions() -> set[str]:
    root = Path(__file__).resolve().parent.parent
    found: set[str] = set()
    for package in ("accounts", "chapters", "campaigns", "national", "notifications"):
        for source in (root / package).rglob("*.py"):
            for name in _RECORDED.findall(source.read_text()):
                found.update(_STATUSES.get(name, (name,)))
    return found


def test_every_recorded_event_has_words_of_its_own(app):
    with app.app_context():
        registered = action_words()
        missing = sorted(a for a in recorded_actions() if a not in registered)
        assert len(recorded_actions()) > 30
        assert missing == []
        # Each reads as a phrase in the filter menu too (a function of the event is asked
        # for its general words).
        labels = dict(action_choices(registered))
        assert labels["action.lead_changed"] == "Action · made … the lead of …"
