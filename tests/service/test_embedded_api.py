"""The contract's HTTP API end to end, embedded profile (SQLite, local objects, threads)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pikepdf
import pytest

from .helpers import PROBLEM, CaseFiles, Stack, bearer, projection, sha256, wait_until_finished

CONTRACT_PATHS = {
    "/api/v1/cases": "post",
    "/api/v1/cases/{case_id}/documents": "post",
    "/api/v1/cases/{case_id}/verify": "post",
    "/api/v1/cases/{case_id}": "get",
    "/api/v1/cases/{case_id}/verdict": "get",
    "/api/v1/cases/{case_id}/report": "get",
}


@dataclass
class Flow:
    """Every answer of one case's way through the API, in order."""

    created: httpx.Response
    retried: httpx.Response
    uploaded: httpx.Response
    uploaded_again: httpx.Response
    verdict_before: httpx.Response
    verify: httpx.Response
    metrics_before: str
    statuses: list[str] = field(default_factory=list)
    final: dict[str, Any] = field(default_factory=dict)

    @property
    def case_id(self) -> str:
        return str(self.created.json()["case_id"])


@pytest.fixture(scope="module")
def flow(embedded: Stack, quick_case: CaseFiles) -> Flow:
    client, intake = embedded.client, embedded.headers("intake")
    metrics_before = client.get("/metrics").text
    once = {**intake, "Idempotency-Key": "flow-1"}
    created = client.post("/api/v1/cases", json=quick_case.application, headers=once)
    retried = client.post("/api/v1/cases", json=quick_case.application, headers=once)
    case_id = created.json()["case_id"]
    documents = f"/api/v1/cases/{case_id}/documents"
    twice = [*quick_case.multipart(), quick_case.multipart()[0]]  # the same bytes twice
    uploaded = client.post(documents, files=twice, headers=intake)
    uploaded_again = client.post(documents, files=quick_case.multipart()[-1:], headers=intake)
    verdict_before = client.get(f"/api/v1/cases/{case_id}/verdict",
                                headers=embedded.headers("approver"))
    verify = client.post(f"/api/v1/cases/{case_id}/verify", headers=intake)
    result = Flow(created, retried, uploaded, uploaded_again, verdict_before, verify,
                  metrics_before)
    result.final = wait_until_finished(client, case_id, embedded.keys["intake"],
                                       result.statuses)
    return result


def test_a_case_is_created_once_per_idempotency_key(flow: Flow, embedded: Stack,
                                                     quick_case: CaseFiles) -> None:
    assert flow.created.status_code == 201
    assert flow.created.json()["status"] == "received"
    assert flow.retried.status_code in (200, 201)
    assert flow.retried.json()["case_id"] == flow.case_id
    other = embedded.client.post("/api/v1/cases", json=quick_case.application, headers={
        **embedded.headers("intake"), "Idempotency-Key": "flow-2"})
    assert other.status_code == 201
    assert other.json()["case_id"] != flow.case_id


def test_a_case_id_taken_is_a_409_problem(embedded: Stack, quick_case: CaseFiles) -> None:
    body = {**quick_case.application, "case_id": "2026-DUP-1"}
    first = embedded.client.post("/api/v1/cases", json=body, headers=embedded.headers("intake"))
    again = embedded.client.post("/api/v1/cases", json=body, headers=embedded.headers("intake"))
    assert first.status_code == 201
    assert again.status_code == 409
    assert again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["code"] == "case.exists"


@pytest.mark.parametrize("change", ["no_product", "bad_date", "negative_amount", "not_json"])
def test_an_invalid_application_is_a_422_problem(embedded: Stack, quick_case: CaseFiles,
                                                 change: str) -> None:
    body: dict[str, Any] = {**quick_case.application, "loan": dict(quick_case.application["loan"])}
    if change == "no_product":
        del body["product"]
    elif change == "bad_date":
        body["application_date"] = "2026-13-45"
    elif change == "negative_amount":
        body["loan"]["amount"] = -5
    if change == "not_json":
        answer = embedded.client.post("/api/v1/cases", content=b"{not json", headers={
            **embedded.headers("intake"), "Content-Type": "application/json"})
    else:
        answer = embedded.client.post("/api/v1/cases", json=body,
                                      headers=embedded.headers("intake"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem = answer.json()
    assert problem["code"] in ("case.invalid_application", "request.invalid")
    assert problem["status"] == 422 and problem["detail"]


def test_each_original_is_stored_once(flow: Flow, embedded: Stack, quick_case: CaseFiles
                                      ) -> None:
    assert flow.uploaded.status_code == 201
    stored = flow.uploaded.json()
    assert len(stored) == len(quick_case.files) + 1
    assert len({d["id"] for d in stored}) == len(quick_case.files)
    assert stored[0]["id"] == stored[-1]["id"]
    assert flow.uploaded_again.status_code == 201
    assert flow.uploaded_again.json()[0]["id"] == stored[len(quick_case.files) - 1]["id"]
    assert len(flow.final["documents"]) == len(quick_case.files)
    root = embedded.settings.data_dir / "objects" / "original"
    on_disk = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    expected = sorted(f"{h[:2]}/{h}" for h in {sha256(d) for _, d in quick_case.files})
    assert on_disk == expected
    for name, data in quick_case.files:
        assert (root / sha256(data)[:2] / sha256(data)).read_bytes() == data, name


def test_verify_answers_202_and_the_case_moves_to_done(flow: Flow) -> None:
    assert flow.verify.status_code == 202
    assert flow.verify.json() == {"case_id": flow.case_id, "status": "queued"}
    order = ["received", "queued", "reading", "evaluating", "done"]
    assert flow.statuses[-1] == "done", flow.final.get("error")
    positions = [order.index(s) for s in flow.statuses]
    assert positions == sorted(positions), flow.statuses
    progress = flow.final["progress"]
    assert progress["documents"] == progress["documents_read"] == len(flow.final["documents"])
    assert progress["stage"] == "done"
    assert all(d["status"] == "read" for d in flow.final["documents"])


def test_the_verdict_is_404_before_and_the_contract_json_after(
        flow: Flow, embedded: Stack, reference_verdict: dict[str, Any]) -> None:
    assert flow.verdict_before.status_code == 404
    assert flow.verdict_before.headers["content-type"].startswith(PROBLEM)
    assert flow.verdict_before.json()["code"] == "verdict.not_ready"
    answer = embedded.client.get(f"/api/v1/cases/{flow.case_id}/verdict",
                                 headers=embedded.headers("approver"))
    assert answer.status_code == 200
    verdict = answer.json()
    assert verdict["case_id"] == flow.case_id
    assert {"verdict", "findings", "figures", "documents", "ruleset"} <= set(verdict)
    severities = {f["severity"] for f in verdict["findings"]}
    combined = ("reject" if "reject" in severities else
                "conditional" if "condition" in severities else "pass")
    assert verdict["verdict"] == combined
    for finding in verdict["findings"]:
        assert {"code", "severity", "message", "action", "evidence"} <= set(finding)
    assert projection(verdict) == reference_verdict
    assert flow.final["verdict"] == verdict["verdict"]


def test_the_report_is_html_and_a_real_pdf(flow: Flow, embedded: Stack) -> None:
    url = f"/api/v1/cases/{flow.case_id}/report"
    html = embedded.client.get(url, headers=embedded.headers("approver"))
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "<html" in html.text.lower()
    pdf = embedded.client.get(url, params={"format": "pdf"}, headers=embedded.headers("approver"))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(pdf.content)) as document:
        assert len(document.pages) >= 1


def test_openapi_lists_every_contract_call(embedded: Stack) -> None:
    spec = embedded.client.get("/openapi.json").json()
    for path, method in CONTRACT_PATHS.items():
        assert method in spec["paths"].get(path, {}), f"{method.upper()} {path} missing"


def test_health_and_readiness_need_no_key(embedded: Stack) -> None:
    assert embedded.client.get("/healthz").json() == {"status": "ok"}
    ready = embedded.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) == {"database", "object_store", "broker", "rules"}
    assert all(c["ok"] for c in checks.values()), checks


def metric(text: str, name: str, label: str) -> float:
    match = re.search(rf'^{name}\{{[a-z]+="{label}"\}} (\S+)$', text, re.MULTILINE)
    assert match, f"{name}{{{label}}} not in /metrics"
    return float(match.group(1))


def test_metrics_count_the_case(flow: Flow, embedded: Stack) -> None:
    after = embedded.client.get("/metrics").text
    outcome = flow.final["verdict"]
    for name, label in (("prereview_cases", "done"), ("prereview_verdicts_total", outcome)):
        assert metric(after, name, label) >= metric(flow.metrics_before, name, label) + 1
    assert metric(after, "prereview_stage_seconds_count", "read") >= len(
        flow.final["documents"])


def test_a_case_unknown_is_a_404_problem(embedded: Stack) -> None:
    answer = embedded.client.get("/api/v1/cases/no-such-case", headers=bearer(
        embedded.keys["admin"]))
    assert answer.status_code == 404
    assert answer.json()["code"] == "case.not_found"
