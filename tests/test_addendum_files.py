"""Files sent with an addendum (a correction to signed-off work): the evidence files' upload
rules, served only to readers of the chapter, and only where an addendum is allowed."""

from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from campaigns.signoff_models import AddendumFile, MilestoneSubmission
from core.extensions import db
from core.models import AuditEvent
from demo_outcomes import tiny_pdf, tiny_png
from tests.conftest import csrf_token_for
from tests.factories import make_chapter, make_member, make_user
from tests.helpers import is_login_redirect
from tests.signoff_world import Scene, approve, scene_fixture, submit  # noqa: F401  (fixture)


@pytest.fixture
def signed_off(scene) -> Scene:
    approve(submit(scene.milestone, scene.leader, [scene.outcome]), scene.advisor)
    return scene


def addendum_url(s: Scene) -> str:
    return f"/c/riverside/milestones/{s.milestone.id}/addendum"


def send(client, url, files, *, text="The count was 400, not 40.", tick=True):
    """Post the addendum form with files, as a browser does (multipart, built in memory)."""
    pairs = [("csrf_token", csrf_token_for(client)), ("text", text)]
    pairs += [("evidence", FileStorage(BytesIO(content), name)) for content, name in files]
    if tick:
        pairs.append(("no_patient_info", "y"))
    boundary, body = encode_multipart(MultiDict(pairs))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def addenda() -> int:
    return (
        db.session.scalar(select(func.count()).where(MilestoneSubmission.kind == "addendum")) or 0
    )


def stored() -> list[AddendumFile]:
    return list(db.session.scalars(select(AddendumFile).order_by(AddendumFile.id)))


def test_an_addendum_keeps_a_photo_and_a_pdf_served_only_to_readers_of_the_chapter(
    signed_off, app, client, login_as
):
    s = signed_off
    png, pdf = tiny_png(), tiny_pdf("Corrected sign-in sheet")
    login_as(s.leader)
    response = send(client, addendum_url(s), [(png, "IMG_7.png"), (pdf, "sheet.pdf")])
    assert response.status_code == 302
    flashed = client.get(response.location).get_data(as_text=True)
    assert "Addendum submitted for sign-off with 2 files." in flashed
    files = stored()
    assert [(f.mime_type, f.size) for f in files] == [
        ("image/png", len(png)),
        ("application/pdf", len(pdf)),
    ]
    assert files[0].name.startswith(f"addendum-{s.milestone.id}-") and "IMG_7" not in files[0].name
    assert files[0].submission.kind == "addendum"
    assert files[0].name in flashed  # listed on the milestone page, waiting and in history
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "addendum.file_added")
    ).all()
    assert len(events) == 2

    staff = make_user(name="Stella Staff", national_staff=True, kind="faculty")
    for reader in (s.member, s.lead, s.advisor, s.leader, staff):
        login_as(reader)
        got = client.get(f"/c/riverside/addendum-files/{files[1].id}")
        assert got.status_code == 200, reader.display_name
        assert got.data == pdf
        assert got.headers["Content-Type"] == "application/pdf"
        assert got.headers["Content-Disposition"] == f'attachment; filename="{files[1].name}"'
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        image = client.get(f"/c/riverside/addendum-files/{files[0].id}")
        assert image.data == png and image.headers["Content-Disposition"].startswith("inline;")

    # The advisor sees the files where they decide: the queue.
    login_as(s.advisor)
    assert files[0].name in client.get("/signoffs").get_data(as_text=True)

    other = make_chapter("Westside Health", slug="westside")
    login_as(make_member(other).user)
    assert client.get(f"/c/riverside/addendum-files/{files[1].id}").status_code == 404
    assert client.get(f"/c/westside/addendum-files/{files[1].id}").status_code == 404
    assert is_login_redirect(app.test_client().get(f"/c/riverside/addendum-files/{files[1].id}"))


@pytest.mark.parametrize(
    ("content", "name", "said"),
    [
        (lambda: tiny_png(), "minutes.pdf", "named as a PDF but its content is a PNG image"),
        (lambda: b"just some notes\n" * 10, "photo.png", "is not a PDF, PNG or JPEG"),
        (lambda: b"", "empty.pdf", "is empty"),
        (lambda: tiny_pdf()[:-40], "cut.pdf", "is incomplete"),
    ],
    ids=["png renamed pdf", "text renamed png", "empty", "truncated"],
)
def test_a_file_that_is_not_acceptable_evidence_stores_nothing(
    signed_off, client, login_as, content, name, said
):
    login_as(signed_off.leader)
    response = send(client, addendum_url(signed_off), [(content(), name)])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and said in page and "No file was stored." in page
    assert "The count was 400, not 40." in page  # the text is kept
    assert addenda() == 0 and stored() == []


def test_a_file_over_the_size_limit_is_refused(signed_off, app, client, login_as):
    app.config["EVIDENCE_MAX_BYTES"] = 1000
    pdf = tiny_pdf()
    big = pdf[:9] + b"%" * (1001 - len(pdf)) + pdf[9:]
    assert len(big) == 1001  # the limit + 1 byte
    login_as(signed_off.leader)
    page = send(client, addendum_url(signed_off), [(big, "big.pdf")]).get_data(as_text=True)
    assert "is larger than" in page
    assert addenda() == 0 and stored() == []


def test_too_many_files_are_refused(signed_off, app, client, login_as):
    app.config["EVIDENCE_MAX_FILES"] = 2
    login_as(signed_off.leader)
    files = [(tiny_png(rgb=(i, 0, 0)), f"p{i}.png") for i in range(3)]
    page = send(client, addendum_url(signed_off), files).get_data(as_text=True)
    assert "An addendum holds at most 2 files" in page
    assert addenda() == 0 and stored() == []


def test_without_the_no_patient_information_tick_nothing_is_stored(signed_off, client, login_as):
    login_as(signed_off.leader)
    response = send(client, addendum_url(signed_off), [(tiny_png(), "p.png")], tick=False)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "no patient-identifying information" in page
    assert addenda() == 0 and stored() == []


def test_only_leaders_send_an_addendum_with_files(signed_off, client, login_as):
    for who in (signed_off.member, signed_off.lead, signed_off.advisor):
        login_as(who)
        assert send(client, addendum_url(signed_off), [(tiny_png(), "p.png")]).status_code == 403
    assert addenda() == 0 and stored() == []


def test_work_that_is_not_signed_off_takes_no_addendum_or_files(scene, client, login_as):
    login_as(scene.leader)
    response = send(client, addendum_url(scene), [(tiny_png(), "p.png")])
    assert response.status_code in (200, 302)
    assert addenda() == 0 and stored() == []


def test_an_archived_campaign_takes_no_addendum_files(signed_off, client, login_as):
    signed_off.campaign.status = "archived"
    db.session.commit()
    login_as(signed_off.leader)
    send(client, addendum_url(signed_off), [(tiny_png(), "p.png")])
    assert addenda() == 0 and stored() == []
