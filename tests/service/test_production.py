"""Production profile over real connections: PostgreSQL (migrated by Alembic), S3 (moto's
server), Redis and a real ``prereview worker`` process; the API through TestClient.
One case goes through with a callback receiver that refuses the first delivery."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, text

from api.db import Case, Document
from tests.fixtures.s3 import S3Server

from .conftest import CALLBACK_SECRET
from .helpers import (
    CallbackReceiver,
    CaseFiles,
    Stack,
    WorkerProcess,
    finished,
    projection,
    sha256,
    signature_ok,
    submit,
    wait_for,
)


@dataclass
class Run:
    case_id: str
    final: dict[str, Any]
    receiver: CallbackReceiver
    worker: WorkerProcess


@pytest.fixture(scope="module")
def run(production: Stack, quick_case: CaseFiles, tmp_path_factory: pytest.TempPathFactory
        ) -> Any:
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    worker = WorkerProcess(production.env, log).start()
    try:
        with CallbackReceiver([500, 200]) as receiver:
            case_id = submit(production, quick_case, callback_url=receiver.url)
            final = finished(production, case_id)
            wait_for("the callback to be delivered", lambda: status_of(production, case_id)
                     in ("delivered", "failed"), timeout=120)
            yield Run(case_id, final, receiver, worker)
    finally:
        worker.stop()


def status_of(stack: Stack, case_id: str) -> str | None:
    with stack.runtime.sessions() as session:
        case = session.get(Case, case_id)
        return case.callback_status if case else None


def test_the_database_is_postgresql_migrated_by_alembic(production: Stack) -> None:
    with production.runtime.sessions() as session:
        assert session.get_bind().dialect.name == "postgresql"
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version


def test_readyz_checks_postgres_s3_and_redis(production: Stack) -> None:
    ready = production.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert all(check["ok"] for check in ready.json()["checks"].values())


def test_a_worker_process_gives_the_verdict(run: Run, production: Stack,
                                            reference_verdict: dict[str, Any]) -> None:
    assert run.final["status"] == "done", run.final["error"]
    verdict = production.client.get(f"/api/v1/cases/{run.case_id}/verdict",
                                    headers=production.headers("approver")).json()
    assert projection(verdict) == reference_verdict
    assert "prereview.read_document" in run.worker.log()  # the worker did the reading


def test_every_object_is_where_the_service_says(run: Run, production: Stack,
                                                quick_case: CaseFiles, s3_server: S3Server,
                                                bucket: str) -> None:
    s3 = s3_server.boto3()

    def get(key: str) -> bytes:
        body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body

    for _, data in quick_case.files:
        assert get(f"original/{sha256(data)[:2]}/{sha256(data)}") == data
    with production.runtime.sessions() as session:
        documents = session.scalars(select(Document).where(
            Document.case_id == run.case_id)).all()
        parts = [p for d in documents for p in (d.kinds or {})["parts"]]
        assert sorted(d.object_key for d in documents) == sorted(
            f"original/{sha256(data)[:2]}/{sha256(data)}" for _, data in quick_case.files)
    assert len(parts) >= len(quick_case.files)
    for part in parts:
        read = json.loads(get(f"{part['key']}/read.json"))
        assert read["kind"] == part["kind"]
        for page in range(1, part["pages"] + 1):
            assert get(f"{part['key']}/page-{page}.png")[:8] == b"\x89PNG\r\n\x1a\n"
    kept = json.loads(get(f"cases/{run.case_id}/verdict.json"))
    served = production.client.get(f"/api/v1/cases/{run.case_id}/verdict",
                                   headers=production.headers("approver")).json()
    assert kept == served


def test_the_callback_is_signed_retried_with_backoff_and_delivered(run: Run,
                                                                   production: Stack) -> None:
    received = run.receiver.received
    assert len(received) == 2, [r.headers for r in received]
    assert all(signature_ok(CALLBACK_SECRET, r) for r in received)
    assert not signature_ok(CALLBACK_SECRET[::-1], received[0])
    backoff = production.settings.callback_backoff_seconds
    assert received[1].at - received[0].at >= backoff  # not sooner than the back-off
    verdict = production.client.get(f"/api/v1/cases/{run.case_id}/verdict",
                                    headers=production.headers("approver")).json()
    assert json.loads(received[1].body) == verdict
    assert received[1].headers["x-prereview-case"] == run.case_id
    case = production.client.get(f"/api/v1/cases/{run.case_id}",
                                 headers=production.headers("intake")).json()
    assert case["callback_status"] == "delivered"
    with production.runtime.sessions() as session:
        assert session.get(Case, run.case_id).callback_attempts == 2  # type: ignore[union-attr]


def test_the_worker_logs_are_json_without_personal_data(run: Run, quick_case: CaseFiles
                                                        ) -> None:
    lines = run.worker.log().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(r.get("case_id") == run.case_id for r in records)
    assert any("prereview.read_document" in r["message"] for r in records)
    assert not [r for r in records if "Logging error" in r["message"]], "a record failed"
    for value in quick_case.personal_values():
        leaked = [line for line in lines if value in line]
        assert not leaked, f"{value!r} in the worker's log: {leaked[:3]}"


def test_metrics_show_the_queue_depth(production: Stack, run: Run) -> None:
    metrics = production.client.get("/metrics").text
    assert "prereview_queue_depth" in metrics
    assert 'prereview_cases{status="done"}' in metrics
