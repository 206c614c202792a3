"""A chapter's report: its metrics beside the network medians, campaigns and outcomes,
sign-off history, rotation fairness and highlights; downloads with the page's numbers."""

import csv
import io
import re
from html import unescape

import pytest

from national.display import shown_text
from national.metrics import BY_KEY
from tests.national_world import build_network


@pytest.fixture
def network(app):
    return build_network()


def _query(network, **extra) -> str:
    return "&".join(f"{k}={v}" for k, v in (network.period_args() | extra).items())


def _metric_rows(html: str) -> dict[str, list[str]]:
    rows = {}
    for key, body in re.findall(r'<tr data-metric="([^"]+)">(.*?)</tr>', html, re.S):
        rows[key] = [unescape(c.strip()) for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
    return rows


def test_the_report_shows_the_chapter_against_the_network(network, client, login_as):
    login_as(network.people["leader"])  # the chapter's own leader may read it
    html = client.get(f"/c/alpha/report?{_query(network)}").get_data(as_text=True)
    rows = _metric_rows(html)
    assert rows["actions_done"][:2] == ["3", "0"]  # alpha, and the median of 3, 0, 0
    assert rows["people_reached"][0] == "150"
    assert "Medicine 2, Nursing 1, Pharmacy 1" in html
    assert "Overdue sign-offs" in html  # needs attention
    assert "Milestone 0" in html and "Approved" in html and "Returned" in html  # sign-offs
    assert "75%" in html  # share who led
    assert 'media="print"' in html  # the print stylesheet


def test_the_advisor_reads_it_but_the_compare_link_is_for_staff(network, client, login_as):
    login_as(network.people["advisor"])
    html = client.get("/c/alpha/report").get_data(as_text=True)
    assert "Compare chapters" not in html


def test_report_csv_and_json_equal_the_page(network, client, login_as):
    login_as(network.people["staff"])
    for view in ("", "per_member"):
        args = _query(network, view=view)
        page = _metric_rows(client.get(f"/c/alpha/report?{args}").get_data(as_text=True))
        lines = list(
            csv.DictReader(
                io.StringIO(client.get(f"/c/alpha/report.csv?{args}").get_data(as_text=True))
            )
        )
        data = client.get(f"/c/alpha/report.json?{args}").get_json()
        per_member = view == "per_member"
        for line in lines:
            m = BY_KEY[line["metric"]]
            value = data["chapter"]["values"][m.key]
            assert line["chapter"] == ("" if value is None else str(value))
            assert page[m.key][0] == shown_text(value, m, per_member), m.key
            median = data["network"]["medians"].get(m.key)
            if m.kind != "date":
                assert page[m.key][1] == shown_text(median, m, per_member), m.key
        assert data["campaigns"][0]["actions_done"] == 3
        assert {s["decision"] for s in data["signoffs"]} == {"approved", "returned"}
