"""CAMPAIGN_ROUTE_EXPECTATIONS: every route of the campaigns blueprint, for every kind of person.

The table test_campaign_permissions_matrix.py walks (and test_routes.py checks for
completeness); test_campaign_permissions_isolation.py reuses its object routes.
"""

from collections.abc import Callable
from datetime import timedelta

from campaigns.models import SwapRequest
from campaigns.services.calendars import chapter_feed_token, person_feed_token
from core.db import utcnow
from core.extensions import db
from tests.campaign_permissions_world import ACTORS, DONE, LOGIN, OK, REFUSED, Route, World
from tests.factories import make_signup


def route(endpoint, method, url, *, data=None, prepare=None, label="", **expect) -> Route:
    expect.setdefault("anonymous", LOGIN)
    assert set(expect) == set(ACTORS), f"{endpoint} {method}: give every actor an expectation"
    return Route(endpoint, method, url, expect, data or (lambda w: {}), prepare, label)


def readers(**overrides) -> dict:
    """A page every member of A (any role) and national staff may read; B may not see it."""
    return dict.fromkeys(ACTORS[1:], OK) | {"member_b": 404} | overrides


def managers(allowed) -> dict:
    """Leaders of A only; others who see the chapter get 403, member B gets 404."""
    return dict.fromkeys(ACTORS[1:], 403) | {"member_b": 404, "leader_a": allowed}


def signed_in(allowed) -> dict:
    """Pages about yourself or the whole network: anyone signed in."""
    return dict.fromkeys(ACTORS[1:], allowed)


def token_feed(status) -> dict:
    """Secret calendar feeds: the token decides, not the login."""
    return dict.fromkeys(ACTORS, status)


def campaign_form(w: World) -> dict:
    return {
        "playbook": "",
        "title": "Naloxone in every dorm",
        "issue": "",
        "target_community": "",
        "decision_maker": "Dean of Students",
        "objective": "Kits in every hall",
        "goal_id": str(w.goal.id),
        "start_date": "2026-09-01",
        "end_date": "2026-12-15",
    }


def action_form(w: World) -> dict:
    return {
        "kind": "meeting",
        "title": "Meet the dean again",
        "day": (utcnow() + timedelta(days=20)).date().isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "location": "Admin building",
        "description": "",
        "capacity": "",
    }


def milestone_form(w: World) -> dict:
    return {"title": "Kits ordered", "criteria": "Receipt", "due_date": "2026-12-01"}


def set_status(status: str) -> Callable[[World], None]:
    def _prepare(w: World) -> None:
        w.campaign.status = status
        db.session.commit()

    return _prepare


def start_the_action(w: World) -> None:
    w.action.starts_at = utcnow() - timedelta(hours=2)
    w.action.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()


def sign_everyone_up(w: World) -> None:
    for who in ("member_a", "lead_a", "leader_a"):
        make_signup(w.action, w.people[who], commit=False)
    db.session.commit()


def open_a_swap(w: World) -> None:
    swap = SwapRequest(action_id=w.action.id, from_user_id=w.people["lead_a"].id, note="Exams")
    db.session.add(swap)
    db.session.commit()
    w.extra["swap"] = swap.id


def submitted(w: World) -> None:
    """The world's milestone waits for an advisor (prepared once, however often asked)."""
    from campaigns.services.signoff import submit_milestone

    if "submission" not in w.extra:
        sub = submit_milestone(w.milestone, "Petition", [], w.people["leader_a"], "leader")
        db.session.commit()
        w.extra["submission"] = sub.id


def approved(w: World) -> None:
    """The world's milestone is signed off (locked)."""
    from campaigns.services.signoff import decide
    from campaigns.signoff_models import MilestoneSubmission

    submitted(w)
    if w.milestone.status != "approved":
        sub = db.session.get(MilestoneSubmission, w.extra["submission"])
        decide(sub, True, "", w.people["advisor_a"], "advisor")
        db.session.commit()


def addendum_with_a_file(w: World) -> None:
    """The signed-off milestone has an addendum with a PNG (prepared once)."""
    from campaigns.evidence_rules import Evidence
    from campaigns.services.signoff import submit_addendum
    from demo_outcomes import tiny_png

    approved(w)
    if "addendum_file" not in w.extra:
        addendum = submit_addendum(
            w.milestone,
            "The count was 400",
            w.people["leader_a"],
            "leader",
            [(tiny_png(), Evidence("image/png", "png"))],
            no_patient_info=True,
        )
        db.session.commit()
        w.extra["addendum_file"] = addendum.files[0].id


def advisors(allowed) -> dict:
    """The chapter's faculty advisors only; others who see the chapter get 403."""
    return dict.fromkeys(ACTORS[1:], 403) | {"member_b": 404, "advisor_a": allowed}


def milestone_url(path: str = "") -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}/milestones/{w.milestone.id}{path}"


def decide_url(w: World) -> str:
    return f"/c/{w.a.slug}/signoffs/{w.extra['submission']}/decide"


def a(path: str) -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}{path}"


def campaign_url(path: str = "") -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}/campaigns/{w.campaign.id}{path}"


def action_url(path: str = "") -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}/actions/{w.action.id}{path}"


def swap_url(change: str) -> Callable[[World], str]:
    return lambda w: f"/c/{w.a.slug}/swaps/{w.extra['swap']}/{change}"


def chapter_feed(w: World) -> str:
    return f"/calendar/chapter/{chapter_feed_token(w.a, w.people['member_a'])}.ics"


def person_feed(w: World) -> str:
    member = w.people["member_a"]
    return f"/calendar/me/{person_feed_token(member)}.ics"


def _routes() -> list[Route]:
    return [
        route("campaigns.campaign_list", "GET", a("/campaigns"), **readers()),
        route("campaigns.new_campaign", "GET", a("/campaigns/new"), **managers(OK)),
        route(
            "campaigns.new_campaign",
            "POST",
            a("/campaigns/new"),
            data=campaign_form,
            **managers(DONE),
        ),
        route("campaigns.campaign_page", "GET", campaign_url(), **readers()),
        route("campaigns.campaign_actions", "GET", campaign_url("/actions"), **readers()),
        route("campaigns.edit_campaign", "GET", campaign_url("/edit"), **managers(OK)),
        route(
            "campaigns.edit_campaign",
            "POST",
            campaign_url("/edit"),
            data=campaign_form,
            **managers(DONE),
        ),
        route("campaigns.campaign_status", "GET", campaign_url("/status/archived"), **managers(OK)),
        route(
            "campaigns.campaign_status",
            "POST",
            campaign_url("/status/archived"),
            label="archived",
            **managers(DONE),
        ),
        route(
            "campaigns.campaign_status",
            "POST",
            campaign_url("/status/completed"),
            label="completed",
            **managers(DONE),
        ),
        route(
            "campaigns.campaign_status",
            "POST",
            campaign_url("/status/active"),
            prepare=set_status("completed"),
            label="active",
            **managers(DONE),
        ),
        route(
            "campaigns.publish",
            "POST",
            campaign_url("/publish"),
            prepare=set_status("completed"),
            data=lambda w: {"summary": "Copy us"},
            **managers(DONE),
        ),
        route("campaigns.pool", "GET", campaign_url("/pool"), **readers()),
        route(
            "campaigns.pool",
            "POST",
            campaign_url("/pool"),
            data=lambda w: {"change": "join"},
            label="join myself",
            # Only members outside the pool can join; the lead and leader are already in.
            **readers(member_a=DONE, lead_a=REFUSED, leader_a=REFUSED, advisor_a=403, staff=403),
        ),
        route(
            "campaigns.pool",
            "POST",
            campaign_url("/pool"),
            data=lambda w: {"change": "join", "user_id": str(w.outside_pool.id)},
            label="add someone",
            **managers(DONE),
        ),
        *[
            route(
                "campaigns.pool_add",
                "POST",
                campaign_url("/pool/add"),
                data=data,
                label=label,
                **managers(DONE),
            )
            for label, data in (
                ("everyone", lambda w: {"add": "everyone"}),
                ("selected", lambda w: {"add": "selected", "user_id": str(w.outside_pool.id)}),
            )
        ],
        route("campaigns.new_milestone", "GET", campaign_url("/milestones/new"), **managers(OK)),
        route(
            "campaigns.new_milestone",
            "POST",
            campaign_url("/milestones/new"),
            data=milestone_form,
            **managers(DONE),
        ),
        route(
            "campaigns.edit_milestone",
            "GET",
            lambda w: f"/c/{w.a.slug}/milestones/{w.milestone.id}/edit",
            **managers(OK),
        ),
        route(
            "campaigns.edit_milestone",
            "POST",
            lambda w: f"/c/{w.a.slug}/milestones/{w.milestone.id}/edit",
            data=milestone_form,
            **managers(DONE),
        ),
        route("campaigns.new_action", "GET", campaign_url("/actions/new"), **managers(OK)),
        route(
            "campaigns.new_action",
            "POST",
            campaign_url("/actions/new"),
            data=action_form,
            **managers(DONE),
        ),
        route("campaigns.action_page", "GET", action_url(), **readers()),
        route("campaigns.action_signup_list", "GET", action_url("/signups"), **readers()),
        route("campaigns.action_lead_history", "GET", action_url("/history"), **readers()),
        # The lead of an action edits it, like a leader.
        route("campaigns.edit_action", "GET", action_url("/edit"), **managers(OK) | {"lead_a": OK}),
        route(
            "campaigns.edit_action",
            "POST",
            action_url("/edit"),
            data=action_form,
            **managers(DONE) | {"lead_a": DONE},
        ),
        route(
            "campaigns.signup",
            "POST",
            action_url("/signup"),
            label="signup",
            **readers(member_a=DONE, lead_a=DONE, leader_a=DONE, advisor_a=403, staff=403),
        ),
        route(
            "campaigns.signup",
            "POST",
            action_url("/withdraw"),
            prepare=sign_everyone_up,
            label="withdraw",
            **readers(member_a=DONE, lead_a=DONE, leader_a=DONE, advisor_a=403, staff=403),
        ),
        *[
            route(
                "campaigns.action_status",
                "GET",
                action_url(f"/status/{status}"),
                label=status,
                **managers(OK) | {"lead_a": OK},
            )
            for status in ("cancelled", "done")
        ],
        route(
            "campaigns.action_status",
            "POST",
            action_url("/status/cancelled"),
            label="cancelled",
            **managers(DONE) | {"lead_a": DONE},
        ),
        route(
            "campaigns.action_status",
            "POST",
            action_url("/status/done"),
            prepare=start_the_action,
            label="done",
            **managers(DONE) | {"lead_a": DONE},
        ),
        route(
            "campaigns.assign",
            "POST",
            action_url("/lead"),
            data=lambda w: {
                "user_id": str(w.pool_mate.id),
                "reason": "Pat knows the dean",
                "version": str(w.action.version),
            },
            **managers(DONE),
        ),
        # Only the lead hands off or asks a swap, not even a leader.
        route(
            "campaigns.handoff",
            "POST",
            action_url("/handoff"),
            data=lambda w: {
                "user_id": str(w.pool_mate.id),
                "note": "Room booked",
                "version": str(w.action.version),
            },
            **managers(403) | {"lead_a": DONE},
        ),
        route(
            "campaigns.swap",
            "POST",
            action_url("/swap"),
            data=lambda w: {"note": "Exams"},
            **managers(403) | {"lead_a": DONE},
        ),
        route(
            "campaigns.swap_change",
            "POST",
            swap_url("accept"),
            prepare=open_a_swap,
            label="accept",
            # Member A is not in the pool; the lead cannot take their own swap.
            **readers(member_a=REFUSED, lead_a=REFUSED, leader_a=DONE, advisor_a=403, staff=403),
        ),
        route(
            "campaigns.swap_change",
            "POST",
            swap_url("cancel"),
            prepare=open_a_swap,
            label="cancel",
            **managers(DONE) | {"lead_a": DONE},
        ),
        route("campaigns.fairness", "GET", a("/rotation"), **readers()),
        route("campaigns.playbooks", "GET", lambda w: "/playbooks", **signed_in(OK)),
        route(
            "campaigns.playbook_page",
            "GET",
            lambda w: "/playbooks/meet-a-legislator",
            **signed_in(OK),
        ),
        route("campaigns.chapter_calendar", "GET", a("/calendar"), **readers()),
        route(
            "campaigns.regenerate_chapter_feed",
            "POST",
            a("/calendar/regenerate"),
            **managers(DONE),
        ),
        route("campaigns.chapter_feed", "GET", chapter_feed, label="valid", **token_feed(OK)),
        route(
            "campaigns.chapter_feed",
            "GET",
            lambda w: chapter_feed(w).replace("-", "-9", 1),
            label="tampered",
            **token_feed(404),
        ),
        route("campaigns.person_feed", "GET", person_feed, label="valid", **token_feed(OK)),
        route(
            "campaigns.person_feed",
            "GET",
            lambda w: person_feed(w)[:-8] + "0000.ics",
            label="tampered",
            **token_feed(404),
        ),
        route("campaigns.action_ics", "GET", action_url(".ics"), **readers()),
        route("campaigns.my_availability", "GET", lambda w: "/me/availability", **signed_in(OK)),
        route(
            "campaigns.my_availability",
            "POST",
            lambda w: "/me/availability",
            data=lambda w: {"start_date": "2026-12-01", "end_date": "2026-12-05", "reason": ""},
            **signed_in(DONE),
        ),
        # Your own unavailable dates only: anyone else is told they do not exist.
        route(
            "campaigns.delete_availability",
            "POST",
            lambda w: f"/me/availability/{w.availability.id}/delete",
            **signed_in(404) | {"member_a": DONE},
        ),
        route(
            "campaigns.regenerate_my_feed",
            "POST",
            lambda w: "/me/calendar/regenerate",
            **signed_in(DONE),
        ),
        # Milestone sign-off.
        route("campaigns.chapter_milestone_list", "GET", a("/milestones"), **readers()),
        route("campaigns.milestone_page", "GET", milestone_url(), **readers()),
        route("campaigns.submit_for_signoff", "GET", milestone_url("/submit"), **managers(OK)),
        route(
            "campaigns.submit_for_signoff",
            "POST",
            milestone_url("/submit"),
            data=lambda w: {"summary": "Petition delivered to the dean"},
            **managers(DONE),
        ),
        route("campaigns.decide_signoff", "GET", decide_url, prepare=submitted, **advisors(OK)),
        route(
            "campaigns.decide_signoff",
            "POST",
            decide_url,
            prepare=submitted,
            data=lambda w: {"decision": "return", "comment": "Add the count", "version": "1"},
            **advisors(DONE),
        ),
        route("campaigns.reopen", "GET", milestone_url("/reopen"), **advisors(OK)),
        route(
            "campaigns.reopen",
            "POST",
            milestone_url("/reopen"),
            prepare=approved,
            data=lambda w: {"reason": "The count was wrong"},
            **advisors(DONE),
        ),
        route("campaigns.add_addendum", "GET", milestone_url("/addendum"), **managers(OK)),
        route(
            "campaigns.add_addendum",
            "POST",
            milestone_url("/addendum"),
            prepare=approved,
            data=lambda w: {"text": "400 signatures, not 40"},
            **managers(DONE),
        ),
        route("campaigns.signoff_queue", "GET", lambda w: "/signoffs", **signed_in(OK)),
        # An addendum's files are read by whoever reads the chapter, like evidence files.
        route(
            "campaigns.addendum_file",
            "GET",
            lambda w: f"/c/{w.a.slug}/addendum-files/{w.extra['addendum_file']}",
            prepare=addendum_with_a_file,
            **readers(),
        ),
        # Your own list (actions you lead with no outcome): anyone signed in, scoped to them.
        route(
            "campaigns.actions_to_close", "GET", lambda w: "/me/actions-to-close", **signed_in(OK)
        ),
    ]


# The outcome rows live in their own module, which uses the helpers above.
from tests.outcome_permissions_table import outcome_routes  # noqa: E402

ROUTES = _routes() + outcome_routes()
CAMPAIGN_ROUTE_EXPECTATIONS: dict[str, list[Route]] = {}
for _r in ROUTES:
    CAMPAIGN_ROUTE_EXPECTATIONS.setdefault(_r.endpoint, []).append(_r)
