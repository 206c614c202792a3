"""No query string makes a server error: every GET route in app.url_map, with real ids from
the demo (the URLs of tests/test_cache_headers.py), gets arbitrary text in the query
parameters Relay's views read, as national staff, a leader, an advisor and a member.

The parameters are one central list, sent to every route (a view ignores what it does not
read); a test below fails when a view reads a parameter the list lacks.
"""

import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_cache_headers import (  # noqa: F401  (demo is a fixture)
    browser_for,
    demo,
    urls_of_every_get_route,
)

ROOT = Path(__file__).resolve().parent.parent

# Every query parameter a view or template reads: request.args.get(...) and the fields of
# the forms built from request.args (the user search, the activity log's filters).
QUERY_PARAMETERS = (
    "page", "next",  # any page with a pager; the sign-in page
    "status", "region", "q",  # chapter directory, campaigns, user search
    "playbook", "state",  # new campaign from a playbook; milestones by state
    "person", "kind", "action", "since", "until",  # the activity log's filters
    "start", "end", "year", "sort", "dir", "view", "metric", "paper",  # national pages
    "v",  # a sparkline's counts
)  # fmt: skip
FORM_FIELDS_READ_FROM_THE_QUERY = {"q", "person", "kind", "action", "since", "until"}

# The kinds of text the probe found faults with. A route that shows the role a page gets each
# of them in every parameter at once (so `start` and `end` both fall in year 1); then every
# route gets arbitrary text.
AWKWARD = (
    "0001-01-01", "9999-12-31", "2026-02-30", "²", "١٢", "-1", "1e30", "9" * 30,
    "archived", "Nowhere", "per_member", "\x00", "//evil.example",
)  # fmt: skip
QUERIES = st.dictionaries(
    st.sampled_from(QUERY_PARAMETERS),
    st.one_of(st.text(max_size=40), st.sampled_from(AWKWARD)),
    max_size=8,
)

# The roles; the demo's admin is national staff. A few examples per route and role keep the
# walk under a minute on two cores (HYPOTHESIS_PROFILE=explore does not widen it).
ROLES = ("admin@relay.test", "leader@relay.test", "advisor@relay.test", "member@relay.test")
ARBITRARY_EXAMPLES_PER_ROUTE = 2


def server_error(browser, asked: str, path: str, args: dict[str, str]) -> str | None:
    """What went wrong, if the answer was a server error (testing propagates a view's
    exception rather than answering 500)."""
    try:
        response = browser.get(path, query_string=args)
    except Exception as exc:
        return f"{asked} {args!r}: {type(exc).__name__}: {exc}"
    response.close()
    return f"{asked} {args!r}: {response.status_code}" if response.status_code >= 500 else None


@pytest.mark.parametrize("role", ROLES)
def test_no_query_string_gets_a_server_error(app, demo, login_as, role):  # noqa: F811
    routes = [(e, url) for e, url in urls_of_every_get_route(app, demo) if url is not None]
    assert len({endpoint for endpoint, _url in routes}) >= 60
    browser = browser_for(app, login_as, role)
    errors: list[str] = []

    for endpoint, url in routes:
        path, _, built_query = url.partition("?")
        built = dict(parse_qsl(built_query))  # the sparkline's counts
        asked = f"{role} GET {path} ({endpoint})"
        plain = browser.get(url)
        plain.close()
        if plain.status_code == 200:
            for value in AWKWARD:
                query = dict.fromkeys(QUERY_PARAMETERS, value)
                if problem := server_error(browser, asked, path, built | query):
                    errors.append(problem)

        @settings(max_examples=ARBITRARY_EXAMPLES_PER_ROUTE)
        @given(QUERIES)
        def no_server_error(query: dict[str, str]) -> None:
            # Called within this loop turn, so the loop's variables are the right ones.
            problem = server_error(browser, asked, path, built | query)  # noqa: B023
            assert problem is None, problem

        try:
            no_server_error()
        except AssertionError as exc:
            errors.append(str(exc).splitlines()[0])

    assert not errors, "\n".join(errors)


def test_the_list_names_every_query_parameter_a_view_reads():
    read = set(FORM_FIELDS_READ_FROM_THE_QUERY)
    for source in ROOT.glob("*/**/*.py"):
        if source.parts[len(ROOT.parts)] in {"tests", ".venv", "tests_browser", "migrations"}:
            continue
        read |= set(re.findall(r"request\.args\.get\(\s*[\"'](\w+)", source.read_text()))
    for template in (ROOT / "templates").glob("**/*.html"):
        read |= set(re.findall(r"request\.args\.get\(\s*[\"'](\w+)", template.read_text()))
    read.add("page")  # core.http.page_number
    assert read <= set(QUERY_PARAMETERS), f"add to QUERY_PARAMETERS: {read - set(QUERY_PARAMETERS)}"
