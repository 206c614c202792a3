"""Who may see the national pages: the dashboard and its exports for national staff and
admins only; a chapter's report for staff and the chapter's own leaders and advisors.
Everyone else is told the page does not exist (404). test_routes.py checks every national
route has a row here."""

import pytest

from tests import test_chapter_permissions as chapters_matrix
from tests.helpers import is_login_redirect
from tests.test_chapter_permissions import ACTORS, LOGIN, OK, route, snapshot

world = chapters_matrix.world  # the same two chapters and people as the chapters matrix


def _staff_only():
    return {"member_a": 404, "leader_a": 404, "advisor_a": 404, "member_b": 404} | {
        "staff": OK,
        "admin": OK,
    }


def _report_readers():
    """Staff, and chapter A's leaders and advisors; A's plain members and B's get 404."""
    return {"member_a": 404, "leader_a": OK, "advisor_a": OK, "member_b": 404} | {
        "staff": OK,
        "admin": OK,
    }


ROUTES = [
    route(
        "national.definitions",
        "GET",
        lambda w: "/network/definitions",
        **dict.fromkeys(ACTORS[1:], OK),
    ),
    route(
        "national.network_summary_page",
        "GET",
        lambda w: "/network",
        anonymous=OK,
        **dict.fromkeys(ACTORS[1:], OK),
    ),
    route("national.dashboard", "GET", lambda w: "/network/compare", **_staff_only()),
    route("national.dashboard_csv", "GET", lambda w: "/network/compare.csv", **_staff_only()),
    route("national.dashboard_json", "GET", lambda w: "/network/compare.json", **_staff_only()),
    route("national.chart_page", "GET", lambda w: "/network/chart", **_staff_only()),
    route("national.chart_svg", "GET", lambda w: "/network/chart.svg", **_staff_only()),
    route(
        "national.sparkline_svg", "GET", lambda w: "/network/sparkline.svg?v=1,2", **_staff_only()
    ),
    route("national.report", "GET", lambda w: f"/c/{w.a.slug}/report", **_report_readers()),
    route("national.report_svg", "GET", lambda w: f"/c/{w.a.slug}/report.svg", **_report_readers()),
    route("national.report_pdf", "GET", lambda w: f"/c/{w.a.slug}/report.pdf", **_report_readers()),
    route(
        "national.report_csv_view",
        "GET",
        lambda w: f"/c/{w.a.slug}/report.csv",
        **_report_readers(),
    ),
    route(
        "national.report_json_view",
        "GET",
        lambda w: f"/c/{w.a.slug}/report.json",
        **_report_readers(),
    ),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", ROUTES, ids=lambda r: r.id)
def test_national_permission_matrix(world, case, actor, client, login_as):
    if actor != "anonymous":
        login_as(world.people[actor])
    before = snapshot()
    response = client.get(case.url(world))
    expected = case.expect[actor]
    if expected == LOGIN:
        assert is_login_redirect(response), response.status_code
    else:
        assert response.status_code == expected
    assert snapshot() == before, "a national page changed the database"


def test_a_report_of_an_unknown_chapter_is_not_found(world, client, login_as):
    login_as(world.people["staff"])
    assert client.get("/c/no-such-chapter/report").status_code == 404


def test_only_staff_see_the_compare_link(world, client, login_as):
    login_as(world.people["staff"])
    assert "Compare chapters" in client.get("/chapters").get_data(as_text=True)
    login_as(world.people["leader_a"])
    assert "Compare chapters" not in client.get("/").get_data(as_text=True)
