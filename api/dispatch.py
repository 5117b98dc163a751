"""Who does the work: threads in this process (embedded default) or Celery workers
(production). Both run the same functions of api.cases and api.callbacks."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from engine.errors import PrereviewError

from . import callbacks, cases
from .runtime import Runtime

log = logging.getLogger("prereview.dispatch")


class InProcessDispatcher:
    """A small pool of threads in the API process: no broker, nothing to install."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.pool = ThreadPoolExecutor(max_workers=rt.settings.in_process_workers,
                                       thread_name_prefix="prereview-work")
        self._pending = 0
        self._lock = threading.Lock()

    def read(self, document_id: int) -> None:
        self._submit(lambda: cases.read_document(self.rt, document_id),
                     lambda: _case_of_document(self.rt, document_id))

    def evaluate(self, case_id: str) -> None:
        self._submit(lambda: cases.evaluate_case(self.rt, case_id), lambda: case_id)

    def callback(self, case_id: str, attempt: int) -> None:
        def send() -> None:
            if callbacks.deliver(self.rt, case_id):
                return
            if attempt + 1 >= self.rt.settings.callback_retries:
                callbacks.give_up(self.rt, case_id)
                return
            timer = threading.Timer(callbacks.backoff_seconds(self.rt, attempt),
                                    self.callback, (case_id, attempt + 1))
            timer.daemon = True
            timer.start()

        self._submit(send, lambda: None)

    def queue_depth(self) -> int | None:
        return self._pending

    def ping(self) -> None:
        return None

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)

    def _submit(self, work: Callable[[], None], case_id: Callable[[], str | None]) -> None:
        with self._lock:
            self._pending += 1

        def run() -> None:
            try:
                work()
            except Exception as err:  # noqa: BLE001 - the case says why; the service stays up
                failed = case_id()
                log.error("work failed: %s\n%s", type(err).__name__,
                          "".join(traceback.format_tb(err.__traceback__)),
                          extra={"case_id": failed})
                if failed:
                    code = err.code if isinstance(err, PrereviewError) else "service.internal"
                    cases.fail_case(self.rt, failed, code, _public_message(err))
            finally:
                with self._lock:
                    self._pending -= 1

        self.pool.submit(run)


class CeleryDispatcher:
    """Tasks on the broker; any worker on any machine may take them.

    Tasks are sent by name through a Celery app made from this runtime's settings (not
    the module-level app of api.worker, which is made from the environment at import:
    a runtime built from explicit settings must send to its own broker)."""

    def __init__(self, rt: Runtime) -> None:
        from .worker import make_celery

        self.rt = rt
        self.app = make_celery(rt.settings)

    def read(self, document_id: int) -> None:
        self.app.send_task("prereview.read_document", (document_id,))

    def evaluate(self, case_id: str) -> None:
        self.app.send_task("prereview.evaluate_case", (case_id,))

    def callback(self, case_id: str, attempt: int) -> None:
        self.app.send_task("prereview.send_callback", (case_id,),
                           countdown=0 if attempt == 0 else
                           callbacks.backoff_seconds(self.rt, attempt))

    def queue_depth(self) -> int | None:
        from .worker import queue_depth

        return queue_depth(self.app)

    def ping(self) -> None:
        from .worker import ping_broker

        ping_broker(self.app)


def _case_of_document(rt: Runtime, document_id: int) -> str | None:
    from .db import Document

    with rt.sessions() as session:
        document = session.get(Document, document_id)
        return document.case_id if document else None


def _public_message(err: Exception) -> str:
    """Our own errors carry a safe message; others only their type (may hold data)."""
    if isinstance(err, PrereviewError):
        return err.message
    return f"internal error ({type(err).__name__}); the case can be verified again"
