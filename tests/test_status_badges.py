"""Status badges: one macro, coloured by meaning, always with text, and AA contrast."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from campaigns.models import CampaignStatus
from core.db import utcnow
from tests.factories import make_action, make_campaign, make_chapter, make_member, make_milestone

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "relay.css"


def badge(app, status, label=None) -> str:
    with app.app_context():
        macros = app.jinja_env.get_template("_macros/status.html").module
        return str(macros.status_badge(status, label)).strip()


@pytest.mark.parametrize(
    ("status", "tone", "text"),
    [
        ("planned", "info", "Planned"),
        ("open", "info", "Open"),
        ("done", "ok", "Done"),
        ("approved", "ok", "Approved"),
        ("waiting", "warn", "Waiting"),
        ("submitted", "warn", "Submitted"),
        ("overdue", "danger", "Overdue"),
        ("cancelled", "off", "Cancelled"),
        ("something_new", "neutral", "Something new"),
    ],
)
def test_a_badge_is_coloured_by_meaning_and_says_it_in_words(app, status, tone, text):
    assert badge(app, status) == f'<span class="badge status status-{tone}">{text}</span>'


def test_a_badge_takes_the_label_it_is_given(app):
    assert badge(app, "done", "Marked done") == (
        '<span class="badge status status-ok">Marked done</span>'
    )


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_badge_tone_has_aa_contrast():
    rules = re.findall(
        r"\.status-(\w+) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6});", CSS.read_text()
    )
    assert {tone for tone, _, _ in rules} == {"neutral", "info", "ok", "warn", "danger", "off"}
    for tone, background, colour in rules:
        light, dark = sorted((_luminance(background), _luminance(colour)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, tone


@pytest.mark.dates
def test_pages_show_overdue_actions_and_milestones(app, client, login_as):
    chapter = make_chapter(slug="late")
    leader = make_member(chapter, "leader").user
    campaign = make_campaign(chapter, status=CampaignStatus.ACTIVE)
    past = make_action(campaign, title="Forgotten visit", starts_at=utcnow() - timedelta(days=2))
    make_action(campaign, title="Done visit", starts_at=utcnow() - timedelta(days=3), status="done")
    make_milestone(campaign, title="Late milestone", due_date=(utcnow() - timedelta(days=5)).date())
    login_as(leader)

    action_page = client.get(f"/c/late/actions/{past.id}").get_data(as_text=True)
    assert '<span class="badge status status-danger">Overdue</span>' in action_page
    plan = client.get(f"/c/late/campaigns/{campaign.id}").get_data(as_text=True)
    assert '<span class="badge status status-danger">Open, overdue</span>' in plan
    assert '<span class="badge status status-ok">Done</span>' in plan
    assert '<span class="badge status status-info">Active</span>' in plan
