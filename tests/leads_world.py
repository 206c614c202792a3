"""The world the leads tests run in: a chapter, a campaign with a rotation pool, one action.

Shared by test_leads_rotation.py and test_leads_handoffs.py, which import the fixtures
by name.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from accounts.models import User
from campaigns.models import Action, Campaign, SwapRequest
from chapters.models import Chapter
from core.db import utcnow
from core.extensions import db
from tests.factories import add_to_pool, make_action, make_campaign, make_chapter, make_member

TZ = ZoneInfo("America/Chicago")


@dataclass
class World:
    chapter: Chapter
    campaign: Campaign
    action: Action
    leo: User  # leader
    lena: User  # second leader
    ann: User  # pool, Nursing
    ben: User  # pool, Pharmacy
    cat: User  # pool, Social Work
    dan: User  # member, not in the pool, Nursing
    ada: User  # advisor

    @property
    def url(self) -> str:
        return f"/c/riverside/actions/{self.action.id}"


def local_evening(days_ahead: int, hour: int = 20) -> datetime:
    """A future evening in Chicago; at 20:00 local it is already the next day in UTC."""
    day = (utcnow().astimezone(TZ) + timedelta(days=days_ahead)).date()
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


@pytest.fixture(name="w")
def w_fixture(app) -> World:
    chapter = make_chapter("Riverside Health", slug="riverside", timezone="America/Chicago")
    leo = make_member(chapter, "leader", name="Leo Leader").user
    lena = make_member(chapter, "leader", name="Lena Leader", profession="Nursing").user
    ann = make_member(chapter, "member", name="Ann Nurse", profession="Nursing").user
    ben = make_member(chapter, "member", name="Ben Pharm", profession="Pharmacy").user
    cat = make_member(chapter, "member", name="Cat Social", profession="Social Work").user
    dan = make_member(chapter, "member", name="Dan Outside-Pool", profession="Nursing").user
    ada = make_member(chapter, "advisor", name="Dr Ada Advisor").user
    campaign = make_campaign(chapter, title="Clinic hours", status="active")
    add_to_pool(campaign, ann, ben, cat)
    action = make_action(campaign, title="Meet the dean", starts_at=local_evening(10))
    return World(chapter, campaign, action, leo, lena, ann, ben, cat, dan, ada)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def followed(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)


def shown_version(html: str, form_action: str) -> str:
    """The version hidden in the form that posts to `form_action`, as a browser would send it."""
    form = html.split(f'action="{form_action}"', 1)[1].split("</form>", 1)[0]
    return re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)


def lead_of(action) -> int | None:
    db.session.refresh(action)
    return action.lead_id


@pytest.fixture(name="asked")
def asked_fixture(w, client, login_as, post) -> SwapRequest:
    """Ann leads the action and asked the pool for a swap."""
    w.action.lead_id = w.ann.id
    db.session.commit()
    login_as(w.ann)
    page = followed(client, post(f"{w.url}/swap", {"note": "Exam week"}))
    assert "Swap asked" in page
    return db.session.scalar(select(SwapRequest))
