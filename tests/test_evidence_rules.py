"""The evidence file rule on its own: type by content, whole files only, within the size."""

import pytest

from campaigns.evidence_rules import EvidenceRefused, inspect_evidence
from demo_outcomes import tiny_pdf, tiny_png

LIMIT = 10 * 1024 * 1024
# Enough of a JPEG for its signature and end marker (the rule reads no further).
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64
    + b"\xff\xd9"
)


@pytest.mark.parametrize(
    ("data", "name", "mime", "extension"),
    [
        (tiny_pdf(), "minutes.pdf", "application/pdf", "pdf"),
        (tiny_png(), "photo.png", "image/png", "png"),
        (JPEG, "photo.JPEG", "image/jpeg", "jpg"),
        (tiny_png(), "", "image/png", "png"),  # no name: the content decides
        (tiny_pdf(), "scan", "application/pdf", "pdf"),
    ],
)
def test_whole_pdf_png_and_jpeg_files_are_recognised_by_content(data, name, mime, extension):
    kind = inspect_evidence(data, LIMIT, name)
    assert (kind.mime_type, kind.extension) == (mime, extension)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (tiny_png(), "minutes.pdf", "named as a PDF but its content is a PNG image"),
        (b"just some text, not an image\n" * 10, "photo.png", "is not a PDF, PNG or JPEG"),
        (b"GIF89a" + b"\x00" * 40, "anim.gif", "is not a PDF, PNG or JPEG"),
        (b"", "empty.pdf", "is empty"),
        (tiny_png()[:-12], "cut.png", "incomplete"),
        (tiny_pdf()[:-20], "cut.pdf", "incomplete"),
        (JPEG[:-2], "cut.jpg", "incomplete"),
    ],
)
def test_refused_files_are_told_why(data, name, message):
    with pytest.raises(EvidenceRefused, match=message) as refused:
        inspect_evidence(data, LIMIT, name)
    assert f"“{name}”" in str(refused.value)


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_is_not():
    pdf = tiny_pdf()
    at_limit = pdf[:9] + b"%" * (LIMIT - len(pdf)) + pdf[9:]
    assert len(at_limit) == LIMIT
    assert inspect_evidence(at_limit, LIMIT, "big.pdf").mime_type == "application/pdf"
    with pytest.raises(EvidenceRefused, match="larger than 10 MB"):
        inspect_evidence(at_limit + b"\n", LIMIT, "big.pdf")
