"""Approver (审批) pages: the case list with filters, and a case's report (the engine's
report, printable and as PDF) beside its evidence drawn on the pages and the figures
with the repayment schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from .. import cases
from ..errors import CaseNotFound
from ..http.deps import RuntimeDep, allowed
from ..keys import Caller
from . import evidence
from .casestate import METHODS, PRODUCTS, case_row
from .frame import not_found, render, signed_in

router = APIRouter(include_in_schema=False)
VERDICTS = ("pass", "conditional", "reject")
STATUSES = ("received", "queued", "reading", "evaluating", "done", "failed")


@router.get("/approver")
def approver_home(request: Request, verdict: str = "", status: str = "", product: str = "",
                  since: str = "", until: str = "", q: str = "") -> Response:
    page = signed_in(request, "report.read")
    filters = {"verdict": verdict if verdict in VERDICTS else "",
               "status": status if status in STATUSES else "",
               "product": product, "since": _day(since), "until": _day(until), "q": q.strip()}
    found = cases.list_cases(
        page.rt, status=filters["status"] or None, verdict=filters["verdict"] or None,
        product=filters["product"] or None, since=_start(filters["since"]),
        until=_start(filters["until"], days=1), query=filters["q"] or None, limit=200)
    return render(page, request, "approver_list.html.j2", title=page.t("approver.title"),
                  cases=[case_row(c, page.t) for c in found], filters=filters, verdicts=VERDICTS,
                  statuses=STATUSES, products=PRODUCTS)


@router.get("/approver/cases/{case_id}")
def approver_case(case_id: str, request: Request, unmasked: bool = False) -> Response:
    """Personal data masked; a role allowed to read it unmasked may ask (audited)."""
    page = signed_in(request, "report.read")
    may_unmask = page.may("report.unmasked")
    try:
        case = cases.get_case(page.rt, case_id, page.caller)
    except CaseNotFound:
        return not_found(page, request)
    verdict = case.verdict if case.status == "done" and case.verdict else None
    schedule, totals = evidence.repayment_schedule(case.application)
    return render(
        page, request, "approver_case.html.j2", title=f"{case_id} · {page.t('nav.approver')}",
        case=case_row(case, page.t), done=verdict is not None,
        groups=evidence.findings_by_severity(verdict, page.t, masked=not (
            unmasked and may_unmask)) if verdict else [],
        figures=evidence.figures(verdict, page.t) if verdict else [],
        schedule=schedule, totals=totals, schedule_head=evidence.SCHEDULE_HEAD, methods=METHODS,
        not_done=page.t("approver.not_done", status=page.t(f"status.{case.status}")),
        may_unmask=may_unmask, unmasked=unmasked and may_unmask)


@router.get("/web/cases/{case_id}/page.png")
def page_image(case_id: str, rt: RuntimeDep,
               caller: Annotated[Caller, Depends(allowed("report.read"))],
               file: Annotated[str, Query(max_length=255)],
               page: Annotated[int, Query(ge=1, le=500)] = 1,
               unmasked: bool = False) -> Response:
    """A page as read, personal fields pixelated (as the report's images are) unless the
    role may read personal data and asks to."""
    case = cases.get_case(rt, case_id, None)
    masked = not (unmasked and caller.may("report.unmasked"))
    png = evidence.page_png(rt, case, file, page, masked=masked)
    if png is None:
        raise CaseNotFound(f"case {case_id} has no page {page} of that file")
    cases.audit(rt, caller, "page.read", case_id, {"page": page, "masked": masked})
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def _start(day: str, days: int = 0) -> datetime | None:
    if not day:
        return None
    return datetime.combine(date.fromisoformat(day) + timedelta(days=days), time(), tzinfo=UTC)
