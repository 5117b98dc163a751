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

import cv2

import ocr
from ocr.types import ReadDocument

from .application import Application, load_application
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
        store.put(upload.data, "application/octet-stream", kind="original")

    # 2. classify and read each file (a broken file becomes a problem, never a crash)
    documents = []
    for i, upload in enumerate(uploads):
        report("read", i, len(uploads))
        document = ocr.read_file(upload.name, upload.data)
        keep_derived(store, case_id, document)
        documents.append(document)
    report("read", len(uploads), len(uploads))

    # 3. facts, with duplicates found among other applicants' cases
    report("evaluate", 0, 1)
    applicant = applicant_key(application.applicant.id_number)
    duplicates = registry.duplicates(case_id, applicant, documents)
    facts = build_facts(application, documents, book, duplicates)

    # 4. evaluate the rules (forward chaining in durable-rules)
    final, firings = evaluate_facts(book, facts.facts, application.product,
                                    application.application_date)

    # 5. verdict
    verdict = build_verdict(application, book, documents, facts, final, firings)
    registry.remember(case_id, applicant, documents)
    store.put_at(f"cases/{case_id}/verdict.json",
                 json.dumps(verdict, ensure_ascii=False, indent=2).encode(), "application/json")
    report("evaluate", 1, 1)
    log.info("case verified", extra={"case_id": case_id, "verdict": verdict["verdict"],
                                     "findings": len(verdict["findings"])})
    return CaseResult(application, documents, verdict)


def collect_uploads(case_dir: Path) -> list[Upload]:
    """The applicant's files in a case folder; names carry no meaning, other files are ignored."""
    paths = sorted(p for p in case_dir.iterdir()
                   if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
    return [Upload(p.name, p.read_bytes()) for p in paths]


def keep_derived(store: ObjectStore, case_id: str, document: ReadDocument) -> None:
    """Page images and what was read go beside the original."""
    base = f"cases/{case_id}/documents/{document.sha256}"
    for page in document.pages:
        ok, png = cv2.imencode(".png", page.image)
        if ok:
            store.put_at(f"{base}/page-{page.number}.png", png.tobytes(), "image/png")
    read = {
        "file": document.file, "kind": document.kind.value,
        "fields": {n: vars(f) for n, f in document.fields.items()},
        "rows": [vars(r) for r in document.rows],
        "problems": [vars(p) for p in document.problems],
        "pdf": vars(document.pdf) if document.pdf else None,
    }
    store.put_at(f"{base}/read.json", json.dumps(read, ensure_ascii=False).encode(),
                 "application/json")
