"""A worker killed (SIGKILL, the whole process group) while it reads a document: a new
worker finishes the case, with the same verdict and no document twice."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from api.db import Document

from .helpers import (
    CaseFiles,
    Stack,
    WorkerProcess,
    bearer,
    finished,
    projection,
    submit,
    wait_for,
)

# Read by the `production` fixture: a task held by a dead worker comes back after 10 s, and
# a worker starting up resumes cases untouched for 3 s.
STALLED_AFTER = 3
WORKER_SETTINGS = {"PREREVIEW_VISIBILITY_TIMEOUT_SECONDS": "10",
                   "PREREVIEW_STALLED_AFTER_SECONDS": str(STALLED_AFTER)}


def held_task(log: str) -> str:
    """The id of the task the killed worker had taken."""
    found = re.findall(r"Task prereview\.read_document\[([0-9a-f-]+)\] received", log)
    assert found, "the first worker took no task"
    return found[-1]


def document_being_read(stack: Stack, case_id: str) -> dict[str, Any] | None:
    case = stack.client.get(f"/api/v1/cases/{case_id}", headers=bearer(stack.keys["admin"]))
    reading = [d for d in case.json()["documents"] if d["status"] == "reading"]
    return reading[0] if reading else None


def test_a_new_worker_finishes_a_case_whose_worker_was_killed(
        production: Stack, quick_case: CaseFiles, reference_verdict: dict[str, Any],
        tmp_path: Path) -> None:
    first = WorkerProcess(production.env, tmp_path / "first.log").start()
    second = WorkerProcess(production.env, tmp_path / "second.log")
    try:
        case_id = submit(production, quick_case)
        victim = wait_for("a document to be read", lambda: document_being_read(
            production, case_id), every=0.05)
        first.kill()
        left = production.client.get(f"/api/v1/cases/{case_id}",
                                     headers=production.headers("admin")).json()
        assert left["status"] == "reading"
        assert next(d for d in left["documents"] if d["id"] == victim["id"])["status"] != "read"
        time.sleep(STALLED_AFTER + 0.5)  # nobody touches the case: it is stalled now
        second.start()
        final = finished(production, case_id)
        held = held_task(first.log())
        wait_for("the killed worker's task to come back", lambda: held in second.log(), 90)
    finally:
        first.stop()
        second.stop()
    assert final["status"] == "done", final["error"]
    assert all(d["status"] == "read" for d in final["documents"])
    assert sorted(d["sha256"] for d in final["documents"]) == sorted(
        {d["sha256"] for d in final["documents"]})
    assert len(final["documents"]) == len(quick_case.files)
    with production.runtime.sessions() as session:
        rows = session.scalars(select(Document).where(Document.case_id == case_id)).all()
        assert len(rows) == len(quick_case.files)
    verdict = production.client.get(f"/api/v1/cases/{case_id}/verdict",
                                    headers=production.headers("approver")).json()
    assert projection(verdict) == reference_verdict
    assert "resuming stalled case" in second.log()


def pool_processes(parent: int) -> list[int]:
    """The pids whose parent is ``parent`` (the worker's pool processes)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def test_a_pool_process_killed_gives_its_task_back_at_once(
        production: Stack, quick_case: CaseFiles, reference_verdict: dict[str, Any],
        tmp_path: Path) -> None:
    worker = WorkerProcess(production.env, tmp_path / "worker.log").start()
    try:
        case_id = submit(production, quick_case)
        wait_for("a document to be read", lambda: document_being_read(production, case_id),
                 every=0.05)
        assert worker.proc is not None
        (child,) = pool_processes(worker.proc.pid)
        held = held_task(worker.log())
        os.kill(child, signal.SIGKILL)
        final = finished(production, case_id)
    finally:
        worker.stop()
    assert final["status"] == "done", final["error"]
    assert worker.log().count(f"read_document[{held}] received") == 2  # given back, taken again
    verdict = production.client.get(f"/api/v1/cases/{case_id}/verdict",
                                    headers=production.headers("approver")).json()
    assert projection(verdict) == reference_verdict
