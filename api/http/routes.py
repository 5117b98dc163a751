"""The contract's calls under /api/v1 (see shared/contract.md "The HTTP API")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Header, Query, Response, UploadFile, status
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from engine.report import render_report

from .. import cases
from ..db import Case, Document
from ..errors import NoFiles, ServiceError
from ..keys import Caller
from ..uploads import check_upload
from .deps import RuntimeDep, allowed

router = APIRouter(prefix="/api/v1", tags=["cases"])


class CaseAccepted(BaseModel):
    case_id: str
    status: str


class DocumentPart(BaseModel):
    kind: str
    part: str | None = None
    pages: int = 0
    problems: list[dict[str, Any]] = []


class DocumentOut(BaseModel):
    id: int
    file: str
    sha256: str
    size: int
    content_type: str
    status: str
    read_seconds: float | None = None
    parts: list[DocumentPart] = []


class Progress(BaseModel):
    documents: int
    documents_read: int
    stage: str
    verification: int


class CaseOut(BaseModel):
    case_id: str
    product: str
    status: Literal["received", "queued", "reading", "evaluating", "done", "failed"]
    progress: Progress
    application: dict[str, Any]
    documents: list[DocumentOut]
    verdict: str | None = None
    ruleset_sha256: str | None = None
    callback_status: str | None = None
    error: dict[str, str] | None = None
    created_at: datetime
    updated_at: datetime


Problem = {"model": dict[str, Any], "content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: Problem, 403: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem,
    422: Problem}


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=CaseAccepted,
             responses=PROBLEMS)
def create_case(body: dict[str, Any], rt: RuntimeDep, response: Response,
                caller: Annotated[Caller, Depends(allowed("case.create"))],
                idempotency_key: Annotated[str | None, Header(max_length=128)] = None
                ) -> CaseAccepted:
    """A new case from the ``case.json`` shape (``case_id`` optional)."""
    case, created = cases.create_case(rt, body, caller, idempotency_key)
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/api/v1/cases/{case.case_id}"
    return CaseAccepted(case_id=case.case_id, status=case.status)


@router.post("/cases/{case_id}/documents", status_code=status.HTTP_201_CREATED,
             response_model=list[DocumentOut], responses=PROBLEMS)
async def upload_documents(case_id: str, rt: RuntimeDep,
                           caller: Annotated[Caller, Depends(allowed("case.upload"))],
                           files: Annotated[list[UploadFile], File()]) -> list[DocumentOut]:
    """One or more files (multipart field ``files``); each kept once by its sha256."""
    if not files:
        raise NoFiles("send one or more files in the multipart field 'files'")
    if len(files) > rt.settings.max_files_per_request:
        raise NoFiles(f"at most {rt.settings.max_files_per_request} files per request")
    limit = rt.settings.max_upload_mb * 2**20
    checked = []
    for upload in files:
        data = await upload.read(limit + 1)
        checked.append(check_upload(upload.filename or "upload", data, rt.settings))
    stored = cases.add_documents(rt, case_id, checked, caller)
    return [document_out(d) for d in stored]


@router.delete("/cases/{case_id}/documents/{document_id}", status_code=204,
               responses=PROBLEMS)
def remove_document(case_id: str, document_id: int, rt: RuntimeDep,
                    caller: Annotated[Caller, Depends(allowed("case.upload"))]) -> Response:
    cases.remove_document(rt, case_id, document_id, caller)
    return Response(status_code=204)


@router.post("/cases/{case_id}/verify", status_code=status.HTTP_202_ACCEPTED,
             response_model=CaseAccepted, responses=PROBLEMS)
def verify_case(case_id: str, rt: RuntimeDep,
                caller: Annotated[Caller, Depends(allowed("case.verify"))]) -> CaseAccepted:
    """Start verification; answers at once. Poll the case or wait for the callback."""
    case = cases.start_verification(rt, case_id, caller)
    return CaseAccepted(case_id=case.case_id, status=case.status)


@router.get("/cases/{case_id}", response_model=CaseOut, responses=PROBLEMS)
def get_case(case_id: str, rt: RuntimeDep,
             caller: Annotated[Caller, Depends(allowed("case.read"))]) -> CaseOut:
    return case_out(cases.get_case(rt, case_id, caller))


@router.get("/cases", response_model=list[CaseOut], responses=PROBLEMS)
def list_cases(rt: RuntimeDep, caller: Annotated[Caller, Depends(allowed("case.read"))],
               status_: Annotated[str | None, Query(alias="status")] = None,
               verdict: str | None = None, product: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               q: Annotated[str | None, Query(description="part of a case id")] = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: int = 0
               ) -> list[CaseOut]:
    """Cases, newest first, filtered by status, verdict, product, date or case id."""
    found = cases.list_cases(rt, status=status_, verdict=verdict, product=product,
                             since=since, until=until, query=q, limit=limit, offset=offset)
    return [case_out(c) for c in found]


@router.get("/cases/{case_id}/verdict", responses=PROBLEMS)
def get_verdict(case_id: str, rt: RuntimeDep,
                caller: Annotated[Caller, Depends(allowed("verdict.read"))]) -> JSONResponse:
    """The verdict JSON of the contract (404 ``verdict.not_ready`` until done)."""
    return JSONResponse(cases.get_verdict(rt, case_id, caller))


@router.get("/cases/{case_id}/report", responses={
    **PROBLEMS, 200: {"content": {"text/html": {}, "application/pdf": {}}}})
def get_report(case_id: str, rt: RuntimeDep,
               caller: Annotated[Caller, Depends(allowed("report.read"))],
               format: Literal["html", "pdf"] = "html", unmasked: bool = False) -> Response:
    """The approver's report; personal data masked unless the role needs it and asks."""
    verdict = cases.get_verdict(rt, case_id, None)
    documents = cases.case_documents(rt, case_id)
    pages = {d.file: [p.image for p in d.pages] for d in documents}
    role = caller.role if unmasked and caller.may("report.unmasked") else "approver"
    html = render_report(verdict, pages, reader_role=role)
    cases.audit(rt, caller, "report.read", case_id,
                {"format": format, "masked": role == "approver"})
    if format == "pdf":
        from ..pdf import html_to_pdf

        return Response(html_to_pdf(html), media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="report-{case_id}.pdf"'})
    return HTMLResponse(html)


class AuditOut(BaseModel):
    at: datetime
    key_id: str | None
    role: str | None
    action: str
    case_id: str | None
    detail: dict[str, Any] | None = None


@router.get("/audit", response_model=list[AuditOut], responses=PROBLEMS, tags=["audit"])
def read_audit(rt: RuntimeDep, caller: Annotated[Caller, Depends(allowed("audit.read"))],
               case_id: str | None = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditOut]:
    """Who did what to which case (newest first): every read of a case, verdict and report."""
    events = cases.audit_events(rt, case_id=case_id, limit=limit)
    cases.audit(rt, caller, "audit.read", case_id)
    return [AuditOut(at=e.at, key_id=e.key_id, role=e.role, action=e.action,
                     case_id=e.case_id, detail=e.detail) for e in events]


def document_out(d: Document) -> DocumentOut:
    parts = [DocumentPart(kind=p["kind"], part=p.get("part"), pages=p.get("pages", 0),
                          problems=p.get("problems", [])) for p in (d.kinds or {}).get("parts", [])]
    return DocumentOut(id=d.id, file=d.file, sha256=d.sha256, size=d.size,
                       content_type=d.content_type, status=d.status,
                       read_seconds=d.read_seconds, parts=parts)


def case_out(c: Case) -> CaseOut:
    error = {"code": c.error_code or "", "message": c.error or ""} if c.status == "failed" else None
    return CaseOut(case_id=c.case_id, product=c.product, status=c.status,  # type: ignore[arg-type]
                   progress=Progress(**cases.progress(c)), application=c.application,
                   documents=[document_out(d) for d in c.documents], verdict=c.outcome,
                   ruleset_sha256=c.ruleset_sha256, callback_status=c.callback_status,
                   error=error, created_at=c.created_at, updated_at=c.updated_at)


__all__ = ["router", "ServiceError"]
