"""Operating the service: /healthz (alive), /readyz (database, object store, broker,
rule set), /metrics (Prometheus). No API key needed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select, text

from .. import cases
from ..db import Case, Document
from ..runtime import Runtime
from .deps import RuntimeDep

router = APIRouter(tags=["operations"])
log = logging.getLogger("prereview.ops")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive (says nothing of its dependencies: see /readyz)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(rt: RuntimeDep) -> JSONResponse:
    """Ready only when every dependency answers and a valid rule set is live."""
    checks = {name: _check(probe) for name, probe in (
        ("database", lambda: _ping_database(rt)), ("object_store", rt.store.ping),
        ("broker", rt.dispatcher.ping), ("rules", lambda: _rules(rt)))}
    ready = all(c["ok"] for c in checks.values())
    body: dict[str, Any] = {"status": "ready" if ready else "not_ready", "checks": checks}
    if not ready:
        body.update({"type": "https://prereview.dev/problems/service.not_ready",
                     "code": "service.not_ready", "title": "The service is not ready",
                     "status": 503})
    return JSONResponse(body, status_code=200 if ready else 503,
                        media_type="application/json" if ready else "application/problem+json")


@router.get("/metrics")
def metrics(rt: RuntimeDep) -> Response:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_CaseCollector(rt))  # type: ignore[arg-type]
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def resume_stalled(rt: Runtime) -> None:
    """At start (embedded): cases a previous run left half done are finished."""
    for case_id in cases.stalled_cases(rt, timedelta(seconds=0)):
        if rt.settings.embedded:
            log.warning("resuming a case left running", extra={"case_id": case_id})
            cases.resume_case(rt, case_id)


def _check(probe: Callable[[], Any]) -> dict[str, Any]:
    try:
        detail = probe()
    except Exception as err:  # noqa: BLE001 - reported, never raised
        return {"ok": False, "error": getattr(err, "code", type(err).__name__),
                "detail": str(getattr(err, "message", "")) or type(err).__name__}
    return {"ok": True, **({"detail": detail} if detail else {})}


def _ping_database(rt: Runtime) -> None:
    with rt.sessions() as session:
        session.execute(text("SELECT 1"))


def _rules(rt: Runtime) -> str:
    book = rt.rules.current()
    return f"{book.version} {book.sha256[:12]}"


class _CaseCollector:
    """Figures read from the database at scrape time, so every process (API and
    workers on many machines) is counted once."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Any]:
        with self.rt.sessions() as session:
            by_status = dict(session.execute(
                select(Case.status, func.count()).group_by(Case.status)).all())
            by_verdict = dict(session.execute(select(Case.outcome, func.count()).where(
                Case.outcome.is_not(None)).group_by(Case.outcome)).all())
            read = session.execute(select(func.count(Document.read_seconds),
                                          func.sum(Document.read_seconds))).one()
            evaluated = session.execute(select(func.count(Case.evaluate_seconds),
                                               func.sum(Case.evaluate_seconds))).one()
        cases_now = GaugeMetricFamily("prereview_cases", "Cases by status",
                                      labels=["status"])
        for status in ("received", "queued", "reading", "evaluating", "done", "failed"):
            cases_now.add_metric([status], by_status.get(status, 0))
        yield cases_now
        verdicts = CounterMetricFamily("prereview_verdicts", "Verdicts given",
                                       labels=["verdict"])
        for verdict in ("pass", "conditional", "reject"):
            verdicts.add_metric([verdict], by_verdict.get(verdict, 0))
        yield verdicts
        stages = SummaryMetricFamily("prereview_stage_seconds", "Time spent per stage",
                                     labels=["stage"])
        stages.add_metric(["read"], read[0] or 0, read[1] or 0.0)
        stages.add_metric(["evaluate"], evaluated[0] or 0, evaluated[1] or 0.0)
        yield stages
        depth = self.rt.dispatcher.queue_depth()
        if depth is not None:
            yield GaugeMetricFamily("prereview_queue_depth", "Tasks waiting for a worker",
                                    value=depth)
