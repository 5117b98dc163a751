"""``prereview bench service``: the service's throughput with real worker processes.

For each worker count: a fresh data directory (SQLite, or ``PREREVIEW_DATABASE_URL``
when set), a local object directory, a Redis database of its own on the broker
(``PREREVIEW_BROKER_URL``, default an empty database on redis://127.0.0.1:6379), that
many ``prereview worker`` processes; N generated mortgage cases are uploaded and verified
at once. Prints cases per hour and upload→verdict seconds (median, p95).
"""

from __future__ import annotations

import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from samples.cases import make_case

from . import cases
from .config import ServiceSettings
from .db import Case
from .keys import Caller
from .runtime import Runtime, build_runtime
from .uploads import check_upload

DEFAULT_REDIS = "redis://127.0.0.1:6379"
CALLER = Caller("bench", "system")
Generated = tuple[dict[str, Any], list[tuple[str, bytes]]]  # an application and its files


@dataclass
class Submitted:
    case_id: str
    uploaded_at: datetime


def service(workers: list[int], n_cases: int, seed: int, console: Console) -> dict[str, Any]:
    """Run N mortgage cases with each worker count in turn; the figures by worker count."""
    console.print(f"generating {n_cases} mortgage cases (seed {seed})…")
    applications = [_mortgage_case(seed + i) for i in range(n_cases)]
    figures = {}
    for count in workers:
        console.print(f"[bold]{count} worker process(es)[/]: {n_cases} cases")
        figures[str(count)] = _run(count, applications, console)
    _print(figures, console)
    return figures


def _mortgage_case(seed: int) -> Generated:
    case = make_case("clean", seed)
    application = {k: v for k, v in case.application.items() if k != "case_id"}
    return application, [(f.name, f.data) for f in case.files]


def _run(count: int, applications: list[Generated],
         console: Console) -> dict[str, Any]:
    broker, release = _broker()
    try:
        with tempfile.TemporaryDirectory(prefix="prereview-bench-") as tmp:
            runtime, submitted, rows, wall = _measure(count, applications, Path(tmp), broker)
    finally:
        release()
    seconds = sorted((_utc(rows[s.case_id].done_at) - s.uploaded_at).total_seconds()
                     for s in submitted if rows[s.case_id].done_at is not None)
    outcomes = [rows[s.case_id].outcome or rows[s.case_id].status for s in submitted]
    figures = {"workers": count, "cases": len(submitted), "wall_seconds": round(wall, 1),
               "cases_per_hour": round(len(submitted) / wall * 3600, 1),
               "upload_to_verdict_median": round(statistics.median(seconds), 1),
               "upload_to_verdict_p95": round(_p95(seconds), 1),
               "outcomes": {o: outcomes.count(o) for o in sorted(set(outcomes))},
               "database": runtime.settings.resolved_database_url().split(":", 1)[0].split("+")[0]}
    console.print(f"  done in {wall:.0f} s: {figures['outcomes']}")
    return figures


def _measure(count: int, applications: list[Generated],
             tmp: Path, broker: str) -> tuple[Runtime, list[Submitted], dict[str, Case], float]:
    env = _env(tmp, broker)
    saved = dict(os.environ)
    os.environ.update(env)  # this process sends tasks with the workers' settings
    try:
        runtime = build_runtime(ServiceSettings())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    procs = [_start_worker(env, tmp / f"worker-{i}.log") for i in range(count)]
    try:
        for proc, log in procs:
            _wait_ready(proc, log)
        started = time.monotonic()
        submitted = [_submit(runtime, app, files) for app, files in applications]
        rows = _wait_done(runtime, [s.case_id for s in submitted])
        return runtime, submitted, rows, time.monotonic() - started
    finally:
        for proc, _ in procs:
            _stop(proc)


def _broker() -> tuple[str, Any]:
    """The broker to use and how to clean it afterwards (an empty Redis db is claimed)."""
    if os.environ.get("PREREVIEW_BROKER_URL"):
        return os.environ["PREREVIEW_BROKER_URL"], lambda: None
    import redis

    token = secrets.token_hex(8)
    for number in range(15, 0, -1):
        client = redis.Redis.from_url(f"{DEFAULT_REDIS}/{number}")
        if client.dbsize() == 0 and client.set("prereview-bench:claim", token, nx=True,
                                                ex=3600) and client.dbsize() == 1:
            return f"{DEFAULT_REDIS}/{number}", client.flushdb
    raise RuntimeError(f"no empty Redis database at {DEFAULT_REDIS}")


def _env(tmp: Path, broker: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREREVIEW_")}
    env.update({
        "PREREVIEW_DATA_DIR": str(tmp / "data"),
        "PREREVIEW_OBJECT_STORE_URL": str(tmp / "objects"),
        "PREREVIEW_BROKER_URL": broker,
        "PREREVIEW_CALLBACK_SECRET": secrets.token_urlsafe(36),
        "PREREVIEW_DATABASE_URL": os.environ.get("PREREVIEW_DATABASE_URL")
        or f"sqlite:///{tmp / 'data' / 'prereview.db'}",
        "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1"),
    })
    return env


def _start_worker(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], Path]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "worker", "--concurrency", "1"],
                                env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while " ready." not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"a worker did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _submit(rt: Runtime, application: dict[str, Any], files: list[tuple[str, bytes]]
            ) -> Submitted:
    uploaded_at = datetime.now(UTC)
    case, _ = cases.create_case(rt, application, CALLER)
    checked = [check_upload(name, data, rt.settings) for name, data in files]
    cases.add_documents(rt, case.case_id, checked, CALLER)
    cases.start_verification(rt, case.case_id, CALLER)
    return Submitted(case.case_id, uploaded_at)


def _wait_done(rt: Runtime, case_ids: list[str], timeout: float = 3600) -> dict[str, Case]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with rt.sessions() as session:
            rows = {c.case_id: c for c in session.scalars(
                select(Case).where(Case.case_id.in_(case_ids)))}
        if all(c.status in ("done", "failed") for c in rows.values()):
            return rows
        time.sleep(0.5)
    raise RuntimeError(f"cases not finished after {timeout:.0f} s")


def _utc(moment: datetime | None) -> datetime:
    """SQLite gives back naive datetimes (written in UTC)."""
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _print(figures: dict[str, Any], console: Console) -> None:
    table = Table(title="service: cases at once on Redis; upload→verdict seconds")
    for column in ("workers", "cases", "db", "wall s", "cases/h", "median s", "p95 s",
                   "verdicts"):
        table.add_column(column)
    for f in figures.values():
        table.add_row(str(f["workers"]), str(f["cases"]), f["database"],
                      str(f["wall_seconds"]), str(f["cases_per_hour"]),
                      str(f["upload_to_verdict_median"]), str(f["upload_to_verdict_p95"]),
                      ", ".join(f"{k} {v}" for k, v in f["outcomes"].items()))
    console.print(table)
