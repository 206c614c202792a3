"""Fairness of the lead rotation: the pure formulas, and the chapter's rotation page."""

import re
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.fairness import gini, gini_in_words, profession_shares, share_who_led
from core.db import utcnow
from core.extensions import db
from tests.factories import make_action, make_campaign, make_chapter, make_member

# --- Gini index ------------------------------------------------------------------------------


@pytest.mark.parametrize("counts", [[3, 3, 3], [1], [7, 7], [2, 2, 2, 2, 2]])
def test_gini_of_equal_counts_is_zero(counts):
    assert gini(counts) == pytest.approx(0.0)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 10])
def test_gini_when_one_person_led_everything_is_n_minus_one_over_n(n):
    assert gini([0] * (n - 1) + [6]) == pytest.approx((n - 1) / n)


@pytest.mark.parametrize("counts", [[], [0], [0, 0, 0]])
def test_gini_of_nothing_is_zero(counts):
    assert gini(counts) == 0.0


@pytest.mark.parametrize(
    ("counts", "words"),
    [
        ([0, 0, 0], "No one has led an action yet this year."),
        ([2, 2, 2, 1], "Leading is shared about evenly."),
        ([4, 1, 3, 2], "Some members lead noticeably more often than others."),
        ([0, 1, 1, 4], "Leading is uneven: a minority of members do most of it."),
        ([0, 0, 0, 0, 6], "A few members do almost all the leading."),
    ],
)
def test_the_gini_index_is_said_in_plain_words(counts, words):
    assert gini_in_words(gini(counts), any(counts)) == words


def test_gini_matches_the_mean_absolute_difference_definition():
    # sum |xi - xj| over ordered pairs / (2 n^2 mean) = 20 / (2 * 16 * 2.5)
    assert gini([4, 1, 3, 2]) == pytest.approx(0.25)


@given(st.lists(st.integers(0, 20), min_size=1, max_size=30), st.integers(1, 5))
def test_gini_is_bounded_and_ignores_order_and_scale(counts, factor):
    n = len(counts)
    value = gini(counts)
    assert -1e-9 <= value <= (n - 1) / n + 1e-9
    assert gini(list(reversed(counts))) == pytest.approx(value)
    assert gini([c * factor for c in counts]) == pytest.approx(value)


# --- share who led and profession shares ---------------------------------------------------


def test_share_who_led():
    assert share_who_led([0, 1, 3, 0]) == 0.5
    assert share_who_led([2, 2]) == 1.0
    assert share_who_led([0, 0, 0]) == 0.0
    assert share_who_led([]) == 0.0


def test_profession_shares_compare_leads_with_the_roster():
    professions = {1: "Medicine", 2: "Nursing", 3: "Nursing", 4: "Pharmacy"}
    # 99 is not on the roster (left the chapter): their leads are not counted.
    lead_counts = {1: 3, 2: 1, 3: 0, 99: 5}
    shares = {s.profession: s for s in profession_shares(lead_counts, professions)}
    assert list(shares) == ["Medicine", "Nursing", "Pharmacy"]
    assert shares["Medicine"].roster_share == pytest.approx(0.25)
    assert shares["Medicine"].lead_share == pytest.approx(0.75)
    assert shares["Nursing"].roster_share == pytest.approx(0.5)
    assert shares["Nursing"].lead_share == pytest.approx(0.25)
    assert shares["Pharmacy"].roster_share == pytest.approx(0.25)
    assert shares["Pharmacy"].lead_share == 0.0


def test_profession_shares_with_no_leads_yet_are_zero_not_an_error():
    shares = profession_shares({}, {1: "Medicine", 2: "Nursing"})
    assert [(s.profession, s.roster_share, s.lead_share) for s in shares] == [
        ("Medicine", 0.5, 0.0),
        ("Nursing", 0.5, 0.0),
    ]
    assert profession_shares({}, {}) == []


# --- the rotation page ----------------------------------------------------------------------


def test_rotation_page_shows_the_chapter_fairness(client, login_as):
    chapter = make_chapter(slug="fair")
    meds = make_member(chapter, "leader", name="Mo Medicine", profession="Medicine").user
    make_member(chapter, "member", name="Max Medicine", profession="Medicine")
    nurse = make_member(chapter, "member", name="Nia Nursing", profession="Nursing").user
    pharm = make_member(chapter, "member", name="Pip Pharmacy", profession="Pharmacy").user
    make_member(chapter, "advisor", name="Dr Ada", profession="Medicine")  # not in the rotation
    campaign = make_campaign(chapter)
    soon = utcnow() + timedelta(days=3)
    make_action(campaign, title="Town hall", lead=meds, starts_at=soon)
    make_action(campaign, title="Op-ed session", lead=meds, starts_at=soon + timedelta(days=1))
    make_action(campaign, title="Clinic drive", lead=nurse, starts_at=soon + timedelta(days=2))
    # Neither a cancelled action nor a lead from two years ago counts this year.
    make_action(campaign, title="Rained off", lead=pharm, status="cancelled", starts_at=soon)
    make_action(
        campaign, title="Old petition", lead=pharm, status="done", starts_at=soon - timedelta(730)
    )
    login_as(nurse)

    html = client.get("/c/fair/rotation").get_data(as_text=True)

    assert "<h3>50%</h3>" in html  # two of the four student members led this year
    assert "<h3>0.58</h3>" in html  # Gini of [2, 1, 0, 0]
    assert "Leading is uneven: a minority of members do most of it." in html
    assert "0 = everyone led equally" in html
    assert "<tr><td>Medicine</td><td>50%</td><td>67%</td></tr>" in html
    assert "<tr><td>Nursing</td><td>25%</td><td>33%</td></tr>" in html
    assert "<tr><td>Pharmacy</td><td>25%</td><td>0%</td></tr>" in html
    assert "Dr Ada" not in html
    assert "Old petition" not in html  # led two years ago: not in this year's table
    assert "Rained off" not in html


def test_rotation_page_flags_members_at_the_open_lead_cap(app, client, login_as):
    app.config["ROTATION_OPEN_LEAD_CAP"] = 2
    chapter = make_chapter(slug="capped")
    busy = make_member(chapter, "member", name="Bo Busy").user
    campaign = make_campaign(chapter)
    make_action(campaign, lead=busy)
    make_action(campaign, lead=busy)
    login_as(busy)
    html = client.get("/c/capped/rotation").get_data(as_text=True)
    assert '<span class="badge status status-warn">2 (at cap)</span>' in html


def _queries_for(client, url, query_counter) -> int:
    client.get(url)  # warm up anything done once per session
    db.session.expunge_all()  # the request must load everything itself
    with query_counter() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_rotation_page_query_count_does_not_grow_with_the_actions_led(
    client, login_as, query_counter
):
    chapter = make_chapter(slug="many")
    people = [make_member(chapter, "member", profession=p).user for p in ("Medicine", "Nursing")]
    people += [make_member(chapter, "leader", profession="Pharmacy").user]
    campaigns = [make_campaign(chapter), make_campaign(chapter)]
    start = utcnow() + timedelta(days=1)

    def lead_actions(first, last):
        for i in range(first, last):
            make_action(
                campaigns[i % 2],
                lead=people[i % 3],
                starts_at=start + timedelta(hours=i),
                status="done" if i % 4 == 0 else "planned",
                commit=False,
            )
        db.session.commit()

    login_as(people[0])
    lead_actions(0, 5)
    few = _queries_for(client, "/c/many/rotation", query_counter)
    lead_actions(5, 50)
    many = _queries_for(client, "/c/many/rotation", query_counter)
    assert many == few


@pytest.mark.dates
def test_rotation_page_counts_this_year_only_and_shows_five_leads_each(client, login_as):
    chapter = make_chapter(slug="year")
    busy = make_member(chapter, "member", name="Bea Busy").user
    last_year = make_member(chapter, "member", name="Lou Lastyear").user
    campaign = make_campaign(chapter)
    soon = utcnow() + timedelta(days=1)
    for i in range(7):
        make_action(campaign, title=f"Busy lead {i}", lead=busy, starts_at=soon + timedelta(i))
    # Led before this academic year began (a year ago at least): not counted, not listed.
    make_action(
        campaign, title="Last year", lead=last_year, status="done", starts_at=soon - timedelta(400)
    )
    login_as(busy)
    html = client.get("/c/year/rotation").get_data(as_text=True)
    assert "<h3>50%</h3>" in html  # one of the two led this year
    assert "Last year" not in html
    assert "Busy lead 6" in html and "Busy lead 2" in html and "Busy lead 1<" not in html
    assert "and 2 more" in html
    row = html.split("<td>Lou Lastyear</td>", 1)[1].split("</tr>", 1)[0]
    assert re.search(r"<td[^>]*>0</td>", row) and "—" in row


def test_rotation_table_is_paginated_while_the_figures_cover_everyone(client, login_as):
    chapter = make_chapter(slug="big")
    viewer = make_member(chapter, "leader", name="Aa Leader", profession="Medicine").user
    nurses = [
        make_member(chapter, "member", name=f"Nurse {i:02}", profession="Nursing", commit=False)
        for i in range(59)
    ]
    db.session.commit()
    campaign = make_campaign(chapter)
    # The one who led sorts first; Nurse 49-58 are on page 2.
    make_action(campaign, title="Only lead", lead=nurses[0].user)
    login_as(viewer)
    first = client.get("/c/big/rotation").get_data(as_text=True)
    assert "<h3>2%</h3>" in first  # 1 of 60, not 1 of the 50 shown
    assert "<tr><td>Nursing</td><td>98%</td><td>100%</td></tr>" in first
    assert "Nurse 48" in first and "Nurse 49" not in first
    assert "/c/big/rotation?page=2" in first
    second = client.get("/c/big/rotation?page=2").get_data(as_text=True)
    assert "Nurse 49" in second and "Nurse 58" in second and "Nurse 48" not in second
    assert "<h3>2%</h3>" in second


def test_rotation_page_query_count_does_not_grow_with_the_roster(client, login_as, query_counter):
    chapter = make_chapter(slug="grow")
    viewer = make_member(chapter, "leader").user
    campaign = make_campaign(chapter)
    start = utcnow() + timedelta(days=1)

    def add_leading_members(n):
        for i in range(n):
            user = make_member(chapter, "member", commit=False).user
            make_action(campaign, lead=user, starts_at=start + timedelta(hours=i), commit=False)
        db.session.commit()

    login_as(viewer)
    add_leading_members(3)
    few = _queries_for(client, "/c/grow/rotation", query_counter)
    add_leading_members(70)
    many = _queries_for(client, "/c/grow/rotation", query_counter)
    assert many == few
