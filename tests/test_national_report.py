"""A chapter's report: its metrics beside the network medians, campaigns and outcomes,
sign-off history, rotation fairness and highlights; downloads with the page's numbers."""

import csv
import io
import re
import shutil
import subprocess
import tempfile
import zlib
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from campaigns.models import Milestone
from campaigns.signoff_models import MilestoneDecision, MilestoneSubmission, SubmissionKind
from core.extensions import db
from national.display import shown_text
from national.metrics import BY_KEY
from tests.factories import make_member
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
        body = client.get(f"/c/alpha/report.csv?{args}").get_data()
        assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
        assert body.count(b"\n") == body.count(b"\r\n")  # CRLF line ends (RFC 4180)
        lines = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        response = client.get(f"/c/alpha/report.csv?{args}")
        assert response.headers["Content-Disposition"].endswith(
            '-per-member.csv"' if view else '.csv"'
        ) and ("per-member" in response.headers["Content-Disposition"]) == bool(view)
        data = client.get(f"/c/alpha/report.json?{args}").get_json()
        per_member = view == "per_member"
        for line in lines:
            m = BY_KEY[line["metric"].removesuffix("_per_active_member")]
            if per_member and m.per_member:  # a divided value says so in its name
                assert line["metric"] == f"{m.key}_per_active_member"
                assert line["unit"].endswith(" per active member")
            else:
                assert line["metric"] == m.key
            value = data["chapter"]["values"][m.key]
            assert line["chapter"] == ("" if value is None else str(value))
            assert page[m.key][0] == shown_text(value, m, per_member), m.key
            median = data["network"]["medians"].get(m.key)
            if m.kind != "date":
                assert page[m.key][1] == shown_text(median, m, per_member), m.key
        assert data["campaigns"][0]["actions_done"] == 3
        assert {s["decision"] for s in data["signoffs"]} == {"approved", "returned"}


def test_report_json_sign_offs_say_addendum_and_advisor(network, client, login_as):
    """A milestone's approval and its addendum's approval, by two advisors, read apart."""
    milestone = db.session.scalars(select(Milestone).where(Milestone.title == "Milestone 0")).one()
    second = make_member(network.alpha, "advisor", name="Dr Bo", profession="Nursing").user
    addendum = MilestoneSubmission(
        milestone=milestone,
        kind=SubmissionKind.ADDENDUM,
        text="More.",
        status="approved",
        submitted_by_id=network.people["leader"].id,
        submitted_at=network.now - timedelta(days=5),
    )
    db.session.add(addendum)
    db.session.add(
        MilestoneDecision(
            milestone_id=milestone.id,
            submission=addendum,
            advisor_id=second.id,
            decision="approved",
            decided_at=network.now - timedelta(days=4),
        )
    )
    db.session.commit()
    login_as(network.people["staff"])

    data = client.get(f"/c/alpha/report.json?{_query(network)}").get_json()

    approvals = [s for s in data["signoffs"] if s["milestone"] == "Milestone 0"]
    assert [(s["addendum"], s["advisor"]) for s in approvals] == [
        (True, "Dr Bo"),
        (False, "Dr Ada"),
    ]


def _weasyprint_missing() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"WeasyPrint cannot load here ({error}); `make pdf-deps` installs Pango as root"
    return None


@pytest.mark.skipif(_weasyprint_missing() is not None, reason=str(_weasyprint_missing()))
@pytest.mark.parametrize(("paper", "width_pt"), [("a4", 595), ("letter", 612)])
def test_the_report_downloads_as_a_pdf_of_the_same_page(network, client, login_as, paper, width_pt):
    login_as(network.people["staff"])
    html = client.get(f"/c/alpha/report?{_query(network)}").get_data(as_text=True)
    assert "Download PDF" in html

    response = client.get(f"/c/alpha/report.pdf?{_query(network, paper=paper)}")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-")
    # The page size asked for (MediaBox width in points: A4 595, Letter 612), read from
    # the PDF's objects (plain, or in compressed object streams).
    objects = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            objects += zlib.decompress(stream)
        except zlib.error:
            continue
    sizes = {round(float(w)) for w in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+)", objects)}
    assert sizes == {width_pt}
    assert b"/XObject" in objects  # the chart came along


def _poppler_missing() -> str | None:
    missing = [tool for tool in ("pdfinfo", "pdftotext") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found: apt-get install poppler-utils"
    return _weasyprint_missing()


def _pdf_tool(tool: str, pdf: bytes, *args: str) -> str:
    """Run a poppler tool on the PDF: pdfinfo's report, or pdftotext's text."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        out = ["-"] if tool == "pdftotext" else []
        command = [shutil.which(tool) or tool, *args, file.name, *out]
        done = subprocess.run(  # noqa: S603 - poppler's own tool on a file we wrote
            command, capture_output=True, check=True, text=True, timeout=60
        )
    return done.stdout


@pytest.mark.skipif(_poppler_missing() is not None, reason=str(_poppler_missing()))
def test_the_report_pdf_is_tagged_numbered_dated_and_titled(network, client, login_as, clock):
    """Checked by poppler, a reader other than the one that wrote it: tagged for screen
    readers, title, author and creation date in its metadata, page numbers on every page,
    and when it was generated in the chapter's zone (Alpha Health: America/Chicago)."""
    clock.move_to(datetime(2026, 11, 18, 15, 0, tzinfo=UTC))
    login_as(network.people["staff"])
    pdf = client.get(f"/c/alpha/report.pdf?{_query(network)}").get_data()

    info = dict(
        line.split(":", 1) for line in _pdf_tool("pdfinfo", pdf).splitlines() if ":" in line
    )
    info = {k.strip(): v.strip() for k, v in info.items()}
    assert info["Tagged"] == "yes"
    assert info["Title"].startswith("Alpha Health: report")
    assert info["Author"] == "Relay"
    assert "2026" in info["CreationDate"] and "Nov 18" in info["CreationDate"]
    pages = int(info["Pages"])
    text = _pdf_tool("pdftotext", pdf, "-layout")
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in text
    assert "Generated on 18 Nov 2026, 09:00 CST by Relay" in text


@pytest.mark.skipif(_poppler_missing() is not None, reason=str(_poppler_missing()))
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_report_chart_stays_on_page_one_beside_the_table(network, client, login_as, paper):
    """A chart is one unbreakable image: too tall, it moved whole to page 2 and left the
    bottom of page 1 blank. Its title (text in the vector chart) is on page 1."""
    login_as(network.people["staff"])
    pdf = client.get(f"/c/alpha/report.pdf?{_query(network, paper=paper)}").get_data()
    first_page = _pdf_tool("pdftotext", pdf, "-f", "1", "-l", "1")
    assert "Alpha Health against the network median" in first_page


@pytest.mark.dates
def test_the_report_shows_three_academic_years_with_their_numbers(network, client, login_as):
    login_as(network.people["staff"])
    html = client.get("/c/alpha/report").get_data(as_text=True)  # the current academic year

    section = html.split('id="trend-h"', 1)[1].split("</section>", 1)[0]
    assert '<img src="data:image/svg+xml;base64,' in section
    years = re.findall(r'<tr><th scope="row">(Academic year [^<]+)</th>(.*?)</tr>', section, re.S)
    assert len(years) == 3
    assert years[0][0] < years[1][0] < years[2][0]  # oldest first
    this_year = [unescape(c) for c in re.findall(r"<td>(.*?)</td>", years[2][1])]
    metrics = _metric_rows(html)
    assert this_year[1] == metrics["actions_done"][0]  # the same number as the report's row
    assert this_year[0] == metrics["active_members"][0]
    # The world's three done actions (5 to 20 days ago) lie in these years: all in this one,
    # or some in the last in the year's first weeks.
    done = [int(re.findall(r"<td>(.*?)</td>", y[1])[1]) for y in years]
    assert done[0] == 0 and done[1] + done[2] == 3
