"""The email outbox: messages are queued in the caller's transaction; core.delivery sends them."""

import email.policy
import logging
import unicodedata
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime

from flask import after_this_request, current_app, g

from core.db import utcnow
from core.delivery import deliver
from core.extensions import db
from core.http import site_host
from core.models import OutboxMessage

log = logging.getLogger("relay.mail")


# Control characters (Cc: CR, vertical tab, NEL U+0085, ...), line and paragraph separators
# (U+2028, U+2029), and lone surrogates, which no encoding can write.
_NOT_IN_A_HEADER = {"Cc", "Zl", "Zp", "Cs"}


def header_line(text: str) -> str:
    """User text made one line for a header: every line break `str.splitlines()` knows,
    and every other control character, becomes a space; runs of spaces become one.

    A bare CR in a Subject ended the message's headers for the parser, and a lone CR,
    U+2028, U+0085 or a vertical tab made building the message raise on every attempt.
    """
    kept = (" " if unicodedata.category(ch) in _NOT_IN_A_HEADER else ch for ch in text)
    return " ".join("".join(kept).split())


def _encodable(text: str) -> str:
    """Text with any lone surrogate (from a broken client) replaced: a body that cannot be
    encoded would fail every attempt."""
    return text.encode("utf-8", "replace").decode("utf-8")


def queue_email(
    to_addr: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Write an email to the outbox as part of the current transaction.

    `html` adds an HTML alternative to the plain text; `headers` adds headers such as
    List-Unsubscribe.
    """
    msg = OutboxMessage(
        to_addr=to_addr,
        subject=header_line(subject)[:200],
        body=body,
        html=html,
        headers={name: header_line(value) for name, value in (headers or {}).items()} or None,
    )
    db.session.add(msg)
    db.session.flush()
    g.setdefault("queued_mail_ids", []).append(msg.id)
    return msg


# Header names whose values are URLs, left whole on one line.
_URL_HEADERS = {"list-unsubscribe", "list-unsubscribe-post"}


class _MailPolicy(EmailPolicy):
    """email.policy.SMTP, with 7-bit bodies and two folding widths for headers.

    Bodies: non-ASCII text goes quoted-printable or base64 (cte_type "7bit"), so no server
    needs to offer 8BITMIME; a body line up to SMTP's limit (998) stays as it is.
    Headers: folded at 76, which keeps the RFC 2047 encoded words of a non-ASCII subject
    within their 75 characters (Python writes 76 at 78). A List-Unsubscribe URL is folded
    at 998 instead: at 76 it would be turned into encoded words mail programs cannot follow.
    """

    def _for_header(self, name: str) -> EmailPolicy:
        return self if name.lower() in _URL_HEADERS else self.clone(max_line_length=76)

    def fold(self, name, value):
        return EmailPolicy.fold(self._for_header(name), name, value)

    def fold_binary(self, name, value):
        return EmailPolicy.fold_binary(self._for_header(name), name, value)


_POLICY = _MailPolicy(linesep=email.policy.SMTP.linesep, max_line_length=998, cte_type="7bit")


def _build(msg: OutboxMessage) -> EmailMessage:
    em = EmailMessage(policy=_POLICY)
    em["From"] = current_app.config["MAIL_FROM"]
    # Normalised again here, for messages queued before queue_email did it: building a
    # message must not fail on its content, or it fails on every attempt and is lost.
    em["To"] = header_line(msg.to_addr)
    em["Subject"] = header_line(msg.subject)
    # When the message goes (RFC 5322 requires a Date; spam filters score its absence).
    em["Date"] = format_datetime(utcnow())
    em["Message-ID"] = f"<{msg.message_token}@{site_host()}>"
    for name, value in (msg.headers or {}).items():
        em[name] = header_line(value)
    em.set_content(_encodable(msg.body))
    if msg.html:
        em.add_alternative(_encodable(msg.html), subtype="html")
    return em


def deliver_queued_after_request(response):
    """Send what this request queued once the response has gone out; the worker retries.

    Sending after the response keeps a slow mail server out of the user's wait, and
    keeps response times the same whether or not a message was sent (a reset request
    must not reveal whether the email has an account).
    """
    ids = g.pop("queued_mail_ids", None)
    if ids and response.status_code < 400:
        app = current_app._get_current_object()

        def _send() -> None:
            with app.app_context():
                try:
                    deliver(ids)
                except Exception:  # never fail over mail; the worker retries
                    db.session.rollback()
                    log.exception("mail delivery after the response failed; left for the worker")

        response.call_on_close(_send)
    return response


def after_response(work: Callable[..., None], *args) -> None:
    """Run `work(*args)` once this request's response has gone out, in its own
    transaction, then send the mail it queued.

    For work whose duration must not show in the response time (a password reset must
    answer as fast for an unknown email as for an account). A failure is logged, and
    the work is lost (the person can ask again); nothing the response said was wrong.
    """
    app = current_app._get_current_object()

    @after_this_request
    def _register(response):
        def _run() -> None:
            with app.app_context():
                try:
                    work(*args)
                    db.session.commit()
                    ids = g.pop("queued_mail_ids", None)
                    if ids:
                        deliver(ids)
                except Exception:  # the response is gone; log and move on
                    db.session.rollback()
                    log.exception("work after the response failed: %s", work.__name__)

        response.call_on_close(_run)
        return response
