"""A refused lead or swap operation changes nothing: every refusal a route can reach, one row each.

DESIGN.md: bad input or a refused change gets a clear message and changes nothing. Each case
prepares the world, sends the request as someone allowed to try, and checks that the
service's reason is shown and that no row (audit events included) changed.

This module: leads and swaps; test_refusals_campaigns.py has the rest of the campaigns
blueprint.
"""

import pytest

from tests.refusals_world import (
    ARCHIVED,
    Refusal,
    action_is,
    action_url,
    assert_refused_and_unchanged,
    both,
    campaign_is,
    handoff_form,
    lead_changed_under_an_open_swap,
    lead_form,
    swap_asked,
    swap_url,
    w_fixture,  # noqa: F401  (fixture)
)

REFUSALS = [
    # leads
    Refusal(
        "assign on a stale page",
        "leader",
        action_url("/lead"),
        "while you were deciding",
        data=lead_form("mate", "Knows the dean", version="999"),
    ),
    Refusal(
        "assign the current lead",
        "leader",
        action_url("/lead"),
        "already leads",
        data=lead_form("lead", "Again"),
    ),
    Refusal(
        "assign an advisor",
        "leader",
        action_url("/lead"),
        "must be an active member",
        data=lead_form("advisor", "Faculty"),
    ),
    Refusal(
        "override without a reason",
        "leader",
        action_url("/lead"),
        "needs a reason",
        data=lead_form("outsider"),
    ),
    Refusal(
        "assign on a cancelled action",
        "leader",
        action_url("/lead"),
        "Only a planned action can get a new lead.",
        action_is(status="cancelled"),
        lead_form("mate", "Knows the dean"),
    ),
    Refusal(
        "assign in an archived campaign",
        "leader",
        action_url("/lead"),
        ARCHIVED,
        campaign_is("archived"),
        lead_form("mate", "Knows the dean"),
    ),
    Refusal(
        "hand off outside the pool",
        "lead",
        action_url("/handoff"),
        "Hand off to another member",
        data=handoff_form("outsider"),
    ),
    Refusal(
        "hand off on a stale page",
        "lead",
        action_url("/handoff"),
        "while you were deciding",
        data=handoff_form("mate", version="999"),
    ),
    Refusal(
        "hand off a cancelled action",
        "lead",
        action_url("/handoff"),
        "Only a planned action can be handed off.",
        action_is(status="cancelled"),
        handoff_form("mate"),
    ),
    # swaps
    Refusal("ask a second swap", "lead", action_url("/swap"), "already asked", swap_asked()),
    Refusal(
        "ask a swap of a cancelled action",
        "lead",
        action_url("/swap"),
        "Only a planned action can be swapped.",
        action_is(status="cancelled"),
    ),
    Refusal(
        "accept one's own swap", "lead", swap_url("accept"), "cannot accept your own", swap_asked()
    ),
    Refusal(
        "accept from outside the pool",
        "outsider",
        swap_url("accept"),
        "Join the campaign",
        swap_asked(),
    ),
    Refusal(
        "accept a cancelled swap",
        "mate",
        swap_url("accept"),
        "This swap is no longer open.",
        swap_asked("cancelled"),
    ),
    Refusal(
        "accept a swap whose asker no longer leads",
        "leader",
        swap_url("accept"),
        "The lead of this action changed; the swap no longer applies.",
        lead_changed_under_an_open_swap,
    ),
    Refusal(
        "accept in an archived campaign",
        "mate",
        swap_url("accept"),
        ARCHIVED,
        both(swap_asked(), campaign_is("archived")),
    ),
    Refusal(
        "cancel a cancelled swap",
        "lead",
        swap_url("cancel"),
        "This swap is no longer open.",
        swap_asked("cancelled"),
    ),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[r.label for r in REFUSALS])
def test_a_refused_operation_changes_nothing(w, case, client, login_as, post):
    assert_refused_and_unchanged(w, case, client, login_as, post)
