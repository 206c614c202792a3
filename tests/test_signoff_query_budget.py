"""The sign-off pages send a fixed number of SQL statements, whatever the history's size
(as tests/test_query_budget.py does for the main pages)."""

import pytest

from campaigns.services.signoff import decide
from core.extensions import db
from tests.factories import make_action, make_campaign, make_milestone
from tests.signoff_world import build_scene, make_outcome, submit

# page -> (path template, who reads it, statements). Every signed-in request starts with
# the session and its user (1); chapter pages then load the chapter and membership (1).
# Issue 12 added one to each: the navigation's unread notification count.
BUDGET = {
    # the page's count (1) and its rows with milestone, campaign, chapter and submitter (1);
    # whether the reader advises a chapter is asked only when nothing waits; +1: the
    # addenda's files (one selectin for the page's rows, never their bytes)
    "advisor's queue": ("/signoffs", "advisor", 5),
    # the milestone with its campaign (1), the advisor's comment on a returned one (1),
    # what waits (1), the timeline's count and page (2), its outcomes with their actions
    # (1) and its decisions with advisors (1); +1: the addenda's files on the timeline's
    # page (one selectin; what waits loads its files the same way when something waits)
    "milestone page": ("/c/{slug}/milestones/{milestone}", "leader", 11),
    # the state counts (1), the page's count and rows (2), the return comments (1)
    "milestones returned": ("/c/{slug}/milestones?state=returned", "leader", 7),
}


def build(slug: str, rounds: int) -> dict:
    s = build_scene(slug)
    outcomes = [s.outcome] + [
        make_outcome(make_action(s.campaign, status="done"), s.lead) for _ in range(rounds)
    ]
    # The milestone went round `rounds` times: submitted with evidence and returned.
    for i in range(rounds):
        sub = submit(s.milestone, s.leader, outcomes[: i + 2], summary=f"Round {i}")
        decide(sub, False, f"Not yet ({i})", s.advisor, "advisor")
        db.session.commit()
    # Other milestones waiting, and some returned, across campaigns.
    for i in range(rounds * 2):
        campaign = make_campaign(s.chapter, title=f"Campaign {i}", status="active")
        sub = submit(make_milestone(campaign, title=f"Milestone {i}"), s.leader)
        if i % 2:
            decide(sub, False, "More detail", s.advisor, "advisor")
            db.session.commit()
    return {
        "slug": slug,
        "milestone": s.milestone.id,
        "leader": s.leader,
        "advisor": s.advisor,
    }


@pytest.fixture
def worlds(app):
    return build("small", rounds=1), build("large", rounds=15)


@pytest.mark.parametrize("page", list(BUDGET))
def test_a_signoff_page_keeps_its_statement_budget_at_any_size(
    page, worlds, app, login_as, query_counter
):
    template, reader, budget = BUDGET[page]
    counts = []
    for world in worlds:
        client = app.test_client()
        login_as(world[reader], client_=client)
        path = template.format(**world)
        assert client.get(path).status_code == 200  # warm: first-request work is not counted
        with query_counter() as statements:
            response = client.get(path)
        assert response.status_code == 200, path
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements small, {counts[1]} large"
    assert counts[0] == budget, f"{page}: {counts[0]} statements, budget {budget}"
