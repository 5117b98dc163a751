"""Intake (受理) pages: the case list, a new case, and the case workspace where files are
dropped, read as they arrive, fixed, and the case is sent to verification."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from .. import cases
from ..db import RUNNING, Case
from ..errors import CaseNotFound
from ..http.deps import RuntimeDep, allowed
from ..keys import Caller
from ..runtime import Runtime
from .casestate import METHODS, PRODUCTS, case_row, case_state
from .frame import not_found, render, signed_in
from .i18n import Translator, choose_lang

router = APIRouter(include_in_schema=False)


@router.get("/intake")
def intake_home(request: Request) -> Response:
    page = signed_in(request, "case.create")
    recent = cases.list_cases(page.rt, limit=30)
    return render(page, request, "intake_list.html.j2", title=page.t("intake.title"),
                  cases=[case_row(c, page.t) for c in recent])


@router.get("/intake/new")
def intake_new(request: Request) -> Response:
    page = signed_in(request, "case.create")
    products = list(page.rt.rules.current().policy.get("products", {})) or list(PRODUCTS)
    return render(page, request, "intake_new.html.j2", title=page.t("intake.new_title"),
                  products=products, methods=METHODS)


@router.get("/intake/cases/{case_id}")
def intake_case(case_id: str, request: Request) -> Response:
    page = signed_in(request, "case.upload")
    try:
        case = cases.get_case(page.rt, case_id, page.caller)
    except CaseNotFound:
        return not_found(page, request)
    state = case_state(case, page.rt.rules.current(), page.t)
    return render(page, request, "intake_case.html.j2", title=f"{case_id} · "
                  f"{page.t('nav.intake')}", case=case_row(case, page.t), state=state,
                  loan=case.application.get("loan") or {})


@router.get("/web/cases/{case_id}/state")
def intake_state(case_id: str, request: Request, rt: RuntimeDep,
                 caller: Annotated[Caller, Depends(allowed("case.read"))]) -> JSONResponse:
    """What the intake page shows, polled while files are read (not audited per poll)."""
    del caller
    case = cases.get_case(rt, case_id, None)
    return JSONResponse(case_state(case, rt.rules.current(), Translator(choose_lang(request))))


@router.post("/web/cases/{case_id}/read", status_code=202)
def read_now(case_id: str, rt: RuntimeDep,
             caller: Annotated[Caller, Depends(allowed("case.upload"))]) -> dict[str, int]:
    """Read the files uploaded so far at once, before verification is asked for, so
    intake sees each file's kind and what is missing while the applicant is still there.
    Reading does not start an evaluation: the case stays ``received``."""
    started = start_reading(rt, case_id)
    cases.audit(rt, caller, "case.read_files", case_id, {"files": started})
    return {"reading": started}


def start_reading(rt: Runtime, case_id: str) -> int:
    with rt.sessions() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise CaseNotFound(f"no case {case_id}")
        if case.status in RUNNING:
            return 0  # verification reads them itself
        unread = [d.id for d in case.documents if d.status == "stored"]
    for document_id in unread:
        rt.dispatcher.read(document_id)
    return len(unread)

