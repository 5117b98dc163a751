"""``prereview serve`` as a real process (embedded defaults, a data dir of its own)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from .helpers import bearer, case_files, service_env, wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_serve_and_keys_from_the_command_line(tmp_path: Path) -> None:
    env = service_env({"PREREVIEW_DATA_DIR": str(tmp_path / "data")})
    made = cli("keys", "create", "--role", "intake", env=env)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("prk_")
    refused = cli("keys", "create", "--role", "janitor", env=env)
    assert refused.returncode != 0 and "keys.unknown_role" in refused.stderr
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for("prereview serve to answer /healthz", lambda: _alive(base, server), 120)
        assert httpx.get(f"{base}/readyz").status_code == 200
        created = httpx.post(f"{base}/api/v1/cases", json=case_files().application,
                             headers=bearer(key))
        assert created.status_code == 201, created.text
        assert httpx.post(f"{base}/api/v1/cases", json={}).status_code == 401
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _alive(base: str, server: subprocess.Popen[bytes]) -> bool:
    assert server.poll() is None, "prereview serve exited"
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
