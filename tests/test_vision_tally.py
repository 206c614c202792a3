"""The overview's vision tally, counted in SQL, agrees with the rule counted in Python."""

import pytest

from chapters.models import MembershipStatus, Stance, VisionResponse
from chapters.services import proposal_tally, vision_tally
from core.extensions import db
from tests.factories import make_chapter, make_member, make_vision


def endorse(vision, membership, stance=Stance.ENDORSE):
    db.session.add(VisionResponse(vision=vision, user=membership.user, stance=stance))


@pytest.mark.parametrize("endorsing", [(), (0,), (0, 1), (0, 1, 2, 3)])
def test_sql_tally_matches_the_rule_on_a_mixed_roster(app, endorsing):
    chapter = make_chapter("Riverside Health", slug="riverside")
    other = make_chapter("Lakeside Health", slug="lakeside")
    students = [
        make_member(chapter, "leader", profession="Nursing"),
        make_member(chapter, "member", profession="Medicine"),
        make_member(chapter, "member", profession="Medicine"),
        make_member(chapter, "member", profession="Pharmacy"),
        make_member(chapter, "member", profession="Social Work"),
    ]
    faculty = make_member(chapter, "member", kind="faculty", profession="Dentistry")
    advisor = make_member(chapter, "advisor", profession="Medicine")
    gone = make_member(chapter, "member", profession="Public Health")
    gone.status = MembershipStatus.LEFT
    elsewhere = make_member(other, "member", profession="Nutrition")
    vision = make_vision(chapter, students[0].user)
    for i in endorsing:
        endorse(vision, students[i])
    endorse(vision, students[4], Stance.OBJECT)
    # None of these count, whatever they answer.
    for m in (faculty, advisor, gone, elsewhere):
        endorse(vision, m)
    db.session.commit()

    counted = proposal_tally(vision)
    assert counted == vision_tally(vision)
    assert counted.eligible == 5
    assert counted.endorsed == len(endorsing)
