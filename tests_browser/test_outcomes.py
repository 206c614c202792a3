"""Issue 11 in a browser: a leader logs what an action achieved, with a photo and a PDF."""

from playwright.sync_api import Page, expect

from demo_outcomes import tiny_pdf, tiny_png

CHAPTER = "Riverside Health Advocates"
CAMPAIGN = "Extend free-clinic hours"
ACTION = "Practice the meeting"  # done in the demo, its outcome logged with one PDF


def flash(page: Page, text: str):
    return page.locator(".flashes").get_by_text(text)


def open_action(page: Page) -> None:
    page.get_by_role("link", name="My week").first.click()
    page.get_by_role("link", name=CHAPTER).first.click()
    page.get_by_role("navigation", name="Chapter").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=CAMPAIGN).click()
    page.get_by_role("region", name="Timeline").get_by_role("link", name=ACTION).click()
    expect(page.get_by_role("heading", name=ACTION, level=2)).to_be_visible()


def test_a_leader_logs_an_outcome_with_a_photo_and_a_pdf(signed_in, tmp_path):
    photo, notes, fake = tmp_path / "photo.jpg.png", tmp_path / "notes.pdf", tmp_path / "list.png"
    photo.write_bytes(tiny_png(160, 90))
    notes.write_bytes(tiny_pdf("Meeting notes"))
    fake.write_text("Not an image: a list of names\n" * 20)

    leader = signed_in("leader@relay.test")
    open_action(leader)
    outcome = leader.get_by_role("region", name="Outcome")
    files_before = outcome.locator("h3 + ul li").count()
    outcome.get_by_role("link", name="Edit the outcome").click()

    # A text file named .png is refused, and nothing of the save is kept but the typing.
    leader.get_by_label("Attendance").fill("23")
    leader.get_by_label("Add evidence files").set_input_files([str(photo), str(fake)])
    leader.get_by_label("I confirm these files contain no patient-identifying information").check()
    leader.get_by_role("button", name="Save the outcome").click()
    expect(leader.get_by_text("“list.png” is not a PDF, PNG or JPEG")).to_be_visible()
    expect(leader.get_by_label("Attendance")).to_have_value("23")

    # Without the tick nothing is stored either.
    leader.get_by_label("Add evidence files").set_input_files([str(photo), str(notes)])
    leader.get_by_role("button", name="Save the outcome").click()
    expect(leader.get_by_text("hold no patient-identifying information")).to_be_visible()

    leader.get_by_label("Add evidence files").set_input_files([str(photo), str(notes)])
    leader.get_by_label("I confirm these files contain no patient-identifying information").check()
    leader.get_by_label("Reflection").fill("I let the first-years run the practice.")
    leader.get_by_label("Coaching and Mentoring").check()
    leader.get_by_role("button", name="Save the outcome").click()
    expect(flash(leader, "Outcome saved with 2 new evidence files.")).to_be_visible()

    outcome = leader.get_by_role("region", name="Outcome")
    expect(outcome.get_by_text("I let the first-years run the practice.")).to_be_visible()
    expect(outcome.get_by_text("Coaching and Mentoring")).to_be_visible()
    files = outcome.locator("h3 + ul li")
    expect(files).to_have_count(files_before + 2)

    # The photo opens as an image; the PDF downloads; both through the chapter's check.
    png_link = files.filter(has_text="PNG").last.get_by_role("link").first
    got = leader.request.get(png_link.get_attribute("href"))
    assert got.status == 200 and got.headers["content-type"] == "image/png"
    assert got.body() == photo.read_bytes()
    pdf_link = files.filter(has_text="PDF").last.get_by_role("link").first
    got = leader.request.get(pdf_link.get_attribute("href"))
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.body() == notes.read_bytes()

    # Remove the PDF after a confirmation.
    name = pdf_link.inner_text()
    files.filter(has_text=name).get_by_role("link", name="Remove…").click()
    expect(leader.get_by_role("heading", name=f"Remove {name}?")).to_be_visible()
    leader.get_by_role("button", name="Remove the file").click()
    expect(flash(leader, f"{name} removed.")).to_be_visible()
    expect(leader.get_by_role("region", name="Outcome").locator("h3 + ul li")).to_have_count(
        files_before + 1
    )
