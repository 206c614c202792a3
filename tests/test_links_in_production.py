"""Every emailed link under production settings: on BASE_URL, sub-path included, whatever
TRUSTED_HOSTS holds, built outside a request as `flask notify run` and the mail worker do,
and each one opens its page (issue 20).

The site here is mounted at https://relay.example.org/relay and answers only the Host
relay.internal, as behind a proxy that rewrites Host: neither the host nor the path of an
emailed link may come from anything but BASE_URL.
"""

import re
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from accounts.services import create_user, send_password_reset
from campaigns.models import ActionStatus, CampaignStatus
from campaigns.services.actions import ACTION_FIELDS, change_action_status, save_action
from campaigns.services.calendars import person_feed_token
from campaigns.services.campaigns import change_campaign_status
from campaigns.services.leads import accept_swap, ask_swap, assign_lead, hand_off
from campaigns.services.signoff import decide, submit_milestone
from chapters.models import VisionResponse
from chapters.services.invitations import accept_invitation, invite
from chapters.services.vision import adopt_if_endorsed, propose_vision
from config import ProductionConfig
from core import create_app
from core.db import utcnow
from core.extensions import db
from core.http import app_path, external_url
from core.models import OutboxMessage
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.reminders import run_daily
from tests.conftest import ClosingClient, isolate_requests
from tests.factories import (
    PASSWORD,
    make_action,
    make_campaign,
    make_invitation,
    make_milestone,
    make_vision,
)
from tests.notifications_world import build_world

BASE_URL = "https://relay.example.org/relay"
SITE = "https://relay.internal/relay"  # what the proxy hands the app: another Host, same path
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def prod_app(db_url, tmp_path):
    app = create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI=db_url,
        INSTANCE_PATH=str(tmp_path / "instance"),
        SECRET_KEY=secrets.token_hex(32),
        BASE_URL=BASE_URL,
        TRUSTED_HOSTS=["relay.internal"],
        MAIL_BACKEND="memory",
    )
    app.test_client_class = ClosingClient
    isolate_requests(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_links_outside_a_request_need_no_trusted_localhost(prod_app):
    """The issue's one-line reproduction: it raised AttributeError ('NoneType' ... 'build')."""
    assert external_url("accounts.login") == f"{BASE_URL}/login"
    assert app_path("accounts.login") == "/login"


def test_links_inside_a_request_ignore_the_requests_host(prod_app):
    with prod_app.test_request_context("/login", base_url=SITE):
        assert external_url("accounts.login") == f"{BASE_URL}/login"
        assert app_path("chapters.vision", slug="riverside") == "/c/riverside/vision"


def test_a_site_at_the_root_gets_no_double_slash(prod_app):
    prod_app.config["BASE_URL"] = "https://relay.example.org/"
    assert external_url("accounts.login") == "https://relay.example.org/login"
    assert external_url("accounts.reset_password", token="t", _anchor="x y") == (
        "https://relay.example.org/password/reset/t#x%20y"
    )


def _action_data(action, **changes) -> dict:
    return {f: getattr(action, f) for f in ACTION_FIELDS} | changes


def _make_every_kind_of_mail(world) -> None:
    """Each notification kind, an invitation and a password reset, as the services make them
    (no request: the CLI and the worker have none), then the daily run's reminders and digests."""
    invite(world.a, "invitee@example.org", "member", world.leader)
    inv, _raw = make_invitation(world.a, "newcomer@example.org", invited_by=world.leader)
    newcomer = create_user(
        "newcomer@example.org", "Nia Newcomer", "a long password 123", "Medicine", "student"
    )
    accept_invitation(inv, newcomer)  # invitation accepted
    action = world.action
    assign_lead(action, world.m3.id, world.leader, "Moe asked", action.version)  # lead assigned
    hand_off(action, world.lead.id, "Back to Lara.", world.m3, action.version)  # handed off
    swap = ask_swap(action, world.lead, "Exam that week")  # swap asked
    accept_swap(swap, world.m2)  # swap accepted
    save_action(world.campaign, action, _action_data(action, location="Room 101"), world.leader)
    other = make_action(world.campaign, title="Phone bank", lead=world.lead)
    change_action_status(other, ActionStatus.CANCELLED, world.leader)  # action cancelled
    propose_vision(world.a, world.m1, "Care for all.", ["Map the gaps"])  # vision proposed
    vision = make_vision(world.a, world.m1)
    for person in (world.leader, world.leader2, world.lead, world.m1, world.m2, world.m3):
        db.session.add(VisionResponse(vision=vision, user=person, stance="endorse"))
    db.session.flush()
    assert adopt_if_endorsed(vision, world.m3)  # vision adopted
    sub = submit_milestone(world.milestone, "Done.", [], world.leader, "leader")  # requested
    decide(sub, False, "Attach the letter.", world.advisor, "advisor")  # returned
    sub = submit_milestone(world.milestone, "With the letter.", [], world.leader, "leader")
    decide(sub, True, "", world.advisor, "advisor")  # approved
    waiting = make_milestone(world.campaign, title="Budget agreed")
    late = submit_milestone(waiting, "Budget attached.", [], world.leader, "leader")
    late.submitted_at = utcnow() - timedelta(days=30)  # overdue, and escalated to staff
    shelved = make_campaign(world.a, title="Shelved", status="active", created_by=world.leader)
    submit_milestone(make_milestone(shelved, title="Plan"), "Plan.", [], world.leader, "leader")
    change_campaign_status(shelved, CampaignStatus.ARCHIVED, world.leader)  # withdrawn
    send_password_reset(world.m1.id)
    db.session.commit()
    # The day before the action, on the chapter's calendar: it is tomorrow.
    run_daily(world.action.starts_at - timedelta(days=1))
    db.session.commit()


def _links(message: OutboxMessage) -> list[str]:
    text = "\n".join([message.body, message.html or "", *(message.headers or {}).values()])
    return [url.rstrip(".,;)") for url in URL.findall(text)]


def test_every_emailed_link_is_on_base_url_and_opens_its_page(prod_app):
    world = build_world()
    _make_every_kind_of_mail(world)

    made = set(db.session.scalars(select(Notification.kind).distinct()))
    assert made == set(Kind), "a kind of notification this test does not make"

    messages = list(db.session.scalars(select(OutboxMessage)))
    links = {link for m in messages for link in _links(m)}
    assert links
    assert all(link.startswith(BASE_URL + "/") for link in links), sorted(links)

    # Each link names a route of the site, below the sub-path.
    adapter = prod_app.url_map.bind("relay.example.org", script_name="/relay")
    endpoints = {adapter.match(urlsplit(link).path[len("/relay") :])[0] for link in links}
    assert {
        "accounts.reset_password",
        "chapters.accept_invitation",
        "notifications.unsubscribe",
        "notifications.settings",
        "campaigns.action_page",
        "campaigns.milestone_page",
        "chapters.vision",
        "chapters.roster",
    } <= endpoints

    # And opens it, requested as the proxy passes it on (another Host, the same path).
    client = prod_app.test_client()
    for link in sorted(links):
        path = urlsplit(link).path[len("/relay") :]
        if adapter.match(path)[0] in {"accounts.reset_password", "chapters.accept_invitation"}:
            response = client.get(path, base_url=SITE)
            assert response.status_code == 200, link
            assert b"Invalid" not in response.data and b"expired" not in response.data


def _csrf(page) -> str:
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    assert token is not None
    return token.group(1).decode()


def _post_form(client, path: str, data: dict):
    """A form posted as a browser does it on HTTPS: the page's token and its Referer."""
    token = _csrf(client.get(path, base_url=SITE))
    return client.post(
        path,
        base_url=SITE,
        data={"csrf_token": token, **data},
        headers={"Referer": f"{SITE}{path}"},  # Flask-WTF checks it on HTTPS
    )


def test_a_password_reset_asked_on_the_page_arrives_and_works(prod_app):
    """It used to say "on its way" while the work after the response failed and sent nothing."""
    world = build_world()
    db.session.commit()
    client = prod_app.test_client()
    asked = _post_form(client, "/password/forgot", {"email": world.m1.email})
    assert asked.status_code == 302
    sent = prod_app.extensions.get("relay_mail_sent", [])
    assert [m["To"] for m in sent] == [world.m1.email]
    (link,) = URL.findall(sent[0].get_content())
    assert link.startswith(f"{BASE_URL}/password/reset/")

    path = urlsplit(link).path[len("/relay") :]
    new = "a brand new passphrase 42"
    done = _post_form(client, path, {"new_password": new, "confirm": new})
    assert done.status_code == 302
    signed_in = _post_form(client, "/login", {"email": world.m1.email, "password": new})
    assert signed_in.status_code == 302


def test_a_notifications_link_is_a_path_that_pages_put_below_the_sub_path(prod_app):
    world = build_world()
    assign_lead(world.action, world.m3.id, world.leader, "Moe asked", world.action.version)
    db.session.commit()
    link = db.session.scalar(select(Notification.link))
    assert link == f"/c/riverside/actions/{world.action.id}"

    client = prod_app.test_client()
    response = _post_form(client, "/login", {"email": world.m3.email, "password": PASSWORD})
    assert response.status_code == 302, response.data[:500]
    inbox = client.get("/inbox", base_url=SITE)
    assert inbox.status_code == 200
    assert f'href="/relay{link}"'.encode() in inbox.data
    assert client.get(link, base_url=SITE).status_code == 200


def test_the_calendar_feed_address_is_on_base_url(prod_app):
    world = build_world()
    url = external_url("campaigns.person_feed", token=person_feed_token(world.m1))
    assert url.startswith(f"{BASE_URL}/")
    response = prod_app.test_client().get(urlsplit(url).path[len("/relay") :], base_url=SITE)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
