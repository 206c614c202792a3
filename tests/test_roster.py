"""The roster: role changes, leaving and removal, the last-leader rule, health panel, page cost."""

import re

import pytest
from sqlalchemy import select

from chapters.models import Membership
from core.extensions import db
from core.models import AuditEvent
from tests.factories import make_chapter, make_member, make_user
from tests.test_chapter_permissions import (  # noqa: F401  (autouse fixture)
    snapshot,
)


@pytest.fixture
def chapter(app):
    return make_chapter("Riverside Health", slug="riverside")


def fresh(m: Membership) -> Membership:
    db.session.expire_all()
    return db.session.get(Membership, m.id)


def change_role(post, m: Membership, role: str):
    return post(f"/c/riverside/roster/{m.id}/role", {f"m{m.id}-role": role})


def flashed(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.location).get_data(as_text=True)


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- roles ----------------------------------------------------------------------------------


def test_the_roster_lists_active_members_with_role_and_profession(chapter, client, login_as):
    make_member(chapter, "leader", name="Leo Leader", profession="Nursing")
    me = make_member(chapter, "member", name="Mia Member", profession="Pharmacy")
    gone = make_member(chapter, "member", name="Gus Gone")
    gone.status = "left"
    db.session.commit()
    login_as(me.user)
    html = client.get("/c/riverside/roster").get_data(as_text=True)
    rows = {
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
    }
    assert any(r.startswith("Leo Leader Student leader Nursing Student") for r in rows)
    assert any(r.startswith("Mia Member Member Pharmacy Student") for r in rows)
    assert "Gus Gone" not in html
    assert "Change role" not in html  # a member does not manage the roster


def test_a_leader_makes_a_member_a_leader(chapter, client, login_as, post):
    leader = make_member(chapter, "leader")
    mia = make_member(chapter, "member", name="Mia Member")
    login_as(leader.user)
    page = flashed(client, change_role(post, mia, "leader"))
    assert "Mia Member is now student leader." in page
    assert fresh(mia).role == "leader"
    [event] = audit("membership.role_changed")
    assert event.chapter_id == chapter.id and event.actor_id == leader.user_id
    assert (event.before["role"], event.after["role"]) == ("member", "leader")


def test_only_faculty_can_be_made_advisors(chapter, client, login_as, post):
    advisor = make_member(chapter, "advisor")
    make_member(chapter, "leader")
    student = make_member(chapter, "member")
    prof = make_member(chapter, "member", kind="faculty", name="Prof Faculty")
    login_as(advisor.user)
    roster = client.get(f"/c/{chapter.slug}/roster").get_data(as_text=True)
    student_picker = roster.split(f'name="m{student.id}-role"', 1)[1].split("</select>", 1)[0]
    assert "Faculty advisor" not in student_picker  # not offered for a student
    page = flashed(client, change_role(post, student, "advisor"))
    assert "Choose one of the listed roles." in page
    assert fresh(student).role == "member"
    flashed(client, change_role(post, prof, "advisor"))
    assert fresh(prof).role == "advisor"


def test_a_role_outside_the_list_is_refused(chapter, client, login_as, post):
    leader = make_member(chapter, "leader")
    mia = make_member(chapter, "member")
    login_as(leader.user)
    before = snapshot()
    page = flashed(client, change_role(post, mia, "owner"))
    assert "Choose one of the listed roles." in page
    assert snapshot() == before


# --- the last leader ------------------------------------------------------------------------


def test_the_last_leader_cannot_leave_while_others_remain(chapter, client, login_as, post):
    leader = make_member(chapter, "leader", name="Leo Leader")
    make_member(chapter, "member")
    login_as(leader.user)
    before = snapshot()
    page = flashed(client, post("/c/riverside/leave", {}))
    assert (
        "Leo Leader is the chapter&#39;s last student leader and cannot leave while others "
        "remain. Make another member a leader first."
    ) in page
    assert snapshot() == before
    assert client.get("/c/riverside").status_code == 200


def test_the_last_leader_cannot_be_demoted_while_others_remain(chapter, client, login_as, post):
    leader = make_member(chapter, "leader", name="Leo Leader")
    advisor = make_member(chapter, "advisor")
    make_member(chapter, "member")
    for actor in (leader, advisor):
        login_as(actor.user)
        before = snapshot()
        page = flashed(client, change_role(post, leader, "member"))
        assert (
            "Leo Leader is the chapter&#39;s last student leader and cannot stop being a leader"
            in page
        )
        assert snapshot() == before


def test_the_last_leader_cannot_be_removed_while_others_remain(chapter, client, login_as, post):
    leader = make_member(chapter, "leader", name="Leo Leader")
    advisor = make_member(chapter, "advisor")
    login_as(advisor.user)
    before = snapshot()
    page = flashed(client, post(f"/c/riverside/roster/{leader.id}/remove", {}))
    assert "last student leader and cannot leave" in page
    assert snapshot() == before


def test_the_only_member_can_leave(chapter, client, login_as, post):
    leader = make_member(chapter, "leader")
    login_as(leader.user)
    response = post("/c/riverside/leave", {})
    assert response.location == "/"
    assert "You have left Riverside Health." in client.get("/").get_data(as_text=True)
    assert fresh(leader).status == "left"


def test_once_there_is_another_leader_the_first_can_be_demoted(chapter, client, login_as, post):
    leader = make_member(chapter, "leader", name="Leo Leader")
    mia = make_member(chapter, "member", name="Mia Member")
    login_as(leader.user)
    flashed(client, change_role(post, mia, "leader"))
    page = flashed(client, change_role(post, leader, "member"))
    assert "Leo Leader is now member." in page
    assert (fresh(leader).role, fresh(mia).role) == ("member", "leader")


# --- leaving and removal --------------------------------------------------------------------


def test_removing_a_member_keeps_the_row_and_hides_the_chapter_from_them(
    chapter, app, client, login_as, post
):
    leader = make_member(chapter, "leader")
    mia = make_member(chapter, "member", name="Mia Member")
    login_as(leader.user)
    confirm = client.get(f"/c/riverside/roster/{mia.id}/remove")
    assert "Remove Mia Member from Riverside Health?" in confirm.get_data(as_text=True)
    assert fresh(mia).status == "active"  # the confirmation page changes nothing

    page = flashed(client, post(f"/c/riverside/roster/{mia.id}/remove", {}))
    assert "Mia Member is removed from the roster; their history stays." in page
    row = fresh(mia)
    assert row is not None and row.status == "left" and row.left_at is not None
    assert "Mia Member" not in client.get("/c/riverside/roster").get_data(as_text=True)
    [event] = audit("membership.removed")
    assert event.chapter_id == chapter.id and event.before["user_id"] == mia.user_id

    mia_client = app.test_client()
    login_as(mia.user, mia_client)
    for path in ("", "/roster", "/vision"):
        assert mia_client.get(f"/c/riverside{path}").status_code == 404
    assert "Riverside Health" not in mia_client.get("/").get_data(as_text=True)


def test_a_member_leaves_through_a_confirmation(chapter, client, login_as, post):
    make_member(chapter, "leader")
    mia = make_member(chapter, "member")
    login_as(mia.user)
    assert "Leave Riverside Health?" in client.get("/c/riverside/leave").get_data(as_text=True)
    assert fresh(mia).status == "active"
    post("/c/riverside/leave", {})
    assert fresh(mia).status == "left"
    assert client.get("/c/riverside").status_code == 404
    [event] = audit("membership.left")
    assert event.chapter_id == chapter.id


# --- the health panel -----------------------------------------------------------------------


def health_checks(html: str) -> dict[str, str]:
    """Each check's label mapped to the text of its line in the panel."""
    panel = html.split('aria-labelledby="health-h"', 1)[1].split("</section>", 1)[0]
    items = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip() for li in panel.split("<li>")[1:]
    ]
    return {label: next(i for i in items if label in i) for label in HEALTH_LABELS}


HEALTH_LABELS = (
    "Leadership team of 3–8 students",
    "At least two professions",
    "At least one faculty advisor",
)


@pytest.mark.parametrize("path", ["", "/roster"])
def test_the_health_panel_says_what_to_do_when_a_check_is_not_met(chapter, client, login_as, path):
    leader = make_member(chapter, "leader")
    make_member(chapter, "leader", kind="faculty")  # a leader, but not a student
    login_as(leader.user)
    checks = health_checks(client.get(f"/c/riverside{path}").get_data(as_text=True))
    assert checks["Leadership team of 3–8 students"] == (
        "Not met Leadership team of 3–8 students — 1 student leader. Make more members leaders "
        "(from the roster), or invite students as leaders."
    )
    assert checks["At least two professions"].startswith("Not met")
    assert "Invite students from another health profession" in checks["At least two professions"]
    assert checks["At least one faculty advisor"] == (
        "Not met At least one faculty advisor — 0 advisors. Invite a faculty member as advisor; "
        "they sign off milestones."
    )


@pytest.mark.parametrize("path", ["", "/roster"])
def test_the_health_panel_shows_each_check_met(chapter, client, login_as, path):
    leaders = [make_member(chapter, "leader", profession=p) for p in ("Medicine", "Nursing")]
    make_member(chapter, "leader", profession="Medicine")
    make_member(chapter, "advisor", profession="Social Work")
    login_as(leaders[0].user)
    checks = health_checks(client.get(f"/c/riverside{path}").get_data(as_text=True))
    assert list(checks.values()) == [
        "Met Leadership team of 3–8 students — 3 student leaders.",
        "Met At least two professions — 2 professions: Medicine, Nursing.",
        "Met At least one faculty advisor — 1 advisor.",
    ]


def test_a_leadership_team_larger_than_eight_is_flagged(chapter, client, login_as):
    leaders = [make_member(chapter, "leader", commit=False) for _ in range(9)]
    db.session.commit()
    login_as(leaders[0].user)
    checks = health_checks(client.get("/c/riverside/roster").get_data(as_text=True))
    line = checks["Leadership team of 3–8 students"]
    assert line.startswith("Not met") and "9 student leaders" in line
    assert "consider fewer leaders" in line


def test_the_advisor_profession_does_not_make_the_chapter_interprofessional(
    chapter, client, login_as
):
    leader = make_member(chapter, "leader", profession="Medicine")
    make_member(chapter, "advisor", profession="Nursing")
    login_as(leader.user)
    checks = health_checks(client.get("/c/riverside").get_data(as_text=True))
    assert checks["At least two professions"].startswith("Not met")
    assert "1 profession: Medicine" in checks["At least two professions"]


# --- page cost ------------------------------------------------------------------------------


def add_members(chapter, n: int) -> None:
    professions = ("Medicine", "Nursing", "Pharmacy", "Social Work")
    for i in range(n):
        role = ("member", "leader", "advisor")[i % 3]
        make_member(chapter, role, profession=professions[i % 4], commit=False)
    db.session.commit()


def count_queries(client, query_counter, url: str) -> int:
    db.session.expunge_all()  # start each measured request from an empty identity map
    with query_counter() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["", "/roster"])
def test_the_page_cost_does_not_grow_with_the_roster(
    chapter, client, login_as, query_counter, path
):
    viewer = make_user(national_staff=True)
    add_members(chapter, 5)
    login_as(viewer)
    url = f"/c/riverside{path}"
    client.get(url)
    small = count_queries(client, query_counter, url)
    add_members(db.session.merge(chapter), 60)  # past one page of the roster
    large = count_queries(client, query_counter, url)
    assert small == large


def test_a_leader_leaves_the_advisor_alone_and_keeps_faculty_out_of_leadership(
    chapter, client, login_as, post
):
    leader = make_member(chapter, "leader")
    advisor = make_member(chapter, "advisor")
    prof = make_member(chapter, "member", kind="faculty", name="Prof Faculty")
    login_as(leader.user)
    roster = client.get(f"/c/{chapter.slug}/roster").get_data(as_text=True)
    assert f'name="m{advisor.id}-role"' not in roster  # no role picker for the advisor
    assert f"/roster/{advisor.id}/remove" not in roster
    assert change_role(post, advisor, "member").status_code == 403
    assert post(f"/c/{chapter.slug}/roster/{advisor.id}/remove").status_code == 403
    assert fresh(advisor).role == "advisor" and fresh(advisor).status == "active"
    page = flashed(client, change_role(post, prof, "leader"))
    assert "Choose one of the listed roles." in page
    assert fresh(prof).role == "member"


def test_the_roster_is_paginated_and_its_health_covers_every_page(chapter, client, login_as):
    # Ordered by role (advisor, leader, member), then name: page 1 holds the advisor, the
    # leader and Member 00-47; page 2 holds Member 48-53, the last one a nurse.
    make_member(chapter, "advisor", name="Aa Advisor")
    leader = make_member(chapter, "leader", name="Aa Leader", profession="Medicine")
    for i in range(54):
        profession = "Nursing" if i == 53 else "Medicine"
        make_member(chapter, "member", name=f"Member {i:02}", profession=profession, commit=False)
    db.session.commit()
    login_as(leader.user)
    first = client.get("/c/riverside/roster").get_data(as_text=True)
    assert "56 active members" in first
    assert "Member 47" in first and "Member 48" not in first
    assert first.count('<select id="m') == 49  # every row but the advisor's has a picker
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', first)
    assert len(tokens) >= 49 and len(set(tokens)) == 1  # the session's one token, reused
    assert "/c/riverside/roster?page=2" in first and "Page 1 of 2" in first
    checks = health_checks(first)
    assert "2 professions: Medicine, Nursing" in checks["At least two professions"]
    assert "1 student leader" in checks["Leadership team of 3–8 students"]
    assert checks["At least one faculty advisor"].startswith("Met")
    second = client.get("/c/riverside/roster?page=2").get_data(as_text=True)
    assert "Member 48" in second and "Member 53" in second and "Member 47" not in second
    assert health_checks(second) == checks


def test_a_role_picked_on_page_two_is_changed(chapter, client, login_as, post):
    leader = make_member(chapter, "leader", name="Aa Leader")
    others = [make_member(chapter, "member", name=f"Member {i:02}") for i in range(55)]
    login_as(leader.user)
    html = client.get("/c/riverside/roster?page=2").get_data(as_text=True)
    last = others[-1]
    assert f'name="m{last.id}-role"' in html
    assert change_role(post, last, "leader").status_code == 302
    assert fresh(last).role == "leader"
