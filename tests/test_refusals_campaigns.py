"""A refused campaigns operation changes nothing: every refusal a route can reach, one row each.

DESIGN.md: bad input or a refused change gets a clear message and changes nothing. Each case
prepares the world, sends the request as someone allowed to try, and checks that the
service's reason is shown and that no row (audit events included) changed.

This module: campaigns and milestones, actions and sign-ups, the pool and availability;
test_refusals_leads.py has leads and swaps.
"""

import pytest

from tests.refusals_world import (
    ARCHIVED,
    Refusal,
    action_form,
    action_is,
    action_url,
    assert_refused_and_unchanged,
    both,
    campaign_form,
    campaign_is,
    campaign_url,
    days,
    milestone_form,
    pool_change,
    published,
    signed_up,
    started,
    w_fixture,  # noqa: F401  (fixture)
)

REFUSALS = [
    # campaigns and milestones
    Refusal(
        "status: no such transition", "leader", campaign_url("/status/active"), "cannot become"
    ),
    Refusal(
        "status: activate without a goal",
        "leader",
        campaign_url("/status/active"),
        "Link the campaign's objective",
        campaign_is("draft", goal=False),
    ),
    Refusal(
        "edit an archived campaign",
        "leader",
        campaign_url("/edit"),
        ARCHIVED,
        campaign_is("archived"),
        campaign_form,
    ),
    Refusal(
        "milestone in an archived campaign",
        "leader",
        campaign_url("/milestones/new"),
        ARCHIVED,
        campaign_is("archived"),
        milestone_form,
    ),
    Refusal(
        "edit a signed-off milestone",
        "leader",
        lambda w: f"/c/riverside/milestones/{w.milestone.id}/edit",
        "signed off and locked",
        lambda w: setattr(w.milestone, "status", "approved"),
        milestone_form,
    ),
    Refusal(
        "publish an active campaign",
        "leader",
        campaign_url("/publish"),
        "Only a completed campaign",
    ),
    Refusal("publish twice", "leader", campaign_url("/publish"), "already published", published),
    # actions and sign-ups
    Refusal(
        "action in an archived campaign",
        "leader",
        campaign_url("/actions/new"),
        ARCHIVED,
        campaign_is("archived"),
        action_form,
    ),
    Refusal(
        "edit an action of an archived campaign",
        "leader",
        action_url("/edit"),
        ARCHIVED,
        campaign_is("archived"),
        action_form,
    ),
    Refusal("done before it starts", "leader", action_url("/status/done"), "once it has started"),
    Refusal(
        "status of a cancelled action",
        "leader",
        action_url("/status/done"),
        "Only a planned action",
        action_is(status="cancelled"),
    ),
    Refusal(
        "sign up twice",
        "outsider",
        action_url("/signup"),
        "already signed up",
        signed_up("outsider"),
    ),
    Refusal(
        "sign up when full",
        "outsider",
        action_url("/signup"),
        "This action is full (1 place)",
        both(action_is(capacity=1), signed_up("mate")),
    ),
    Refusal("sign up once started", "outsider", action_url("/signup"), "closed", started),
    Refusal(
        "sign up in an archived campaign",
        "outsider",
        action_url("/signup"),
        ARCHIVED,
        campaign_is("archived"),
    ),
    Refusal("withdraw without a sign-up", "outsider", action_url("/withdraw"), "not signed up"),
    Refusal(
        "withdraw once started",
        "outsider",
        action_url("/withdraw"),
        "already started",
        both(signed_up("outsider"), started),
    ),
    # the pool and availability
    Refusal(
        "join the pool twice",
        "mate",
        campaign_url("/pool"),
        "already in the rotation pool",
        data=pool_change("join"),
    ),
    Refusal(
        "leave a pool one is not in",
        "leader",
        campaign_url("/pool"),
        "is not in the rotation pool",
        data=pool_change("leave", "outsider"),
    ),
    Refusal(
        "join the pool of an archived campaign",
        "outsider",
        campaign_url("/pool"),
        ARCHIVED,
        campaign_is("archived"),
        pool_change("join"),
    ),
    Refusal(
        "unavailable backwards",
        "mate",
        lambda w: "/me/availability",
        "cannot be before the first",
        data=days(10, 5),
    ),
    Refusal(
        "unavailable for over a year",
        "mate",
        lambda w: "/me/availability",
        "at most a year",
        data=days(1, 400),
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[r.label for r in REFUSALS])
def test_a_refused_operation_changes_nothing(w, case, client, login_as, post):
    assert_refused_and_unchanged(w, case, client, login_as, post)
