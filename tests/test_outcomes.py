"""Logging an action's outcome: who may, when, what is checked, what is shown and audited."""

import pytest
from sqlalchemy import select

from campaigns.outcome_models import CustomMetric, EvidenceFile, EvidenceLink, Outcome
from campaigns.services import outcomes as outcome_service
from core.extensions import db
from core.models import AuditEvent
from demo_outcomes import tiny_png
from tests.factories import make_evidence_file, make_outcome
from tests.outcomes_world import count, outcome_form, outcomes_world  # noqa: F401  (fixture)


def test_the_lead_logs_the_outcome_and_everyone_in_the_chapter_reads_it(w, client, login_as, post):
    login_as(w.lead)
    form = client.get(w.outcome_url).get_data(as_text=True)
    # The professions present come from the sign-ups.
    assert "Professions present (from the sign-ups): Nursing, Pharmacy" in form
    assert "Managing Self" in form and "Coaching and Mentoring" in form

    response = post(w.outcome_url, outcome_form())
    assert response.status_code == 302
    outcome = db.session.scalar(select(Outcome))
    assert (outcome.attendance, outcome.people_reached, outcome.signatures) == (12, 40, 150)
    assert outcome.media_pieces is None  # left empty: not counted, not zero
    assert outcome.domain_keys == ["coaching_mentoring", "fostering_teamwork"]
    assert [(m.name, int(m.value), m.unit) for m in outcome.metrics] == [
        ("Flyers handed out", 300, "flyers")
    ]
    assert [link.url for link in outcome.links] == ["https://example.org/minutes"]

    login_as(w.advisor)
    page = client.get(w.action_url).get_data(as_text=True)
    for shown in (
        "Attendance",
        "150",
        "Flyers handed out",
        "300 <small>flyers</small>",
        "Fostering Teamwork",
        "Nursing, Pharmacy",
        "I let the first-years speak first.",
        "https://example.org/minutes",
    ):
        assert shown in page
    assert "Edit the outcome" not in page  # advisors read, they do not log


def test_the_edit_form_opens_with_what_was_saved(w, client, login_as, post):
    login_as(w.lead)
    post(w.outcome_url, outcome_form(**{"metrics-0-value": "2.50"}))
    page = client.get(w.outcome_url).get_data(as_text=True)
    assert 'value="https://example.org/minutes"' in page
    assert 'value="2.5"' in page and 'value="Flyers handed out"' in page
    assert (
        'checked id="domain_keys-1" name="domain_keys" type="checkbox" value="fostering_teamwork"'
        in page
    )
    assert 'name="metrics-3-name"' in page  # the saved row and three blank ones


def test_every_save_is_audited_with_before_and_after(w, client, login_as, post):
    login_as(w.lead)
    post(w.outcome_url, outcome_form())
    login_as(w.leader)
    post(w.outcome_url, outcome_form(attendance="15", version="1", domain_keys=["advocacy"]))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("outcome.%")).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["outcome.logged", "outcome.edited"]
    assert events[0].before is None and events[0].after["attendance"] == 12
    edited = events[1]
    assert edited.actor_id == w.leader.id
    assert edited.before["attendance"] == 12 and edited.after["attendance"] == 15
    assert edited.before["domains"] == ["coaching_mentoring", "fostering_teamwork"]
    assert edited.after["domains"] == ["advocacy"]
    assert db.session.scalar(select(Outcome.attendance)) == 15


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attendance", "-3", "Enter a number from 0 to 100,000."),
        ("signatures", "5000000", "Enter a number from 0 to 1,000,000."),
        ("people_reached", "about forty", "Enter a whole number, such as 25."),
        ("commitments", "2.5", "Enter a whole number, such as 25."),
        ("metrics-0-value", "-1", "Enter a number of 0 or more."),
        ("metrics-0-value", "NaN", "Enter a number, such as 12 or 2.5."),
        # Too large to round to cents in Decimal's 28 digits: once an InvalidOperation.
        ("metrics-0-value", "1e30", "Enter a number up to 999,999,999,999.99."),
        ("metrics-0-value", "9" * 30, "Enter a number up to 999,999,999,999.99."),
        ("metrics-0-value", "-1e30", "Enter a number of 0 or more."),
        ("metrics-0-value", "", "Give this metric a value."),
        ("metrics-1-value", "7", "Name the metric this value counts."),
        ("link_urls-0", "javascript:alert(1)", "Enter a full web address starting with https://"),
        ("domain_keys", ["not_a_domain"], "is not a valid choice"),
    ],
)
def test_a_bad_value_gets_a_message_on_its_field_and_nothing_is_saved(
    w, client, login_as, post, field, value, message
):
    login_as(w.lead)
    response = post(w.outcome_url, outcome_form(**{field: value}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    # The rest of what was typed stays in the form.
    assert "We met the dean with the survey." in page
    assert count(Outcome) == count(CustomMetric) == count(EvidenceLink) == 0
    assert count(AuditEvent, AuditEvent.action.like("outcome.%")) == 0


def test_more_rows_adds_three_blank_rows_and_saves_nothing(w, client, login_as, post):
    login_as(w.lead)
    page = client.get(w.outcome_url).get_data(as_text=True)
    assert 'name="metrics-2-name"' in page and 'name="metrics-3-name"' not in page
    response = post(w.outcome_url, outcome_form(save=None, more_rows="1"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="metrics-4-name"' in page and 'name="link_urls-4"' in page
    assert "Flyers handed out" in page
    assert count(Outcome) == 0


def test_nothing_is_logged_before_the_action_is_over(w, client, login_as, post):
    from datetime import timedelta

    from core.db import utcnow

    w.action.starts_at = utcnow() + timedelta(days=1)
    w.action.ends_at = utcnow() + timedelta(days=1, hours=1)
    db.session.commit()
    login_as(w.lead)
    response = post(w.outcome_url, outcome_form())
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "once the action is done or its end has passed" in page
    assert "Log the outcome" not in page
    assert count(Outcome) == 0


def test_a_cancelled_action_has_no_outcome_to_log(w, client, login_as, post):
    w.action.status = "cancelled"
    db.session.commit()
    login_as(w.leader)
    assert post(w.outcome_url, outcome_form()).status_code == 302
    assert count(Outcome) == 0


def test_a_stale_form_keeps_the_input_and_saves_nothing(w, client, login_as, post):
    outcome = make_outcome(w.action, attendance=5)
    outcome.attendance = 6  # someone else saved meanwhile: version 2
    db.session.commit()
    login_as(w.lead)
    response = post(w.outcome_url, outcome_form(version="1", attendance="99"))
    assert response.status_code == 200
    assert "Someone else saved this while you were editing" in response.get_data(as_text=True)
    assert db.session.scalar(select(Outcome.attendance)) == 6


def test_a_locked_outcome_refuses_a_forged_edit(w, client, login_as, post, monkeypatch):
    """The hook that milestone sign-off fills in: a locked outcome changes no more."""
    make_outcome(w.action, attendance=5)
    monkeypatch.setattr(outcome_service, "outcome_is_locked", lambda outcome: True)
    monkeypatch.setattr("campaigns.views.actions.outcome_is_locked", lambda outcome: True)
    login_as(w.leader)
    response = post(w.outcome_url, outcome_form(version="1", attendance="99"))
    assert response.status_code == 302
    assert db.session.scalar(select(Outcome.attendance)) == 5
    page = client.get(w.action_url).get_data(as_text=True)
    assert "Edit the outcome" not in page and "Locked" in page
    with pytest.raises(Exception, match="locked"):
        outcome_service.ensure_outcome_editable(db.session.scalar(select(Outcome)))


def test_an_archived_campaign_keeps_its_outcomes_as_they_are(w, client, login_as, post):
    outcome = make_outcome(w.action, attendance=5)
    f = make_evidence_file(outcome, tiny_png(), mime_type="image/png", by=w.lead)
    w.action.campaign.status = "archived"
    db.session.commit()
    login_as(w.leader)
    response = client.get(w.outcome_url)
    assert response.status_code == 302
    assert "archived" in client.get(response.location).get_data(as_text=True)
    post(w.outcome_url, outcome_form(version="1", attendance="99"))
    post(f"/c/{w.chapter.slug}/evidence/{f.id}/remove")
    assert db.session.scalar(select(Outcome.attendance)) == 5
    assert count(EvidenceFile) == 1
    page = client.get(w.action_url).get_data(as_text=True)
    assert "Edit the outcome" not in page and "Remove…" not in page
