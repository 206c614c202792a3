"""Evidence files of an outcome: stored in the database, streamed back in slices, removed."""

from collections.abc import Iterator

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from accounts.models import User
from campaigns.evidence_rules import NO_PATIENT_INFO_MESSAGE, Evidence
from campaigns.outcome_models import EvidenceFile, Outcome
from campaigns.services.campaigns import require_open_campaign
from campaigns.services.outcomes import ensure_outcome_editable, evidence_file_count
from core.audit import record_event
from core.errors import PolicyError
from core.extensions import db

CHUNK_BYTES = 64 * 1024


def add_evidence_files(
    outcome: Outcome,
    files: list[tuple[bytes, Evidence]],
    actor: User,
    *,
    no_patient_info: bool,
) -> list[EvidenceFile]:
    """Store already-inspected files on the outcome, all or none."""
    if not files:
        return []
    if not no_patient_info:
        raise PolicyError(NO_PATIENT_INFO_MESSAGE)
    require_open_campaign(outcome.action.campaign)
    ensure_outcome_editable(outcome)
    limit = current_app.config["EVIDENCE_MAX_FILES"]
    held = evidence_file_count(outcome.id) if outcome.id else 0
    if held + len(files) > limit:
        room = max(0, limit - held)
        raise PolicyError(
            f"An outcome holds at most {limit} files; this one has {held}, so "
            f"{'no more can be added' if room == 0 else f'at most {room} more can be added'}. "
            "Nothing was stored."
        )
    stored = [
        EvidenceFile.from_upload(
            data,
            kind.mime_type,
            kind.extension,
            f"evidence-{outcome.action_id}",
            actor.id,
            outcome=outcome,
        )
        for data, kind in files
    ]
    db.session.add_all(stored)
    db.session.flush()
    for f in stored:
        record_event(
            "evidence.added",
            actor=actor,
            obj=f,
            chapter_id=outcome.chapter_id,
            after=f.facts | {"outcome_id": outcome.id, "no_patient_info": True},
        )
    return stored


def remove_evidence_file(f: EvidenceFile, actor: User) -> None:
    """Delete the file and its bytes; the audit event keeps what it was."""
    outcome = f.outcome
    require_open_campaign(outcome.action.campaign)
    ensure_outcome_editable(outcome)
    record_event(
        "evidence.removed",
        actor=actor,
        obj=f,
        chapter_id=outcome.chapter_id,
        before=f.facts | {"outcome_id": outcome.id},
    )
    db.session.delete(f)
    db.session.flush()


def evidence_in_chapter(file_id: int, chapter_id: int) -> EvidenceFile | None:
    """The file (without its bytes) with its outcome, only if it belongs to the chapter."""
    return db.session.scalar(
        select(EvidenceFile)
        .join(EvidenceFile.outcome)
        .options(contains_eager(EvidenceFile.outcome))
        .where(EvidenceFile.id == file_id, Outcome.chapter_id == chapter_id)
    )


def file_chunks(model, file_id: int, size: int) -> Iterator[bytes]:
    """A stored file's bytes (`model`: EvidenceFile or AddendumFile) in CHUNK_BYTES slices,
    read one slice per statement, so a large file never sits whole in memory."""
    for offset in range(0, size, CHUNK_BYTES):
        chunk = db.session.scalar(
            select(func.substr(model.data, offset + 1, CHUNK_BYTES)).where(model.id == file_id)
        )
        if not chunk:
            return
        yield bytes(chunk)
