"""The web pages tested as a person uses them: a real ``prereview serve`` on a free
loopback port with its own data directory, keys made with ``prereview keys create``, and
Debian's Chromium driven by Playwright. Every page visited leaves a screenshot in
``.var/screenshots/`` to look at. Without Chromium these tests fail and say so."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".var" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PRODUCT_FILES = ("id_card_front", "id_card_back", "bank_statement")  # read in seconds


@dataclass
class Service:
    base_url: str
    data_dir: Path
    keys: dict[str, str]
    log: Path

    def api(self, method: str, path: str, role: str, body: Any = None,
            files: list[tuple[str, bytes]] | None = None) -> Any:
        """A call with the role's API key (as another system would make it)."""
        headers = {"Authorization": f"Bearer {self.keys[role]}"}
        data = None
        if files is not None:
            boundary = "prereview-test-boundary"
            parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                     f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                     .encode() + content + b"\r\n" for name, content in files]
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def wait_done(self, case_id: str, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            case = self.api("GET", f"/api/v1/cases/{case_id}", "intake")
            if case["status"] in ("done", "failed"):
                return dict(case)
            time.sleep(0.5)
        raise AssertionError(f"case {case_id} was not done after {timeout}s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


@dataclass
class SampleCase:
    application: dict[str, Any]
    files: dict[str, tuple[str, bytes]]  # kind -> (file name, bytes)
    expected: dict[str, Any] = field(default_factory=dict)


def sample_case(scenario: str, seed: int) -> SampleCase:
    from samples.cases import make_case

    case = make_case(scenario, seed)
    application = dict(case.application)
    application.pop("case_id", None)
    files = {str(f.truth["kind"]): (f.name, f.data) for f in case.files}
    return SampleCase(application, files, dict(case.expected))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prereview() -> str:
    return str(Path(sys.executable).with_name("prereview"))


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """``prereview serve`` in its own process, embedded (SQLite, local objects)."""
    data_dir = tmp_path_factory.mktemp("web-service")
    env = {**os.environ, "PREREVIEW_DATA_DIR": str(data_dir), "OMP_THREAD_LIMIT": "1",
           "PREREVIEW_LOG_LEVEL": "WARNING"}
    keys = {}
    for role in ("intake", "approver", "compliance", "system", "admin"):
        made = subprocess.run([_prereview(), "keys", "create", "--role", role], env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        keys[role] = made.stdout.strip().splitlines()[-1]
    port = _free_port()
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([_prereview(), "serve", "--host", "127.0.0.1", "--port",
                                    str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    service = Service(f"http://127.0.0.1:{port}", data_dir, keys, log)
    try:
        _wait_ready(service, process)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(service: Service, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"prereview serve exited:\n{service.tail()}")
        try:
            with urllib.request.urlopen(service.base_url + "/readyz", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"prereview serve was not ready in 90 s:\n{service.tail()}")


def chromium_path() -> str:
    found = os.environ.get("PREREVIEW_CHROMIUM") or shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        pytest.fail("Debian's chromium is not installed: the web pages cannot be tested. "
                    "Install it with `apt-get install chromium` (scripts/setup.sh does).",
                    pytrace=False)
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dev]'", pytrace=False)
    path = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Person:
    """One browser context (its own cookies) signed in with one role's key; records
    every request so a test can check nothing left the service."""

    def __init__(self, browser: Any, service: Service, name: str) -> None:
        self.service, self.name, self.shots = service, name, 0
        self.context = browser.new_context(viewport={"width": 1366, "height": 900},
                                           locale="zh-CN", accept_downloads=True)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> Any:
        self.page.goto(self.service.base_url + path)
        return self.page

    def sign_in(self, role: str) -> Any:
        page = self.open("/signin")
        page.fill("#api_key", self.service.keys[role])
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    def shot(self, step: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = SCREENSHOTS / f"{self.name}-{self.shots:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def outside_requests(self) -> list[str]:
        own = self.service.base_url + "/"
        return [u for u in self.requests if not u.startswith((own, "data:", "blob:"))]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def person(browser: Any, service: Service,
           request: pytest.FixtureRequest) -> Iterator[Callable[[str], Person]]:
    made: list[Person] = []

    def make(name: str) -> Person:
        one = Person(browser, service, name)
        made.append(one)
        return one

    yield make
    for one in made:
        outside = one.outside_requests()
        errors = list(one.errors)
        one.close()
        assert not outside, f"pages asked for something outside the service: {outside}"
        assert not errors, f"scripts failed on the page: {errors}"


def drop_files(page: Any, selector: str, files: list[tuple[str, bytes]]) -> None:
    """Drag files onto an element (a real drop event with a DataTransfer)."""
    payload = [{"name": n, "data": base64.b64encode(b).decode()} for n, b in files]
    transfer = page.evaluate_handle("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name));
        }
        return dt;
    }""", payload)
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


@pytest.fixture(scope="session")
def verified_case(service: Service) -> dict[str, Any]:
    """A case made through the API and verified: a broken balance chain in a digital
    statement (a reject with evidence on the page) and no income proof (a condition)."""
    sample = sample_case("balance_broken", 4201)
    made = service.api("POST", "/api/v1/cases", "intake", sample.application)
    case_id = made["case_id"]
    service.api("POST", f"/api/v1/cases/{case_id}/documents", "intake",
                files=[sample.files[k] for k in PRODUCT_FILES])
    service.api("POST", f"/api/v1/cases/{case_id}/verify", "intake")
    case = service.wait_done(case_id)
    assert case["status"] == "done", case.get("error")
    verdict = service.api("GET", f"/api/v1/cases/{case_id}/verdict", "approver")
    return {"case_id": case_id, "verdict": verdict, "application": sample.application}
