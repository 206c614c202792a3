"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can refuse
for a while with a temporary error (451) as a mail server that is busy does."""

import email
import email.policy
import re
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from html import unescape

from aiosmtpd.controller import Controller


@dataclass
class Delivered:
    to: list[str]
    message: EmailMessage
    taken: bool = False  # a test has waited for it
    links_checked: bool = False

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, f"no text part in “{self.subject}”"
        return part.get_content()

    def html(self) -> str | None:
        part = self.message.get_body(preferencelist=("html",))
        return (
            part.get_content()
            if part is not None and part.get_content_subtype() == "html"
            else None
        )

    def links(self) -> list[str]:
        """Every address in the message: the text part, the HTML part's hrefs, and the
        List-Unsubscribe header."""
        found = re.findall(r"https?://[^\s<>\"')]+", self.text())
        html = self.html()
        if html is not None:
            found += [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]
        header = self.message.get("List-Unsubscribe")
        if header:
            found += re.findall(r"<([^>]+)>", str(header))
        return list(dict.fromkeys(found))


@dataclass
class Mailbox:
    """What the SMTP server accepted, in order; `refusing` makes it answer 451 to DATA."""

    received: list[Delivered] = field(default_factory=list)
    refusing: bool = False
    refused: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        with self._changed:
            if self.refusing:
                self.refused += 1
                return "451 4.3.0 Busy, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            rcpts = [r.lower() for r in envelope.rcpt_tos]
            self.received.append(Delivered(rcpts, message))
            self._changed.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[Delivered]:
        with self._changed:
            return [m for m in self.received if address.lower() in m.to]

    def wait_for(self, address: str, subject: str, timeout: float = 30.0) -> Delivered:
        """The first message to `address` whose subject contains `subject` not yet taken."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for m in self.received:
                    if address.lower() in m.to and subject in m.subject and not m.taken:
                        m.taken = True
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(m.to, m.subject) for m in self.received]
                    raise AssertionError(
                        f"no mail to {address} about “{subject}” within {timeout:.0f} s; "
                        f"received: {seen}"
                    )
                self._changed.wait(timeout=min(left, 1.0))

    def wait_until(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{what}: not within {timeout:.0f} s")
                self._changed.wait(timeout=min(left, 1.0))


class SmtpServer:
    def __init__(self, port: int):
        self.mailbox = Mailbox()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
