"""What the service does with a case, stage by stage. The HTTP routes, the Celery
tasks and the in-process runner all call these functions; each takes ids, not
objects, and is idempotent (running it twice leaves the same state).

create -> upload documents -> start verification -> read each document (in
parallel) -> evaluate (the last document read starts it) -> callback
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.application import Application
from engine.documents import decode_png, document_from_json
from engine.pipeline import Upload, evaluate, keep_original, read_upload
from ocr.types import ReadDocument

from .db import RUNNING, AuditEvent, Case, Document, RuleSetVersion, now
from .errors import CaseBusy, CaseExists, CaseNotFound, InvalidApplication, VerdictNotReady
from .keys import Caller
from .runtime import Runtime
from .uploads import CheckedUpload

log = logging.getLogger("prereview.cases")


# -- intake -----------------------------------------------------------------------------

def create_case(rt: Runtime, body: dict[str, Any], caller: Caller,
                idempotency_key: str | None = None) -> tuple[Case, bool]:
    """A new case (201) or, for a retried request with the same Idempotency-Key, the
    case the first request made (created=False)."""
    with rt.sessions() as session:
        if idempotency_key:
            earlier = session.scalars(select(Case).where(
                Case.created_by == caller.key_id,
                Case.idempotency_key == idempotency_key)).first()
            if earlier is not None:
                return earlier, False
        application = _application(body)
        case_id = application.case_id or _new_case_id()
        application.case_id = case_id
        case = Case(case_id=case_id, product=application.product,
                    application=application.model_dump(mode="json", exclude_none=True),
                    status="received", created_by=caller.key_id,
                    idempotency_key=idempotency_key, callback_url=application.callback_url)
        session.add(case)
        _audit(session, caller, "case.create", case_id)
        try:
            session.commit()
        except IntegrityError as err:
            session.rollback()
            raise CaseExists(f"case {case_id} exists: choose another case_id or leave it "
                             "out to have one made") from err
        return case, True


def add_documents(rt: Runtime, case_id: str, files: list[CheckedUpload],
                  caller: Caller) -> list[Document]:
    """Keep each original (content-addressed: the same bytes are stored once) and list
    it on the case; the same file uploaded twice to a case is one document."""
    with rt.sessions() as session:
        case = _case(session, case_id, lock=True)
        if case.status in RUNNING:
            raise CaseBusy(f"case {case_id} is being verified ({case.status}): upload "
                           "when it is done, then verify again")
        stored = []
        for upload in files:
            key = keep_original(rt.store, Upload(upload.name, upload.data))
            sha256 = key.rsplit("/", 1)[-1]
            existing = session.scalars(select(Document).where(
                Document.case_id == case_id, Document.sha256 == sha256)).first()
            if existing is None:
                existing = Document(case_id=case_id, file=upload.name, sha256=sha256,
                                    object_key=key, content_type=upload.content_type,
                                    size=len(upload.data), status="stored")
                session.add(existing)
            stored.append(existing)
        case.status = "received"
        _audit(session, caller, "case.upload", case_id, {"files": len(files)})
        session.commit()
        return stored


def remove_document(rt: Runtime, case_id: str, document_id: int, caller: Caller) -> None:
    with rt.sessions() as session:
        case = _case(session, case_id, lock=True)
        if case.status in RUNNING:
            raise CaseBusy(f"case {case_id} is being verified: remove files when it is done")
        document = session.get(Document, document_id)
        if document is None or document.case_id != case_id:
            raise CaseNotFound(f"case {case_id} has no document {document_id}")
        session.delete(document)
        case.status = "received"
        _audit(session, caller, "case.remove_document", case_id, {"document": document_id})
        session.commit()


def start_verification(rt: Runtime, case_id: str, caller: Caller | None) -> Case:
    """Queue the case; documents not read yet are read, then the rules run. A case
    already queued or running is left as it is (a retried request changes nothing)."""
    with rt.sessions() as session:
        case = _case(session, case_id, lock=True)
        if case.status in RUNNING:
            return case
        case.status, case.queued_at, case.done_at = "queued", now(), None
        case.verification += 1
        case.verdict, case.outcome, case.error, case.error_code = None, None, None, None
        case.callback_status = None
        unread = [d.id for d in case.documents if d.status != "read"]
        _audit(session, caller, "case.verify", case_id)
        session.commit()
    for document_id in unread:
        rt.dispatcher.read(document_id)
    if not unread:
        _start_evaluation(rt, case_id)
    return case


# -- work (tasks) -------------------------------------------------------------------------

def read_document(rt: Runtime, document_id: int) -> None:
    """Classify and read one uploaded file; the last one read starts the evaluation."""
    with rt.sessions() as session:
        document = session.get(Document, document_id)
        if document is None:
            return  # removed meanwhile: nothing to do
        case_id, done = document.case_id, document.status == "read"
        if not done:
            document.status = "reading"
            session.execute(update(Case).where(Case.case_id == case_id,
                                               Case.status == "queued")
                            .values(status="reading", updated_at=now()))
            session.commit()
        name, key = document.file, document.object_key
    if not done:
        started = time.perf_counter()
        parts = read_upload(rt.store, case_id, Upload(name, rt.store.get(key)))
        _record_read(rt, document_id, parts, time.perf_counter() - started)
    _start_evaluation(rt, case_id)


def evaluate_case(rt: Runtime, case_id: str) -> None:
    """Facts, rules and verdict for a case whose documents are all read."""
    with rt.sessions() as session:
        case = _case(session, case_id)
        if case.status != "evaluating":
            return  # done already, or not ready: a duplicate task does nothing
        application = Application.model_validate(case.application)
        parts = [p for d in case.documents for p in (d.kinds or {}).get("parts", [])]
    documents = [_load_read(rt, part["key"]) for part in parts]
    book = rt.rules.current()
    started = time.perf_counter()
    verdict = evaluate(application, documents, book, rt.registry, rt.store)
    seconds = time.perf_counter() - started
    with rt.sessions() as session:
        case = _case(session, case_id, lock=True)
        if case.status != "evaluating":
            return
        case.verdict, case.outcome, case.status = verdict, verdict["verdict"], "done"
        case.done_at, case.evaluate_seconds = now(), seconds
        case.ruleset_sha256 = verdict["ruleset"]["sha256"]
        _count_ruleset_use(session, verdict["ruleset"])
        callback = bool(case.callback_url)
        case.callback_status = "pending" if callback else None
        session.commit()
    log.info("case done", extra={"case_id": case_id, "verdict": verdict["verdict"]})
    if callback:
        rt.dispatcher.callback(case_id, 0)


def fail_case(rt: Runtime, case_id: str, code: str, message: str) -> None:
    """A case that could not be verified says why; its files and reads are kept."""
    with rt.sessions() as session:
        case = session.get(Case, case_id)
        if case is None or case.status == "done":
            return
        case.status, case.error_code, case.error = "failed", code, message
        session.commit()


def stalled_cases(rt: Runtime, older_than: timedelta) -> list[str]:
    """Running cases nobody has touched for a while (their worker died)."""
    cutoff = datetime.now(UTC) - older_than
    with rt.sessions() as session:
        return list(session.scalars(select(Case.case_id).where(
            Case.status.in_(RUNNING), Case.updated_at < cutoff)))


def resume_case(rt: Runtime, case_id: str) -> None:
    """Send a stalled case's remaining work again (tasks are idempotent)."""
    with rt.sessions() as session:
        case = _case(session, case_id)
        status = case.status
        unread = [d.id for d in case.documents if d.status != "read"]
        session.execute(update(Case).where(Case.case_id == case_id).values(updated_at=now()))
        session.commit()
    if status == "evaluating":
        rt.dispatcher.evaluate(case_id)
    elif status in RUNNING:
        for document_id in unread:
            rt.dispatcher.read(document_id)
        if not unread:
            _start_evaluation(rt, case_id)


# -- reading what is kept -----------------------------------------------------------------

def get_case(rt: Runtime, case_id: str, caller: Caller | None) -> Case:
    with rt.sessions() as session:
        case = _case(session, case_id)
        _ = case.documents  # load while the session is open
        if caller is not None:
            _audit(session, caller, "case.read", case_id)
            session.commit()
        return case


def get_verdict(rt: Runtime, case_id: str, caller: Caller | None) -> dict[str, Any]:
    with rt.sessions() as session:
        case = _case(session, case_id)
        if case.status != "done" or case.verdict is None:
            raise VerdictNotReady(f"case {case_id} is {case.status}: the verdict is "
                                  "ready when the status is done")
        if caller is not None:
            _audit(session, caller, "verdict.read", case_id)
            session.commit()
        return case.verdict


def case_documents(rt: Runtime, case_id: str) -> list[ReadDocument]:
    """Every document read for a case, page images included (for the report)."""
    case = get_case(rt, case_id, None)
    return [_load_read(rt, p["key"]) for d in case.documents
            for p in (d.kinds or {}).get("parts", [])]


def audit(rt: Runtime, caller: Caller | None, action: str, case_id: str | None,
          detail: dict[str, Any] | None = None) -> None:
    with rt.sessions() as session:
        _audit(session, caller, action, case_id, detail)
        session.commit()


def progress(case: Case) -> dict[str, Any]:
    documents = case.documents
    read = sum(1 for d in documents if d.status == "read")
    return {"documents": len(documents), "documents_read": read,
            "stage": case.status, "verification": case.verification}


# -- helpers ------------------------------------------------------------------------------

def _start_evaluation(rt: Runtime, case_id: str) -> None:
    """Exactly one caller moves the case to evaluating (compare and set), then evaluates."""
    with rt.sessions() as session:
        unread = session.scalar(select(func.count()).select_from(Document).where(
            Document.case_id == case_id, Document.status != "read"))
        if unread:
            return
        moved = session.execute(update(Case).where(
            Case.case_id == case_id, Case.status.in_(("queued", "reading")))
            .values(status="evaluating", updated_at=now()))
        session.commit()
    if moved.rowcount == 1:  # type: ignore[attr-defined]
        rt.dispatcher.evaluate(case_id)


def _count_ruleset_use(session: Session, ruleset: dict[str, Any]) -> None:
    row = session.get(RuleSetVersion, ruleset["sha256"])
    if row is None:
        row = RuleSetVersion(sha256=ruleset["sha256"], name=str(ruleset.get("name", "")),
                             version=str(ruleset.get("version", "")), cases=0)
        session.add(row)
    row.cases = (row.cases or 0) + 1


def _record_read(rt: Runtime, document_id: int, parts: list[ReadDocument],
                 seconds: float) -> None:
    from engine.documents import document_key

    with rt.sessions() as session:
        document = session.get(Document, document_id)
        if document is None:
            return
        document.kinds = {"parts": [
            {"key": document_key(document.case_id, p), "kind": p.kind.value,
             "part": getattr(p, "part", None), "pages": len(p.pages),
             "problems": [{"code": x.code, "message": x.message} for x in p.problems]}
            for p in parts]}
        document.status, document.read_at, document.read_seconds = "read", now(), seconds
        session.execute(update(Case).where(Case.case_id == document.case_id)
                        .values(updated_at=now()))
        session.commit()


def _load_read(rt: Runtime, key: str) -> ReadDocument:
    data = json.loads(rt.store.get(f"{key}/read.json"))

    def page_image(number: int) -> Any:
        name = f"{key}/page-{number}.png"
        return decode_png(rt.store.get(name)) if rt.store.exists(name) else None

    return document_from_json(data, page_image)


def _application(body: dict[str, Any]) -> Application:
    try:
        return Application.model_validate(body)
    except ValidationError as err:
        problems = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                    for e in err.errors()]
        raise InvalidApplication("; ".join(f"{p['field']}: {p['message']}" for p in problems),
                                 errors=problems) from err


def _new_case_id() -> str:
    return f"{datetime.now(UTC):%Y}-{secrets.token_hex(5)}"


def _case(session: Session, case_id: str, lock: bool = False) -> Case:
    query = select(Case).where(Case.case_id == case_id)
    if lock:
        query = query.with_for_update()
    case = session.scalars(query).first()
    if case is None:
        raise CaseNotFound(f"no case {case_id}: create it first with POST /api/v1/cases")
    return case


def _audit(session: Session, caller: Caller | None, action: str, case_id: str | None,
           detail: dict[str, Any] | None = None) -> None:
    session.add(AuditEvent(key_id=caller.key_id if caller else None,
                           role=caller.role if caller else "service", action=action,
                           case_id=case_id, detail=detail))


def list_cases(rt: Runtime, *, status: str | None = None, verdict: str | None = None,
               product: str | None = None, since: datetime | None = None,
               until: datetime | None = None, query: str | None = None, limit: int = 50,
               offset: int = 0) -> list[Case]:
    """Cases newest first, filtered as an approver's case list is."""
    select_cases = select(Case).order_by(Case.created_at.desc(), Case.case_id)
    for column, value in ((Case.status, status), (Case.outcome, verdict),
                          (Case.product, product)):
        if value:
            select_cases = select_cases.where(column == value)
    if since:
        select_cases = select_cases.where(Case.created_at >= since)
    if until:
        select_cases = select_cases.where(Case.created_at < until)
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        select_cases = select_cases.where(Case.case_id.like(f"%{escaped}%", escape="\\"))
    with rt.sessions() as session:
        found = list(session.scalars(select_cases.limit(limit).offset(offset)))
        for case in found:
            _ = case.documents
        return found


def audit_events(rt: Runtime, case_id: str | None = None, limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if case_id:
        query = query.where(AuditEvent.case_id == case_id)
    with rt.sessions() as session:
        return list(session.scalars(query.limit(limit)))
