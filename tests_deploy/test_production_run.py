"""Relay in production settings, used through nginx as its people use it.

The tests run in this file's order and build on each other (the staff member who signs in
creates the chapter the invited leader joins, whose action the reminder is about), as one
journey split where a failure should say which step broke. Every email that arrives is
checked as it arrives: each of its links starts with BASE_URL and opens the page it names.
"""

import hashlib
import json
import re
import secrets
import socket
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import redis

from tests_deploy.mailbox import Delivered
from tests_deploy.stack import ROOT, Stack, wait_for
from tests_deploy.web import Browser, forms_of, path_of, title_of

TAG = secrets.token_hex(3)
CHAPTER = f"Lakeside Health Advocates {TAG}"
SLUG = f"lakeside-{TAG}"
CAMPAIGN = "Free flu shots on campus"
ACTION = "Flu clinic at the student union"
# The chapter's zone: one whose midnight is hours away, so "tomorrow" is the same day when
# the action is made and when `flask notify run` looks for it.
ZONE = ZoneInfo("UTC" if 1 <= datetime.now(ZoneInfo("UTC")).hour <= 21 else "Asia/Tokyo")


def _password() -> str:
    return f"deploy-{secrets.token_urlsafe(12)}"


class People:
    """The run's accounts (addresses on example.org: production refuses .test domains),
    their passwords, and the browser each is signed in with."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.passwords: dict[str, str] = {}
        self.browsers: dict[str, Browser] = {}
        self.staff = self.address("staff")
        self.leader = self.address("leader")

    def address(self, who: str) -> str:
        email = f"{who}-{self.stack.tag}@example.org"
        self.stack.emails_used.add(email)
        return email

    def browser(self, who: str) -> Browser:
        return Browser(self.stack.base_url, self.stack.tls(), self.stack.client_address, who)

    def create_staff(self, email: str, name: str, *flags: str) -> None:
        """`flask users create-staff` as the README shows it (the password asked twice)."""
        password = self.passwords[email] = _password()
        out = self.stack.cli(
            "users", "create-staff", email, "--name", name, *flags, input=f"{password}\n" * 2
        )
        assert f"Created national staff account {email}" in out

    def sign_in(self, email: str, password: str | None = None) -> Browser:
        browser = self.browser(email.split("@")[0])
        page = browser.page("/login", "Sign in")
        home = browser.submit(page, email=email, password=password or self.passwords[email])
        assert home.status_code == 200 and title_of(home) != "Sign in · Relay", (
            f"{email} could not sign in: {title_of(home)}"
        )
        if email in self.browsers:
            self.browsers[email].close()
        self.browsers[email] = browser
        return browser


@pytest.fixture(scope="module")
def people(stack: Stack):
    people = People(stack)
    with stack.step("relay-flask users create-staff"):
        people.create_staff(people.staff, "Sam Staff", "--admin")
    yield people
    for browser in people.browsers.values():
        browser.close()


# --- the emails' links -------------------------------------------------------------------

PUBLIC = ("/invite/", "/password/reset/", "/notifications/unsubscribe/")


def expected_title(path: str) -> str:
    """The title of the page a link in an email must open (its start); `path` is below
    BASE_URL."""
    rules = {
        r"/invite/[\w-]+": f"Join {CHAPTER}",
        r"/password/reset/[\w.-]+": "Choose a new password",
        r"/notifications/unsubscribe/[\w.-]+": "Stop these emails",
        r"/settings/notifications": "Notification settings",
        rf"/c/{SLUG}/actions/\d+": f"{ACTION} · {CHAPTER}",
        rf"/c/{SLUG}/roster": f"Roster · {CHAPTER}",
    }
    for pattern, title in rules.items():
        if re.fullmatch(pattern, urlsplit(path).path):
            return title
    raise AssertionError(f"an email links to {path}: add the page it should open here")


def check_links(stack: Stack, people: People, mail: Delivered) -> list[str]:
    """Every link starts with BASE_URL and opens its page through nginx: a public page for
    anyone, any other page for its recipient once signed in (and the sign-in page, coming
    back to it, for anyone else)."""
    links = mail.links()
    assert links, f"no link in “{mail.subject}”"
    anonymous = people.browser("anonymous")
    try:
        for link in links:
            assert link.startswith(stack.base_url + "/"), f"“{mail.subject}” links to {link}"
            path = link.removeprefix(stack.base_url)
            title = expected_title(path)
            response = anonymous.get(link)
            if path.startswith(PUBLIC):
                assert response.status_code == 200 and str(response.url) == link, link
                assert title_of(response).startswith(title), (link, title_of(response))
                continue
            landed = str(response.url).split("?")[0]
            came_from = parse_qs(urlsplit(str(response.url)).query).get("next")
            assert landed == f"{stack.base_url}/login" and came_from == [path_of(link)], (
                f"{link} sent an anonymous visitor to {response.url}"
            )
            recipient = people.browsers.get(mail.to[0])
            assert recipient is not None, f"nobody signed in as {mail.to[0]} to open {link}"
            response = recipient.get(link)
            assert response.status_code == 200 and str(response.url) == link, link
            assert title_of(response).startswith(title), (link, title_of(response))
    finally:
        anonymous.close()
    mail.links_checked = True
    return links


def receive(stack: Stack, people: People, to: str, subject: str, timeout=30.0) -> Delivered:
    assert stack.smtp is not None
    mail = stack.smtp.mailbox.wait_for(to, subject, timeout)
    check_links(stack, people, mail)
    return mail


def link_to(mail: Delivered, part: str) -> str:
    (link,) = [link for link in mail.links() if part in link]
    return link


# --- the site ---------------------------------------------------------------------------


def test_nginx_answers_over_https_with_the_apps_security_headers(stack: Stack, people: People):
    browser = people.browser("visitor")
    response = browser.page("/login", "Sign in")
    assert response.url.scheme == "https"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    # Plain HTTP only redirects to HTTPS.
    plain = httpx.get(f"http://127.0.0.1:{stack.http_port}/login", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://127.0.0.1")
    # A Host that is not the site's is refused by the app behind nginx (TRUSTED_HOSTS).
    forged = browser.get("/login", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    browser.close()


def test_static_files_come_from_nginx_versioned_and_cached_for_a_year(stack, people):
    browser = people.browser("visitor")
    page = browser.page("/login")
    static = f"{stack.subpath}/static/"
    links = re.findall(rf'(?:href|src)="({static}[^"?]+)\?v=([0-9a-f]+)"', page.text)
    assert len(links) >= 3, "the page links its stylesheets with a version"
    for path, version in links:
        response = browser.get(f"https://{stack.host}{path}?v={version}")
        assert response.status_code == 200, path
        file = ROOT / "static" / path.removeprefix(static)
        assert response.content == file.read_bytes()
        assert hashlib.sha256(response.content).hexdigest()[:12] == version
        assert "max-age=31536000" in response.headers["Cache-Control"]
        # Served by nginx from the checkout: the app would have added its CSP.
        assert "Content-Security-Policy" not in response.headers
    browser.close()


def test_uploads_up_to_the_apps_limit_pass_nginx_and_larger_ones_stop_there(stack, people):
    browser = people.browser("uploader")
    under = browser.http.post(
        "/login",
        files={"evidence": ("scan.pdf", b"%PDF-1.4\n" + b"0" * (15 * 1024 * 1024))},
        headers={"Referer": f"{stack.base_url}/login"},
    )
    # The app answered (its headers are on the response), not nginx's 413.
    assert under.status_code != 413 and "Content-Security-Policy" in under.headers
    browser.close()
    # Above 21 MiB nginx answers 413 from the Content-Length alone.
    context = stack.tls()
    with (
        socket.create_connection(("127.0.0.1", stack.https_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(
            f"POST {stack.subpath}/login HTTP/1.1\r\nHost: {stack.host}\r\n"
            f"Content-Type: application/octet-stream\r\n"
            f"Content-Length: {22 * 1024 * 1024}\r\nConnection: close\r\n\r\n".encode()
        )
        status_line = tls.recv(4096).split(b"\r\n", 1)[0]
    assert b" 413 " in status_line, status_line


def test_staff_sign_in_and_the_secure_session_cookie_works_through_nginx(stack, people):
    browser = people.sign_in(people.staff)
    home = browser.page("/")
    assert "Sam Staff" in home.text
    login = [r for r in browser.marks if r[1] == "POST" and r[2] == f"{stack.subpath}/login"]
    assert login, "the sign-in went through nginx"
    cookie = next(c for c in browser.http.cookies.jar if c.name == "relay_session")
    assert cookie.secure, "production's session cookie is Secure"
    assert cookie.has_nonstandard_attr("HttpOnly")


def test_an_invitation_is_sent_and_accepted_from_its_email(stack, people):
    staff = people.browsers[people.staff]
    page = staff.page("/chapters/new")
    invitations = staff.submit(
        page,
        name=CHAPTER,
        slug=SLUG,
        institution="Lakeside University",
        region="Midwest",
        timezone=str(ZONE),
        status="active",
    )
    assert title_of(invitations).startswith(f"Invitations · {CHAPTER}"), title_of(invitations)
    done = staff.submit(invitations, having="email", email=people.leader, role="leader")
    assert f"Invitation sent to {people.leader}" in done.text

    mail = receive(stack, people, people.leader, f"You are invited to {CHAPTER}")
    leader = people.browser("leader")
    accept = leader.page(link_to(mail, "/invite/"), f"Join {CHAPTER}")
    password = people.passwords[people.leader] = _password()
    home = leader.submit(
        accept,
        display_name="Lee Leader",
        profession="Nursing",
        kind="student",
        new_password=password,
        confirm=password,
    )
    assert title_of(home).startswith(CHAPTER), title_of(home)
    assert f"Welcome to {CHAPTER}, Lee Leader." in home.text
    people.browsers[people.leader] = leader
    # Used once: the link now says so.
    again = people.browser("again")
    assert again.get(link_to(mail, "/invite/")).status_code == 410
    again.close()


def test_a_password_reset_arrives_and_its_link_sets_a_new_password(stack, people):
    leader = people.browsers.pop(people.leader)
    leader.submit(leader.page("/"), action="/logout")
    leader.close()

    visitor = people.browser("forgetful")
    forgot = visitor.page("/password/forgot")
    said = visitor.submit(forgot, email=people.leader)
    assert "a link to reset its password is on its way" in said.text

    mail = receive(stack, people, people.leader, "Reset your Relay password")
    form = visitor.page(link_to(mail, "/password/reset/"), "Choose a new password")
    new_password = _password()
    done = visitor.submit(form, new_password=new_password, confirm=new_password)
    assert "Your password is changed" in done.text
    visitor.close()
    people.passwords[people.leader] = new_password
    people.sign_in(people.leader)
    # The link worked once.
    again = people.browser("again")
    assert again.get(link_to(mail, "/password/reset/")).status_code == 404
    again.close()


def test_notify_run_sends_a_reminder_and_a_digest(stack, people):
    leader = people.browsers[people.leader]
    today = datetime.now(ZONE).date()
    tomorrow = today + timedelta(days=1)
    new = leader.page(f"/c/{SLUG}/campaigns/new")
    campaign = leader.submit(
        new,
        title=CAMPAIGN,
        start_date=today.isoformat(),
        end_date=(today + timedelta(days=60)).isoformat(),
    )
    assert title_of(campaign).startswith(CAMPAIGN), title_of(campaign)
    new_action = leader.page(f"{str(campaign.url).split('?')[0]}/actions/new")
    action = leader.submit(
        new_action,
        kind="health_fair",
        title=ACTION,
        day=tomorrow.isoformat(),
        start_time="12:00",
        end_time="14:00",
        location="Student union, room 2",
    )
    assert title_of(action).startswith(f"{ACTION} · {CHAPTER}"), title_of(action)
    signed_up = leader.submit(action, action="/signup")
    assert signed_up.status_code == 200
    # The reminder by email at once; the staff member's "accepted your invitation" waits
    # for the digest (its default).
    settings = leader.page("/settings/notifications", "Notification settings")
    leader.submit(settings, having="action_tomorrow", action_tomorrow="immediate")

    out = stack.cli("notify", "run")
    assert re.search(r"reminders: 1 action tomorrow, 0 sign-off overdue; digests: 1", out), out

    reminder = receive(stack, people, people.leader, f"Tomorrow: “{ACTION}”")
    assert "Student union, room 2" in reminder.text()
    digest = receive(stack, people, people.staff, "your daily digest")
    assert f"Lee Leader accepted your invitation and joined {CHAPTER}" in digest.text()
    # A second run the same day sends nothing again.
    again = stack.cli("notify", "run")
    assert "reminders: 0 action tomorrow, 0 sign-off overdue; digests: 0" in again, again


def test_the_report_pdf_downloads(stack, people):
    staff = people.browsers[people.staff]
    started = time.monotonic()
    response = staff.get(f"/c/{SLUG}/report.pdf")
    took = time.monotonic() - started
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment" in response.headers.get("Content-Disposition", "")
    assert took < 20, f"the PDF took {took:.1f} s"


def test_healthz_answers_for_the_load_balancer(stack, people):
    browser = people.browser("balancer")
    response = browser.get("/healthz")
    browser.close()
    assert response.status_code == 200, response.text
    assert json.loads(response.text) == {"database": "ok", "migrations": "current"}
    # A balancer may ask an instance directly, under an address of its own.
    for port in stack.web_ports:
        with stack.direct(port) as client:
            direct = client.get("/healthz", headers={"Host": f"10.0.0.9:{port}"})
        assert direct.status_code == 200, (port, direct.text)


# --- several instances ------------------------------------------------------------------


def _instance(upstream: str) -> int:
    """The port of the instance that answered (the last one nginx tried)."""
    return int(upstream.split(", ")[-1].rsplit(":", 1)[1])


def _direct_sign_in(stack: Stack, port: int, email: str, password: str) -> httpx.Response:
    """Sign in on one instance, bypassing nginx; the session cookie is handed back by hand
    (it is Secure, and this connection is plain HTTP)."""
    with stack.direct(port) as client:
        page = client.get("/login")
        cookie = page.cookies.get("relay_session") or ""
        (form,) = [f for f in forms_of(page.text) if "password" in f.names]
        return client.post(
            "/login",
            data=form.data(email=email, password=password),
            headers={"Cookie": f"relay_session={cookie}", "Referer": f"{stack.base_url}/login"},
        )


def test_the_sign_in_throttle_holds_across_both_instances(stack, people):
    """Five wrong passwords for the staff account, through nginx and so on both instances,
    and the sixth attempt is refused everywhere, the right password included. (Sessions
    already signed in are untouched: the staff member works on in the next tests.)"""
    email, password = people.staff, people.passwords[people.staff]
    browser = people.browser("guesser")
    answered_by = set()
    for attempt in range(5):
        if attempt % 2:  # nginx takes turns per request: shift them, so the posts take turns
            browser.get("/login")
        page = browser.page("/login")
        response = browser.submit(page, email=email, password=f"wrong-{attempt}")
        assert response.status_code == 200
        assert "Email or password is incorrect." in response.text
        answered_by.add(_instance(stack.upstream_of(browser.marks[-1][0])))
    assert answered_by == set(stack.web_ports), "nginx spread the attempts over both"
    # Counted in Redis (REDIS_URL), which both instances share.
    digest = hashlib.sha256(email.encode()).hexdigest()[:40]
    with redis.Redis.from_url(stack.redis_url) as r:
        assert r.zcard(f"relay:rl:login:acct:{digest}") == 5

    refused = browser.submit(browser.page("/login"), email=email, password=password)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    browser.close()
    for port in stack.web_ports:  # each instance on its own
        response = _direct_sign_in(stack, port, email, password)
        assert response.status_code == 429, (port, response.status_code)


def test_a_session_signed_out_on_one_instance_is_refused_on_the_other(stack, people):
    browser = people.sign_in(people.leader)
    cookie = browser.cookie("relay_session")
    assert cookie

    def signed_in_on(port: int) -> bool:
        with stack.direct(port) as client:
            response = client.get("/profile", headers={"Cookie": f"relay_session={cookie}"})
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path == f"{stack.subpath}/login"
            return False
        assert response.status_code == 200, response.status_code
        return "Lee Leader" in response.text

    assert all(signed_in_on(port) for port in stack.web_ports), "the session works on both"
    signed_out = browser.submit(browser.page("/"), action="/logout")
    assert title_of(signed_out).startswith("Sign in")
    logout = next(mark for mark, _method, path in browser.marks if path.endswith("/logout"))
    other = next(p for p in stack.web_ports if p != _instance(stack.upstream_of(logout)))
    assert not signed_in_on(other), "the other instance still accepts the signed-out session"
    # And through nginx, whichever instance answers.
    with httpx.Client(verify=stack.tls(), follow_redirects=False) as client:
        for _ in range(2):
            response = client.get(
                f"{stack.base_url}/profile", headers={"Cookie": f"relay_session={cookie}"}
            )
            assert response.status_code == 302 and "/login" in response.headers["Location"]
    people.browsers.pop(people.leader).close()


def test_with_one_instance_stopped_the_site_answers_and_no_mail_is_lost(stack, people):
    assert stack.smtp is not None
    mailbox = stack.smtp.mailbox
    staff = people.browsers[people.staff]
    invitees = [people.address(f"newcomer{i}") for i in range(3)]

    # The mail server refuses for a while: invitations queue in the outbox.
    mailbox.refusing = True
    page = staff.page(f"/c/{SLUG}/invitations")
    for email in invitees[:2]:
        page = staff.submit(page, having="email", email=email, role="member")
        assert f"Invitation sent to {email}" in page.text
    posted = [mark for mark, method, path in staff.marks if method == "POST"][-2:]
    wait_for(lambda: mailbox.refused >= 2, 15, "the first delivery attempts")

    # Stop the instance that queued the first one, as `systemctl stop relay-web@PORT` does.
    stopped = _instance(stack.upstream_of(posted[0]))
    returncode = stack.processes[f"web-{stopped}"].stop()
    assert returncode == 0, f"gunicorn on {stopped} did not stop cleanly ({returncode})"
    running = next(p for p in stack.web_ports if p != stopped)

    # The site keeps answering, pages and forms alike, from the other instance.
    for _ in range(4):
        staff.page("/", None)
        staff.page(f"/c/{SLUG}", CHAPTER)
    page = staff.submit(
        staff.page(f"/c/{SLUG}/invitations"), having="email", email=invitees[2], role="member"
    )
    assert f"Invitation sent to {invitees[2]}" in page.text
    for mark, _method, _path in staff.marks[-9:]:
        assert _instance(stack.upstream_of(mark)) == running

    pending = stack.sql("SELECT count(*) FROM outbox_messages WHERE status <> 'sent'")[0][0]
    assert pending >= 3, "the refused invitations wait in the outbox"
    mailbox.refusing = False
    for email in invitees:
        receive(stack, people, email, f"You are invited to {CHAPTER}", timeout=60)
    assert stack.sql("SELECT status, count(*) FROM outbox_messages GROUP BY status") == [
        ("sent", stack.sql("SELECT count(*) FROM outbox_messages")[0][0])
    ]
    for email in invitees:
        assert len(mailbox.to(email)) == 1, f"{email} got the invitation more than once"
    stack.processes["mail-worker"].check_alive()


def test_every_delivered_email_was_checked(stack, people):
    assert stack.smtp is not None
    received = stack.smtp.mailbox.received
    assert len(received) >= 7
    unchecked = [(m.to, m.subject) for m in received if not m.links_checked]
    assert not unchecked, f"emails whose links no test opened: {unchecked}"


def test_the_app_logged_no_error(stack):
    """Nothing went wrong out of sight: no error or traceback in any gunicorn instance's log
    or the mail worker's (a refused delivery is a warning; it is retried)."""
    for name, path in stack.logs.items():
        if name.startswith(("web-", "mail-worker", "cli")):
            text = path.read_text(errors="replace")
            bad = [line for line in text.splitlines() if " ERROR " in line or "Traceback" in line]
            assert not bad, f"{name}:\n" + "\n".join(bad[:20])
