"""The chart of a metric across chapters: an SVG with no script, served under a policy
that allows only its inline styles, with a title, a summary and the same numbers."""

import re
from html import unescape

import pytest

from tests.national_world import build_network


@pytest.fixture
def network(app):
    return build_network()


def _query(network, **extra) -> str:
    return "&".join(f"{k}={v}" for k, v in (network.period_args() | extra).items())


def test_the_chart_page_has_a_title_a_summary_and_the_numbers(network, client, login_as):
    login_as(network.people["staff"])
    html = client.get(f"/network/chart?{_query(network, metric='people_reached')}").get_data(
        as_text=True
    )
    assert "People reached, " in html
    assert "Highest: Alpha Health (150)" in html
    assert "Network median: 0." in html  # of 150, 0, 0
    table = {
        unescape(name): value
        for name, value in re.findall(
            r'<th scope="row">(.*?)</th><td data-value>(.*?)</td>', html, re.S
        )
    }
    assert table == {
        "Alpha Health": "150",
        "Network median": "0",
        "Empty Health": "0",
        "Solo Health": "0",
    }
    assert 'src="/network/chart.svg?' in html


def test_the_svg_has_no_script_and_its_own_policy(network, client, login_as):
    login_as(network.people["staff"])
    response = client.get(f"/network/chart.svg?{_query(network, metric='actions_done')}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    assert "<script" not in svg
    assert "Alpha Health" in svg and "Network median" in svg
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script" not in policy


def test_per_member_and_an_unknown_metric(network, client, login_as):
    login_as(network.people["staff"])
    html = client.get(
        f"/network/chart?{_query(network, metric='actions_done', view='per_member')}"
    ).get_data(as_text=True)
    assert "Actions done per active member" in html
    assert "Alpha Health (0.75)" in html
    assert client.get("/network/chart?metric=nope").status_code == 200  # the first metric


def test_the_report_chart_compares_the_chapter_with_the_median(network, client, login_as):
    login_as(network.people["leader"])
    html = client.get(f"/c/alpha/report?{_query(network)}").get_data(as_text=True)
    assert 'src="/c/alpha/report.svg?' in html
    assert "Active members 400%" in html  # 4 against a median of 1
    svg = client.get(f"/c/alpha/report.svg?{_query(network)}")
    assert svg.mimetype == "image/svg+xml"
    assert "<script" not in svg.get_data(as_text=True)
    assert "default-src 'none'" in svg.headers["Content-Security-Policy"]


def test_each_dashboard_row_has_a_sparkline_with_its_numbers_in_words(network, client, login_as):
    login_as(network.people["staff"])
    html = client.get(f"/network/compare?{_query(network)}").get_data(as_text=True)
    alpha = re.search(r'<tr data-chapter="alpha">(.*?)</tr>', html, re.S).group(1)
    image = re.search(r'<img src="([^"]+)" alt="([^"]+)"', alpha)
    src, alt = unescape(image.group(1)), unescape(image.group(2))
    assert alt.startswith("Actions done by month: ")
    in_words = [int(n) for n in re.findall(r": (\d+)", alt.removeprefix("Actions done by"))]
    assert sum(in_words) == 3  # alpha's three done actions (the cancelled one is not counted)
    assert src.startswith("/network/sparkline.svg?v=")
    assert [int(n) for n in src.split("v=")[1].split(",")] == in_words

    response = client.get(src)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and "<script" not in svg
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


# "²" and "3,¹": str.isdigit() says yes to superscripts, int() refuses them.
@pytest.mark.parametrize("bad", ["", "1,x", "-1", ",".join(["1"] * 61), "²", "3,¹", "١٢"])
def test_a_sparkline_needs_counts(network, client, login_as, bad):
    login_as(network.people["staff"])
    assert client.get(f"/network/sparkline.svg?v={bad}").status_code == 404
