"""Issue 13 in a browser: national staff compare the demo chapters, switch to per-member
values, sort by people reached, follow a flagged chapter into its report, print it and
download the CSV and the PDF; every row's sparkline loads; the chart image renders under
the page's security policy; and the dashboard is usable at phone width."""

import re

from playwright.sync_api import expect


def test_staff_compare_chapters_and_open_a_report(signed_in):
    staff = signed_in("staff@relay.test")
    staff.get_by_role("link", name="Compare chapters").click()
    expect(staff.get_by_role("heading", name="Compare chapters", level=1)).to_be_visible()

    staff.get_by_label("Per active member").check()
    staff.get_by_role("button", name="Compare").click()
    expect(
        staff.get_by_role("columnheader", name=re.compile("Actions done per member"))
    ).to_be_visible()

    staff.get_by_role("link", name=re.compile("^People reached")).click()
    expect(staff).to_have_url(re.compile(r"sort=people_reached"))
    expect(staff).to_have_url(re.compile(r"view=per_member"))

    flagged = staff.locator("tr[data-chapter]", has=staff.locator(".badge-warn")).first
    name = flagged.get_by_role("rowheader").get_by_role("link").inner_text()
    flagged.get_by_role("rowheader").get_by_role("link").click()
    expect(staff.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(staff.get_by_role("heading", name="Needs attention")).to_be_visible()

    # Printing hides the navigation and the forms.
    staff.emulate_media(media="print")
    expect(staff.get_by_role("button", name="Show")).to_be_hidden()
    assert len(staff.pdf(format="A4")) > 1000
    assert len(staff.pdf(format="Letter")) > 1000
    staff.emulate_media(media="screen")

    with staff.expect_download() as download:
        staff.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")

    with staff.expect_download() as download:
        staff.get_by_role("link", name="Download PDF (A4)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The three years' chart loads as an image under the page's policy.
    trend = staff.get_by_role("img", name=re.compile("over the last three academic years"))
    assert trend.evaluate("img => img.naturalWidth") > 0


def test_each_row_has_a_sparkline_that_loads(signed_in):
    staff = signed_in("staff@relay.test")
    staff.goto("/network/compare")
    sparkline = staff.locator("tr[data-chapter] td.sparkline img").first
    sparkline.scroll_into_view_if_needed()
    expect(sparkline).to_have_attribute("alt", re.compile("^Actions done by month: "))
    staff.wait_for_function(
        "() => [...document.querySelectorAll('td.sparkline img')].some(i => i.naturalWidth > 0)"
    )


def test_the_chart_image_renders(signed_in):
    staff = signed_in("staff@relay.test")
    staff.goto("/network/chart?metric=actions_done")
    image = staff.get_by_role("img", name=re.compile("Bar chart"))
    expect(image).to_be_visible()
    width = image.evaluate("img => img.naturalWidth")
    assert width > 0, "the SVG did not load as an image"


def test_the_dashboard_at_phone_width(signed_in):
    staff = signed_in("staff@relay.test", viewport={"width": 390, "height": 844})
    staff.goto("/network/compare")
    expect(staff.get_by_role("button", name="Compare")).to_be_visible()
    overflow = staff.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, "the page scrolls sideways on a phone"
