"""Celery workers: ``prereview worker`` (or ``celery -A api.worker worker``).

Each task is a thin call into api.cases with an id. Tasks acknowledge late and are
given back when a worker dies (``task_reject_on_worker_lost``), so another worker
finishes the case; a worker also picks up cases left stalled at start.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache
from typing import Any

from celery import Celery, Task
from celery.signals import worker_ready

from engine.errors import PrereviewError
from storage import StorageUnavailable

from . import callbacks, cases
from .config import ServiceSettings
from .runtime import Runtime, build_runtime

log = logging.getLogger("prereview.worker")
QUEUE = "prereview"
TRANSIENT = (StorageUnavailable, ConnectionError, TimeoutError, OSError)


def make_celery(settings: ServiceSettings) -> Celery:
    app = Celery("prereview", broker=settings.broker_url or "memory://")
    app.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", accept_content=["json"],
        task_ignore_result=True,
        broker_transport_options=_transport_options(settings.visibility_timeout_seconds),
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


def _transport_options(visibility_timeout: int) -> dict[str, Any]:
    """A task held by a dead worker goes back to the queue once ``visibility_timeout`` has
    passed, but kombu only looks every interval x throttle seconds (10 x 10 = 100 s by
    default): look every ``visibility_timeout / 4`` seconds (1 to 10 s) instead."""
    return {"visibility_timeout": visibility_timeout,
            "unacked_restore_interval": max(1, min(10, visibility_timeout // 4)),
            "unacked_restore_throttle": 1}


celery = make_celery(ServiceSettings())


@cache
def runtime() -> Runtime:
    """One runtime per worker process, built after the fork."""
    return build_runtime(ServiceSettings(), dispatcher="celery")


class CaseTask(Task):  # type: ignore[misc]
    """Bounded retries with back-off for passing trouble; then the case fails, saying why."""

    autoretry_for = TRANSIENT
    max_retries = 3
    retry_backoff = 2
    retry_jitter = False

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any,
                   einfo: Any) -> None:
        case_id = _case_id(self.name, args)
        if case_id:
            code = exc.code if isinstance(exc, PrereviewError) else "service.internal"
            message = exc.message if isinstance(exc, PrereviewError) else (
                f"internal error ({type(exc).__name__}); the case can be verified again")
            cases.fail_case(runtime(), case_id, code, message)


@celery.task(base=CaseTask, name="prereview.read_document")
def read_document(document_id: int) -> None:
    cases.read_document(runtime(), document_id)


@celery.task(base=CaseTask, name="prereview.evaluate_case")
def evaluate_case(case_id: str) -> None:
    cases.evaluate_case(runtime(), case_id)


@celery.task(bind=True, name="prereview.send_callback", max_retries=None)
def send_callback(self: Task, case_id: str) -> None:
    rt = runtime()
    if callbacks.deliver(rt, case_id):
        return
    attempt = self.request.retries
    if attempt + 1 >= rt.settings.callback_retries:
        callbacks.give_up(rt, case_id)
        return
    raise self.retry(countdown=callbacks.backoff_seconds(rt, attempt))  # 5 s, 10 s, 20 s…


@worker_ready.connect
def _resume_stalled(**_: Any) -> None:
    """Runs in the main process. Its runtime is not ``runtime()``'s and is closed after:
    a pool process forked later (replacing one that died) must not inherit a cached
    runtime and share its database and broker connections with its siblings."""
    rt = build_runtime(ServiceSettings(), dispatcher="celery")
    try:
        stalled = cases.stalled_cases(rt, timedelta(seconds=rt.settings.stalled_after_seconds))
        for case_id in stalled:
            log.warning("resuming stalled case", extra={"case_id": case_id})
            cases.resume_case(rt, case_id)
    finally:
        rt.sessions.kw["bind"].dispose()
        rt.registry.engine.dispose()
        app = getattr(rt.dispatcher, "app", None)
        if app is not None:
            app.close()


def queue_depth(app: Celery = celery) -> int | None:
    with app.connection_for_read() as connection:
        try:
            return int(connection.default_channel.client.llen(QUEUE))
        except AttributeError:  # a broker other than Redis
            return None


def ping_broker(app: Celery = celery) -> None:
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)


def _case_id(task_name: str, args: Any) -> str | None:
    if not args:
        return None
    if task_name == "prereview.read_document":
        from .dispatch import _case_of_document

        return _case_of_document(runtime(), int(args[0]))
    return str(args[0]) if task_name == "prereview.evaluate_case" else None
