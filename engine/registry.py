"""What the service has seen: every document's hash, with the case and the
applicant it came with, so a file reused for another applicant is caught.

Applicants are kept as a keyed hash of their ID number, never the number."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import DateTime, String, UniqueConstraint, create_engine, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from ocr.types import ReadDocument

from .facts import Duplicate


class Base(DeclarativeBase):
    pass


class SeenDocument(Base):
    __tablename__ = "seen_document"
    __table_args__ = (UniqueConstraint("case_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    pixels_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    applicant_key: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def applicant_key(id_number: str) -> str:
    return hashlib.sha256(f"prereview-applicant:{id_number.strip().upper()}".encode()).hexdigest()


def pixels_hash(doc: ReadDocument) -> str | None:
    """The same image saved again (another container, another name) has the same pixels."""
    if not doc.pages or doc.pages[0].has_text_layer:
        return None
    return hashlib.sha256(np.ascontiguousarray(doc.pages[0].image).tobytes()).hexdigest()


class Registry:
    def __init__(self, database_url: str) -> None:
        self.engine: Engine = create_engine(database_url)
        Base.metadata.create_all(self.engine)

    def duplicates(self, case_id: str, applicant: str, docs: list[ReadDocument]
                   ) -> list[Duplicate]:
        out = []
        with Session(self.engine) as session:
            for doc in docs:
                pixels = pixels_hash(doc)
                match = or_(SeenDocument.sha256 == doc.sha256,
                            SeenDocument.pixels_sha256 == pixels) if pixels else (
                    SeenDocument.sha256 == doc.sha256)
                seen = session.scalars(select(SeenDocument).where(
                    match, SeenDocument.case_id != case_id,
                    SeenDocument.applicant_key != applicant).limit(1)).first()
                if seen:
                    how = "同一文件 / same file" if seen.sha256 == doc.sha256 else (
                        "同一图像 / same image")
                    out.append(Duplicate(doc.file, how, seen.case_id))
        return out

    def remember(self, case_id: str, applicant: str, docs: list[ReadDocument]) -> None:
        with Session(self.engine) as session, session.begin():
            known = set(session.scalars(select(SeenDocument.sha256).where(
                SeenDocument.case_id == case_id)))
            for doc in docs:
                if doc.sha256 not in known and doc.pages:
                    known.add(doc.sha256)
                    session.add(SeenDocument(sha256=doc.sha256, pixels_sha256=pixels_hash(doc),
                                             case_id=case_id, applicant_key=applicant,
                                             first_seen=datetime.now(UTC)))
