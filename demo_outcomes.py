"""Demo outcomes for `make run`: counts, reflections by domain, and small evidence files made here.

The PNG and the PDF are built byte by byte (no image library), valid and complete, so the
demo and the tests show real files without shipping any.
"""

import struct
import zlib
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from accounts.models import User
from campaigns.evidence_rules import inspect_evidence
from campaigns.models import Action, ActionSignup, ActionStatus, Campaign, RotationPoolMember
from campaigns.services.evidence import add_evidence_files
from campaigns.services.outcomes import save_outcome
from core.extensions import db


def tiny_png(width: int = 48, height: int = 32, rgb: tuple[int, int, int] = (46, 125, 50)) -> bytes:
    """A solid-colour PNG with a lighter band, a few hundred bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    light = tuple(min(255, c + 90) for c in rgb)
    rows = b"".join(
        b"\x00" + bytes(light if height // 3 <= y < 2 * height // 3 else rgb) * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def tiny_pdf(text: str = "Sign-in sheet") -> bytes:
    """A one-page PDF showing a line of text, with a correct cross-reference table."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 18 Tf 72 720 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


_STORIES: list[dict[str, Any]] = [
    {
        "attendance": 14,
        "people_reached": 40,
        "commitments": 1,
        "media_pieces": 0,
        "signatures": None,
        "narrative": "We met the commissioner's aide with two clinic patients' stories "
        "(shared with permission, no names) and the evening-hours survey.",
        "reflection": "Splitting the talking points between nursing and pharmacy meant "
        "everyone spoke; I had to let go of running the whole meeting.",
        "domains": ["fostering_teamwork", "managing_self"],
        "metrics": [("Survey responses presented", "212", "responses")],
        "links": ["https://example.org/riverside/evening-hours-survey"],
        "files": [("png", "Photo after the meeting"), ("pdf", "Talking points and sign-in")],
    },
    {
        "attendance": 9,
        "people_reached": 350,
        "commitments": 0,
        "media_pieces": 2,
        "signatures": 180,
        "narrative": "Petition table outside the library, then a letter to the editor.",
        "reflection": "I coached two first-years through their first petition pitch; "
        "by the second hour they were coaching each other.",
        "domains": ["coaching_mentoring", "advocacy"],
        "metrics": [("Flyers handed out", "300", "flyers"), ("Hours at the table", "3.5", "h")],
        "links": [],
        "files": [("pdf", "Petition summary")],
    },
]


def load_outcomes(campaigns: list[Campaign], by: User) -> int:
    """Log an outcome for the done actions of these campaigns (in turn through the stories);
    return how many were logged."""
    logged = 0
    for campaign in campaigns:
        done = db.session.scalars(
            select(Action)
            .where(Action.campaign_id == campaign.id, Action.status == ActionStatus.DONE)
            .order_by(Action.starts_at)
        ).all()
        for i, action in enumerate(done):
            story = _STORIES[i % len(_STORIES)]
            data = {k: story[k] for k in ("attendance", "people_reached", "commitments")}
            data |= {k: story[k] for k in ("media_pieces", "signatures", "narrative")}
            data |= {"reflection": story["reflection"], "domains": story["domains"]}
            data |= {"metrics": story["metrics"], "links": story["links"]}
            actor = action.lead or by
            # Who came (sign-up closes when an action starts, so the demo writes them).
            came = db.session.scalars(
                select(RotationPoolMember.user_id)
                .where(RotationPoolMember.campaign_id == campaign.id)
                .order_by(RotationPoolMember.id)
                .offset(i % 3)
                .limit(3)
            ).all()
            for user_id in dict.fromkeys([actor.id, *came]):
                db.session.add(ActionSignup(action_id=action.id, user_id=user_id))
            outcome = save_outcome(action, None, data, actor)
            files = []
            for kind, caption in story["files"]:
                blob = tiny_pdf(f"{action.title}: {caption}") if kind == "pdf" else tiny_png()
                files.append((blob, inspect_evidence(blob, len(blob))))
            add_evidence_files(outcome, files, actor, no_patient_info=True)
            outcome.created_at = outcome.updated_at = action.ends_at + timedelta(days=1)
            logged += 1
    return logged
