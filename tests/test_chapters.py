"""Chapters: national staff create, edit, archive and list them; members see their own."""

import re

import pytest
from sqlalchemy import func, select

from chapters.models import Chapter
from core.extensions import db
from core.models import AuditEvent
from tests.factories import make_chapter, make_member, make_user
from tests.test_chapter_permissions import (  # noqa: F401  (autouse fixture)
    snapshot,
)


@pytest.fixture
def staff(app):
    return make_user(name="Stella Staff", national_staff=True, kind="faculty")


def chapter_form(**overrides) -> dict:
    return {
        "name": "Fresh Health",
        "slug": "fresh-health",
        "institution": "Fresh University",
        "region": "West",
        "timezone": "America/Denver",
        "status": "developing",
    } | overrides


def field_error(html: str, field: str) -> str | None:
    found = re.search(rf'<small id="{field}-error"[^>]*>(.*?)</small>', html, re.S)
    return found.group(1).strip() if found else None


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def chapter_count() -> int:
    return db.session.scalar(select(func.count(Chapter.id)))


def table_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# --- creating -------------------------------------------------------------------------------


def test_national_staff_create_a_chapter(staff, client, login_as, post):
    login_as(staff)
    assert "Create a chapter" in client.get("/chapters/new").get_data(as_text=True)
    response = post("/chapters/new", chapter_form())
    assert response.location == "/c/fresh-health/invitations"
    page = client.get(response.location).get_data(as_text=True)
    assert "Fresh Health is created. Invite its first leaders and advisor now." in page

    chapter = db.session.scalar(select(Chapter).where(Chapter.slug == "fresh-health"))
    assert (chapter.name, chapter.institution, chapter.region) == (
        "Fresh Health",
        "Fresh University",
        "West",
    )
    assert (chapter.timezone, chapter.status) == ("America/Denver", "developing")
    [event] = audit("chapter.created")
    assert event.chapter_id == chapter.id and event.actor_id == staff.id
    assert event.after["slug"] == "fresh-health"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Fresh-Health", "Use lowercase letters, digits and single hyphens."),
        ("fresh health", "Use lowercase letters, digits and single hyphens."),
        ("fresh_health", "Use lowercase letters, digits and single hyphens."),
        ("fresh--health", "Use lowercase letters, digits and single hyphens."),
        ("-fresh", "Use lowercase letters, digits and single hyphens."),
        ("f", "Field must be between 2 and 60 characters long."),
        ("", "This field is required."),
    ],
)
def test_a_bad_slug_is_refused_next_to_the_field(staff, login_as, post, slug, message):
    login_as(staff)
    before = snapshot()
    response = post("/chapters/new", chapter_form(slug=slug))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "slug") == message
    assert snapshot() == before


def test_a_slug_already_in_use_is_refused(staff, client, login_as, post):
    make_chapter("Riverside Health", slug="riverside")
    other = make_chapter("Lakeside Health", slug="lakeside")
    login_as(staff)
    expected = "Another chapter already uses that short name (slug)."
    response = post("/chapters/new", chapter_form(slug="riverside"))
    assert field_error(response.get_data(as_text=True), "slug") == expected
    assert chapter_count() == 2

    response = post("/c/lakeside/edit", chapter_form(name="Lakeside Health", slug="riverside"))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "slug") == expected
    db.session.expire_all()
    assert db.session.get(Chapter, other.id).slug == "lakeside"


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "EST", "Riverside Time", ""])
def test_the_time_zone_must_come_from_the_iana_list(staff, login_as, post, timezone):
    login_as(staff)
    response = post("/chapters/new", chapter_form(timezone=timezone))
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "timezone") == "Not a valid choice."
    assert chapter_count() == 0


def test_the_time_zone_list_offers_iana_names(staff, client, login_as, post):
    login_as(staff)
    form = client.get("/chapters/new").get_data(as_text=True)
    assert '<option value="Asia/Kolkata">Asia/Kolkata</option>' in form
    assert '<option selected value="America/New_York">America/New York</option>' in form
    assert post("/chapters/new", chapter_form(timezone="Asia/Kolkata")).status_code == 302


# --- editing and archiving ------------------------------------------------------------------


def test_national_staff_edit_a_chapter(staff, client, login_as, post):
    chapter = make_chapter("Riverside Health", slug="riverside", region="Midwest")
    login_as(staff)
    form = client.get("/c/riverside/edit").get_data(as_text=True)
    assert 'value="Riverside Health"' in form
    response = post(
        "/c/riverside/edit",
        chapter_form(name="Riverside Interprofessional", slug="riverside", region="West"),
    )
    assert response.location == "/c/riverside"
    page = client.get(response.location).get_data(as_text=True)
    assert "Chapter details saved." in page
    assert "<h1>Riverside Interprofessional</h1>" in page
    db.session.expire_all()
    assert (chapter.name, chapter.region, chapter.timezone) == (
        "Riverside Interprofessional",
        "West",
        "America/Denver",
    )
    [event] = audit("chapter.updated")
    assert event.chapter_id == chapter.id
    assert (event.before["region"], event.after["region"]) == ("Midwest", "West")


def test_archiving_asks_for_confirmation_then_stops_new_members(staff, app, client, login_as, post):
    chapter = make_chapter("Riverside Health", slug="riverside")
    leader = make_member(chapter, "leader")
    login_as(staff)
    confirm = client.get("/c/riverside/archive")
    assert "Archive Riverside Health?" in confirm.get_data(as_text=True)
    db.session.expire_all()
    assert chapter.status == "active"  # showing the question changes nothing

    response = post("/c/riverside/archive", {})
    page = client.get(response.location).get_data(as_text=True)
    assert "Riverside Health is archived. Its history stays readable." in page
    db.session.expire_all()
    assert chapter.status == "archived"
    [event] = audit("chapter.archived")
    assert event.chapter_id == chapter.id
    assert (event.before["status"], event.after["status"]) == ("active", "archived")

    leader_client = app.test_client()
    login_as(leader.user, leader_client)
    assert leader_client.get("/c/riverside/roster").status_code == 200  # still readable
    refused = post(
        "/c/riverside/invitations",
        {"email": "late@example.org", "role": "member"},
        client_=leader_client,
    )
    assert "This chapter is archived; it takes no new members." in refused.get_data(as_text=True)
    assert leader_client.get("/c/riverside/vision/propose").status_code == 403


# --- lists ----------------------------------------------------------------------------------


def test_the_staff_list_filters_by_status_and_region(staff, client, login_as):
    make_chapter("Alder Health", region="West", status="active")
    make_chapter("Birch Health", region="West", status="archived")
    make_chapter("Cedar Health", region="Midwest", status="active")
    make_chapter("Dogwood Health", region="West", status="developing")
    login_as(staff)

    def names(query: str) -> list[str]:
        html = client.get(f"/chapters{query}").get_data(as_text=True)
        return [row.split(" University")[0] for row in table_rows(html)]

    assert names("") == ["Alder Health", "Birch Health", "Cedar Health", "Dogwood Health"]
    assert names("?status=archived") == ["Birch Health"]
    assert names("?region=West") == ["Alder Health", "Birch Health", "Dogwood Health"]
    assert names("?region=West&status=active") == ["Alder Health"]
    assert names("?q=cedar") == ["Cedar Health"]
    assert names("?region=Nowhere") == ["No chapters match."]


def test_the_staff_list_shows_active_member_counts(staff, client, login_as):
    chapter = make_chapter("Alder Health", region="West")
    make_member(chapter, "leader")
    make_member(chapter)
    gone = make_member(chapter)
    gone.status = "left"
    db.session.commit()
    login_as(staff)
    [row] = table_rows(client.get("/chapters").get_data(as_text=True))
    assert row.endswith("West Active 2")


def test_the_staff_list_paginates(staff, client, login_as):
    for i in range(27):
        make_chapter(f"Chapter {i:02d}", region="West")
    login_as(staff)
    first = client.get("/chapters?region=West").get_data(as_text=True)
    assert len(table_rows(first)) == 25
    assert "Page 1 of 2" in first
    next_link = re.search(r'<a href="([^"]+)">Next', first).group(1).replace("&amp;", "&")
    assert "region=West" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert [r.split(" University")[0] for r in table_rows(second)] == ["Chapter 25", "Chapter 26"]
    assert "Page 2 of 2" in second


# The signed-in home page (my week) is tested in tests/test_home.py.


# --- what people type is shown as text ------------------------------------------------------

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_chapter_names_institutions_and_regions_are_escaped(staff, app, client, login_as, post):
    login_as(staff)
    response = post(
        "/chapters/new",
        chapter_form(name=f"Name {XSS}", institution=f"Institution {XSS}", region=f"Region {XSS}"),
    )
    assert response.status_code == 302
    chapter = db.session.scalar(select(Chapter))
    member_client = app.test_client()
    login_as(make_member(chapter).user, member_client)
    pages = [
        client.get("/c/fresh-health").get_data(as_text=True),
        client.get("/c/fresh-health/edit").get_data(as_text=True),
        client.get("/chapters").get_data(as_text=True),
        member_client.get("/").get_data(as_text=True),
    ]
    for html in pages:
        assert XSS not in html
    for html in pages[:3]:
        for text in ("Name", "Institution", "Region"):
            assert f"{text} {ESCAPED}" in html
    assert f"Name {ESCAPED}" in pages[3] and f"Institution {ESCAPED}" in pages[3]


# --- panels that other features add to the chapter home -------------------------------------


def test_the_chapter_home_shows_the_panels_features_register(app, client, login_as):
    from chapters.panels import EXTENSION
    from tests.factories import make_action, make_campaign, make_milestone

    assert [p.template for p in app.extensions[EXTENSION]] == ["campaigns/_home_panel.html"]
    chapter = make_chapter("Riverside Health", slug="riverside")
    me = make_member(chapter, "leader")
    campaign = make_campaign(chapter, title="Clean Air Near Schools", status="active")
    make_action(campaign, title="Meet the council health committee")
    make_milestone(campaign, title="Petition delivered", status="submitted")
    login_as(me.user)
    html = client.get("/c/riverside").get_data(as_text=True)
    for text in (
        "Clean Air Near Schools",
        "Meet the council health committee",
        "Petition delivered",
    ):
        assert text in html
