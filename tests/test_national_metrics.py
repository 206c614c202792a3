"""Each metric of the comparison on a hand-built network with known answers."""

import pytest

from campaigns.fairness import gini
from national.comparison import Filters, Sort, compare
from national.metrics import BY_KEY
from national.period import choose_period
from tests.national_world import build_network


@pytest.fixture
def network(app):
    return build_network()


def _compare(network, per_member=False, **filters):
    period = choose_period(network.period_args(), network.now.date(), 8).period
    comparison = compare(period, Filters(**filters), Sort(), per_member)
    return {row.chapter.slug: row for row in comparison.rows}, comparison


def test_alpha_metrics_have_their_known_values(network):
    rows, _ = _compare(network)
    v = rows["alpha"].values
    assert v["active_members"] == 4  # the advisor is not counted
    assert v["members_by_profession"] == {"Medicine": 2, "Nursing": 1, "Pharmacy": 1}
    assert v["professions"] == 3
    assert v["vision_adopted"] == 1
    assert v["days_since_vision"] == 10
    assert v["active_campaigns"] == 1  # the draft is not counted
    assert v["actions_done"] == 3  # not the cancelled one, not the planned one
    assert v["people_reached"] == 150
    assert v["commitments"] == 2
    assert v["signatures"] == 30
    assert v["outcomes_logged"] == 2
    assert v["milestones_approved"] == 1
    assert v["median_days_to_decision"] == pytest.approx(3.0)  # of 4 and 2 days
    assert v["overdue_signoffs"] == 1  # waiting 8 days, the limit is 7
    assert v["share_led"] == pytest.approx(0.75)  # all but the one whose action was cancelled
    assert v["gini_leads"] == pytest.approx(gini([0, 1, 1, 2]), abs=1e-4)
    assert v["professions_per_action"] == pytest.approx((2 + 2 + 1) / 3, abs=0.01)
    assert v["domain_coverage"] == 2
    assert v["last_activity"] is not None


def test_an_empty_chapter_counts_zero_and_leaves_measures_blank(network):
    rows, _ = _compare(network)
    v = rows["empty"].values
    assert v["active_members"] == 0
    assert v["professions"] == 0
    assert v["actions_done"] == 0
    assert v["people_reached"] == 0
    assert v["vision_adopted"] == 0
    assert v["days_since_vision"] is None
    assert v["median_days_to_decision"] is None  # no sign-offs: blank, not zero
    assert v["share_led"] is None
    assert v["gini_leads"] is None
    assert v["professions_per_action"] is None
    assert v["last_activity"] is None
    flags = {f.key for f in rows["empty"].flags}
    assert flags == {"quiet", "roster"}


def test_a_single_member_chapter_with_one_profession(network):
    rows, _ = _compare(network)
    v = rows["solo"].values
    assert v["active_members"] == 1
    assert v["professions"] == 1
    assert v["members_by_profession"] == {"Social Work": 1}
    assert v["share_led"] == 0
    assert v["gini_leads"] == 0
    assert "At least two professions" in v["roster_problems"]


def test_alpha_is_flagged_for_its_overdue_signoff_and_roster(network):
    rows, _ = _compare(network)
    assert {f.key for f in rows["alpha"].flags} == {"overdue", "roster"}


def test_archived_chapters_are_left_out_unless_asked_for(network):
    rows, _ = _compare(network)
    assert set(rows) == {"alpha", "empty", "solo"}
    rows, _ = _compare(network, status="archived")
    assert set(rows) == {"gone"}


def test_region_filter(network):
    rows, _ = _compare(network, region="South")
    assert set(rows) == {"empty", "solo"}


def test_per_member_values_divide_counts_by_active_members(network):
    rows, comparison = _compare(network, per_member=True)
    alpha = rows["alpha"]
    assert alpha.shown(BY_KEY["actions_done"], True) == pytest.approx(3 / 4)
    assert alpha.shown(BY_KEY["people_reached"], True) == pytest.approx(150 / 4)
    assert alpha.shown(BY_KEY["share_led"], True) == pytest.approx(0.75)  # not divided again
    assert rows["empty"].shown(BY_KEY["actions_done"], True) is None  # nobody to divide by
    # The network total per member: all reached over all active members (4 + 0 + 1).
    assert comparison.totals["people_reached"] == pytest.approx(150 / 5)


def test_network_totals_and_medians(network):
    _, comparison = _compare(network)
    assert comparison.totals["actions_done"] == 3
    assert comparison.totals["active_members"] == 5
    assert comparison.totals["vision_adopted"] == 1  # chapters with an adopted vision
    assert comparison.medians["active_members"] == 1  # of 0, 1 and 4
    assert comparison.medians["median_days_to_decision"] == pytest.approx(3.0)  # only alpha's


def test_a_period_before_anything_happened_counts_nothing(network):
    args = {"start": "2020-01-01", "end": "2020-12-31"}
    period = choose_period(args, network.now.date(), 8).period
    comparison = compare(period, Filters(), Sort(), False)
    alpha = next(r for r in comparison.rows if r.chapter.slug == "alpha")
    assert alpha.values["actions_done"] == 0
    assert alpha.values["active_members"] == 0  # nobody had joined yet
    assert alpha.values["vision_adopted"] == 0
