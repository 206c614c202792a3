"""Email with preferences: at once, in the daily digest, or in-app only; every email has a
text and an HTML part and a signed one-click unsubscribe link that needs no sign-in and
works only for its owner and kind."""

import email.policy
from email import message_from_bytes
from urllib.parse import urlsplit

from hypothesis import example, given
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from campaigns.services.actions import ACTION_FIELDS, save_action
from campaigns.services.leads import assign_lead
from core.db import utcnow
from core.extensions import db
from core.mail import _build
from core.models import OutboxMessage, OutboxStatus
from notifications.email import mail_digest, mail_notification, unsubscribe_token
from notifications.kinds import Delivery, Kind
from notifications.models import EmailState, Notification, NotificationPreference
from notifications.reminders import send_digests
from notifications.services import preferences_of, set_preferences
from tests.notifications_world import outbox_to, world_fixture  # noqa: F401  (fixture)
from tests.test_mail_delivery import ENCODED_WORD


def _assign_m3(world):
    assign_lead(world.action, world.m3.id, world.leader, "Moe asked", world.action.version)
    db.session.commit()


def _move_action(world, where="Room 101"):
    data = {f: getattr(world.action, f) for f in ACTION_FIELDS} | {"location": where}
    save_action(world.campaign, world.action, data, world.leader)
    db.session.commit()


def _path(url: str) -> str:
    return urlsplit(url).path


def test_at_once_queues_an_email_in_the_same_transaction(world):
    _assign_m3(world)
    [msg] = outbox_to(world.m3)
    assert "asked you to lead “Health fair”" in msg.body
    assert "/c/riverside/actions/" in msg.body and "Health fair" in msg.html
    assert msg.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.headers["List-Unsubscribe"].startswith("<http")
    em = message_from_bytes(bytes(_build(msg)))
    assert em.is_multipart()
    assert {p.get_content_type() for p in em.walk()} >= {"text/plain", "text/html"}
    assert em["List-Unsubscribe"] == msg.headers["List-Unsubscribe"]
    html = next(p for p in em.walk() if p.get_content_type() == "text/html")
    title = html.get_payload(decode=True).decode().split("<title>")[1].split("</title>")[0]
    assert title == msg.subject
    assert title.startswith("Relay: Leo Leader asked you to lead “Health fair” on ")
    assert db.session.scalar(select(Notification.email_state)) == EmailState.SENT


def test_digest_kinds_wait_for_the_digest_and_go_once(world):
    _move_action(world)  # action changed: the digest by default
    assert outbox_to(world.m1) == []
    _move_action(world, "Room 202")

    assert send_digests(utcnow()) == 3  # the lead and the two sign-ups
    db.session.commit()
    [digest] = outbox_to(world.m1)
    assert "Room 101" in digest.body and "Room 202" in digest.body
    assert "digest" in digest.subject and "Room 202" in digest.html

    assert send_digests(utcnow()) == 0
    db.session.commit()
    assert len(outbox_to(world.m1)) == 1


def test_in_app_only_sends_no_email_ever(world):
    set_preferences(world.m1, {Kind.ACTION_CHANGED: Delivery.IN_APP})
    set_preferences(world.m3, {Kind.LEAD_ASSIGNED: Delivery.IN_APP})
    db.session.commit()
    _move_action(world)
    _assign_m3(world)
    send_digests(utcnow())
    db.session.commit()
    assert outbox_to(world.m1) == [] and outbox_to(world.m3) == []
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.recipient_id == world.m1.id)
        )
        == 1
    )  # still in the inbox


def test_at_once_for_a_digest_kind_and_digest_for_an_at_once_kind(world):
    set_preferences(world.m1, {Kind.ACTION_CHANGED: Delivery.IMMEDIATE})
    set_preferences(world.m3, {Kind.LEAD_ASSIGNED: Delivery.DIGEST})
    db.session.commit()
    _move_action(world)
    _assign_m3(world)
    assert len(outbox_to(world.m1)) == 1 and outbox_to(world.m3) == []
    send_digests(utcnow())
    db.session.commit()
    assert len(outbox_to(world.m1)) == 1  # not again in a digest
    assert len(outbox_to(world.m3)) == 1


def test_the_settings_page_saves_each_kind(world, client, login_as, post):
    login_as(world.m1)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "You are assigned to lead an action" in page and "Daily digest" in page
    choices = dict(preferences_of(world.m1))
    choices[Kind.SWAP_ASKED] = Delivery.IMMEDIATE
    choices[Kind.VISION_ADOPTED] = Delivery.IN_APP
    assert post("/settings/notifications", choices).status_code == 302
    saved = preferences_of(world.m1)
    assert saved[Kind.SWAP_ASKED] == Delivery.IMMEDIATE
    assert saved[Kind.VISION_ADOPTED] == Delivery.IN_APP
    assert preferences_of(world.m2)[Kind.SWAP_ASKED] == Delivery.DIGEST  # nobody else's


def test_a_bad_choice_is_refused_on_the_page(world, client, login_as, post):
    login_as(world.m1)
    response = post("/settings/notifications", {Kind.SWAP_ASKED: "sms"})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(NotificationPreference.id))) == 0


def _prefs_table():
    return sorted(
        db.session.execute(
            select(
                NotificationPreference.user_id,
                NotificationPreference.kind,
                NotificationPreference.delivery,
            )
        ).all()
    )


def test_the_emailed_link_turns_its_kind_off_without_signing_in(world, app):
    _assign_m3(world)
    [msg] = outbox_to(world.m3)
    url = _path(msg.headers["List-Unsubscribe"].strip("<>"))
    anonymous = app.test_client()

    page = anonymous.get(url)
    assert page.status_code == 200
    assert "Stop emails for" in page.get_data(as_text=True)
    assert _prefs_table() == []  # a GET changes nothing

    assert anonymous.post(url).status_code == 200
    assert preferences_of(world.m3)[Kind.LEAD_ASSIGNED] == Delivery.IN_APP
    # only that person and that kind
    assert _prefs_table() == [(world.m3.id, Kind.LEAD_ASSIGNED, Delivery.IN_APP)]


def test_one_click_post_from_a_mail_program(world, app):
    url = f"/notifications/unsubscribe/{unsubscribe_token(world.m1.id, Kind.SWAP_ASKED)}"
    response = app.test_client().post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert preferences_of(world.m1)[Kind.SWAP_ASKED] == Delivery.IN_APP


def test_the_digest_link_turns_off_every_digest_kind(world, app):
    set_preferences(world.m1, {Kind.SWAP_ASKED: Delivery.IMMEDIATE})
    db.session.commit()
    url = f"/notifications/unsubscribe/{unsubscribe_token(world.m1.id, 'digest')}"
    assert app.test_client().post(url).status_code == 200
    prefs = preferences_of(world.m1)
    assert prefs[Kind.SWAP_ASKED] == Delivery.IMMEDIATE
    assert prefs[Kind.LEAD_ASSIGNED] == Delivery.IMMEDIATE
    assert prefs[Kind.ACTION_CHANGED] == Delivery.IN_APP
    assert Delivery.DIGEST not in prefs.values()


def test_a_tampered_or_foreign_token_is_refused_with_a_clear_page(world, app):
    good = unsubscribe_token(world.m1.id, Kind.SWAP_ASKED)
    someone_else = unsubscribe_token(world.m2.id, Kind.SWAP_ASKED)
    forged_payload = someone_else.split(".")[0] + "." + good.split(".")[1]
    other_salt = URLSafeSerializer(app.secret_key, salt="other").dumps([world.m1.id, "swap_asked"])
    unknown_kind = unsubscribe_token(world.m1.id, "everything")
    other_key = URLSafeSerializer("not-our-secret", salt="relay.notifications.unsubscribe").dumps(
        [world.m1.id, "swap_asked"]
    )
    anonymous = app.test_client()
    for token in (good[:-2] + "xx", forged_payload, other_salt, unknown_kind, other_key):
        for method in ("get", "post"):
            response = getattr(anonymous, method)(f"/notifications/unsubscribe/{token}")
            assert response.status_code == 400, (token, method)
            assert "This link is not valid" in response.get_data(as_text=True)
    assert _prefs_table() == []


def test_a_kinds_token_does_not_touch_another_kind(world, app):
    url = f"/notifications/unsubscribe/{unsubscribe_token(world.m1.id, Kind.SWAP_ASKED)}"
    app.test_client().post(url)
    prefs = preferences_of(world.m1)
    assert prefs[Kind.SWAP_ASKED] == Delivery.IN_APP
    assert prefs[Kind.LEAD_ASSIGNED] == Delivery.IMMEDIATE
    assert preferences_of(world.m2)[Kind.SWAP_ASKED] == Delivery.DIGEST


def test_every_email_reaches_the_outbox_pending(world):
    _assign_m3(world)
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.PENDING}


# --- any text makes a message mail programs read --------------------------------------------

# Every separator str.splitlines() knows, and other control characters, among any text.
# (No NUL: PostgreSQL stores none, so no notification has one.)
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\t\x01"
USER_TEXT = st.lists(
    st.one_of(
        st.text(st.characters(exclude_characters="\x00")),
        st.sampled_from(LINE_BREAKS),
        st.just(" =?utf-8?q?x?= "),
    ),
    max_size=30,
).map(lambda parts: "".join(parts)[:1000])
HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Content-Type")
ONE_CLICK = ("List-Unsubscribe", "List-Unsubscribe-Post")


def _parsed_back(msg: OutboxMessage):
    raw = bytes(_build(msg))
    assert all(len(word) <= 75 for word in ENCODED_WORD.findall(raw))
    return message_from_bytes(raw, policy=email.policy.strict)


def _last_queued() -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()


def test_any_notification_text_gives_a_message_with_all_its_headers(world):
    @given(kind=st.sampled_from(list(Kind)), text=USER_TEXT, digest=st.booleans())
    @example(
        kind=Kind.MILESTONE_RETURNED, text="Returned: fix the totals\r\nand the dates", digest=False
    )
    @example(kind=Kind.MILESTONE_RETURNED, text="a\rb\u2028c\x85d\x0be", digest=False)
    @example(kind=Kind.SWAP_ASKED, text="\r\n", digest=True)
    def check(kind, text, digest):
        n = Notification(recipient_id=world.m1.id, kind=kind, link="/inbox", text=text)
        if digest:
            mail_digest(world.m1, [n, n])
        else:
            mail_notification(world.m1, n)
        msg = _last_queued()
        assert len(msg.subject.splitlines()) == 1
        em = _parsed_back(msg)
        for name in HEADERS + ONE_CLICK:
            assert em[name] is not None, name
        if "=?" not in msg.subject:  # else read as an encoded word, by any mail program
            assert em["Subject"] == msg.subject
        assert em["To"] == world.m1.email
        assert em["List-Unsubscribe"] == msg.headers["List-Unsubscribe"]
        assert {p.get_content_type() for p in em.walk()} >= {"text/plain", "text/html"}

    check()


def test_a_message_queued_with_line_breaks_in_its_subject_is_still_built(world):
    """Rows queued before the subject was normalised: building must not fail on them."""
    msg = OutboxMessage(
        id=10_000,
        message_token="0" * 32,
        to_addr="pat@example.org",
        subject="Relay: a\rb\u2028c\x85d\x0be",
        body="Bad\ud800 text\r\n",
        html="<p>Bad\ud800 text</p>",
        headers={"X-Note": "one\rtwo"},
    )
    em = _parsed_back(msg)
    assert em["Subject"] == "Relay: a b c d e"
    assert em["X-Note"] == "one two"
    for name in HEADERS:
        assert em[name] is not None, name
