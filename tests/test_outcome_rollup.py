"""Campaign progress: the outcome totals of a campaign's actions, summed in one statement."""

from campaigns.services.outcomes import campaign_outcome_totals
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_milestone,
    make_outcome,
)


def test_the_campaign_page_rolls_up_its_outcomes_and_milestones(
    app, client, login_as, query_counter
):
    chapter = make_chapter("Eastside Health", slug="eastside")
    leader = make_member(chapter, "leader").user
    campaign = make_campaign(chapter, title="Safe streets", status="active")
    other = make_campaign(chapter, title="Another campaign", status="active")
    make_outcome(
        make_action(campaign, lead=leader),
        attendance=12,
        people_reached=300,
        commitments=1,
        signatures=150,
    )
    # An empty count is "not counted": it adds nothing, and does not blank the total.
    make_outcome(
        make_action(campaign, lead=leader), attendance=8, people_reached=None, media_pieces=2
    )
    make_action(campaign, lead=leader)  # no outcome yet
    make_outcome(make_action(other, lead=leader), attendance=1000, people_reached=1000)
    make_milestone(campaign, status="approved")
    make_milestone(campaign, status="open")

    campaign_id = campaign.id
    with query_counter() as statements:
        totals = campaign_outcome_totals(campaign_id)
    assert len(statements) == 1
    assert totals == {
        "outcomes": 2,
        "attendance": 20,
        "people_reached": 300,
        "commitments": 1,
        "media_pieces": 2,
        "signatures": 150,
    }
    assert campaign_outcome_totals(make_campaign(chapter).id) == {
        "outcomes": 0,
        "attendance": 0,
        "people_reached": 0,
        "commitments": 0,
        "media_pieces": 0,
        "signatures": 0,
    }

    login_as(leader)
    page = " ".join(
        client.get(f"/c/eastside/campaigns/{campaign.id}").get_data(as_text=True).split()
    )
    assert "1 of 2 milestones approved" in page
    assert "from 2 logged outcomes:" in page
    assert "attendance <strong>20</strong>" in page
    assert "people reached <strong>300</strong>" in page
    assert "signatures <strong>150</strong>" in page
