"""Actions: times in the chapter's zone (across DST), sign-up rules, and who may edit an action."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from accounts.models import User
from campaigns.models import Action, ActionSignup, Campaign
from chapters.models import Chapter
from core.db import utcnow
from core.extensions import db
from tests.factories import (
    make_action,
    make_campaign,
    make_chapter,
    make_member,
    make_signup,
    make_user,
)


@dataclass
class World:
    chapter: Chapter
    campaign: Campaign
    leader: User
    nurse: User
    pharmacist: User
    advisor: User
    staff: User
    outsider: User


@pytest.fixture
def w(app) -> World:
    chapter = make_chapter("Eastside Health", slug="eastside", timezone="America/New_York")
    other = make_chapter("Westside Health", slug="westside")
    return World(
        chapter=chapter,
        campaign=make_campaign(chapter, title="Safe streets", status="active"),
        leader=make_member(chapter, "leader", name="Leo Leader").user,
        nurse=make_member(chapter, "member", name="Nia Nurse", profession="Nursing").user,
        pharmacist=make_member(chapter, "member", name="Pam Pharm", profession="Pharmacy").user,
        advisor=make_member(chapter, "advisor", name="Dr Ada Advisor").user,
        staff=make_user(name="Stella Staff", national_staff=True, kind="faculty"),
        outsider=make_member(other, "member", name="Otto Outsider").user,
    )


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def followed(client, response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)


def action_form(**overrides) -> dict:
    return {
        "kind": "meeting",
        "title": "Meet the council",
        "day": "2026-12-10",
        "start_time": "18:30",
        "end_time": "20:00",
        "location": "City Hall",
        "description": "Bring the one-pager.",
        "capacity": "",
    } | overrides


# --- times ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "starts", "ends", "shown"),
    [
        # After the November change New York is UTC-5 (EST)...
        (
            "2026-12-10",
            datetime(2026, 12, 10, 23, 30, tzinfo=UTC),
            datetime(2026, 12, 11, 1, 0, tzinfo=UTC),
            "Thursday 10 December 2026, 18:30 EST – 20:00 EST",
        ),
        # ...and before it UTC-4 (EDT): the same wall-clock time is another instant.
        (
            "2026-10-20",
            datetime(2026, 10, 20, 22, 30, tzinfo=UTC),
            datetime(2026, 10, 21, 0, 0, tzinfo=UTC),
            "Tuesday 20 October 2026, 18:30 EDT – 20:00 EDT",
        ),
    ],
)
def test_action_times_are_entered_and_shown_in_the_chapter_zone_and_stored_in_utc(
    w, client, login_as, post, day, starts, ends, shown
):
    login_as(w.leader)
    response = post(f"/c/eastside/campaigns/{w.campaign.id}/actions/new", action_form(day=day))
    action = db.session.scalar(select(Action))
    assert response.location.endswith(f"/c/eastside/actions/{action.id}")
    assert (action.starts_at, action.ends_at) == (starts, ends)
    assert (action.title, action.kind, action.location, action.capacity) == (
        "Meet the council",
        "meeting",
        "City Hall",
        None,
    )
    page = followed(client, response)
    assert "Action saved." in page
    assert shown in page

    # Editing shows the local date and times again, not UTC.
    edit = client.get(f"/c/eastside/actions/{action.id}/edit").get_data(as_text=True)
    assert f'value="{day}"' in edit
    assert 'value="18:30"' in edit
    assert 'value="20:00"' in edit


def test_an_action_that_ends_before_it_starts_is_refused_with_a_field_error(w, login_as, post):
    login_as(w.leader)
    response = post(
        f"/c/eastside/campaigns/{w.campaign.id}/actions/new",
        action_form(start_time="20:00", end_time="18:00"),
    )
    assert response.status_code == 200
    assert 'id="end_time-error" class="field-error">The action must end after it starts' in (
        response.get_data(as_text=True)
    )
    assert count(Action) == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("capacity", "0"),
        ("capacity", "-3"),
        ("capacity", "lots"),
        ("kind", "riot"),
        ("day", "31/12/2026"),
        ("start_time", "6pm"),
        ("title", ""),
    ],
)
def test_bad_input_is_refused_next_to_the_field(w, login_as, post, name, value):
    login_as(w.leader)
    response = post(
        f"/c/eastside/campaigns/{w.campaign.id}/actions/new", action_form(**{name: value})
    )
    assert response.status_code == 200
    assert f'id="{name}-error"' in response.get_data(as_text=True)
    assert count(Action) == 0


def test_a_new_actions_kind_is_chosen_never_defaulted(w, client, login_as, post):
    login_as(w.leader)
    url = f"/c/eastside/campaigns/{w.campaign.id}/actions/new"
    form = client.get(url).get_data(as_text=True)
    kinds = form.split('id="kind"', 1)[1].split("</select>", 1)[0]
    assert kinds.index('<option value="">Choose the kind of action…</option>') < kinds.index(
        "Meeting with decision-maker"
    )
    assert "selected" not in kinds  # the placeholder shows first; nothing is picked for you
    for missing in ({"kind": ""}, {}):
        data = {k: v for k, v in action_form(**missing).items() if k != "kind" or missing}
        page = post(url, data).get_data(as_text=True)
        assert 'id="kind-error"' in page and "Choose what kind of action this is." in page
    assert count(Action) == 0


# --- signing up -----------------------------------------------------------------------------


def signup_url(action, change="signup") -> str:
    return f"/c/eastside/actions/{action.id}/{change}"


def test_members_sign_up_and_the_page_shows_who_is_coming_and_their_professions(
    w, client, login_as, post
):
    action = make_action(w.campaign, title="Health fair")
    login_as(w.nurse)
    assert "Sign me up" in client.get(f"/c/eastside/actions/{action.id}").get_data(as_text=True)
    assert "You are signed up." in followed(client, post(signup_url(action)))
    login_as(w.pharmacist)
    page = followed(client, post(signup_url(action)))

    assert count(ActionSignup, ActionSignup.action_id == action.id) == 2
    assert "Who is coming (2)" in page
    assert 'Nia Nurse <small class="muted">Nursing</small>' in page
    assert 'Pam Pharm <small class="muted">Pharmacy</small>' in page
    assert "Professions: Nursing, Pharmacy" in page
    assert "Withdraw my sign-up" in page


def test_a_member_withdraws_their_sign_up(w, client, login_as, post):
    action = make_action(w.campaign)
    make_signup(action, w.nurse)
    make_signup(action, w.pharmacist)
    login_as(w.nurse)
    page = followed(client, post(signup_url(action, "withdraw")))
    assert "You are no longer signed up." in page
    assert db.session.scalars(select(ActionSignup.user_id)).all() == [w.pharmacist.id]
    # Withdrawing twice is refused politely.
    again = followed(client, post(signup_url(action, "withdraw")))
    assert "You are not signed up for this action." in again


def test_signing_up_twice_keeps_one_sign_up(w, client, login_as, post):
    action = make_action(w.campaign)
    make_signup(action, w.nurse)
    login_as(w.nurse)
    assert "You are already signed up." in followed(client, post(signup_url(action)))
    assert count(ActionSignup) == 1


@pytest.mark.parametrize(
    ("when", "status"),
    [(-timedelta(hours=1), "planned"), (-timedelta(days=3), "done"), (timedelta(3), "cancelled")],
)
def test_an_action_that_started_or_is_not_planned_cannot_be_signed_up_for(
    w, client, login_as, post, when, status
):
    action = make_action(w.campaign, starts_at=utcnow() + when, status=status)
    login_as(w.nurse)
    page_before = client.get(f"/c/eastside/actions/{action.id}").get_data(as_text=True)
    assert "Sign me up" not in page_before
    page = followed(client, post(signup_url(action)))
    assert "Sign-up is closed: this action has already started or is not planned." in page
    assert count(ActionSignup) == 0


def test_a_full_action_refuses_more_sign_ups(w, client, login_as, post):
    action = make_action(w.campaign, capacity=1)
    make_signup(action, w.nurse)
    login_as(w.pharmacist)
    page = client.get(f"/c/eastside/actions/{action.id}").get_data(as_text=True)
    assert "1 of 1 taken" in page
    assert "This action is full." in page
    assert "Sign me up" not in page
    refused = followed(client, post(signup_url(action)))
    assert "This action is full" in refused
    assert db.session.scalars(select(ActionSignup.user_id)).all() == [w.nurse.id]


@pytest.mark.parametrize("who", ["advisor", "staff"])
def test_advisors_and_national_staff_cannot_sign_up(w, client, login_as, post, who):
    action = make_action(w.campaign)
    login_as(getattr(w, who))
    page = client.get(f"/c/eastside/actions/{action.id}")
    assert page.status_code == 200
    assert "Sign me up" not in page.get_data(as_text=True)
    assert post(signup_url(action)).status_code == 403
    assert count(ActionSignup) == 0


def test_a_member_of_another_chapter_cannot_see_or_sign_up(w, client, login_as, post):
    action = make_action(w.campaign)
    login_as(w.outsider)
    assert client.get(f"/c/eastside/actions/{action.id}").status_code == 404
    assert post(signup_url(action)).status_code == 404
    # Nor through their own chapter's address.
    assert client.get(f"/c/westside/actions/{action.id}").status_code == 404
    assert post(f"/c/westside/actions/{action.id}/signup").status_code == 404
    assert count(ActionSignup) == 0


# --- who may edit ---------------------------------------------------------------------------


def test_the_lead_of_an_action_may_edit_it(w, client, login_as, post):
    action = make_action(w.campaign, title="Draft title", lead=w.nurse)
    login_as(w.nurse)
    page = client.get(f"/c/eastside/actions/{action.id}").get_data(as_text=True)
    assert f'href="/c/eastside/actions/{action.id}/edit"' in page
    assert client.get(f"/c/eastside/actions/{action.id}/edit").status_code == 200
    response = post(
        f"/c/eastside/actions/{action.id}/edit",
        action_form(title="Final title", day="2027-01-14", start_time="09:00", end_time="10:00"),
    )
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.title == "Final title"
    assert action.starts_at == datetime(2027, 1, 14, 14, 0, tzinfo=UTC)


def test_a_member_who_is_not_the_lead_may_not_edit_it(w, client, login_as, post):
    action = make_action(w.campaign, title="Draft title", lead=w.nurse)
    starts = action.starts_at
    login_as(w.pharmacist)
    page = client.get(f"/c/eastside/actions/{action.id}").get_data(as_text=True)
    assert "/edit" not in page
    assert client.get(f"/c/eastside/actions/{action.id}/edit").status_code == 403
    assert post(f"/c/eastside/actions/{action.id}/edit", action_form()).status_code == 403
    assert post(f"/c/eastside/actions/{action.id}/status/cancelled").status_code == 403
    db.session.refresh(action)
    assert (action.title, action.starts_at, action.status) == ("Draft title", starts, "planned")


def test_the_lead_can_cancel_their_action(w, client, login_as, post):
    action = make_action(w.campaign, lead=w.nurse)
    login_as(w.nurse)
    page = followed(client, post(f"/c/eastside/actions/{action.id}/status/cancelled"))
    assert "The action is marked cancelled." in page
    db.session.refresh(action)
    assert action.status == "cancelled"


def test_an_action_is_marked_done_only_once_it_has_started(w, client, login_as, post):
    upcoming = make_action(w.campaign)
    started = make_action(w.campaign, starts_at=utcnow() - timedelta(hours=2))
    login_as(w.leader)
    refused = followed(client, post(f"/c/eastside/actions/{upcoming.id}/status/done"))
    assert "An action can be marked done once it has started." in refused
    assert "The action is marked done." in followed(
        client, post(f"/c/eastside/actions/{started.id}/status/done")
    )
    db.session.refresh(upcoming)
    db.session.refresh(started)
    assert (upcoming.status, started.status) == ("planned", "done")
    # A done action cannot be cancelled afterwards.
    again = followed(client, post(f"/c/eastside/actions/{started.id}/status/cancelled"))
    assert "Only a planned action can be marked done or cancelled." in again
    db.session.refresh(started)
    assert started.status == "done"


def add_signers(chapter, action, n: int, profession: str = "Medicine") -> None:
    for i in range(n):
        signer = make_member(chapter, "member", name=f"Signer {i:02}", profession=profession)
        make_signup(action, signer.user, commit=False)
    db.session.commit()


def test_the_sign_up_list_shows_the_first_fifty_and_counts_them_all(w, client, login_as, post):
    action = make_action(w.campaign, capacity=56, starts_at=utcnow() + timedelta(days=2))
    add_signers(w.chapter, action, 54)
    make_signup(action, w.nurse)  # the 55th: past the shown list
    login_as(w.nurse)
    html = client.get(f"/c/eastside/actions/{action.id}").get_data(as_text=True)
    assert "Who is coming (55)" in html and "55 of 56 taken" in html
    assert "Signer 49" in html and "Signer 50" not in html and "and 5 more: " in html
    assert "Professions: Medicine, Nursing" in html  # the nurse counts though not shown
    assert "Withdraw my sign-up" in html
    add_signers(w.chapter, db.session.get(Action, action.id), 1)
    login_as(w.pharmacist)
    html = client.get(f"/c/eastside/actions/{action.id}").get_data(as_text=True)
    assert "This action is full." in html
    post(f"/c/eastside/actions/{action.id}/signup")
    assert count(ActionSignup, ActionSignup.action_id == action.id) == 56


def test_the_action_page_query_count_does_not_grow_with_sign_ups(
    w, client, login_as, query_counter
):
    action = make_action(w.campaign, starts_at=utcnow() + timedelta(days=2))
    action_id = action.id
    url = f"/c/eastside/actions/{action_id}"
    login_as(w.leader)

    def queries() -> int:
        client.get(url)
        db.session.expunge_all()
        with query_counter() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    add_signers(w.chapter, action, 3)
    few = queries()
    add_signers(w.chapter, db.session.get(Action, action_id), 70, profession="Nursing")
    assert queries() == few
