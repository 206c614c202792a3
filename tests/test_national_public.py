"""The public network summary: numbers for anyone, no personal data, small chapters hidden."""

import pytest

from campaigns.models import Playbook
from core.extensions import db
from tests.national_world import build_network


@pytest.fixture
def network(app):
    return build_network()


def test_anyone_sees_the_networks_numbers_and_no_person(network, client):
    response = client.get("/network")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Northeast" in html and "South" in html  # chapters by region
    assert "Medicine, Nursing, Pharmacy, Social Work" in html  # professions involved
    for person in network.people.values():
        assert person.display_name not in html
        assert person.email not in html
    assert "@" not in html


def test_chapters_below_the_minimum_size_are_not_named(network, client, app):
    html = client.get("/network").get_data(as_text=True)  # default minimum: 5 members
    assert "Alpha Health" not in html and "Solo Health" not in html
    assert "3 chapters with fewer than 5 active members are counted" in html
    app.config["NETWORK_PUBLIC_MIN_MEMBERS"] = 3
    html = client.get("/network").get_data(as_text=True)
    assert "Alpha Health" in html  # 4 active members
    assert "Solo Health" not in html  # 1
    assert "Gone Health" not in html  # archived


def test_a_small_chapters_playbook_is_shown_without_its_name(network, client, app):
    from tests.factories import make_campaign

    campaign = make_campaign(network.solo, status="completed")
    db.session.add(
        Playbook(
            slug="solo-plan",
            title="Solo's clinic plan",
            source_chapter_id=network.solo.id,
            source_campaign_id=campaign.id,
            published_by_id=network.people["solo_leader"].id,
        )
    )
    db.session.commit()
    html = client.get("/network").get_data(as_text=True)
    assert "Solo&#39;s clinic plan" in html
    assert "from Solo Health" not in html
