"""What a probe found: one URL per object, one-line fields, an even-timed reset request, a
production that answers only its own host names, and demo addresses that work."""

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound
from wtforms import StringField
from wtforms.fields.core import UnboundField

from accounts.models import PasswordResetToken
from campaigns.models import Action
from chapters.models import Invitation
from config import ProductionConfig
from core.app import create_app
from core.extensions import db
from core.forms import SingleLineField, one_line
from core.models import OutboxMessage
from tests.conftest import csrf_token_for
from tests.factories import make_action, make_campaign, make_chapter, make_member, make_user

# --- URL integers: ASCII digits only --------------------------------------------------------

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _int_routes(app):
    """(rule, a URL for it with ASCII ids 12, the same URL with full-width digits)."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if conv.regex == "[0-9]+"]
        if not ints:
            continue
        values = {}
        for name, conv in rule._converters.items():
            if name in ints:
                values[name] = 12
            elif hasattr(conv, "items"):  # <any(a, b):name>
                values[name] = sorted(conv.items)[0]
            else:
                values[name] = "riverside"
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        url = adapter.build(rule.endpoint, values, method=method)
        yield rule, method, url, url.replace("12", "１２")


def test_int_routes_exist_to_walk(app):
    assert len(list(_int_routes(app))) >= 20


def test_a_unicode_digit_id_is_404_on_every_route(app, client, post):
    adapter = app.url_map.bind("localhost")
    for rule, method, ascii_url, unicode_url in _int_routes(app):
        assert adapter.match(ascii_url, method=method)[0] == rule.endpoint
        with pytest.raises(NotFound):
            adapter.match(unicode_url, method=method)
        response = client.get(unicode_url) if method == "GET" else post(unicode_url, {})
        assert response.status_code == 404, (rule.rule, method, response.status_code)


def test_a_fullwidth_action_id_is_not_the_action(client, login_as):
    chapter = make_chapter(slug="riverside")
    leader = make_member(chapter, "leader").user
    action = make_action(make_campaign(chapter, status="active", created_by=leader))
    login_as(leader)

    assert client.get(f"/c/riverside/actions/{action.id}").status_code == 200
    assert client.get(
        f"/c/riverside/actions/{str(action.id).translate(FULLWIDTH)}"
    ).status_code == (404)


# --- single-line fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Council\r\ntestimony", "Council testimony"),
        ("a\nb\rc", "a b c"),
        ("two\n\n\nbreaks", "two breaks"),
        ("line\u2028separator", "line separator"),
        ("plain", "plain"),
        (None, None),
    ],
)
def test_one_line_turns_line_breaks_into_a_space(sent, kept):
    assert one_line(sent) == kept


def _all_form_classes():
    import accounts.forms
    import campaigns.forms
    import chapters.forms

    modules = (accounts.forms, chapters.forms, campaigns.forms)
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, FlaskForm):
                yield value


def _unbound_fields(form_class):
    for name in dir(form_class):
        field = getattr(form_class, name, None)
        if isinstance(field, UnboundField):
            yield f"{form_class.__name__}.{name}", field
            for arg in field.args:  # FieldList(SingleLineField(...))
                if isinstance(arg, UnboundField):
                    yield f"{form_class.__name__}.{name}[]", arg


def test_every_text_input_of_every_form_is_single_line():
    plain = [
        name
        for form_class in _all_form_classes()
        for name, field in _unbound_fields(form_class)
        if field.field_class is StringField
    ]
    single = [
        name
        for form_class in _all_form_classes()
        for name, field in _unbound_fields(form_class)
        if field.field_class is SingleLineField
    ]
    assert not plain, f"use core.forms.SingleLineField for: {plain}"
    assert {"ActionForm.title", "ActionForm.location", "ChapterForm.name"} <= set(single)


def test_a_title_and_location_sent_with_line_breaks_are_stored_on_one_line(client, post, login_as):
    chapter = make_chapter(slug="riverside")
    leader = make_member(chapter, "leader").user
    campaign = make_campaign(chapter, status="active", created_by=leader)
    login_as(leader)

    response = post(
        f"/c/riverside/campaigns/{campaign.id}/actions/new",
        {
            "kind": "testimony",
            "title": "Council\r\ntestimony",
            "day": "2030-05-14",
            "start_time": "18:00",
            "end_time": "19:00",
            "location": "Room 1\nCity Hall",
            "description": "Two\nlines stay two lines.",
        },
    )

    assert response.status_code == 302
    action = db.session.scalar(select(Action).where(Action.campaign_id == campaign.id))
    assert (action.title, action.location) == ("Council testimony", "Room 1 City Hall")
    assert action.description == "Two\nlines stay two lines."


def test_a_chapter_name_and_profile_name_are_stored_on_one_line(client, post, login_as):
    chapter = make_chapter(slug="riverside", name="Riverside")
    leader = make_user(national_staff=True)
    login_as(leader)

    post(
        "/c/riverside/edit",
        {
            "name": "Riverside\r\nHealth",
            "slug": "riverside",
            "institution": "Riverside\nUniversity",
            "region": "Midwest",
            "timezone": chapter.timezone,
            "version": chapter.version,
        },
    )
    post("/profile", {"display_name": "Pat\r\nQuinn", "profession": "Nursing"})

    db.session.refresh(chapter)
    db.session.refresh(leader)
    assert (chapter.name, chapter.institution) == ("Riverside Health", "Riverside University")
    assert leader.display_name == "Pat Quinn"


# --- password reset: the same work for any email ----------------------------------------------


def test_a_reset_request_does_the_same_work_in_the_request_for_any_email(
    client, post, query_counter, sent_mail
):
    user = make_user("pat@example.org")
    client.get("/password/forgot")

    def statements_in_request(email):
        # Counted until the response is ready; the mailing runs once it is closed.
        with query_counter() as statements:
            response = post("/password/forgot", {"email": email}, buffered=False)
            counted = len(statements)
        assert response.status_code == 302
        response.close()
        return counted

    unknown = statements_in_request("nobody@example.org")
    existing = statements_in_request(user.email)

    assert unknown == existing
    assert [m["To"] for m in sent_mail] == [user.email]
    assert db.session.scalar(select(func.count(PasswordResetToken.id))) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


# --- production: trusted host names -----------------------------------------------------------


@pytest.fixture
def production_app(db_url, tmp_path):
    made = []

    def _make(**overrides):
        settings = {
            "SECRET_KEY": "a-long-random-production-secret",
            "SQLALCHEMY_DATABASE_URI": db_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "MAIL_BACKEND": "memory",
        }
        made.append(create_app(ProductionConfig, **(settings | overrides)))
        return made[-1]

    yield _make
    for instance in made:
        with instance.app_context():
            db.engine.dispose()


def test_production_answers_only_its_own_host_names(production_app):
    app = production_app(TRUSTED_HOSTS=["relay.example.org"])
    browser = app.test_client()

    assert browser.get("/login", base_url="https://relay.example.org").status_code == 200
    refused = browser.get("/login", base_url="https://evil.example")
    assert refused.status_code == 400
    assert "Bad request" in refused.get_data(as_text=True)
    assert browser.get("/login", headers={"Host": "evil.example"}).status_code == 400


def test_production_trusts_base_url_host_when_no_host_names_are_set(production_app):
    app = production_app(TRUSTED_HOSTS=None, BASE_URL="https://relay.example.org")

    assert app.config["TRUSTED_HOSTS"] == ["relay.example.org"]
    browser = app.test_client()
    assert browser.get("/login", base_url="https://relay.example.org").status_code == 200
    assert browser.get("/login", base_url="https://localhost").status_code == 400


def test_outside_production_any_host_is_answered(client):
    assert client.get("/login", base_url="http://relay.local:5000").status_code == 200


# --- demo addresses: reserved test domains outside production -------------------------------


def test_a_relay_test_account_can_ask_for_a_password_reset(post, sent_mail):
    user = make_user("member@relay.test")

    response = post("/password/forgot", {"email": "member@relay.test"})

    assert response.status_code == 302
    assert [m["To"] for m in sent_mail] == [user.email]


def test_a_relay_test_address_can_be_invited(client, post, login_as):
    chapter = make_chapter(slug="riverside")
    leader = make_member(chapter, "leader").user
    login_as(leader)

    post("/c/riverside/invitations", {"email": "newcomer@relay.test", "role": "member"})

    invited = db.session.scalar(select(Invitation.email).where(Invitation.chapter_id == chapter.id))
    assert invited == "newcomer@relay.test"


def test_production_refuses_reserved_test_domains(production_app):
    app = production_app(TRUSTED_HOSTS=["localhost"])
    browser = app.test_client()
    browser.get("/password/forgot", base_url="https://localhost")

    response = browser.post(
        "/password/forgot",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/password/forgot"},
        data={"email": "member@relay.test", "csrf_token": csrf_token_for(browser)},
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.get_data(as_text=True)
