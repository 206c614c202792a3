"""Files sent with an addendum: stored with it under the evidence files' rules, found only
within their chapter."""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from accounts.models import User
from campaigns.evidence_rules import NO_PATIENT_INFO_MESSAGE, Evidence
from campaigns.models import Campaign, Milestone
from campaigns.signoff_models import AddendumFile, MilestoneSubmission
from core.audit import record_event
from core.errors import PolicyError
from core.extensions import db


def check_addendum_files(files: list[tuple[bytes, Evidence]], *, no_patient_info: bool) -> None:
    """Refuse (PolicyError) files without the no-patient-information tick, or too many."""
    if not files:
        return
    if not no_patient_info:
        raise PolicyError(NO_PATIENT_INFO_MESSAGE)
    limit = current_app.config["EVIDENCE_MAX_FILES"]
    if len(files) > limit:
        raise PolicyError(f"An addendum holds at most {limit} files. Nothing was stored.")


def store_addendum_files(
    addendum: MilestoneSubmission, files: list[tuple[bytes, Evidence]], actor: User
) -> list[AddendumFile]:
    """Keep already-inspected, already-checked files with a new addendum, audited."""
    stored = [
        AddendumFile.from_upload(
            data,
            kind.mime_type,
            kind.extension,
            f"addendum-{addendum.milestone_id}",
            actor.id,
            submission=addendum,
        )
        for data, kind in files
    ]
    db.session.add_all(stored)
    db.session.flush()
    for f in stored:
        record_event(
            "addendum.file_added",
            actor=actor,
            obj=f,
            chapter_id=addendum.milestone.campaign.chapter_id,
            after=f.facts | {"submission_id": addendum.id, "no_patient_info": True},
        )
    return stored


def addendum_file_in_chapter(file_id: int, chapter_id: int) -> AddendumFile | None:
    """The file (without its bytes), only if its addendum belongs to the chapter."""
    return db.session.scalar(
        select(AddendumFile)
        .join(AddendumFile.submission)
        .join(MilestoneSubmission.milestone)
        .join(Milestone.campaign)
        .options(contains_eager(AddendumFile.submission))
        .where(AddendumFile.id == file_id, Campaign.chapter_id == chapter_id)
    )
