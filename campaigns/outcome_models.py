"""What an action achieved: its Outcome, with metrics, leadership domains and evidence."""

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from campaigns.models import Action
from core.db import UTCDateTime, utcnow
from core.extensions import db

# The standard counts every outcome may record, in the order forms and totals show them.
OUTCOME_COUNTS: dict[str, str] = {
    "attendance": "Attendance",
    "people_reached": "People reached",
    "commitments": "Commitments from decision-makers",
    "media_pieces": "Media pieces",
    "signatures": "Signatures",
}


class Outcome(db.Model):
    """One per action, logged by its lead or a leader once the action is over."""

    __tablename__ = "outcomes"
    __table_args__ = tuple(
        CheckConstraint(f"{name} >= 0", name=f"{name}_not_negative") for name in OUTCOME_COUNTS
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), unique=True)
    # Denormalised from the action's campaign: scopes evidence and roll-ups without joins.
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapters.id"), index=True)
    attendance: Mapped[int | None] = mapped_column(Integer)
    people_reached: Mapped[int | None] = mapped_column(Integer)
    commitments: Mapped[int | None] = mapped_column(Integer)
    media_pieces: Mapped[int | None] = mapped_column(Integer)
    signatures: Mapped[int | None] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text, default="")
    reflection: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: two people saving the same outcome cannot both win silently.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    action: Mapped[Action] = relationship()
    created_by: Mapped[User] = relationship()
    domains: Mapped[list["OutcomeDomain"]] = relationship(
        cascade="all, delete-orphan", order_by="OutcomeDomain.domain"
    )
    metrics: Mapped[list["CustomMetric"]] = relationship(
        cascade="all, delete-orphan", order_by="CustomMetric.position"
    )
    links: Mapped[list["EvidenceLink"]] = relationship(
        cascade="all, delete-orphan", order_by="EvidenceLink.position"
    )
    files: Mapped[list["EvidenceFile"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )

    @property
    def domain_keys(self) -> list[str]:
        return [d.domain for d in self.domains]


class OutcomeDomain(db.Model):
    """A Relational Leadership domain the reflection is tagged with (a key of
    LEADERSHIP_DOMAINS in the configuration, which holds the labels)."""

    __tablename__ = "outcome_domains"

    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(40), primary_key=True)


class CustomMetric(db.Model):
    """A count the standard ones miss: "flyers handed out 300", "hours of testimony 2.5"."""

    __tablename__ = "outcome_metrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(40), default="")


class EvidenceLink(db.Model):
    """A web page that shows the work: the published op-ed, the recorded testimony."""

    __tablename__ = "evidence_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(2000))


class StoredFileColumns:
    """The columns of an uploaded PDF, PNG or JPEG kept in the database (evidence files,
    addendum files), so every app server sees it and one backup holds everything. The
    bytes load only when asked for (deferred) and are streamed back in slices."""

    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Detected from the content, never taken from the browser or the file name.
    mime_type: Mapped[str] = mapped_column(String(40))
    # Made by the server ("evidence-12.pdf"): the uploader's file name is not kept.
    name: Mapped[str] = mapped_column(String(80))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")

    @property
    def facts(self) -> dict:
        """What the audit log keeps of the file (never its bytes)."""
        return {
            "name": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "mime_type": self.mime_type,
        }

    @classmethod
    def from_upload(
        cls, data: bytes, mime_type: str, extension: str, prefix: str, uploaded_by_id: int, **owner
    ) -> Self:
        """A new row for already-checked bytes, named by the server: `{prefix}-{sha}.{ext}`."""
        digest = hashlib.sha256(data).hexdigest()
        model: Any = cls  # a mapped subclass: its constructor takes the columns
        return model(
            data=data,
            size=len(data),
            sha256=digest,
            mime_type=mime_type,
            name=f"{prefix}-{digest[:10]}.{extension}",
            uploaded_by_id=uploaded_by_id,
            **owner,
        )


class EvidenceFile(StoredFileColumns, db.Model):
    """An outcome's evidence file (see StoredFileColumns)."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcomes.id"), index=True)

    outcome: Mapped[Outcome] = relationship(back_populates="files")
    uploaded_by: Mapped[User] = relationship()
