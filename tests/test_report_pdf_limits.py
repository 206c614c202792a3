"""A chapter report's PDF: a few per person per window, shared by every app server (in the
database or Redis), and a time limit on rendering that answers and frees the worker."""

import multiprocessing
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import national.pdf
from core.db import utcnow
from core.extensions import db
from core.models import RateLimitHit
from tests.conftest import REDIS_TEST_URL
from tests.national_world import build_network
from tests.test_national_report import _weasyprint_missing

PDF = "/c/alpha/report.pdf"


@pytest.fixture
def network(app):
    return build_network()


@pytest.fixture
def servers(other_app):
    """Two more app instances on the test database, as two app servers would be."""
    return lambda **overrides: [other_app(**overrides), other_app(**overrides)]


@pytest.fixture
def quick_pdfs(monkeypatch):
    """Stand-in PDFs, made at once: these tests are about when one is made, not how."""
    monkeypatch.setattr("national.views.report.render_pdf", lambda *_args: b"%PDF-1.7 stand-in")


def assert_refused_for_now(response, window: int) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= window
    page = response.get_data(as_text=True)
    assert "Too many PDFs for now" in page
    assert "PDFs within 1 minute, the most Relay makes for one person" in page
    assert "Try again in about 1 minute" in page
    assert 'href="/c/alpha/report' in page  # the printable page instead
    assert "Traceback" not in page


def test_a_person_past_the_limit_gets_429_with_retry_after(
    app, network, client, login_as, quick_pdfs, monkeypatch
):
    app.config["REPORT_PDF_MAX_PER_PERSON"] = 2
    window = app.config["REPORT_PDF_WINDOW_SECONDS"]
    login_as(network.people["staff"])

    for _ in range(2):
        assert client.get(PDF).status_code == 200
    assert_refused_for_now(client.get(PDF), window)
    # The refusal was taken back off the count: two hits, not three.
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == 2

    # Someone else still gets theirs, and the page itself is never limited.
    login_as(network.people["leader"])
    assert client.get(PDF).status_code == 200
    assert client.get("/c/alpha/report").status_code == 200

    # Once the window has passed, the first person may ask again.
    later = utcnow() + timedelta(seconds=window + 1)
    monkeypatch.setattr("core.ratelimit.utcnow", lambda: later)
    login_as(network.people["staff"])
    assert client.get(PDF).status_code == 200


def test_the_limit_is_shared_by_two_app_instances_on_one_database(
    network, login_as, quick_pdfs, servers
):
    first, second = servers(REPORT_PDF_MAX_PER_PERSON=3)
    browsers = [first.test_client(), second.test_client()]
    for browser in browsers:
        login_as(network.people["staff"], client_=browser)

    for n in range(3):
        assert browsers[n % 2].get(PDF).status_code == 200

    for browser in browsers:
        assert_refused_for_now(browser.get(PDF), first.config["REPORT_PDF_WINDOW_SECONDS"])


def test_the_limit_in_redis_is_shared_by_two_app_instances(
    network, login_as, quick_pdfs, redis_keys, servers
):
    staff = network.people["staff"]
    redis_keys(f"report-pdf:{staff.id}")
    first, second = servers(REDIS_URL=REDIS_TEST_URL, REPORT_PDF_MAX_PER_PERSON=3)
    browsers = [first.test_client(), second.test_client()]
    for browser in browsers:
        login_as(staff, client_=browser)

    for n in range(3):
        assert browsers[n % 2].get(PDF).status_code == 200

    for browser in browsers:
        assert_refused_for_now(browser.get(PDF), first.config["REPORT_PDF_WINDOW_SECONDS"])
    # The counts lived in Redis, not in the database.
    assert db.session.scalar(select(func.count(RateLimitHit.id))) == 0


@pytest.mark.skipif(_weasyprint_missing() is not None, reason=str(_weasyprint_missing()))
def test_a_pdf_that_takes_too_long_is_stopped_with_a_clear_page(
    app, network, client, login_as, monkeypatch
):
    def _stuck(*_args):  # runs in the renderer's child process
        time.sleep(60)
        return b"%PDF- never sent"

    monkeypatch.setattr(national.pdf, "_write_pdf", _stuck)
    app.config["REPORT_PDF_SECONDS"] = 0.5
    login_as(network.people["staff"])

    response = client.get(PDF)

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The PDF took too long" in page
    assert "longer than 0.5 seconds" in page
    assert 'href="/c/alpha/report' in page
    assert "Traceback" not in page
    # The renderer was stopped, not left running, and the app answers the next request.
    assert multiprocessing.active_children() == []
    assert client.get("/c/alpha/report").status_code == 200


@pytest.mark.skipif(_weasyprint_missing() is not None, reason=str(_weasyprint_missing()))
def test_a_renderer_that_fails_is_an_error_not_a_hang(app, network, client, login_as, monkeypatch):
    def _broken(*_args):
        raise ValueError("no fonts")

    monkeypatch.setattr(national.pdf, "_write_pdf", _broken)
    app.config["TEST_ERROR_PAGES"] = True
    login_as(network.people["staff"])

    response = client.get(PDF)

    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    assert multiprocessing.active_children() == []
