"""Every main page sends a fixed, small number of SQL statements, whatever the chapter's size.

The numbers are the budget after issue 9's work; a change that adds a statement to a page
must say why here. Each page is counted for a leader of a small and of a large chapter.
"""

from datetime import timedelta

import pytest

from campaigns.models import ActionStatus, CampaignStatus
from campaigns.outcome_models import CustomMetric, EvidenceLink, OutcomeDomain
from chapters.models import Role, VisionStatus
from core.audit import record_event
from core.db import utcnow
from core.extensions import db
from demo_outcomes import tiny_png
from tests.factories import (
    add_to_pool,
    make_action,
    make_campaign,
    make_chapter,
    make_evidence_file,
    make_member,
    make_milestone,
    make_outcome,
    make_signup,
    make_vision,
)

PROFESSIONS = ("Medicine", "Nursing", "Pharmacy", "Social Work")

# page -> (path template, statements): the session and its user (1) and the chapter with
# the reader's membership (1) come first on every chapter page. Issue 12 added one to every
# page: the navigation's unread notification count (one statement on its index).
BUDGET = {
    # The proposal tally is one GROUP BY. +2 (issue 12): the recent activity's last ten
    # events, and every name they mention (people, actions, campaigns, ...) in one UNION.
    "chapter overview": ("/c/{slug}", 12),
    "roster": ("/c/{slug}/roster", 6),
    # +1: the outcome totals of the campaign's actions (one aggregate statement); -2: the
    # timeline's totals and the progress bar's two counts by status are one statement.
    "campaign": ("/c/{slug}/campaigns/{campaign}", 14),
    "all actions": ("/c/{slug}/campaigns/{campaign}/actions", 7),
    # +1: the action's outcome (none yet for a planned action).
    "action (lead picker)": ("/c/{slug}/actions/{action}", 14),
    # A done action (no lead picker): its outcome with its author (1), then its domains,
    # metrics, links and files with their uploaders (4), never the files' bytes; and
    # whether an approved milestone's sign-off locks it (1, issue 11's sign-off).
    "action (its outcome)": ("/c/{slug}/actions/{done}", 14),
    # The fairness table's page needs no count of its own: it is the figures' row count.
    "rotation": ("/c/{slug}/rotation", 6),
    "calendar": ("/c/{slug}/calendar", 4),
    # Issue 10's "my week" home: after the session and the memberships, one statement each
    # for the chapters' roster health, their visions (with my responses), my next actions,
    # swaps asked of me, ended actions I lead, unled actions and their counts per chapter,
    # and campaign counts per chapter (tests/test_home.py checks member and advisor too).
    # +1 (issue 10/11, what needs me): milestones returned to a leader with their latest
    # comment; "ended actions I lead" became "actions I lead with no outcome", still one
    # statement with its total counted by a window function. (An advisor's waiting
    # sign-offs are one more statement, for advisors only.)
    # +1 (issue 12): the navigation's unread notification count.
    "home (my week)": ("/", 12),
}


def build(slug: str, members: int, actions: int) -> dict:
    chapter = make_chapter(f"Chapter {slug}", slug=slug)
    leader = make_member(chapter, Role.LEADER, name=f"{slug} leader").user
    people = [
        make_member(chapter, profession=PROFESSIONS[i % 4], name=f"{slug} member {i:03}").user
        for i in range(members)
    ]
    advisor = make_member(chapter, Role.ADVISOR, name=f"{slug} advisor").user
    make_vision(chapter, leader, status=VisionStatus.ADOPTED)
    make_vision(chapter, leader)  # an open proposal beside the adopted vision
    campaign = make_campaign(chapter, title="Clinic hours", status=CampaignStatus.ACTIVE)
    add_to_pool(campaign, *people)
    now = utcnow()
    first = None
    outcomes = []
    for i in range(actions):
        action = make_action(
            campaign,
            title=f"Action {i}",
            starts_at=now + timedelta(days=i - actions // 2, hours=1),
            lead=people[i % members] if i % 3 else None,
            status=ActionStatus.DONE if i < actions // 2 else ActionStatus.PLANNED,
        )
        for person in people[i % members : i % members + 3]:
            make_signup(action, person)
        if first is None and i >= actions // 2 and action.lead_id is None:
            first = action
        if i < actions // 2:
            outcomes.append(make_outcome(action, by=leader, attendance=i, people_reached=10 * i))
    for i in range(3):
        make_milestone(campaign, title=f"Milestone {i}", due_date=(now + timedelta(days=i)).date())
    done = outcomes[-1]
    done.domains = [OutcomeDomain(domain="advocacy"), OutcomeDomain(domain="managing_self")]
    done.metrics = [CustomMetric(name=f"Metric {i}", value=i, unit="") for i in range(3)]
    done.links = [EvidenceLink(url=f"https://example.org/{i}") for i in range(3)]
    for person in people[:3]:
        make_evidence_file(done, tiny_png(), mime_type="image/png", by=person, commit=False)
    # The overview's recent activity: events of several kinds, more of them when larger.
    for i in range(actions):
        record_event(
            "action.signed_up",
            actor=people[i % members],
            obj=first or campaign,
            chapter_id=chapter.id,
        )
        record_event("campaign.updated", actor=leader, obj=campaign, chapter_id=chapter.id)
        record_event(
            "pool.joined",
            actor=people[i % members],
            obj=campaign,
            chapter_id=chapter.id,
            after={"user_id": people[i % members].id},
        )
    db.session.commit()
    return {
        "leader": leader,
        "advisor": advisor,
        "slug": slug,
        "campaign": campaign.id,
        "action": first.id,
        "done": done.action_id,
    }


@pytest.fixture
def chapters(app):
    return build("small", members=6, actions=6), build("large", members=60, actions=90)


@pytest.mark.parametrize("page", list(BUDGET))
def test_a_page_keeps_its_statement_budget_at_any_size(
    page, chapters, app, login_as, query_counter
):
    template, budget = BUDGET[page]
    counts = []
    for world in chapters:
        client = app.test_client()
        login_as(world["leader"], client_=client)
        path = template.format(**world)
        assert client.get(path).status_code == 200  # warm: first-request work is not counted
        with query_counter() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements small, {counts[1]} large"
    assert counts[0] == budget, f"{page}: {counts[0]} statements, budget {budget}"


# The chapter navigation's link to the activity log, shown to advisors, is judged from the
# membership the page loaded already: an advisor's chapter pages cost no more than a
# leader's (the action page costs them less: an advisor gets no lead picker).
CHAPTER_PAGES = [page for page, (path, _) in BUDGET.items() if path.startswith("/c/")]


@pytest.mark.parametrize("page", CHAPTER_PAGES)
def test_an_advisors_chapter_page_stays_within_the_leaders_budget(
    page, chapters, app, login_as, query_counter
):
    template, budget = BUDGET[page]
    world = chapters[1]
    client = app.test_client()
    login_as(world["advisor"], client_=client)
    path = template.format(**world)
    assert client.get(path).status_code == 200
    with query_counter() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    assert 'href="/c/large/activity"' in response.get_data(as_text=True)
    assert len(statements) <= budget, f"{page}: {len(statements)} statements, budget {budget}"
