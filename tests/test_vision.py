"""The common vision through the web: proposing, endorsing or objecting, adoption, history."""

import re

import pytest
from sqlalchemy import select

from chapters.models import Membership, VisionResponse, VisionVersion
from chapters.services import eligible_voters, participants
from core.extensions import db
from core.models import AuditEvent
from core.timefmt import localtime
from tests.factories import make_chapter, make_member, make_user, make_vision
from tests.test_chapter_permissions import (  # noqa: F401  (autouse fixture)
    snapshot,
)

VISION = "/c/riverside/vision"


@pytest.fixture
def chapter(app):
    return make_chapter("Riverside Health", slug="riverside")


def propose(post, statement="Every neighbour can reach care.", goals=("Run a free clinic.",)):
    data = {"statement": statement} | {f"goals-{i}": g for i, g in enumerate(goals)}
    return post(f"{VISION}/propose", data)


def respond(post, vision, stance, comment=""):
    return post(f"{VISION}/{vision.id}/respond", {"stance": stance, "comment": comment})


def flashed(client, response) -> str:
    assert response.status_code == 302
    return client.get(response.location).get_data(as_text=True)


def versions() -> list[VisionVersion]:
    db.session.expire_all()
    return list(db.session.scalars(select(VisionVersion).order_by(VisionVersion.number)))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- proposing ------------------------------------------------------------------------------


def test_a_member_proposes_a_vision_with_goals(chapter, client, login_as, post):
    mia = make_member(chapter, "member", name="Mia Member")
    login_as(mia.user)
    assert "Propose the vision" in client.get(VISION).get_data(as_text=True)
    assert client.get(f"{VISION}/propose").status_code == 200

    response = propose(
        post, "  Every neighbour can reach care.  ", ("Map access.", "", "Run a clinic.")
    )
    assert response.location == VISION
    page = flashed(client, response)
    assert "Your proposal is open." in page
    assert "Proposal 1, open for endorsement" in page
    assert "Proposed by Mia Member" in page
    assert "<li>Map access.</li><li>Run a clinic.</li>" in page
    assert "Propose the vision" not in page  # one open proposal at a time

    [v] = versions()
    assert (v.number, v.status, v.statement) == (1, "proposed", "Every neighbour can reach care.")
    assert [(g.position, g.text) for g in v.goals] == [(1, "Map access."), (2, "Run a clinic.")]
    [event] = audit("vision.proposed")
    assert event.chapter_id == chapter.id and event.actor_id == mia.user_id


@pytest.mark.parametrize(("length", "accepted"), [(1000, True), (1001, False)])
def test_the_statement_holds_up_to_1000_characters(
    chapter, client, login_as, post, length, accepted
):
    login_as(make_member(chapter).user)
    response = propose(post, "x" * length)
    if accepted:
        assert response.status_code == 302
        assert len(versions()[0].statement) == 1000
    else:
        assert response.status_code == 200
        error = re.search(r'<small id="statement-error"[^>]*>(.*?)</small>', response.text)
        assert error and "1000 characters" in error.group(1)
        assert versions() == []


def test_a_vision_needs_at_least_one_goal(chapter, login_as, post):
    login_as(make_member(chapter).user)
    response = propose(post, goals=("", "   "))
    assert response.status_code == 200
    assert "Give at least one goal (up to five)." in response.get_data(as_text=True)
    assert versions() == []


def test_no_more_than_five_goals_are_kept(chapter, login_as, post):
    login_as(make_member(chapter).user)
    propose(post, goals=[f"Goal {i}" for i in range(1, 7)])
    [v] = versions()
    assert [g.text for g in v.goals] == [f"Goal {i}" for i in range(1, 6)]


def test_only_one_proposal_is_open_at_a_time(chapter, client, login_as, post):
    first = make_member(chapter)
    make_vision(chapter, first.user)
    login_as(make_member(chapter).user)
    response = propose(post, "A rival text.")
    assert response.status_code == 200
    assert "A proposal is already under discussion." in response.get_data(as_text=True)
    assert [v.statement for v in versions()] == [
        "Every patient in our county can reach primary care."
    ]


# --- responding -----------------------------------------------------------------------------


def test_objecting_needs_a_comment(chapter, client, login_as, post):
    proposer = make_member(chapter)
    vision = make_vision(chapter, proposer.user)
    login_as(make_member(chapter, name="Oli Objector").user)
    before = snapshot()
    refused = respond(post, vision, "object")
    # The page comes back with the choice kept and the reason next to the comment.
    assert refused.status_code == 200
    page = refused.get_data(as_text=True)
    assert re.search(
        r'<small id="comment-error" class="field-error">Say what you would change', page
    )
    assert re.search(r'<input checked[^>]*value="object"', page)
    assert snapshot() == before

    page = flashed(client, respond(post, vision, "object", "Name the county."))
    assert "Oli Objector</strong> (Medicine) objects: “Name the county.”" in page


def test_people_change_their_mind_while_the_proposal_is_open(chapter, client, login_as, post):
    proposer = make_member(chapter)
    make_member(chapter)
    make_member(chapter)  # three eligible: two endorsements are needed
    vision = make_vision(chapter, proposer.user)
    login_as(make_member(chapter, name="Oli Objector").user)
    respond(post, vision, "object", "Too vague.")
    page = flashed(client, respond(post, vision, "endorse"))
    assert "Your response is recorded. You can change it while the proposal is open." in page
    assert "Oli Objector</strong> (Medicine) endorses" in page
    responses = db.session.scalars(select(VisionResponse)).all()
    assert [(r.stance, r.comment) for r in responses] == [("endorse", None)]


def test_the_page_shows_who_has_not_endorsed_yet(chapter, client, login_as, post):
    eve = make_member(chapter, name="Eve Endorser")
    make_member(chapter, "leader", name="Nat Notyet", profession="Nursing")
    oli = make_member(chapter, name="Oli Objector", profession="Pharmacy")
    make_member(chapter, "advisor", name="Dr Ada Advisor")
    vision = make_vision(chapter, eve.user)
    login_as(oli.user)
    respond(post, vision, "object", "Not yet.")
    login_as(eve.user)
    page = flashed(client, respond(post, vision, "endorse"))

    waiting = page.split("<summary>Not endorsed yet (2)</summary>", 1)[1].split("</ul>", 1)[0]
    assert (
        text_of(waiting).split()
        == text_of(
            "<li>Nat Notyet (Nursing)</li><li>Oli Objector (Pharmacy) — objects</li>"
        ).split()
    )
    assert "1 of 3</strong> student members endorse it; 2 are needed" in page


def test_adoption_needs_two_thirds_and_two_professions(chapter, client, login_as, post):
    med1 = make_member(chapter, name="Mo Medic")
    med2 = make_member(chapter, name="Meg Medic")
    nurse = make_member(chapter, name="Nia Nurse", profession="Nursing")
    vision = make_vision(chapter, med1.user, statement="Care for every neighbour.")

    login_as(med1.user)
    respond(post, vision, "endorse")
    login_as(med2.user)
    page = flashed(client, respond(post, vision, "endorse"))
    # Two of three is the share, but both endorsers are in medicine.
    assert versions()[0].status == "proposed"
    assert "share met" in page
    assert "Endorsers span 1 profession (2 needed) not yet" in text_of(page)

    login_as(nurse.user)
    page = flashed(client, respond(post, vision, "endorse"))
    assert (
        "Your response is recorded, and with it version 1 meets the adoption rule: it is now "
        "the chapter&#39;s adopted vision."
    ) in page
    assert versions()[0].status == "adopted"
    adopted = page.split("<h2>Adopted vision</h2>", 1)[1].split("</article>", 1)[0]
    assert "Care for every neighbour." in adopted
    assert "Care for every neighbour." in client.get("/c/riverside").get_data(as_text=True)
    assert [e.chapter_id for e in audit("vision.responded")] == [chapter.id] * 3
    [event] = audit("vision.adopted")
    assert event.chapter_id == chapter.id and event.actor_id == nurse.user_id


def test_a_new_adopted_version_supersedes_the_old_and_history_keeps_both(
    chapter, client, login_as, post
):
    ann = make_member(chapter, name="Ann Able")
    bob = make_member(chapter, name="Bob Baker")  # one profession: the share alone decides
    login_as(ann.user)
    propose(post, "Version one.", ("Goal one.",))
    v1 = versions()[0]
    respond(post, v1, "endorse")
    login_as(bob.user)
    respond(post, v1, "endorse")
    assert versions()[0].status == "adopted"

    form = client.get(f"{VISION}/propose").get_data(as_text=True)
    assert "Version one." in form and 'value="Goal one."' in form  # starts from the adopted one
    propose(post, "Version two.", ("Goal two.",))
    v2 = versions()[1]
    respond(post, v2, "endorse")
    login_as(ann.user)
    respond(post, v2, "endorse")

    assert [(v.number, v.status) for v in versions()] == [(1, "superseded"), (2, "adopted")]
    assert versions()[0].closed_at is not None
    [event] = audit("vision.superseded")
    assert event.chapter_id == chapter.id

    history = client.get(f"{VISION}/history").get_data(as_text=True)
    articles = history.split("<article>")[1:]
    assert ["Version 2" in articles[0], "Version 1" in articles[1]] == [True, True]
    assert "Adopted" in articles[0] and "Version two." in articles[0]
    assert "Superseded" in articles[1] and "Version one." in articles[1]
    for article, vision in zip(articles, (v2, v1), strict=True):
        endorsed = text_of(article.split("Endorsed by (2):", 1)[1].split("</p>", 1)[0])
        for r in vision.responses:
            day = localtime(r.updated_at, chapter.timezone, "%d %b %Y")
            assert f"{r.user.display_name} ({day})" in endorsed


def test_a_faculty_advisor_comments_but_does_not_count(chapter, client, login_as, post):
    student = make_member(chapter, name="Sol Student")  # the only eligible person: 1 needed
    advisor = make_member(chapter, "advisor", name="Dr Ada Advisor", profession="Nursing")
    vision = make_vision(chapter, student.user)
    login_as(advisor.user)
    page = client.get(VISION).get_data(as_text=True)
    assert "only student members' endorsements count toward adoption" in page
    assert 'value="endorse"' not in page

    refused = respond(post, vision, "endorse")
    assert "a comment is required" in refused.get_data(as_text=True)
    page = flashed(client, respond(post, vision, "endorse", "Add a timeline."))
    assert "Dr Ada Advisor</strong> (Nursing) comments: “Add a timeline.”" in page
    assert "0 of 1</strong> student members endorse it" in page
    [response] = db.session.scalars(select(VisionResponse)).all()
    assert response.stance == "comment"
    assert versions()[0].status == "proposed"


def test_the_proposer_withdraws_and_a_new_proposal_can_follow(chapter, client, login_as, post):
    mia = make_member(chapter)
    make_member(chapter)
    vision = make_vision(chapter, mia.user)
    login_as(mia.user)
    page = flashed(client, post(f"{VISION}/{vision.id}/withdraw", {}))
    assert "Proposal 1 is withdrawn." in page
    assert "open for endorsement" not in page
    assert "Propose the vision" in page
    assert [e.chapter_id for e in audit("vision.withdrawn")] == [chapter.id]

    page = flashed(client, respond(post, vision, "endorse"))
    assert "This version is no longer open for endorsement." in page
    assert db.session.scalars(select(VisionResponse)).all() == []

    propose(post, "A better text.")
    assert [(v.number, v.status) for v in versions()] == [(1, "withdrawn"), (2, "proposed")]
    history = text_of(client.get(f"{VISION}/history").get_data(as_text=True))
    assert "Version 1 · Withdrawn" in history


def test_a_member_leaving_can_complete_an_adoption(chapter, client, login_as, post):
    med = make_member(chapter, "leader")
    nurse = make_member(chapter, profession="Nursing")
    make_member(chapter)
    quiet = make_member(chapter, profession="Nursing")
    vision = make_vision(chapter, med.user)
    for m in (med, nurse):
        login_as(m.user)
        respond(post, vision, "endorse")
    assert versions()[0].status == "proposed"  # 2 of 4; 3 are needed

    login_as(quiet.user)
    post("/c/riverside/leave", {})
    assert versions()[0].status == "adopted"  # 2 of 3 now, from two professions


# --- what people type is shown as text ------------------------------------------------------

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_vision_text_goals_and_comments_are_escaped(chapter, client, login_as, post):
    ann = make_member(chapter)
    bob = make_member(chapter)
    login_as(ann.user)
    propose(post, f"Statement {XSS}", (f"Goal {XSS}",))
    vision = versions()[0]
    respond(post, vision, "object", f"Comment {XSS}")
    pages = [VISION, f"{VISION}/history"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        for text in ("Statement", "Goal", "Comment"):
            assert f"{text} {ESCAPED}" in html
        assert XSS not in html

    respond(post, vision, "endorse")
    login_as(bob.user)
    respond(post, vision, "endorse")
    for url in ("/c/riverside", VISION):
        html = client.get(url).get_data(as_text=True)
        assert f"Statement {ESCAPED}" in html and f"Goal {ESCAPED}" in html
        assert XSS not in html


# --- page cost ------------------------------------------------------------------------------


def test_the_vision_page_cost_does_not_grow_with_the_roster(
    chapter, client, login_as, query_counter
):
    proposer = make_member(chapter)
    vision = make_vision(chapter, proposer.user, goals=("One.", "Two.", "Three."))

    def add_objecting_members(n):
        for i in range(n):
            m = make_member(chapter, profession=("Medicine", "Nursing")[i % 2], commit=False)
            db.session.add(
                VisionResponse(vision=vision, user=m.user, stance="object", comment="Not yet.")
            )
        db.session.commit()

    def measure() -> int:
        db.session.expunge_all()
        with query_counter() as statements:
            response = client.get(VISION)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("objects: “Not yet.”") == expected
        return len(statements)

    add_objecting_members(5)
    login_as(make_user(national_staff=True))
    expected = 5
    client.get(VISION)
    small = measure()
    chapter, vision = db.session.merge(chapter), db.session.merge(vision)
    add_objecting_members(45)
    expected = 50
    large = measure()
    assert small == large


# --- who counts: one rule, in Python and in SQL -----------------------------------------------


def test_who_counts_for_the_vision_is_the_same_rule_in_python_and_in_sql(chapter):
    other = make_chapter("Lakeside Health", slug="lakeside")
    mixed = [
        make_member(chapter, "member", name="Student Member"),
        make_member(chapter, "leader", name="Student Leader", profession="Nursing"),
        make_member(chapter, "member", name="Faculty Member", kind="faculty"),
        make_member(chapter, "advisor", name="Faculty Advisor"),
        make_member(chapter, "advisor", name="Student Advisor", kind="student"),
        make_member(chapter, "member", name="Student Who Left"),
        make_member(chapter, "leader", name="Leader Who Left"),
        make_member(other, "member", name="Other Chapter Student"),
    ]
    for gone in mixed[5:7]:
        gone.status = "left"
    db.session.commit()

    def ids_where(clause) -> set[int]:
        return set(db.session.scalars(select(Membership.id).where(clause)))

    rows = db.session.scalars(select(Membership)).all()
    counting = {m.id for m in rows if m.counts_for_vision}
    taking_part = {m.id for m in rows if m.is_participant}
    assert counting == ids_where(Membership.counts_for_vision)
    assert taking_part == ids_where(Membership.is_participant)
    names = {m.id: m.user.display_name for m in rows}
    assert {names[i] for i in counting} == {
        "Student Member",
        "Student Leader",
        "Other Chapter Student",
    }
    assert {names[i] for i in taking_part} == {
        "Student Member",
        "Student Leader",
        "Faculty Member",
        "Other Chapter Student",
    }
    # The chapter queries use the same rule.
    assert {m.id for m in eligible_voters(chapter.id)} == counting - {mixed[7].id}
    assert {m.id for m in participants(chapter.id)} == taking_part - {mixed[7].id}
