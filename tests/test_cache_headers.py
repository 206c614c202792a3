"""No cache keeps what Relay shows: every response says `Cache-Control: private, no-store`,
unless it is a file or feed with its own validator (ETag or Last-Modified), listed below
with the reason it may be kept.

The walk requests every GET route in app.url_map, with real ids from the demo, as an
anonymous visitor, national staff (the admin), a leader, an advisor and a member. A route
it cannot build a URL for, or that shows no page to anyone, fails it until it is given
values below (or listed, with why).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import product

import pytest
from flask import Response
from sqlalchemy import select

from accounts.models import PasswordResetToken, User
from campaigns.models import Action, ActionStatus, Campaign, Milestone
from campaigns.outcome_models import EvidenceFile, Outcome
from campaigns.services.calendars import chapter_feed_token, person_feed_token
from campaigns.signoff_models import AddendumFile, MilestoneSubmission, SubmissionStatus
from campaigns.signoff_rules import MilestoneStatus
from chapters.models import Chapter, Membership, VisionStatus, VisionVersion
from core.db import utcnow
from core.extensions import db
from core.tokens import new_token
from demo import load_demo
from notifications.email import unsubscribe_token
from notifications.kinds import DIGEST_TOKEN_KIND
from tests.conftest import make_app
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_invitation,
    make_member,
    make_user,
)

# endpoint: why a cache may keep its answer (it must then carry ETag or Last-Modified).
CACHED_WITH_A_VALIDATOR = {
    "static": "the same public files for everyone; Flask sends ETag and Last-Modified, "
    "and no-cache, so each use is revalidated",
    "campaigns.chapter_feed": "polled by calendar apps every few minutes: the secret token "
    "in the address is the credential, and its ETag makes most polls a 304",
    "campaigns.person_feed": "the same, for one person's actions",
    "national.sparkline_svg": "drawn only from the numbers in its address (no name, no "
    "query); the browser keeps it a day (private), then revalidates by ETag",
}

# endpoint: why nobody in the demo gets a 200 from it (its headers are still checked).
NO_PAGE_TO_SHOW: dict[str, str] = {}

# The demo's people: the admin is national staff too.
ACTORS = (
    "anonymous",
    "admin@relay.test",
    "leader@relay.test",
    "advisor@relay.test",
    "member@relay.test",
)


@dataclass
class Demo:
    """Ids and tokens from the demo's riverside chapter, for the URLs' arguments."""

    values: dict[str, object]  # by URL argument name
    by_endpoint: dict[tuple[str, str], object]  # (endpoint, name): a value for it only


def _one(statement):
    value = db.session.scalars(statement.limit(1)).first()
    assert value is not None, f"the demo has nothing for {statement}"
    return value


def _demo_values() -> Demo:
    riverside = _one(select(Chapter).where(Chapter.slug == "riverside"))
    campaign = _one(
        select(Campaign).where(
            Campaign.chapter_id == riverside.id, Campaign.title == "Extend free-clinic hours"
        )
    )
    planned = _one(
        select(Action)
        .where(Action.campaign_id == campaign.id, Action.status == ActionStatus.PLANNED)
        .order_by(Action.starts_at)
    )
    done = _one(
        select(Action)
        .join(Outcome, Outcome.action_id == Action.id)
        .where(Action.campaign_id == campaign.id)
        .order_by(Action.starts_at)
    )
    in_riverside = Campaign.chapter_id == riverside.id
    open_milestone = _one(
        select(Milestone)
        .join(Campaign)
        .where(in_riverside, Milestone.status.in_([MilestoneStatus.OPEN, MilestoneStatus.RETURNED]))
    )
    approved = _one(
        select(Milestone)
        .join(Campaign)
        .where(in_riverside, Milestone.status == MilestoneStatus.APPROVED)
    )
    waiting = _one(
        select(MilestoneSubmission.id)
        .join(Milestone)
        .join(Campaign)
        .where(in_riverside, MilestoneSubmission.status == SubmissionStatus.SUBMITTED)
    )
    evidence = _one(select(EvidenceFile.id).join(Outcome).where(Outcome.action_id == done.id))
    addendum_file = _one(select(AddendumFile.id))
    member = _one(select(User).where(User.email == "member@relay.test"))
    membership = _one(
        select(Membership.id).where(
            Membership.chapter_id == riverside.id, Membership.user_id == member.id
        )
    )
    proposal = _one(
        select(VisionVersion.id).where(
            VisionVersion.chapter_id == riverside.id,
            VisionVersion.status == VisionStatus.PROPOSED,
        )
    )
    staff = _one(select(User).where(User.email == "staff@relay.test"))
    _invitation, invitation_token = make_invitation(riverside, "walker@example.org")
    reset_token, digest = new_token()
    db.session.add(
        PasswordResetToken(user=member, token_hash=digest, expires_at=utcnow() + timedelta(hours=1))
    )
    db.session.commit()
    return Demo(
        values={
            "slug": riverside.slug,
            "campaign_id": campaign.id,
            "action_id": planned.id,
            "milestone_id": open_milestone.id,
            "submission_id": waiting,
            "membership_id": membership,
            "vision_id": proposal,
            "user_id": member.id,
            "playbook_slug": "meet-a-legislator",
        },
        by_endpoint={
            ("campaigns.log_outcome", "action_id"): done.id,
            ("campaigns.evidence_file", "file_id"): evidence,
            ("campaigns.remove_evidence", "file_id"): evidence,
            ("campaigns.addendum_file", "file_id"): addendum_file,
            ("campaigns.add_addendum", "milestone_id"): approved.id,
            ("campaigns.reopen", "milestone_id"): approved.id,
            ("campaigns.chapter_feed", "token"): chapter_feed_token(riverside, staff),
            ("campaigns.person_feed", "token"): person_feed_token(member),
            ("chapters.accept_invitation", "token"): invitation_token,
            ("accounts.reset_password", "token"): reset_token,
            ("notifications.unsubscribe", "token"): unsubscribe_token(member.id, DIGEST_TOKEN_KIND),
            ("static", "filename"): "css/relay.css",
            ("national.sparkline_svg", "v"): "3,0,5",  # its query string
        },
    )


@pytest.fixture
def demo(app, monkeypatch) -> Demo:
    # The walk checks headers, not PDFs (test_national_report.py renders one): no WeasyPrint.
    monkeypatch.setattr("national.views.report.render_pdf", lambda *args: b"%PDF-1.7 stand-in")
    load_demo()
    db.session.commit()
    return _demo_values()


def urls_of_every_get_route(app, demo: Demo) -> Iterator[tuple[str, str | None]]:
    """(endpoint, URL) for every GET rule, once per choice of an `<any(...)>` argument;
    the URL is None when the walk has no value for one of the rule's arguments."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        # This endpoint's own values (a name the rule lacks goes in the query string).
        choices = {n: [v] for (e, n), v in demo.by_endpoint.items() if e == rule.endpoint}
        for name, converter in rule._converters.items():
            if hasattr(converter, "items"):  # <any(a, b):name>: each choice
                choices[name] = sorted(converter.items)
            elif name in choices:
                continue
            elif name in demo.values:
                choices[name] = [demo.values[name]]
            else:
                yield rule.endpoint, None
                break
        else:
            for picked in product(*choices.values()):
                values = dict(zip(choices, picked, strict=True))
                yield rule.endpoint, adapter.build(rule.endpoint, values, method="GET")


def _is_private_no_store(response) -> bool:
    cc = response.cache_control
    return bool(cc.no_store and cc.private)


def _has_validator(response) -> bool:
    return "ETag" in response.headers or "Last-Modified" in response.headers


def problem(endpoint: str, signed_in: bool, response) -> str | None:
    """What is wrong with this response's caching headers, if anything."""
    if endpoint in CACHED_WITH_A_VALIDATOR and response.status_code in (200, 304):
        if not _has_validator(response):
            return "cached without a validator"
        if endpoint != "static" and not response.cache_control.private:
            return "a shared cache may keep it"
        if endpoint != "static" and signed_in and "cookie" not in response.vary:
            return "no Vary: Cookie"
        return None
    if not _is_private_no_store(response):
        return f"Cache-Control: {response.headers.get('Cache-Control')!r}"
    return None


def browser_for(app, login_as, actor: str):
    browser = app.test_client()
    if actor != "anonymous":
        login_as(db.session.scalars(select(User).where(User.email == actor)).one(), browser)
    return browser


def test_no_cache_keeps_any_response_of_any_get_route(app, demo, login_as):
    routes = list(urls_of_every_get_route(app, demo))
    unbuildable = sorted({endpoint for endpoint, url in routes if url is None})
    assert not unbuildable, f"give the walk values for these routes' arguments: {unbuildable}"
    assert len({endpoint for endpoint, _url in routes}) >= 60

    wrong: list[str] = []
    shown: set[str] = set()
    for actor in ACTORS:
        browser = browser_for(app, login_as, actor)
        for endpoint, url in routes:
            response = browser.get(url)
            if response.status_code == 200:
                shown.add(endpoint)
            if why := problem(endpoint, actor != "anonymous", response):
                wrong.append(f"{actor} GET {url} ({endpoint}) {response.status_code}: {why}")
            response.close()

    assert not wrong, "\n".join(wrong)
    never_shown = {endpoint for endpoint, _url in routes} - shown - set(NO_PAGE_TO_SHOW)
    assert not never_shown, f"no actor got a page from {sorted(never_shown)}: give them values"


def test_the_allow_list_names_routes_that_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(CACHED_WITH_A_VALIDATOR) | set(NO_PAGE_TO_SHOW) <= endpoints


# --- the default, and what a view may say instead ---------------------------------------------


def test_the_sign_in_page_is_kept_by_no_cache(client):
    """Anonymous, but it sets the session cookie and its form carries that session's CSRF
    token: a shared cache would hand both to the next visitor."""
    page = client.get("/login")

    assert page.status_code == 200
    assert "relay_session=" in page.headers["Set-Cookie"]
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "cookie" in page.vary


def test_a_view_s_own_cache_control_or_validator_is_respected(db_url, tmp_path):
    app = make_app(db_url, tmp_path)

    @app.get("/_validated")
    def validated():
        response = Response("same for everyone")
        response.set_etag("v1")
        return response

    @app.get("/_public")
    def public():
        return Response("yes", headers={"Cache-Control": "public, max-age=60"})

    browser = app.test_client()
    with app.app_context():
        assert browser.get("/_validated").headers["Cache-Control"] == "private, no-cache"
        assert browser.get("/_public").headers["Cache-Control"] == "public, max-age=60"
        db.engine.dispose()


def test_a_sparkline_is_revalidated_by_its_etag(client, login_as):
    login_as(make_user(national_staff=True))

    first = client.get("/network/sparkline.svg?v=3,0,5")
    again = client.get(
        "/network/sparkline.svg?v=3,0,5", headers={"If-None-Match": first.headers["ETag"]}
    )
    other = client.get(
        "/network/sparkline.svg?v=3,0,6", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert first.status_code == 200 and first.headers["Cache-Control"] == "private, max-age=86400"
    assert again.status_code == 304 and again.get_data() == b""
    assert other.status_code == 200


def test_one_action_s_calendar_file_is_not_kept(client, login_as):
    chapter = make_chapter(slug="riverside")
    member = make_member(chapter, "member").user
    action = make_action(make_campaign(chapter, status="active"))
    login_as(member)

    response = client.get(f"/c/riverside/actions/{action.id}.ics")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in response.headers
