"""Where compliance's pages get rule sets from: the service's rule provider.

When the provider is ``engine.rulesets.RuleSets`` (versions kept in the object store)
it offers ``publish`` and ``versions``; ``engine.backtest`` re-evaluates stored cases
with a candidate rule book. Until those exist, versions are the rule sets verdicts were
given on (the database's ``ruleset_versions``) and publishing or backtesting answers
that it is not available."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine.rulebook import RuleBook

from ..db import RuleSetVersion
from ..errors import ServiceError
from ..runtime import Runtime


class NotAvailable(ServiceError):
    code, status, title = "rules.not_available", 501, "Not available in this service yet"


def current(rt: Runtime) -> RuleBook:
    return rt.rules.current()


def live_directory(rt: Runtime) -> Path:
    directory = getattr(current(rt), "directory", None)
    return Path(directory) if directory else rt.settings.rules_dir


def versions(rt: Runtime) -> list[dict[str, Any]]:
    """Newest first: sha256, name, version, when, by whom, note, cases that used it."""
    used = _cases_per_version(rt)
    listed = getattr(rt.rules, "versions", None)
    if callable(listed):
        out = [_version_row(v, used) for v in listed()]
        return sorted(out, key=lambda v: str(v.get("published_at") or ""), reverse=True)
    with rt.sessions() as session:
        rows = session.scalars(select(RuleSetVersion).order_by(
            RuleSetVersion.first_used_at.desc())).all()
        return [{"sha256": r.sha256, "name": r.name, "version": r.version,
                 "published_at": f"{r.first_used_at:%Y-%m-%d %H:%M}", "published_by": "",
                 "note": "", "cases": r.cases or 0} for r in rows]


def publish(rt: Runtime, directory: Path, published_by: str, note: str) -> dict[str, Any]:
    """Publish a draft as a new version (RuleSets.publish validates, runs the scenario
    tests and try-compiles; it raises InvalidRuleSet with the problems)."""
    do = getattr(rt.rules, "publish", None)
    if not callable(do):
        raise NotAvailable("publishing rule sets needs engine/rulesets.py (RuleSets) as "
                           "the service's rule provider")
    made = do(directory, published_by, note)
    return _version_row(made, {}) if made is not None else {}


def backtest(rt: Runtime, book: RuleBook, limit: int) -> dict[str, Any]:
    """The newest ``limit`` verified cases evaluated with the live rules and with the
    draft (what was read is kept, so nothing is read again): which would change, and why."""
    from engine.application import Application
    from engine.backtest import backtest_cases

    from .. import cases

    done = cases.list_cases(rt, status="done", limit=limit)
    stored = [(Application.model_validate(c.application), cases.case_documents(rt, c.case_id))
              for c in done]
    changes = backtest_cases(book, rt.rules.current(), stored)
    return {"total": len(changes),
            "changed": [{**c.as_dict(), "added": [_finding_line(f) for f in c.added],
                         "removed": [_finding_line(f) for f in c.removed]}
                        for c in changes if c.changed]}


def _finding_line(finding: dict[str, Any]) -> str:
    rule = finding.get("rule") or {}
    rule_id = rule.get("id", "") if isinstance(rule, dict) else rule
    return f"{finding.get('code', '')} ({finding.get('severity', '')}, {rule_id}): " \
        f"{finding.get('message', '')}"


def _version_row(v: Any, used: dict[str, int]) -> dict[str, Any]:
    row = v if isinstance(v, dict) else _as_dict(v)
    sha = str(row.get("sha256", ""))
    when = row.get("published_at") or row.get("created_at") or ""
    return {"sha256": sha, "name": str(row.get("name", "")),
            "version": str(row.get("version", "")),
            "published_at": when if isinstance(when, str) else f"{when:%Y-%m-%d %H:%M}",
            "published_by": str(row.get("published_by") or ""),
            "note": str(row.get("note") or ""),
            "current": bool(row.get("current", False)),
            "cases": int(row.get("cases") or used.get(sha, 0))}


def _as_dict(value: Any) -> dict[str, Any]:
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        dumped: dict[str, Any] = dump()
        return dumped
    return dict(vars(value))


def _cases_per_version(rt: Runtime) -> dict[str, int]:
    with rt.sessions() as session:
        return {r.sha256: r.cases or 0 for r in session.scalars(select(RuleSetVersion))}
