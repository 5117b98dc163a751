"""Helpers for the service tests: small cases, polling, worker processes."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.config import ServiceSettings
from api.runtime import Runtime
from samples.cases import make_case

# A case that reads in a few seconds: both ID card sides (photos) and a digital statement.
QUICK_KINDS = ("id_card_front", "id_card_back", "bank_statement")
QUICK_SCENARIO, QUICK_SEED = "clean", 11
ROLES = ("intake", "approver", "compliance", "system", "admin")
PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class CaseFiles:
    """An application (without case_id) and the applicant's files, images first."""

    application: dict[str, Any]
    files: list[tuple[str, bytes]]
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)

    def multipart(self) -> list[tuple[str, tuple[str, bytes]]]:
        return [("files", (name, data)) for name, data in self.files]

    def personal_values(self) -> list[str]:
        """Name, ID number, phone and account numbers found in this case."""
        applicant = self.application["applicant"]
        values = [applicant["name"], applicant["id_number"], applicant["phone"]]
        for truth in self.truth.values():
            fields = truth.get("fields", {})
            if isinstance(fields, dict) and fields.get("account_number"):
                values.append(str(fields["account_number"]))
        return values


def case_files(kinds: tuple[str, ...] = QUICK_KINDS, scenario: str = QUICK_SCENARIO,
               seed: int = QUICK_SEED) -> CaseFiles:
    """A subset of a generated case's files (by kind), the PDFs last."""
    case = make_case(scenario, seed)
    chosen = [f for f in case.files if f.truth["kind"] in kinds]
    chosen.sort(key=lambda f: f.name.lower().endswith(".pdf"))
    application = {k: v for k, v in case.application.items() if k != "case_id"}
    return CaseFiles(application, [(f.name, f.data) for f in chosen],
                     {f.name: f.truth for f in chosen})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 240.0,
             every: float = 0.25) -> Any:
    """Poll until ``probe()`` is truthy; fail saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def wait_until_finished(client: TestClient, case_id: str, key: str,
                        seen: list[str] | None = None, timeout: float = 240.0
                        ) -> dict[str, Any]:
    """GET the case until it is done or failed; each status seen is appended to ``seen``."""

    def finished() -> dict[str, Any] | None:
        answer = client.get(f"/api/v1/cases/{case_id}", headers=bearer(key))
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        if seen is not None and (not seen or seen[-1] != body["status"]):
            seen.append(body["status"])
        return body if body["status"] in ("done", "failed") else None

    result: dict[str, Any] = wait_for(f"case {case_id} to finish", finished, timeout)
    return result


def projection(verdict: dict[str, Any]) -> dict[str, Any]:
    """What two verdicts of the same files must share (the case id aside)."""
    return {
        "verdict": verdict["verdict"],
        "codes": sorted(f["code"] for f in verdict["findings"]),
        "figures": verdict["figures"],
        "documents": sorted((d["file"], d["kind"], sorted(d.get("fields", {}).items()))
                            for d in verdict["documents"]),
        "ruleset": verdict["ruleset"]["sha256"],
    }


def service_env(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without PREREVIEW_* settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREREVIEW_")}
    env.update({"OMP_THREAD_LIMIT": "1", "PYTHONUNBUFFERED": "1"})
    env.update(settings)
    return env


@dataclass
class Stack:
    """A built service: its settings, runtime, a TestClient and a key per role."""

    settings: ServiceSettings
    runtime: Runtime
    client: TestClient
    keys: dict[str, str]
    env: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return bearer(self.keys[role])


def submit(stack: Stack, files: CaseFiles, **application: Any) -> str:
    """Create, upload and verify a case through the API (intake key); its id."""
    headers = stack.headers("intake")
    made = stack.client.post("/api/v1/cases", json={**files.application, **application},
                             headers=headers)
    assert made.status_code == 201, made.text
    case_id: str = made.json()["case_id"]
    stored = stack.client.post(f"/api/v1/cases/{case_id}/documents",
                               files=files.multipart(), headers=headers)
    assert stored.status_code == 201, stored.text
    started = stack.client.post(f"/api/v1/cases/{case_id}/verify", headers=headers)
    assert started.status_code == 202, started.text
    return case_id


def finished(stack: Stack, case_id: str, timeout: float = 240.0) -> dict[str, Any]:
    return wait_until_finished(stack.client, case_id, stack.keys["admin"], timeout=timeout)


class WorkerProcess:
    """``prereview worker`` in its own process group (so it can be killed whole)."""

    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int = 1) -> None:
        self.env, self.log_path, self.concurrency = env, log_path, concurrency
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> WorkerProcess:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "worker", "--concurrency",
                 str(self.concurrency)], env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        wait_for("the worker to be ready", self._ready, timeout)
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"prereview worker exited ({self.proc.returncode}):\n"
                                 f"{self.log()[-3000:]}")
        return " ready." in self.log()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool children."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass


@dataclass
class Received:
    at: float  # time.monotonic() on arrival
    headers: dict[str, str]  # names in lower case
    body: bytes


class CallbackReceiver:
    """A local HTTP endpoint answering each POST with the next status of ``answers``
    (the last one repeated), keeping what arrived."""

    def __init__(self, answers: list[int]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.answers, self.received = list(answers), list[Received]()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(
                    time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.answers[min(len(receiver.received), len(receiver.answers)) - 1]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/prereview/callback"

    def __enter__(self) -> CallbackReceiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def signature_ok(secret: str, received: Received) -> bool:
    """The receiver's side of the check, written from the contract, not from api/."""
    import hmac

    timestamp = received.headers["x-prereview-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + received.body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(received.headers["x-prereview-signature"], f"sha256={expected}")
