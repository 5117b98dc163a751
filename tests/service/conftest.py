"""Fixtures for the service tests over real connections.

Embedded profile: SQLite, a local object directory, work in threads, through FastAPI's
TestClient. Production profile: a fresh PostgreSQL database per test session (migrated
by Alembic), moto's S3 server on loopback, a Redis database of its own per test module
and real ``prereview worker`` processes. A missing PostgreSQL or Redis fails the tests
with a message saying which; nothing is skipped."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api.config import ServiceSettings
from api.http import create_app
from api.keys import create_key
from api.runtime import build_runtime
from engine.application import Application
from engine.pipeline import Upload, verify
from engine.registry import Registry
from engine.rulebook import load_rulebook
from storage import LocalStore
from tests.fixtures.s3 import S3Server

from .helpers import (
    ROLES,
    CaseFiles,
    Stack,
    WorkerProcess,
    case_files,
    projection,
    service_env,
)

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
CALLBACK_SECRET = "test-callback-secret-" + "k" * 24


def embedded_settings(data_dir: Path, **overrides: Any) -> ServiceSettings:
    """Embedded whatever this process's environment says."""
    return ServiceSettings(data_dir=data_dir, database_url="", object_store_url="",
                           broker_url="", callback_secret="", **overrides)


@pytest.fixture(autouse=True, scope="session")
def _one_ocr_thread() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def make_stack(settings: ServiceSettings, env: dict[str, str] | None = None
               ) -> Iterator[Stack]:
    runtime = build_runtime(settings)
    with runtime.sessions() as session:
        keys = {role: create_key(session, role, label=f"test {role}") for role in ROLES}
    with TestClient(create_app(runtime)) as client:
        yield Stack(settings, runtime, client, keys, env or {})


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from make_stack(embedded_settings(tmp_path_factory.mktemp("embedded")))


@pytest.fixture(scope="session")
def quick_case() -> CaseFiles:
    return case_files()


@pytest.fixture(scope="session")
def reference_verdict(quick_case: CaseFiles, tmp_path_factory: pytest.TempPathFactory
                      ) -> dict[str, Any]:
    """The quick case verified by the engine directly (no service), to compare with."""
    where = tmp_path_factory.mktemp("reference")
    application = Application.model_validate({**quick_case.application,
                                              "case_id": "reference"})
    uploads = [Upload(name, data) for name, data in quick_case.files]
    result = verify(application, uploads, load_rulebook(ServiceSettings().rules_dir),
                    Registry(f"sqlite:///{where / 'registry.db'}"), LocalStore(where / "objects"))
    return projection(result.verdict)


# -- the production profile ------------------------------------------------------------------

@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A new PostgreSQL database (its SQLAlchemy URL), dropped afterwards."""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as err:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} (set "
                    f"TEST_POSTGRES_URL to another server): {err}", pytrace=False)
    name = f"prereview_t_{secrets.token_hex(5)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database for this test session."""
    with fresh_database() as url:
        yield url


def claim_redis_db() -> tuple[str, redis.Redis]:
    """An empty Redis database number, claimed with a marker key (others may share Redis)."""
    try:
        first = redis.Redis.from_url(f"{REDIS_URL}/0", socket_connect_timeout=5)
        count = int(first.config_get("databases").get("databases", 16))
    except redis.RedisError as err:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} (set TEST_REDIS_URL to another "
                    f"server): {err}", pytrace=False)
    token = secrets.token_hex(8)
    for number in secrets.SystemRandom().sample(range(1, count), count - 1):
        client = redis.Redis.from_url(f"{REDIS_URL}/{number}")
        if client.dbsize() == 0 and client.set("prereview-test:claim", token, nx=True,
                                                ex=3600) and client.dbsize() == 1:
            return f"{REDIS_URL}/{number}", client
    pytest.fail(f"no empty Redis database at {REDIS_URL}", pytrace=False)


@pytest.fixture(scope="module")
def broker_url() -> Iterator[str]:
    """A Redis database of this module's own, emptied afterwards."""
    url, client = claim_redis_db()
    try:
        yield url
    finally:
        client.flushdb()


@pytest.fixture(scope="session")
def bucket(s3_server: S3Server) -> str:
    return f"prereview-{secrets.token_hex(6)}"


def production_env(postgres_url: str, broker_url: str, s3_server: S3Server, bucket: str,
                   data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "PREREVIEW_DATABASE_URL": postgres_url,
        "PREREVIEW_BROKER_URL": broker_url,
        "PREREVIEW_OBJECT_STORE_URL": s3_server.url(bucket),
        "PREREVIEW_CALLBACK_SECRET": CALLBACK_SECRET,
        "PREREVIEW_DATA_DIR": str(data_dir),
        "PREREVIEW_CALLBACK_BACKOFF_SECONDS": "1",
        "PREREVIEW_LOG_LEVEL": "INFO",
        **extra,
    }


def settings_from(env: dict[str, str]) -> ServiceSettings:
    prefix = "PREREVIEW_"
    values = {k[len(prefix):].lower(): v for k, v in env.items()
              if k.startswith(prefix) and k != "PREREVIEW_LOG_LEVEL"}
    return ServiceSettings(**values)


@pytest.fixture(scope="module")
def production(postgres_url: str, broker_url: str, s3_server: S3Server, bucket: str,
               tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
               ) -> Iterator[Stack]:
    """The API side of the production profile (TestClient); workers are started apart.
    A module may set ``WORKER_SETTINGS`` (extra PREREVIEW_* values for its workers)."""
    extra: dict[str, str] = getattr(request.module, "WORKER_SETTINGS", {})
    env = production_env(postgres_url, broker_url, s3_server, bucket,
                         tmp_path_factory.mktemp("production"), **extra)
    yield from make_stack(settings_from(env), service_env(env))


@pytest.fixture
def start_worker(production: Stack, tmp_path: Path) -> Iterator[Any]:
    """Start ``prereview worker`` processes with the production settings; all are stopped
    at the end of the test."""
    started: list[WorkerProcess] = []

    def start(concurrency: int = 1) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started)}.log"
        worker = WorkerProcess(production.env, log, concurrency)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
