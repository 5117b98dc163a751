"""Backtest: what a candidate rule set would change on cases already read.

``backtest_cases`` evaluates each (application, documents) with the current and the
candidate rule book and returns, per case, the verdict before -> after and the findings
added and removed (code, rule, message with its figures, evidence). Nothing is stored and
no case is remembered: duplicates among other applicants' cases are not looked up, so
``fraud.duplicate_*`` findings are outside a backtest.

``backtest_dirs`` does the same for case folders (``python -m samples cases --out DIR``);
what was read is cached as JSON in each folder's ``.prereview-read/<file sha256>.json``
(engine/documents.py), so a second backtest reads nothing again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr.types import ReadDocument

from .application import Application, load_application
from .documents import document_from_json, document_to_json
from .errors import PrereviewError
from .facts import build_facts
from .rulebook import RuleBook
from .rules_engine import evaluate_facts
from .verdict import build_verdict

READ_CACHE = ".prereview-read"


@dataclass
class CaseChange:
    case_id: str
    before: str  # verdict with the current rules: pass | conditional | reject
    after: str  # with the candidate
    added: list[dict[str, Any]] = field(default_factory=list)  # findings only the candidate makes
    removed: list[dict[str, Any]] = field(default_factory=list)  # findings it no longer makes
    error: str = ""  # the case could not be evaluated (fail closed: counted as changed)

    @property
    def changed(self) -> bool:
        return bool(self.error or self.added or self.removed or self.before != self.after)

    def as_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "before": self.before, "after": self.after,
                "changed": self.changed, "added": self.added, "removed": self.removed,
                "error": self.error}


def evaluate_only(app: Application, docs: list[ReadDocument], book: RuleBook
                  ) -> dict[str, Any]:
    """Facts -> rules -> verdict, without storing or remembering anything."""
    facts = build_facts(app, docs, book, [])
    final, firings = evaluate_facts(book, facts.facts, app.product, app.application_date)
    return build_verdict(app, book, docs, facts, final, firings)


def backtest_cases(candidate: RuleBook, current: RuleBook,
                   cases: Iterable[tuple[Application, list[ReadDocument]]]) -> list[CaseChange]:
    return [compare(candidate, current, app, docs) for app, docs in cases]


def compare(candidate: RuleBook, current: RuleBook, app: Application,
            docs: list[ReadDocument]) -> CaseChange:
    try:
        before = evaluate_only(app, docs, current)
        after = evaluate_only(app, docs, candidate)
    except PrereviewError as error:
        return CaseChange(str(app.case_id), "", "", error=f"[{error.code}] {error.message}")
    old = {_key(f): f for f in before["findings"]}
    new = {_key(f): f for f in after["findings"]}
    return CaseChange(str(app.case_id), before["verdict"], after["verdict"],
                      added=[_shown(new[k]) for k in new if k not in old],
                      removed=[_shown(old[k]) for k in old if k not in new])


def _key(finding: dict[str, Any]) -> tuple[str, str, str, str]:
    return (finding["code"], finding["rule"]["id"], finding["severity"], finding["message"])


def _shown(finding: dict[str, Any]) -> dict[str, Any]:
    return {"code": finding["code"], "severity": finding["severity"],
            "rule": finding["rule"]["id"], "rule_version": finding["rule"]["version"],
            "message": finding["message"], "evidence": finding["evidence"]}


def format_change(change: CaseChange) -> str:
    if change.error:
        return f"{change.case_id}: cannot evaluate: {change.error}"
    if not change.changed:
        return f"{change.case_id}: {change.before} (unchanged)"
    lines = [f"{change.case_id}: {change.before} -> {change.after}"]
    lines += [f"  + {f['severity']} {f['code']} (rule {f['rule']}): {f['message']}"
              for f in change.added]
    lines += [f"  - {f['severity']} {f['code']} (rule {f['rule']}): {f['message']}"
              for f in change.removed]
    return "\n".join(lines)


def backtest_dirs(candidate: RuleBook, current: RuleBook, cases_dir: Path) -> list[CaseChange]:
    """Every case folder under ``cases_dir`` (those with a case.json), in name order."""
    folders = sorted(p.parent for p in cases_dir.glob("*/case.json"))
    return [compare(candidate, current, load_application(f), read_case(f)) for f in folders]


def read_case(case_dir: Path) -> list[ReadDocument]:
    """The case's documents, read once: later calls load them from .prereview-read/."""
    from .pipeline import collect_uploads  # reading needs ocr; only on a cache miss

    cache = case_dir / READ_CACHE
    documents: list[ReadDocument] = []
    for upload in collect_uploads(case_dir):
        path = cache / f"{hashlib.sha256(upload.data).hexdigest()}.json"
        if path.is_file():
            parts = json.loads(path.read_text(encoding="utf-8"))
            documents += [document_from_json(p, lambda n: None) for p in parts]
            continue
        read = _read(upload.name, upload.data)
        cache.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps([document_to_json(d) for d in read], ensure_ascii=False),
                       encoding="utf-8")
        tmp.replace(path)
        documents += read
    return documents


def _read(name: str, data: bytes) -> list[ReadDocument]:
    import ocr

    parts = getattr(ocr, "read_upload", None)
    return list(parts(name, data)) if parts is not None else [ocr.read_file(name, data)]
