"""Which uploaded bytes are acceptable evidence: a whole PDF, PNG or JPEG, within the size limit.

Pure: no Flask, no database. The type comes from the content (magic bytes, via the
`filetype` package), never from the file name or the browser's content type; a file cut
short in transfer is refused by its missing end marker.
"""

from dataclasses import dataclass

import filetype

# The detected type, the extension of the server-made name, and the marker the last
# bytes must hold (tools may add a little padding after it, so the tail is searched).
ACCEPTED: dict[str, tuple[str, bytes]] = {
    "application/pdf": ("pdf", b"%%EOF"),
    "image/png": ("png", b"IEND"),
    "image/jpeg": ("jpg", b"\xff\xd9"),
}
TAIL = 1024
KIND_NAMES = {"application/pdf": "PDF", "image/png": "PNG image", "image/jpeg": "JPEG image"}
# A name that claims one of the accepted types must agree with the content: a PNG called
# "minutes.pdf" is refused rather than silently filed as something its uploader did not mean.
CLAIMED_BY_EXTENSION = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
}
NO_PATIENT_INFO_MESSAGE = (
    "Tick the confirmation that the files hold no patient-identifying information; "
    "nothing was stored."
)


class EvidenceRefused(ValueError):
    """The file cannot be stored; the message is written for the uploader."""


@dataclass(frozen=True)
class Evidence:
    mime_type: str
    extension: str


def megabytes(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


def inspect_evidence(data: bytes, max_bytes: int, filename: str = "") -> Evidence:
    """The detected type of `data`, or EvidenceRefused saying what is wrong with it.

    `data` may be the first max_bytes + 1 bytes of a longer upload: more than max_bytes
    is enough to know that it is too large. The name never decides the type; it only
    gets a file refused when it claims a type the content is not.
    """
    label = f"“{filename}”" if filename else "The file"
    if not data:
        raise EvidenceRefused(f"{label} is empty.")
    if len(data) > max_bytes:
        raise EvidenceRefused(f"{label} is larger than {megabytes(max_bytes)}.")
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ACCEPTED:
        raise EvidenceRefused(
            f"{label} is not a PDF, PNG or JPEG (judged by its content, not its name)."
        )
    claimed = CLAIMED_BY_EXTENSION.get(
        filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    )
    if claimed is not None and claimed != kind.mime:
        raise EvidenceRefused(
            f"{label} is named as a {KIND_NAMES[claimed]} but its content is a "
            f"{KIND_NAMES[kind.mime]}. Give it the right name and upload it again."
        )
    extension, end_marker = ACCEPTED[kind.mime]
    if end_marker not in data[-TAIL:]:
        raise EvidenceRefused(
            f"{label} looks like a {KIND_NAMES[kind.mime]} but is incomplete (cut short "
            "while uploading or saving). Save it again and upload the whole file."
        )
    return Evidence(kind.mime, extension)
