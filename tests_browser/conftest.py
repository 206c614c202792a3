"""End-to-end fixtures: the real app in a subprocess, driven by Playwright and Debian's Chromium.

One server for the whole session: a fresh instance folder (its own SQLite database,
development secret and mail folder), migrated and loaded with the demo data, served by
`flask run` on a free port. Each test opens its own browser contexts (one per person).

Playwright never downloads a browser here: it launches the system Chromium
(RELAY_CHROMIUM, default /usr/bin/chromium; `make browser-test` installs it with apt).
"""

import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("RELAY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "relay-demo-2026"
TIMEOUT_MS = 10_000  # per expect / action: generous, but a broken page fails fast
START_TIMEOUT_S = 30

# Settings from the caller's environment that would point the app somewhere else.
_ISOLATE = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "RELAY_ENV",
    "MAIL_DIR",
    "MAIL_SERVER",
    "BASE_URL",
    "PROXY_COUNT",
    "TRUSTED_HOSTS",
    "SESSION_COOKIE_SECURE",
    "FLASK_APP",
    "FLASK_DEBUG",
    "FLASK_RUN_HOST",
    "FLASK_RUN_PORT",
    "TEST_DATABASE_URL",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "flask"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "flask"]
    return [*base, "--app", "wsgi"]


@dataclass
class Relay:
    """The running app: where it answers and where its mail lands."""

    base_url: str
    instance: Path
    log_path: Path

    @property
    def mail_dir(self) -> Path:
        return self.instance / "mail"

    def _messages_to(self, address: str) -> list[email.message.EmailMessage]:
        found = []
        files = self.mail_dir.glob("*.eml") if self.mail_dir.exists() else []
        # File names are <created>-<outbox id>.eml: the id orders messages reliably.
        for path in sorted(files, key=lambda p: int(p.stem.rsplit("-", 1)[-1])):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if str(msg["To"]).strip().lower() == address.lower():
                found.append(msg)
        return found

    def latest_link(self, address: str, path_part: str, after: int = 0) -> str:
        """The link containing `path_part` in the newest message to `address`.

        `after` is how many messages to that address existed before the action that sends
        the new one; the file backend writes right after the request, so poll briefly.
        """
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            messages = self._messages_to(address)
            if len(messages) > after:
                body = messages[-1].get_body(preferencelist=("plain",)).get_content()
                match = re.search(rf"https?://\S*{re.escape(path_part)}\S*", body)
                assert match, f"no {path_part} link in the mail to {address}:\n{body}"
                return match.group(0)
            if time.monotonic() > deadline:
                raise AssertionError(f"no new mail to {address} in {self.mail_dir}")
            time.sleep(0.1)

    def count_mail(self, address: str) -> int:
        return len(self._messages_to(address))


def _run(cmd: list[str], env: dict, log) -> None:
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    result = subprocess.run(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        log.flush()
        raise RuntimeError(f"{' '.join(cmd)} failed; see {log.name}")


def _wait_until_up(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log_path.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app did not answer in {START_TIMEOUT_S}s:\n{log_path.read_text()}")


@pytest.fixture(scope="session")
def relay(tmp_path_factory):
    """Migrate, load the demo and serve the app from a fresh instance folder."""
    instance = tmp_path_factory.mktemp("relay-instance")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in _ISOLATE}
    env.update(
        RELAY_INSTANCE_PATH=str(instance),
        MAIL_BACKEND="file",
        BASE_URL=base_url,
        ROTATION_OPEN_LEAD_CAP="2",  # test_campaign_rotation checks suggestions against it
        PYTHONUNBUFFERED="1",
    )
    log_path = instance / "server.log"
    with open(log_path, "a") as log:
        _run([*_flask(), "db", "upgrade"], env, log)
        _run([*_flask(), "demo", "load"], env, log)
        proc = subprocess.Popen(
            [*_flask(), "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # The mail worker, as deployed: the request that queues a message sends it once its
        # response is closed, but Werkzeug's development server skips that close when the
        # browser drops the connection first (it reads the socket before closing), and the
        # message then waits for a worker.
        worker = subprocess.Popen(
            [*_flask(), "outbox", "deliver", "--loop", "--interval", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(f"{base_url}/login", proc, log_path)
        yield Relay(base_url=base_url, instance=instance, log_path=log_path)
    finally:
        for process in (worker, proc):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: `make browser-test` installs it with apt "
            "(as root), or set RELAY_CHROMIUM to a Chromium binary."
        )
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, relay: Relay):
    """Open a fresh browser context (one person, their own cookies); closed after the test."""
    contexts: list[BrowserContext] = []

    def _new(**options) -> BrowserContext:
        context = browser.new_context(base_url=relay.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context):
    """A page in a fresh context; keyword arguments go to the context."""

    def _new(**options) -> Page:
        return new_context(**options).new_page()

    return _new


def sign_in(page: Page, email_addr: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the form, the way a person does."""
    page.goto("/login")
    page.get_by_label("Email").fill(email_addr)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Chapter members land on their week, national staff on the network.
    home = re.compile(r"^(My week|All chapters)$")
    expect(page.get_by_role("heading", name=home, level=1)).to_be_visible()


@pytest.fixture
def signed_in(new_page):
    """A new page in its own context, signed in as the given account."""

    def _signed_in(email_addr: str, password: str = DEMO_PASSWORD, **options) -> Page:
        page = new_page(**options)
        sign_in(page, email_addr, password)
        return page

    return _signed_in


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory) -> Path:
    """Where screenshots go; RELAY_BROWSER_ARTIFACTS keeps them somewhere you choose."""
    chosen = os.environ.get("RELAY_BROWSER_ARTIFACTS")
    if chosen:
        path = Path(chosen)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")
