"""The rotation rule of DESIGN.md as a pure function: worked examples, then properties."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from campaigns.rotation import Candidate, eligible, rank, suggest_next_lead

CAP = 2
JAN = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)
FEB = datetime(2026, 2, 10, 18, 0, tzinfo=UTC)
MAR = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


def pick(candidates, previous=None, cap=CAP):
    suggestion = suggest_next_lead(candidates, previous, cap)
    return None if suggestion is None else suggestion.user_id


# --- worked examples ------------------------------------------------------------------------


def test_fewest_leads_this_year_comes_first():
    busy = Candidate(1, "Medicine", leads_this_year=3, last_led_at=JAN)
    quiet = Candidate(2, "Medicine", leads_this_year=1, last_led_at=MAR)
    assert pick([busy, quiet]) == 2


def test_fewest_leads_beats_never_having_led_and_profession():
    # Leads this year are compared before anything else.
    led_once = Candidate(1, "Nursing", leads_this_year=1, last_led_at=JAN)
    led_twice = Candidate(2, "Pharmacy", leads_this_year=2, last_led_at=None)
    assert pick([led_twice, led_once], previous="Nursing") == 1


def test_on_a_tie_someone_who_never_led_comes_first():
    led_long_ago = Candidate(1, "Medicine", leads_this_year=0, last_led_at=JAN - timedelta(900))
    never = Candidate(9, "Medicine", leads_this_year=0, last_led_at=None)
    assert pick([led_long_ago, never]) == 9


def test_on_a_tie_the_longest_since_last_lead_comes_first():
    recent = Candidate(1, "Medicine", leads_this_year=1, last_led_at=MAR)
    longest = Candidate(2, "Medicine", leads_this_year=1, last_led_at=JAN)
    middle = Candidate(3, "Medicine", leads_this_year=1, last_led_at=FEB)
    assert pick([recent, longest, middle]) == 2


def test_on_a_full_tie_a_profession_other_than_the_previous_leads_comes_first():
    medicine = Candidate(1, "Medicine", leads_this_year=1, last_led_at=JAN)
    nursing = Candidate(2, "Nursing", leads_this_year=1, last_led_at=JAN)
    assert pick([medicine, nursing], previous="Medicine") == 2
    assert pick([medicine, nursing], previous="Nursing") == 1


def test_the_profession_only_breaks_ties_it_does_not_beat_the_longest_wait():
    same_profession_waited_longer = Candidate(1, "Medicine", leads_this_year=1, last_led_at=JAN)
    other_profession = Candidate(2, "Nursing", leads_this_year=1, last_led_at=FEB)
    assert pick([same_profession_waited_longer, other_profession], previous="Medicine") == 1


def test_a_complete_tie_falls_to_the_lowest_id():
    assert pick([Candidate(7, "Medicine"), Candidate(3, "Medicine"), Candidate(5, "Medicine")]) == 3


def test_unavailable_members_are_skipped():
    away = Candidate(1, "Medicine", leads_this_year=0, unavailable=True)
    here = Candidate(2, "Medicine", leads_this_year=4, last_led_at=MAR)
    assert pick([away, here]) == 2


def test_members_at_the_open_lead_cap_are_skipped():
    at_cap = Candidate(1, "Medicine", leads_this_year=0, open_leads=CAP)
    over_cap = Candidate(2, "Medicine", leads_this_year=0, open_leads=CAP + 3)
    below_cap = Candidate(3, "Medicine", leads_this_year=5, last_led_at=MAR, open_leads=CAP - 1)
    assert pick([at_cap, over_cap, below_cap]) == 3
    # With a higher cap the member with no leads this year is back in front.
    assert pick([at_cap, over_cap, below_cap], cap=CAP + 1) == 1


def test_nobody_eligible_gives_no_suggestion():
    assert suggest_next_lead([], None, CAP) is None
    everyone_out = [
        Candidate(1, "Medicine", unavailable=True),
        Candidate(2, "Nursing", open_leads=CAP),
    ]
    assert suggest_next_lead(everyone_out, "Medicine", CAP) is None


def test_the_reason_says_why_in_words():
    never = suggest_next_lead([Candidate(4, "Nursing")], "Medicine", CAP)
    assert never.user_id == 4
    assert never.reason == (
        "0 leads this academic year; has not led yet; "
        "a profession other than the previous lead's (Medicine)"
    )
    once = suggest_next_lead([Candidate(5, "Medicine", 1, JAN)], "Medicine", CAP)
    assert once.reason == "1 lead this academic year; longest since last lead"
    twice = suggest_next_lead([Candidate(6, "Pharmacy", 2, FEB)], None, CAP)
    assert twice.reason == "2 leads this academic year; longest since last lead"


# --- properties -----------------------------------------------------------------------------

PROFESSIONS = ("Medicine", "Nursing", "Pharmacy", "Social Work")
professions = st.sampled_from(PROFESSIONS)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2025, 12, 31), timezones=st.just(UTC)
)


@st.composite
def pools(draw, min_size=1, max_size=8):
    """Candidates with distinct ids and any mix of history, workload and availability."""
    ids = draw(st.lists(st.integers(1, 500), min_size=min_size, max_size=max_size, unique=True))
    return [
        Candidate(
            user_id=i,
            profession=draw(professions),
            leads_this_year=draw(st.integers(0, 5)),
            last_led_at=draw(st.none() | moments),
            open_leads=draw(st.integers(0, 4)),
            unavailable=draw(st.booleans()),
        )
        for i in ids
    ]


@given(
    ids=st.lists(st.integers(1, 500), min_size=1, max_size=8, unique=True),
    data=st.data(),
    start_count=st.integers(0, 3),
    rounds=st.integers(1, 4),
    cap=st.integers(1, 3),
)
def test_nobody_leads_twice_before_everyone_has_led_once(ids, data, start_count, rounds, cap):
    """Repeated suggest-then-assign over a stable pool gives everyone a turn each round."""
    pool = {
        i: Candidate(
            i,
            data.draw(professions, label=f"profession {i}"),
            leads_this_year=start_count,
            last_led_at=data.draw(st.none() | moments, label=f"last led {i}"),
        )
        for i in ids
    }
    clock = datetime(2026, 1, 1, tzinfo=UTC)
    previous = data.draw(st.none() | professions, label="previous profession")
    picks = []
    for _ in range(rounds * len(pool)):
        suggestion = suggest_next_lead(list(pool.values()), previous, cap)
        assert suggestion is not None
        chosen = pool[suggestion.user_id]
        clock += timedelta(days=1)
        # The action is led and completed: one more lead, led now, nothing left open.
        pool[chosen.user_id] = replace(
            chosen, leads_this_year=chosen.leads_this_year + 1, last_led_at=clock
        )
        previous = chosen.profession
        picks.append(chosen.user_id)
    for start in range(0, len(picks), len(pool)):
        assert sorted(picks[start : start + len(pool)]) == sorted(pool), picks


@given(candidates=pools(), previous=st.none() | professions, cap=st.integers(1, 3))
def test_the_suggestion_is_never_unavailable_or_at_the_cap(candidates, previous, cap):
    suggestion = suggest_next_lead(candidates, previous, cap)
    eligible = [c for c in candidates if not c.unavailable and c.open_leads < cap]
    if not eligible:
        assert suggestion is None
        return
    assert suggestion is not None
    chosen = next(c for c in candidates if c.user_id == suggestion.user_id)
    assert not chosen.unavailable
    assert chosen.open_leads < cap
    # And it is the fairest of the eligible: nobody eligible has fewer leads this year.
    assert chosen.leads_this_year == min(c.leads_this_year for c in eligible)


@given(
    candidates=pools(),
    previous=st.none() | professions,
    cap=st.integers(1, 3),
    order=st.randoms(use_true_random=False),
)
def test_the_same_inputs_in_any_order_give_the_same_suggestion(candidates, previous, cap, order):
    first = suggest_next_lead(candidates, previous, cap)
    shuffled = list(candidates)
    order.shuffle(shuffled)
    assert suggest_next_lead(shuffled, previous, cap) == first
    assert suggest_next_lead(tuple(reversed(candidates)), previous, cap) == first


@given(candidates=pools(), previous=st.none() | professions, cap=st.integers(1, 3))
def test_the_ranking_shown_puts_the_suggestion_first_among_the_eligible(candidates, previous, cap):
    suggestion = suggest_next_lead(candidates, previous, cap)
    ranked = rank(eligible(candidates, cap), previous)
    assert (ranked[0].user_id if ranked else None) == (suggestion and suggestion.user_id)
    assert sorted(c.user_id for c in rank(candidates, previous)) == sorted(
        c.user_id for c in candidates
    )
