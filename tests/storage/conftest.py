"""A real S3 server on loopback for the storage tests: moto's server mode, in its own
process, started once per test session (per xdist worker) and stopped afterwards."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

ACCESS_KEY = "testing-access"
SECRET_KEY = "testing/secret+key"  # a '/' and a '+' check the URL's percent-decoding


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class S3Server:
    host: str
    port: int
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, bucket: str) -> str:
        secret = SECRET_KEY.replace("/", "%2F").replace("+", "%2B")
        return f"s3://{ACCESS_KEY}:{secret}@{self.endpoint}/{bucket}?secure=false"

    def boto3(self) -> Any:
        """An S3 client independent of the code under test."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://{self.endpoint}",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )


def _wait_until_up(proc: subprocess.Popen[bytes], port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    for _attempt in range(3):  # a free port may be taken between probe and bind
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if _wait_until_up(proc, port, time.monotonic() + 30):
            break
        proc.kill()
        proc.wait()
    else:
        pytest.fail("moto's S3 server did not start on 127.0.0.1")
    try:
        yield S3Server("127.0.0.1", port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def bucket_name() -> str:
    """A fresh bucket per test: tests share the server, never a bucket."""
    return f"test-{uuid.uuid4().hex[:20]}"


@pytest.fixture
def s3(s3_server: S3Server) -> Any:
    return s3_server.boto3()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (held bound, never listening)."""
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])
