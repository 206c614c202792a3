"""Evidence files: what is accepted, that nothing half-stores, and who may download them."""

from io import BytesIO

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from campaigns.outcome_models import EvidenceFile, Outcome
from core.extensions import db
from core.models import AuditEvent
from demo_outcomes import tiny_pdf, tiny_png
from tests.conftest import csrf_token_for
from tests.factories import make_evidence_file, make_outcome
from tests.helpers import is_login_redirect
from tests.outcomes_world import count, outcome_form, outcomes_world  # noqa: F401  (fixture)


def upload(w, client, files, *, tick=True, **overrides):
    """Post the outcome form with files, as a browser does. The body is built in memory:
    the test client would spool a large one to a temporary file and never close it."""
    data = outcome_form(**overrides) | {"csrf_token": csrf_token_for(client)}
    data["evidence"] = [FileStorage(BytesIO(content), name) for content, name in files]
    if tick:
        data["no_patient_info"] = "y"
    boundary, body = encode_multipart(MultiDict(_pairs(data)))
    return client.post(
        w.outcome_url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _pairs(data: dict):
    for key, value in data.items():
        for one in value if isinstance(value, list) else [value]:
            yield key, one


def test_a_photo_and_a_pdf_are_stored_and_served_only_to_readers_of_the_chapter(
    w, app, client, login_as, post
):
    png, pdf = tiny_png(), tiny_pdf("Sign-in sheet")
    login_as(w.lead)
    response = upload(w, client, [(png, "IMG_0042.PNG"), (pdf, "sign-in.pdf")])
    assert response.status_code == 302
    files = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [(f.mime_type, f.size) for f in files] == [
        ("image/png", len(png)),
        ("application/pdf", len(pdf)),
    ]
    # Server-made names: nothing of the uploader's file name is kept.
    assert files[0].name.startswith(f"evidence-{w.action.id}-") and files[0].name.endswith(".png")
    assert "IMG_0042" not in files[0].name
    page = client.get(w.action_url).get_data(as_text=True)
    assert files[0].name in page and files[1].name in page

    for reader in (w.member, w.advisor, w.staff, w.lead):
        login_as(reader)
        got = client.get(f"/c/{w.chapter.slug}/evidence/{files[1].id}")
        assert got.status_code == 200, reader.display_name
        assert got.data == pdf
        assert got.headers["Content-Type"] == "application/pdf"
        assert got.headers["Content-Disposition"] == f'attachment; filename="{files[1].name}"'
        assert got.headers["X-Content-Type-Options"] == "nosniff"
        image = client.get(f"/c/{w.chapter.slug}/evidence/{files[0].id}")
        assert image.data == png and image.headers["Content-Type"] == "image/png"
        assert image.headers["Content-Disposition"].startswith("inline; filename=")

    login_as(w.outsider)
    assert client.get(f"/c/{w.chapter.slug}/evidence/{files[1].id}").status_code == 404
    # Another chapter's URL with this file's id: the file is not in that chapter.
    assert client.get(f"/c/westside/evidence/{files[1].id}").status_code == 404
    anonymous = app.test_client()
    assert is_login_redirect(anonymous.get(f"/c/{w.chapter.slug}/evidence/{files[1].id}"))


def test_a_large_file_comes_back_whole_in_slices(w, client, login_as, query_counter):
    pdf = tiny_pdf()
    big = pdf[:9] + b"%" * 200_000 + pdf[9:]  # a comment line: still a valid PDF
    outcome = make_outcome(w.action)
    f = make_evidence_file(outcome, big, mime_type="application/pdf", by=w.lead)
    login_as(w.member)
    with query_counter() as statements:
        got = client.get(f"/c/{w.chapter.slug}/evidence/{f.id}")
    assert got.data == big and got.headers["Content-Length"] == str(len(big))
    slices = [s for s in statements if "substr" in s.lower()]
    assert len(slices) == 4  # 64 KiB each: 200 KB is four reads, never the whole column


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (tiny_png(), "minutes.pdf", "is named as a PDF but its content is a PNG image"),
        (b"Patient list, do not share\n" * 20, "photo.png", "is not a PDF, PNG or JPEG"),
        (tiny_png()[:-12], "photo.png", "is incomplete"),
        (tiny_pdf()[:-30], "minutes.pdf", "is incomplete"),
        (b"", "empty.pdf", "is empty"),
    ],
)
def test_a_refused_file_is_told_why_and_nothing_is_stored(
    w, client, login_as, post, content, name, message
):
    login_as(w.lead)
    response = upload(w, client, [(tiny_pdf(), "good.pdf"), (content, name)])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "No file was stored." in page
    # The rest of the form keeps its values; not even the good file or the outcome is saved.
    assert "We met the dean with the survey." in page and 'value="150"' in page
    assert count(EvidenceFile) == count(Outcome) == 0


def test_ten_megabytes_is_accepted_and_one_byte_more_is_refused(w, app, client, login_as, post):
    limit = app.config["EVIDENCE_MAX_BYTES"]
    pdf = tiny_pdf()
    at_limit = pdf[:9] + b"%" * (limit - len(pdf)) + pdf[9:]
    login_as(w.lead)
    response = upload(w, client, [(at_limit + b"\n", "scan.pdf")])
    assert response.status_code == 200  # a clear message on the form, not a bare 413
    assert "“scan.pdf” is larger than 10 MB." in response.get_data(as_text=True)
    assert count(EvidenceFile) == 0
    assert upload(w, client, [(at_limit, "scan.pdf")]).status_code == 302
    assert db.session.scalar(select(EvidenceFile.size)) == limit


def test_without_the_no_patient_information_tick_nothing_is_stored(w, client, login_as, post):
    login_as(w.lead)
    response = upload(w, client, [(tiny_png(), "photo.png")], tick=False)
    assert response.status_code == 200
    assert "hold no patient-identifying information" in response.get_data(as_text=True)
    assert count(EvidenceFile) == count(Outcome) == 0


def test_an_outcome_holds_at_most_the_configured_number_of_files(w, app, client, login_as, post):
    app.config["EVIDENCE_MAX_FILES"] = 2
    outcome = make_outcome(w.action, attendance=3)
    make_evidence_file(outcome, tiny_png(), mime_type="image/png", by=w.lead)
    login_as(w.lead)
    response = upload(w, client, [(tiny_pdf(), "a.pdf"), (tiny_pdf("b"), "b.pdf")], version="1")
    assert response.status_code == 200
    assert "at most 2 files; this one has 1" in response.get_data(as_text=True)
    assert count(EvidenceFile) == 1
    assert db.session.scalar(select(Outcome.attendance)) == 3  # the whole save was refused


def test_removing_a_file_asks_first_then_deletes_the_bytes_and_keeps_the_record(
    w, client, login_as, post
):
    outcome = make_outcome(w.action)
    f = make_evidence_file(outcome, tiny_png(), mime_type="image/png", by=w.lead)
    file_id, name, digest = f.id, f.name, f.sha256
    url = f"/c/{w.chapter.slug}/evidence/{file_id}"
    login_as(w.leader)
    confirm = client.get(url + "/remove").get_data(as_text=True)
    assert f"Remove {name}?" in confirm and count(EvidenceFile) == 1
    response = post(url + "/remove")
    assert response.status_code == 302
    assert f"{name} removed." in client.get(response.location).get_data(as_text=True)
    assert count(EvidenceFile) == 0
    assert client.get(url).status_code == 404
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.removed"))
    assert event.actor_id == w.leader.id and event.before["sha256"] == digest


def test_a_member_who_does_not_lead_the_action_cannot_remove_a_file(w, client, login_as, post):
    outcome = make_outcome(w.action)
    f = make_evidence_file(outcome, tiny_png(), mime_type="image/png", by=w.lead)
    login_as(w.member)
    assert post(f"/c/{w.chapter.slug}/evidence/{f.id}/remove").status_code == 403
    assert "Remove…" not in client.get(w.action_url).get_data(as_text=True)
    assert count(EvidenceFile) == 1


def test_a_request_larger_than_relay_accepts_gets_the_upload_too_large_page(
    w, app, client, login_as, post
):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    login_as(w.lead)
    response = upload(w, client, [(b"%PDF-" + b"x" * 100_000, "huge.pdf")])
    assert response.status_code == 413
    assert "larger than Relay accepts" in response.get_data(as_text=True)
    assert count(EvidenceFile) == 0


def test_a_file_name_with_a_nul_byte_is_a_bad_request(w, client, login_as):
    """As a NUL in any other field: the name is never kept, but it is echoed in messages
    and no legitimate file name holds one."""
    login_as(w.lead)
    response = upload(w, client, [(tiny_png(), "photo\x00.png")])
    assert response.status_code == 400
    assert count(Outcome) == count(EvidenceFile) == 0
