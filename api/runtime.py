"""Everything the service's work needs, built once per process from settings:
database sessions, object store, rule sets, the registry of seen documents and the
dispatcher (in-process threads when embedded, Celery when a broker is set)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import sessionmaker

from engine.registry import Registry
from engine.rulebook import RuleBook, load_rulebook
from engine.rulesets import RuleSets
from storage import ObjectStore, store_from_url

from .config import ServiceSettings
from .db import make_engine, make_sessions
from .migrate import upgrade

log = logging.getLogger("prereview.runtime")


class RuleProvider(Protocol):
    def current(self) -> RuleBook: ...
    def get(self, sha256: str) -> RuleBook: ...


class Dispatcher(Protocol):
    def read(self, document_id: int) -> None: ...
    def evaluate(self, case_id: str) -> None: ...
    def callback(self, case_id: str, attempt: int) -> None: ...
    def queue_depth(self) -> int | None: ...
    def ping(self) -> None: ...


@dataclass
class Runtime:
    settings: ServiceSettings
    sessions: sessionmaker  # type: ignore[type-arg]
    store: ObjectStore
    rules: RuleProvider
    registry: Registry
    dispatcher: Dispatcher = field(init=False)


def build_runtime(settings: ServiceSettings | None = None, *,
                  dispatcher: str | None = None) -> Runtime:
    """Rules first (an invalid rule set stops the start), then the database (migrated
    to the newest schema), the object store (bucket made) and the dispatcher."""
    settings = settings or ServiceSettings()
    settings.refuse_insecure()
    load_rulebook(settings.rules_dir)  # fail closed before anything else starts
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database_url = settings.resolved_database_url()
    engine = make_engine(database_url)
    upgrade(engine)
    store = store_from_url(settings.resolved_object_store_url())
    ensure = getattr(store, "ensure_bucket", None)
    if ensure is not None:
        ensure()
    rules = RuleSets(store, settings.rules_dir)  # the live published version, reloaded
    rt = Runtime(settings, make_sessions(engine), store, rules, Registry(database_url))
    rt.dispatcher = _dispatcher(rt, dispatcher or ("celery" if settings.broker_url
                                                   else "in-process"))
    return rt


def _dispatcher(rt: Runtime, which: str) -> Dispatcher:
    if which == "celery":
        from .dispatch import CeleryDispatcher

        return CeleryDispatcher(rt)
    from .dispatch import InProcessDispatcher

    return InProcessDispatcher(rt)
