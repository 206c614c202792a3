"""The comparison dashboard as national staff use it: period, filters, sorting, the
per-member toggle, flags, pagination, and downloads that carry the page's numbers."""

import csv
import io
import re
from html import unescape

import pytest

from chapters.models import Chapter
from core.extensions import db
from national.display import shown_text
from national.metrics import BY_KEY, COLUMNS
from tests.factories import make_chapter, make_user
from tests.national_world import build_network


@pytest.fixture
def network(app):
    return build_network()


@pytest.fixture
def staff_client(network, client, login_as):
    login_as(network.people["staff"])
    return client


def _query(network, **extra) -> str:
    args = network.period_args() | extra
    return "&".join(f"{k}={v}" for k, v in args.items())


def _rows(html: str) -> dict[str, dict[str, str]]:
    """The chapters table as {slug: {metric key: cell text}}, in the page's order."""
    rows: dict[str, dict[str, str]] = {}
    for slug, body in re.findall(r'<tr data-chapter="([^"]+)">(.*?)</tr>', html, re.S):
        cells = re.findall(r'<td data-metric="([^"]+)">(.*?)</td>', body, re.S)
        rows[slug] = {k: unescape(v.strip()) for k, v in cells}
    return rows


def test_the_dashboard_shows_one_row_per_chapter_with_its_numbers(network, staff_client):
    page = staff_client.get(f"/network/compare?{_query(network)}")
    assert page.status_code == 200
    rows = _rows(page.get_data(as_text=True))
    assert list(rows) == ["alpha", "empty", "solo"]  # by name; archived left out
    assert rows["alpha"]["actions_done"] == "3"
    assert rows["alpha"]["people_reached"] == "150"
    assert rows["alpha"]["share_led"] == "75%"
    assert rows["empty"]["median_days_to_decision"] == "—"


def test_per_member_toggle(network, staff_client):
    html = staff_client.get(f"/network/compare?{_query(network, view='per_member')}").get_data(
        as_text=True
    )
    rows = _rows(html)
    assert rows["alpha"]["actions_done"] == "0.75"  # 3 actions, 4 active members
    assert rows["alpha"]["people_reached"] == "37.50"
    assert rows["alpha"]["active_members"] == "4"  # never divided by itself
    assert rows["empty"]["actions_done"] == "—"
    assert "Actions done per member" in html


def test_sorting_by_a_column_both_ways(network, staff_client):
    html = staff_client.get(
        f"/network/compare?{_query(network, sort='people_reached', dir='desc')}"
    )
    assert list(_rows(html.get_data(as_text=True)))[0] == "alpha"
    html = staff_client.get(f"/network/compare?{_query(network, sort='active_members', dir='asc')}")
    assert list(_rows(html.get_data(as_text=True))) == ["empty", "solo", "alpha"]
    # Blanks go last whichever the direction.
    for direction in ("asc", "desc"):
        args = _query(network, sort="median_days_to_decision", dir=direction)
        assert (
            list(_rows(staff_client.get(f"/network/compare?{args}").get_data(as_text=True)))[0]
            == "alpha"
        )


def test_an_unknown_sort_column_falls_back_to_names(network, staff_client):
    response = staff_client.get(f"/network/compare?{_query(network, sort='password', dir='x')}")
    assert response.status_code == 200
    assert list(_rows(response.get_data(as_text=True))) == ["alpha", "empty", "solo"]


def test_region_and_status_filters(network, staff_client):
    html = staff_client.get(f"/network/compare?{_query(network, region='South')}").get_data(
        as_text=True
    )
    assert list(_rows(html)) == ["empty", "solo"]
    html = staff_client.get(f"/network/compare?{_query(network, status='archived')}").get_data(
        as_text=True
    )
    assert list(_rows(html)) == ["gone"]


def test_flags_are_shown_on_the_row(network, staff_client):
    html = staff_client.get(f"/network/compare?{_query(network)}").get_data(as_text=True)
    alpha = re.search(r'<tr data-chapter="alpha">(.*?)</tr>', html, re.S).group(1)
    assert "Overdue sign-offs" in alpha
    assert "Unhealthy roster" in alpha
    assert "No activity in 30 days" not in alpha


@pytest.mark.dates
def test_bad_custom_dates_are_explained_and_the_academic_year_shown(network, staff_client):
    response = staff_client.get("/network/compare?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The last day must be on or after the first day." in html
    assert "Academic year" in html


def test_the_dashboard_pages_through_many_chapters(network, staff_client):
    for i in range(52):
        make_chapter(f"Zeta {i:02}", slug=f"zeta-{i:02}")
    first = staff_client.get(f"/network/compare?{_query(network)}").get_data(as_text=True)
    assert len(_rows(first)) == 50
    assert "Page 1 of 2" in first
    second = staff_client.get(f"/network/compare?{_query(network, page=2)}").get_data(as_text=True)
    assert len(_rows(second)) == 5
    # Sorted in SQL across pages: the second page continues the first's order.
    assert list(_rows(first))[-1] < list(_rows(second))[0]
    # A page past the end (an old link) shows the last page.
    past = staff_client.get(f"/network/compare?{_query(network, page=9)}").get_data(as_text=True)
    assert _rows(past) == _rows(second) and "Page 2 of 2" in past


def test_csv_and_json_carry_the_pages_numbers_in_the_pages_order(network, staff_client):
    for view in ("", "per_member"):
        args = _query(network, sort="people_reached", dir="desc", view=view)
        html = staff_client.get(f"/network/compare?{args}").get_data(as_text=True)
        page_rows = _rows(html)
        data = staff_client.get(f"/network/compare.json?{args}").get_json()
        text = staff_client.get(f"/network/compare.csv?{args}").get_data().decode("utf-8-sig")
        csv_rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert [c["slug"] for c in data["chapters"]] == list(page_rows)
        assert [r["slug"] for r in csv_rows] == list(page_rows)
        per_member = view == "per_member"
        for chapter, line in zip(data["chapters"], csv_rows, strict=True):
            for m in COLUMNS:
                value = chapter["values"][m.key]
                name = f"{m.key}_per_active_member" if per_member and m.per_member else m.key
                assert line[name] == ("" if value is None else str(value)), name
                assert page_rows[chapter["slug"]][m.key] == shown_text(value, m, per_member)


def test_the_per_member_csv_names_its_view_in_file_name_and_headers(network, staff_client):
    """0.17 under `active_campaigns` reads as a count: a divided column says so."""
    totals = staff_client.get(f"/network/compare.csv?{_query(network)}")
    per_member = staff_client.get(f"/network/compare.csv?{_query(network, view='per_member')}")
    assert "per-member" not in totals.headers["Content-Disposition"]
    assert "-per-member.csv" in per_member.headers["Content-Disposition"]
    header = per_member.get_data().decode("utf-8-sig").splitlines()[0].split(",")
    assert "active_campaigns_per_active_member" in header
    assert "active_campaigns" not in header
    assert "active_members" in header  # the divisor itself is not divided
    assert "active_campaigns" in totals.get_data().decode("utf-8-sig").splitlines()[0]
    json_name = staff_client.get(f"/network/compare.json?{_query(network, view='per_member')}")
    assert "-per-member.json" in json_name.headers["Content-Disposition"]


def test_json_says_what_it_holds(network, staff_client):
    data = staff_client.get(f"/network/compare.json?{_query(network, region='South')}").get_json()
    assert data["format_version"] == 1
    assert data["filters"]["region"] == "South"
    assert {d["key"] for d in data["definitions"]} >= {m.key for m in COLUMNS}
    assert data["network"]["totals"]["active_members"] == 1


def test_a_chapter_name_cannot_become_a_spreadsheet_formula(network, staff_client):
    make_chapter("=HYPERLINK(1)", slug="formula")
    text = staff_client.get(f"/network/compare.csv?{_query(network)}").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text


def test_the_csv_opens_in_excel_with_accents_intact(network, staff_client):
    """Excel reads a CSV without a byte order mark as Windows-1252 (Tomás becomes TomÃ¡s);
    RFC 4180 ends every line with CRLF."""
    make_chapter("Université Tomás Bată", slug="accents")
    response = staff_client.get(f"/network/compare.csv?{_query(network)}")
    assert response.mimetype == "text/csv"
    assert response.mimetype_params.get("charset") == "utf-8"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte order mark
    assert body.endswith(b"\r\n") and body.count(b"\n") == body.count(b"\r\n")
    text = body.decode("utf-8-sig")
    assert "Université Tomás Bată" in text
    assert text.splitlines()[0].startswith("slug,name,")


def test_the_definitions_page_explains_every_metric(network, staff_client):
    html = staff_client.get("/network/definitions").get_data(as_text=True)
    for m in BY_KEY.values():
        assert unescape(m.name) in unescape(html)
    assert "Higher is better" in html


def test_archived_chapter_reports_still_open_for_staff(network, staff_client):
    gone = db.session.get(Chapter, network.gone.id)
    assert staff_client.get(f"/c/{gone.slug}/report").status_code == 200


@pytest.mark.parametrize("choice", [{"region": "Nowhere"}, {"status": "archived"}])
def test_a_filter_no_chapter_matches_says_so_and_what_to_do(app, client, login_as, choice):
    """Each is a choice of the page's own filter; with no chapter to take a median of, the
    network table has nothing to show, not a server error."""
    staff = make_user(national_staff=True)
    make_chapter("Alpha", slug="alpha", region="North")
    login_as(staff)

    response = client.get("/network/compare", query_string=choice)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "No chapter matches these filters" in html
    assert "clear the region or status filter" in html


@pytest.mark.parametrize(
    "dates", ["start=0001-01-01&end=0001-12-31", "start=9999-01-01&end=9999-12-31"]
)
def test_dates_at_the_ends_of_the_calendar_are_explained_not_a_server_error(
    network, client, login_as, monkeypatch, dates
):
    """Years 1 and 9999 parse as dates, but the day after one or the period before the
    other does not exist: every page and download that takes a period says so and shows
    the default period. The chapter's leader reaches the report in every format."""
    monkeypatch.setattr("national.views.report.render_pdf", lambda *args: b"%PDF-1.7 stand-in")
    message = "Enter a date between 2000-01-01 and 2099-12-31."
    login_as(network.people["staff"])
    for page in ("/network/compare", "/network/chart"):
        response = client.get(f"{page}?{dates}")
        assert response.status_code == 200, page
        assert message in response.get_data(as_text=True)
        assert "Academic year" in response.get_data(as_text=True)
    for download in ("/network/compare.csv", "/network/compare.json", "/network/chart.svg"):
        assert client.get(f"{download}?{dates}").status_code == 200, download

    login_as(network.people["leader"])
    report = client.get(f"/c/alpha/report?{dates}")
    assert report.status_code == 200
    assert message in report.get_data(as_text=True)
    for fmt in ("pdf", "csv", "json", "svg"):
        assert client.get(f"/c/alpha/report.{fmt}?{dates}").status_code == 200, fmt
