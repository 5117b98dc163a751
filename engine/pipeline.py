"""The whole pre-review of one case, stage by stage, top to bottom:

ingest -> classify and read -> facts -> evaluate -> verdict (-> report, by the caller)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import ocr
from ocr.types import ReadDocument

from .application import Application, load_application
from .documents import document_key, dumps, png
from .facts import build_facts
from .registry import Registry, applicant_key
from .rulebook import RuleBook
from .rules_engine import evaluate_facts
from .verdict import build_verdict

log = logging.getLogger("prereview.pipeline")

DOCUMENT_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"}
Progress = Callable[[str, int, int], None]  # (stage, done, total)


class ObjectStore(Protocol):
    def put(self, data: bytes, content_type: str, kind: str = "original") -> str: ...
    def put_at(self, key: str, data: bytes, content_type: str) -> None: ...


@dataclass
class Upload:
    name: str
    data: bytes


@dataclass
class CaseResult:
    application: Application
    documents: list[ReadDocument]
    verdict: dict[str, Any]


def verify_case_dir(case_dir: Path, book: RuleBook, registry: Registry, store: ObjectStore,
                    progress: Progress | None = None) -> CaseResult:
    """Pre-review a case folder (case.json and the applicant's files)."""
    application = load_application(case_dir)
    return verify(application, collect_uploads(case_dir), book, registry, store, progress)


def verify(application: Application, uploads: list[Upload], book: RuleBook,
           registry: Registry, store: ObjectStore, progress: Progress | None = None
           ) -> CaseResult:
    report = progress or (lambda stage, done, total: None)
    case_id = str(application.case_id)

    # 1. ingest: keep every original, content-addressed
    for upload in uploads:
        keep_original(store, upload)

    # 2. classify and read each file (a broken file becomes a problem, never a crash)
    documents = []
    for i, upload in enumerate(uploads):
        report("read", i, len(uploads))
        documents.extend(read_upload(store, case_id, upload))
    report("read", len(uploads), len(uploads))

    # 3.-5. facts, rules, verdict
    report("evaluate", 0, 1)
    verdict = evaluate(application, documents, book, registry, store)
    report("evaluate", 1, 1)
    return CaseResult(application, documents, verdict)


def keep_original(store: ObjectStore, upload: Upload) -> str:
    """Stage 1 (ingest): the original under its sha256; the same bytes are stored once."""
    return store.put(upload.data, "application/octet-stream", kind="original")


def read_upload(store: ObjectStore, case_id: str, upload: Upload) -> list[ReadDocument]:
    """Stage 2 (classify and read) for one uploaded file: one document, or several when
    the file holds several (both ID sides on one page, a mixed PDF)."""
    documents = ocr.read_upload(upload.name, upload.data)
    for document in documents:
        keep_derived(store, case_id, document)
    return documents


def evaluate(application: Application, documents: list[ReadDocument], book: RuleBook,
             registry: Registry, store: ObjectStore) -> dict[str, Any]:
    """Stages 3-5: facts (with duplicates among other applicants' cases), the rules
    (forward chaining in durable-rules) and the verdict, kept beside the case."""
    case_id = str(application.case_id)
    applicant = applicant_key(application.applicant.id_number)
    duplicates = registry.duplicates(case_id, applicant, documents)
    facts = build_facts(application, documents, book, duplicates)
    final, firings = evaluate_facts(book, facts.facts, application.product,
                                    application.application_date)
    verdict = build_verdict(application, book, documents, facts, final, firings)
    registry.remember(case_id, applicant, documents)
    store.put_at(f"cases/{case_id}/verdict.json",
                 json.dumps(verdict, ensure_ascii=False, indent=2).encode(), "application/json")
    log.info("case verified", extra={"case_id": case_id, "verdict": verdict["verdict"],
                                     "findings": len(verdict["findings"])})
    return verdict


def collect_uploads(case_dir: Path) -> list[Upload]:
    """The applicant's files in a case folder; names carry no meaning, other files are ignored."""
    paths = sorted(p for p in case_dir.iterdir()
                   if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
    return [Upload(p.name, p.read_bytes()) for p in paths]


def keep_derived(store: ObjectStore, case_id: str, document: ReadDocument) -> None:
    """Page images and what was read go beside the original."""
    base = document_key(case_id, document)
    for page in document.pages:
        image = png(page.image)
        if image is not None:
            store.put_at(f"{base}/page-{page.number}.png", image, "image/png")
    store.put_at(f"{base}/read.json", dumps(document), "application/json")
