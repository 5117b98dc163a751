"""The services a pre-review needs, built from settings (embedded by default)."""

from __future__ import annotations

from dataclasses import dataclass

from engine.pipeline import ObjectStore
from engine.registry import Registry
from engine.rulebook import RuleBook, load_rulebook
from engine.settings import Settings
from storage import store_from_url


@dataclass
class Services:
    settings: Settings
    rules: RuleBook
    registry: Registry
    store: ObjectStore


def build_services(settings: Settings | None = None) -> Services:
    """Load the rule set first: an invalid one stops everything (fail closed), as does
    an OCR engine, backend or precision setting that names nothing (the CLI's own
    commands build these, not only the service's runtime)."""
    from .config import check_ocr_engines

    settings = settings or Settings()
    check_ocr_engines()
    rules = load_rulebook(settings.rules_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    registry = Registry(settings.resolved_database_url())
    store = store_from_url(settings.resolved_object_store_url())
    return Services(settings, rules, registry, store)
