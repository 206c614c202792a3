"""The vision adoption rule on its own (chapters/adoption.py): worked examples and properties."""

from fractions import Fraction
from math import ceil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chapters.adoption import AdoptionRule, is_adopted, tally

RULE = AdoptionRule(share=Fraction(2, 3), min_professions=2)
MED, NURS, PHARM = "Medicine", "Nursing", "Pharmacy"


def roster(*professions: str) -> dict[int, str]:
    """Eligible people (active student members) numbered 1..n, with their professions."""
    return dict(enumerate(professions, start=1))


# --- worked examples ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("eligible", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (6, 4), (7, 5), (9, 6), (10, 7)]
)
def test_endorsements_needed_for_two_thirds(eligible, needed):
    assert tally(roster(*[MED] * eligible), set(), RULE).needed == needed


@pytest.mark.parametrize(
    ("eligible", "endorsers", "adopted"),
    [
        (3, {1}, False),
        (3, {1, 2}, True),
        (7, {1, 2, 3, 4}, False),  # 4/7 is short of two thirds
        (7, {1, 2, 3, 4, 5}, True),
        (6, {1, 2, 3}, False),
        (6, {1, 2, 3, 4}, True),  # exactly two thirds is enough
    ],
)
def test_the_two_thirds_boundary(eligible, endorsers, adopted):
    assert is_adopted(roster(*[MED] * eligible), endorsers, RULE) is adopted


def test_endorsers_must_span_two_professions_when_the_roster_does():
    people = roster(MED, MED, NURS)
    only_medicine = tally(people, {1, 2}, RULE)
    assert only_medicine.share_met and not only_medicine.professions_met
    assert not only_medicine.adopted
    assert is_adopted(people, {1, 3}, RULE)


def test_a_one_profession_roster_needs_only_the_share():
    people = roster(MED, MED, MED)
    t = tally(people, {1, 2}, RULE)
    assert (t.professions_needed, t.adopted) == (1, True)


def test_more_professions_in_the_roster_never_ask_for_more_than_the_rule():
    people = roster(MED, NURS, PHARM)
    t = tally(people, {1, 2}, RULE)
    assert (t.professions_needed, t.professions_endorsing, t.adopted) == (2, 2, True)


def test_endorsements_from_outside_the_eligible_people_do_not_count():
    # Faculty advisors (and anyone who left) are not in the map; their endorsement is ignored.
    people = roster(MED, NURS, MED)
    t = tally(people, {1, 98, 99}, RULE)
    assert (t.endorsed, t.adopted) == (1, False)


def test_no_eligible_people_never_adopts():
    assert not is_adopted({}, set(), RULE)
    assert not is_adopted({}, {1, 2, 3}, RULE)
    assert tally({}, {1}, RULE).share_met is False


def test_the_thresholds_are_configuration():
    people = roster(MED, NURS, PHARM, MED)
    half_three = AdoptionRule(share=Fraction(1, 2), min_professions=3)
    assert not is_adopted(people, {1, 2}, half_three)  # half, but two professions
    assert is_adopted(people, {1, 2, 3}, half_three)
    everyone = AdoptionRule(share=Fraction(1), min_professions=1)
    assert not is_adopted(people, {1, 2, 3}, everyone)
    assert is_adopted(people, {1, 2, 3, 4}, everyone)


# --- properties -----------------------------------------------------------------------------

PROFESSIONS = st.sampled_from([MED, NURS, PHARM, "Social Work", "Dentistry"])
ELIGIBLE = st.dictionaries(st.integers(1, 40), PROFESSIONS, max_size=25)
IDS = st.sets(st.integers(1, 60))
RULES = st.builds(
    AdoptionRule,
    share=st.fractions(min_value=Fraction(1, 10), max_value=1),
    min_professions=st.integers(1, 4),
)


@given(ELIGIBLE, IDS, st.integers(1, 60), RULES)
def test_adding_an_endorsement_never_unadopts(eligible, endorsers, extra, rule):
    if is_adopted(eligible, endorsers, rule):
        assert is_adopted(eligible, endorsers | {extra}, rule)


@given(st.integers(0, 30), IDS, PROFESSIONS, RULES)
def test_with_one_profession_adoption_is_the_share_alone(n, endorsers, profession, rule):
    eligible = dict.fromkeys(range(1, n + 1), profession)
    endorsed = len(endorsers & eligible.keys())
    assert is_adopted(eligible, endorsers, rule) == (n > 0 and Fraction(endorsed, n) >= rule.share)


@given(ELIGIBLE, IDS, st.sets(st.integers(100, 200)), RULES)
def test_endorsers_outside_the_eligible_people_never_change_the_outcome(
    eligible, endorsers, outsiders, rule
):
    assert is_adopted(eligible, endorsers | outsiders, rule) == is_adopted(
        eligible, endorsers, rule
    )


@given(ELIGIBLE.filter(bool), RULES)
def test_needed_is_the_fewest_endorsements_that_reach_the_share(eligible, rule):
    n, needed = len(eligible), tally(eligible, set(), rule).needed
    assert needed == max(1, ceil(rule.share * n))
    assert Fraction(needed, n) >= rule.share
    assert needed == 1 or Fraction(needed - 1, n) < rule.share


@given(ELIGIBLE, IDS, RULES)
def test_adopted_means_the_share_and_the_professions_are_both_met(eligible, endorsers, rule):
    counted = endorsers & eligible.keys()
    professions = {eligible[i] for i in counted}
    expected = (
        bool(eligible)
        and Fraction(len(counted), len(eligible)) >= rule.share
        and len(professions) >= min(rule.min_professions, len(set(eligible.values())))
    )
    assert is_adopted(eligible, endorsers, rule) == expected
