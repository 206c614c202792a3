"""The activity log's reader: who may read it, its filters and pages, plain words, readable
changes, nothing secret in it, and the chapter overview's recent activity."""

import json
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from accounts.models import PasswordResetToken, User, UserSession
from campaigns.services.actions import change_action_status, sign_up
from campaigns.services.leads import assign_lead
from chapters.models import Invitation, Role
from chapters.services import change_role
from chapters.services.invitations import invite
from core.activity import changes, strip_secrets
from core.audit import record_event
from core.db import utcnow
from core.extensions import db
from core.models import AuditEvent
from tests.clock import today_in
from tests.factories import (
    PASSWORD,
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_user,
)
from tests.helpers import is_login_redirect


@pytest.fixture
def world(app):
    lakeview = make_chapter("Lakeview", slug="lakeview")
    harbor = make_chapter("Harbor City", slug="harbor")
    nora = make_member(lakeview, Role.MEMBER, name="Nora Nurse", commit=False).user
    leader = make_member(lakeview, Role.LEADER, name="Leo Leader", commit=False).user
    advisor = make_member(lakeview, Role.ADVISOR, name="Dr Ada Advisor", commit=False).user
    other_advisor = make_member(harbor, Role.ADVISOR, name="Dr Hal Harbor", commit=False).user
    harbor_leader = make_member(harbor, Role.LEADER, name="Hana Harbor", commit=False).user
    staff = make_user(name="Stella Staff", national_staff=True, kind="faculty", commit=False)
    campaign = make_campaign(lakeview, title="Flu season", status="active")
    fair = make_action(campaign, title="Health fair", starts_at=utcnow() + timedelta(days=3))
    db.session.commit()
    return {
        "lakeview": lakeview,
        "harbor": harbor,
        "member": nora,
        "leader": leader,
        "advisor": advisor,
        "other_advisor": other_advisor,
        "harbor_leader": harbor_leader,
        "staff": staff,
        "campaign": campaign,
        "fair": fair,
    }


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def log_lines(html: str) -> list[str]:
    """The sentences of the log's events, in page order."""
    items = re.findall(r"</time> —\s*(.*?)</p>", html, re.S)
    return [re.sub(r"<[^>]+>", "", i).split("(")[0].strip() for i in items]


# --- who may read it --------------------------------------------------------------------------

ACTORS = ("anonymous", "member", "leader", "advisor", "other_advisor", "staff")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/c/lakeview/activity",
            {
                "anonymous": "login",
                "member": 403,
                "leader": 403,
                "advisor": 200,
                "other_advisor": 404,
                "staff": 200,
            },
        ),
        (
            "/activity",
            {
                "anonymous": "login",
                "member": 404,
                "leader": 404,
                "advisor": 404,
                "other_advisor": 404,
                "staff": 200,
            },
        ),
    ],
)
@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_read_the_activity_log(world, client, login_as, url, expected, actor):
    if actor != "anonymous":
        login_as(world[actor])
    response = client.get(url)
    if expected[actor] == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected[actor]


def test_an_advisor_reads_only_their_own_chapters_events(world, client, login_as):
    sign_up(world["fair"], world["member"])
    record_event(
        "chapter.updated", actor=world["staff"], obj=world["harbor"], chapter_id=world["harbor"].id
    )
    db.session.commit()
    login_as(world["advisor"])

    html = page_of(client, "/c/lakeview/activity")

    assert "Nora Nurse signed up for Health fair at Lakeview" in html
    assert "Harbor City" not in html


def test_the_log_is_linked_where_its_reader_may_see_it(world, client, login_as):
    link = 'href="/c/lakeview/activity"'
    login_as(world["advisor"])
    assert link in page_of(client, "/c/lakeview")
    login_as(world["member"])
    assert link not in page_of(client, "/c/lakeview")
    login_as(world["staff"])
    home = page_of(client, "/c/lakeview")
    assert link in home and 'href="/activity"' in home


@pytest.mark.parametrize(
    ("reader", "linked"),
    [("advisor", True), ("staff", True), ("member", False), ("leader", False)],
)
@pytest.mark.parametrize(
    "path",
    ["/c/lakeview", "/c/lakeview/vision", "/c/lakeview/campaigns", "/c/lakeview/roster"],
)
def test_the_chapter_navigation_links_the_log_for_its_readers(
    world, client, login_as, reader, linked, path
):
    login_as(world[reader])
    html = page_of(client, path)
    nav = re.search(r'<nav aria-label="Chapter".*?</nav>', html, re.S).group(0)
    assert ('href="/c/lakeview/activity"' in nav) is linked
    assert (">Activity</a>" in nav) is linked


def test_the_log_marks_itself_current_in_the_chapter_navigation(world, client, login_as):
    login_as(world["advisor"])
    nav = re.search(
        r'<nav aria-label="Chapter".*?</nav>', page_of(client, "/c/lakeview/activity"), re.S
    )
    assert re.search(r'href="/c/lakeview/activity"\s+aria-current="page"', nav.group(0))


def test_an_advisor_of_another_chapter_gets_no_link_to_this_ones_log(world, client, login_as):
    # Dr Hal advises Harbor City: on Harbor's pages the link is Harbor's log, never Lakeview's.
    login_as(world["other_advisor"])
    html = page_of(client, "/c/harbor")
    assert 'href="/c/harbor/activity"' in html
    assert 'href="/c/lakeview/activity"' not in html


# --- plain words and changes ------------------------------------------------------------------


def test_common_events_read_in_plain_words(world, client, login_as):
    member, leader, advisor, fair = (
        world["member"],
        world["leader"],
        world["advisor"],
        world["fair"],
    )
    sign_up(fair, member)
    assign_lead(fair, member.id, leader, "Her turn to lead", fair.version)
    m = next(x for x in world["lakeview"].memberships if x.user_id == member.id)
    change_role(m, Role.LEADER, advisor)
    change_action_status(fair, "cancelled", leader)
    db.session.commit()
    login_as(advisor)

    lines = log_lines(page_of(client, "/c/lakeview/activity"))

    assert lines == [
        "Leo Leader cancelled Health fair",
        "Dr Ada Advisor made Nora Nurse leader",
        "Leo Leader made Nora Nurse the lead of Health fair",
        "Nora Nurse signed up for Health fair at Lakeview",
    ]


def test_before_and_after_show_as_a_readable_diff(world, client, login_as):
    record_event(
        "action.saved",
        actor=world["leader"],
        obj=world["fair"],
        chapter_id=world["lakeview"].id,
        before={"title": "Health fair", "location": "Gym", "capacity": 20},
        after={"title": "Health fair", "location": "Library", "capacity": 30},
    )
    db.session.commit()
    login_as(world["advisor"])

    html = page_of(client, "/c/lakeview/activity")

    assert "Leo Leader saved the action Health fair" in html
    assert "<strong>location</strong>:\n          <del>Gym</del> → <ins>Library</ins>" in html
    assert "<del>20</del> → <ins>30</ins>" in html
    assert "<strong>title</strong>" not in html  # unchanged fields are not listed


def test_changes_list_new_removed_and_changed_fields():
    assert changes(None, {"role": "member"})[0].new == "member"
    (removed,) = changes({"reason": "exams"}, {})
    assert (removed.field, removed.old, removed.new) == ("reason", "exams", None)
    (changed,) = changes({"goals": ["a"], "same": 1}, {"goals": ["a", "b"], "same": 1})
    assert (changed.old, changed.new) == ("a", "a, b")


# --- nothing secret ---------------------------------------------------------------------------


def test_secrets_are_stripped_when_recorded_and_when_shown(world, client, login_as):
    ev = record_event(
        "profile.updated",
        actor=world["member"],
        obj=world["member"],
        chapter_id=world["lakeview"].id,
        before={"password_hash": "pbkdf2:sha256$old", "display_name": "Nora"},
        after={
            "password": "hunter2-long-passphrase",
            "token": "raw-reset-token-abc",
            "nested": {"api_key": "k-123", "feed_key": "f-456"},
            "display_name": "Nora Nurse",
        },
    )
    db.session.commit()
    stored = json.dumps([ev.before, ev.after])
    for secret in ("pbkdf2", "hunter2", "raw-reset-token-abc", "k-123", "f-456"):
        assert secret not in stored
    assert ev.after["display_name"] == "Nora Nurse"
    assert strip_secrets({"secret_answer": "x", "tokens": ["a"]}) == {
        "secret_answer": "(removed)",
        "tokens": "(removed)",
    }

    login_as(world["advisor"])
    html = page_of(client, "/c/lakeview/activity")
    assert "hunter2" not in html and "pbkdf2" not in html


def test_reset_and_invitation_tokens_and_password_hashes_never_reach_the_log(
    world, client, login_as, post, sent_mail
):
    # A password reset asked for and used, a password changed, an invitation sent.
    member = world["member"]
    post("/password/forgot", {"email": member.email})
    reset_path = re.search(r"/password/reset/\S+", sent_mail[-1].get_content()).group(0)
    post(reset_path, {"new_password": "a new long passphrase", "confirm": "a new long passphrase"})
    login_as(world["leader"])
    post("/c/lakeview/invitations", {"email": "newcomer@example.org", "role": "member"})
    invite_mail = sent_mail[-1].get_content()
    invite_token = re.search(r"/invite/([A-Za-z0-9_\-]+)", invite_mail).group(1)
    reset_token = reset_path.rsplit("/", 1)[-1]
    db.session.expire_all()
    hashes = [
        db.session.scalar(select(User.password_hash).where(User.id == member.id)),
        *db.session.scalars(select(PasswordResetToken.token_hash)),
        *db.session.scalars(select(Invitation.token_hash)),
        *db.session.scalars(select(UserSession.token_hash)),
    ]
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 3  # asked, reset, invited

    stored = json.dumps([[e.before, e.after] for e in db.session.scalars(select(AuditEvent))])
    login_as(world["staff"])
    pages = page_of(client, "/activity") + page_of(client, "/c/lakeview/activity")

    for secret in (reset_token, invite_token, "a new long passphrase", PASSWORD, *hashes):
        assert secret not in stored
        assert secret not in pages
    assert "invited newcomer@example.org to Lakeview as member" in pages


# --- filters, pages and bounds ----------------------------------------------------------------


@pytest.fixture
def busy_log(world, clock):
    """Events of several kinds by several people on several days."""
    now = utcnow()
    fair, lakeview = world["fair"], world["lakeview"]
    specs = [
        ("action.signed_up", world["member"], fair, now - timedelta(days=10)),
        ("action.saved", world["leader"], fair, now - timedelta(days=5)),
        ("campaign.updated", world["leader"], world["campaign"], now - timedelta(days=2)),
        ("action.withdrawn", world["member"], fair, now - timedelta(hours=1)),
    ]
    for action, actor, obj, at in specs:  # a log written over the past days
        clock.move_to(at)
        record_event(action, actor=actor, obj=obj, chapter_id=lakeview.id)
    clock.move_to(now)
    db.session.commit()
    return specs


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["withdrew", "edited the campaign", "saved the action", "signed up"]),
        ("?person=nora", ["withdrew", "signed up"]),
        ("?person=LEO+lead", ["edited the campaign", "saved the action"]),  # any case
        ("?kind=campaigns", ["edited the campaign"]),
        ("?action=action.saved", ["saved the action"]),
        ("?kind=actions&person=leo", ["saved the action"]),
    ],
)
def test_each_filter(world, busy_log, client, login_as, query, expected):
    login_as(world["advisor"])
    html = page_of(client, "/c/lakeview/activity" + query)
    lines = log_lines(html)
    assert "Some filters could not be used" not in html
    assert len(lines) == len(expected), lines
    for line, words in zip(lines, expected, strict=True):
        assert words in line


def test_the_person_filter_matches_part_of_an_email_too(world, busy_log, client, login_as):
    login_as(world["advisor"])
    local_part = world["member"].email.split("@")[0].upper()

    lines = log_lines(page_of(client, f"/c/lakeview/activity?person={local_part}"))

    assert lines == [
        "Nora Nurse withdrew from Health fair",
        "Nora Nurse signed up for Health fair at Lakeview",
    ]


@pytest.mark.dates
def test_the_date_range_filter_counts_whole_days_in_the_chapters_zone(
    world, client, login_as, clock
):
    # Events at the range's edges on the chapter's wall clock (Chicago, behind UTC): a
    # filter counting UTC days would take the first (05:59 UTC on `since`) and drop the
    # third (05:59 UTC the day after `until`).
    zone = ZoneInfo(world["lakeview"].timezone)
    today = today_in(world["lakeview"].timezone)
    since, until = today - timedelta(days=6), today - timedelta(days=1)
    fair, campaign, lakeview = world["fair"], world["campaign"], world["lakeview"]

    def local(day, hour, minute):
        return datetime.combine(day, time(hour, minute), zone)

    events = [
        ("action.signed_up", fair, local(since - timedelta(days=1), 23, 59)),
        ("action.saved", fair, local(since, 0, 0)),
        ("campaign.updated", campaign, local(until, 23, 59)),
        ("action.withdrawn", fair, local(today, 0, 0)),
    ]
    started = utcnow()
    for action, obj, at in events:  # written at those moments
        clock.move_to(at)
        record_event(action, actor=world["leader"], obj=obj, chapter_id=lakeview.id)
        db.session.commit()
    clock.move_to(started)

    login_as(world["advisor"])
    lines = log_lines(
        page_of(client, f"/c/lakeview/activity?since={since.isoformat()}&until={until.isoformat()}")
    )

    assert [line.split(" ", 2)[2][:20] for line in lines] == [
        "edited the campaign ",
        "saved the action Hea",
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?since=not-a-date", "Not a valid date value"),
        ("?since=2026-05-02&until=2026-05-01", "The end date must be on or after the start date."),
        ("?since=1066-10-14", "Choose a date between"),
        ("?kind=passwords", "Not a valid choice"),
        ("?action=drop+table", "Not a valid choice"),
        ("?person=" + "x" * 101, "Field cannot be longer than 100 characters."),
        ("?page=abc", None),
        ("?page=99999999999", None),
    ],
)
def test_bad_filter_input_gets_a_clear_message_never_a_500(
    world, busy_log, client, login_as, query, message
):
    login_as(world["advisor"])
    response = client.get("/c/lakeview/activity" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if message:
        assert message in html
        assert "Some filters could not be used" in html


def test_the_log_comes_a_page_at_a_time_with_the_same_statements_whatever_its_size(
    world, client, login_as, query_counter
):
    fair, lakeview, campaign = world["fair"], world["lakeview"], world["campaign"]
    kinds = [
        ("action.signed_up", fair),
        ("campaign.updated", campaign),
        ("chapter.updated", lakeview),
    ]

    def add(n: int) -> None:
        for i in range(n):
            action, obj = kinds[i % len(kinds)]
            record_event(action, actor=world["member"], obj=obj, chapter_id=lakeview.id)
        db.session.commit()

    login_as(world["advisor"])
    add(6)
    with query_counter() as small:
        first = page_of(client, "/c/lakeview/activity")
    add(120)
    with query_counter() as large:
        big = page_of(client, "/c/lakeview/activity")
    with query_counter() as last:
        third = page_of(client, "/c/lakeview/activity?page=3")

    # session (1), chapter and membership (1), count (1), the page (1), every name (1),
    # the navigation's unread notification count (1).
    assert len(small) == len(large) == len(last) == 6
    assert len(log_lines(first)) == 6
    assert len(log_lines(big)) == 50
    assert "Page 1 of 3" in big and "page=2" in big
    assert len(log_lines(third)) == 26


def test_the_network_log_names_each_events_chapter_and_shows_sign_ins(
    world, client, login_as, post
):
    sign_up(world["fair"], world["member"])
    db.session.commit()
    post("/login", {"email": world["member"].email, "password": "wrong password!"})
    login_as(world["staff"])

    html = page_of(client, "/activity")

    assert "Nora Nurse signed up for Health fair at Lakeview" in html
    assert "(Lakeview)" in html
    assert f"A sign-in as {world['member'].email} failed" in html


# --- the chapter overview's recent activity ---------------------------------------------------


def test_the_overview_shows_the_last_ten_events_in_plain_words(world, client, login_as):
    for _ in range(12):
        record_event(
            "campaign.updated",
            actor=world["leader"],
            obj=world["campaign"],
            chapter_id=world["lakeview"].id,
        )
    sign_up(world["fair"], world["member"])
    db.session.commit()
    login_as(world["member"])

    html = page_of(client, "/c/lakeview")
    recent = html.split("<h2>Recent activity</h2>", 1)[1].split("</article>", 1)[0]

    items = re.findall(r"<li>(.*?) <small", recent, re.S)
    assert len(items) == 10
    assert items[0] == "Nora Nurse signed up for Health fair at Lakeview"
    assert items[1] == "Leo Leader edited the campaign Flu season"


def test_members_do_not_see_in_recent_activity_what_they_cannot_see_elsewhere(
    world, client, login_as
):
    invite(world["lakeview"], "secret-newcomer@example.org", Role.MEMBER, world["leader"])
    record_event(
        "unavailability.added",
        actor=world["leader"],
        object_type="unavailabilities",
        object_id=1,
        chapter_id=world["lakeview"].id,
        after={"reason": "Surgery"},
    )
    record_event(
        "chapter.updated", actor=world["staff"], obj=world["harbor"], chapter_id=world["harbor"].id
    )
    sign_up(world["fair"], world["member"])
    db.session.commit()

    login_as(world["member"])
    recent = page_of(client, "/c/lakeview").split("<h2>Recent activity</h2>", 1)[1]
    assert "Nora Nurse signed up for Health fair" in recent
    for hidden in ("secret-newcomer", "invited", "unavailable", "Surgery", "Harbor"):
        assert hidden not in recent

    login_as(world["advisor"])  # the full log has them, for the chapter's advisors
    log = page_of(client, "/c/lakeview/activity")
    assert "invited secret-newcomer@example.org" in log and "Harbor" not in log
