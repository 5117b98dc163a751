"""The one module that imports durable_rules.

Traps handled (../shared/durable-rules-notes.md): a host without timer threads
(``SyncHost``), created lazily in the process that uses it (after a fork);
actions resolved by name through ``get_action``; a deep copy passed to
``set_rulesets`` (it deletes ``run``); each rule book version registered once
under a name derived from its sha256; one ``sid`` per case, deleted in a
``finally``; a catch-all rule per fact type; unique fact ids; exceptions in
actions recorded and turned into a failure (fail closed); one lock around a
case, so concurrent cases in a process never share state.
"""

from __future__ import annotations

import contextlib
import copy
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from durable import engine as durable_engine

from .errors import RuleEngineFailure
from .expressions import compile_condition, evaluate
from .rulebook import Rule, RuleBook

NOOP = "__noop__"
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}")


@dataclass
class Firing:
    """One rule that fired: what it matched and what it produced."""

    rule: Rule
    matched: dict[str, dict[str, Any]]  # alias -> the fact it matched
    produced: dict[str, Any]  # the derived fact or the finding


@dataclass
class _CaseRun:
    product: str
    on: date
    firings: list[Firing] = field(default_factory=list)
    produced_ids: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


class _SyncHost(durable_engine.Host):  # type: ignore[misc]
    """A durable host that never starts its dispatch threads: actions run on the
    caller's thread, inside assert_facts."""

    def __init__(self) -> None:
        self.actions: dict[str, Callable[[Any], None]] = {NOOP: lambda c: None}
        super().__init__()

    def _run(self) -> None:
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        return self.actions[action_name]


_HOST: _SyncHost | None = None
_HOST_LOCK = threading.Lock()
_CASE_LOCK = threading.Lock()
_RUNS: dict[str, _CaseRun] = {}


def _host() -> _SyncHost:
    global _HOST
    with _HOST_LOCK:
        if _HOST is None:
            _HOST = _SyncHost()
        return _HOST


def ruleset_name(book: RuleBook) -> str:
    return f"{book.name}-{book.sha256[:16]}"


def compile_ruleset(book: RuleBook) -> dict[str, Any]:
    """The rule book as a durable_rules JSON ruleset (``run`` names are rule ids)."""
    return {ruleset_name(book): compile_rules(book.rules, set(book.facts))}


def compile_rules(rules: list[Rule], fact_types: set[str]) -> dict[str, Any]:
    """The body of the durable JSON ruleset: one entry per rule, one catch-all per fact type."""
    out: dict[str, Any] = {}
    for rule in rules:
        out[rule.id] = {"all": [{a.name: _pattern(a.fact, a.condition)} for a in rule.aliases],
                        "run": rule.id}
    for fact_type in sorted({*fact_types, "finding"}):
        out[f"__all__.{fact_type}"] = {"all": [{"m": {"type": fact_type}}], "run": NOOP}
    return out


def _pattern(fact_type: str, condition: str | None) -> dict[str, Any]:
    if not condition:
        return {"type": fact_type}
    return {"$and": [{"type": fact_type}, compile_condition(condition)]}


def ensure_registered(book: RuleBook) -> str:
    """Register a rule book version with this process's host, once."""
    host, name = _host(), ruleset_name(book)
    with _HOST_LOCK:
        if name not in host._ruleset_directory:
            for rule in book.rules:
                host.actions[f"{rule.id}"] = _action(rule)
            host.set_rulesets(copy.deepcopy(compile_ruleset(book)))
    return name


def evaluate_facts(book: RuleBook, facts: list[dict[str, Any]], product: str,
                   on: date) -> tuple[list[dict[str, Any]], list[Firing]]:
    """Run the rules over one case's facts; return every fact at rest (given and
    derived) and the firings, in order."""
    _check_facts(book, facts)
    name = ensure_registered(book)
    host = _host()
    sid = uuid.uuid4().hex
    run = _CaseRun(product, on)
    with _CASE_LOCK:
        _RUNS[sid] = run
        try:
            host.assert_facts(name, [{**f, "sid": sid} for f in facts])
            state = host.get_state(name, sid)
            final = host.get_facts(name, sid)
        except Exception as err:  # the C core or an action failed: no verdict
            raise RuleEngineFailure(f"rules engine failed: {type(err).__name__}: {err}") from err
        finally:
            _RUNS.pop(sid, None)
            with contextlib.suppress(Exception):  # nothing was stored for this sid
                host.delete_state(name, sid)
    if state and state.get("exception"):
        run.errors.append(str(state["exception"]))
    if run.errors:
        raise RuleEngineFailure("a rule action failed: " + "; ".join(run.errors))
    return [{k: v for k, v in f.items() if k != "sid"} for f in final], run.firings


def _check_facts(book: RuleBook, facts: list[dict[str, Any]]) -> None:
    """Every fact carries every field of its type: durable-rules would silently
    not match a condition on a missing field, and a check would pass unseen."""
    problems = []
    for fact in facts:
        fields = book.facts.get(fact.get("type", ""))
        if fields is None:
            problems.append(f"fact {fact.get('id')}: unknown type {fact.get('type')!r}")
            continue
        missing = sorted(set(fields) - set(fact))
        if missing:
            problems.append(f"fact {fact.get('id')} ({fact['type']}): missing {missing}")
    if problems:
        raise RuleEngineFailure("facts do not match rules/facts.yaml: " + "; ".join(problems))


def _action(rule: Rule) -> Callable[[Any], None]:
    def act(c: Any) -> None:
        run = _RUNS.get(c.s.sid)
        if run is None or not rule.applies(run.product, run.on):
            return
        try:
            matched = {a.name: dict(getattr(c, a.name)._d) for a in rule.aliases}
            for fact in matched.values():
                fact.pop("sid", None)
            produced = _produce(rule, matched, c.s.sid)
            if produced["id"] in run.produced_ids:  # an `or` matched the same facts twice
                return
            run.produced_ids.add(produced["id"])
            run.firings.append(Firing(rule, matched, produced))
            c.assert_fact(produced)
        except Exception as err:
            run.errors.append(f"{rule.id} ({rule.source}): {type(err).__name__}: {err}")

    return act


def _produce(rule: Rule, matched: dict[str, dict[str, Any]], sid: str) -> dict[str, Any]:
    ids = "+".join(str(f["id"]) for f in matched.values())
    base = {"id": f"{rule.id}({ids})", "sid": sid}
    if rule.derive_fact:
        values = {k: evaluate(v, matched) if isinstance(v, str) else v
                  for k, v in rule.derive_set.items()}
        return {**base, "type": rule.derive_fact, **values}
    assert rule.finding is not None
    return {**base, "type": "finding", "rule": rule.id, "code": rule.finding["code"],
            "severity": rule.finding["severity"],
            "message": fill(rule.finding["message"], matched),
            "action": fill(rule.finding.get("action", ""), matched)}


def fill(template: str, matched: dict[str, dict[str, Any]]) -> str:
    """Put matched values into a finding's message: ``{cover.ratio}`` -> ``1.83``."""
    def one(m: re.Match[str]) -> str:
        value = matched.get(m.group(1), {}).get(m.group(2))
        return _shown(value)

    return _PLACEHOLDER.sub(one, template)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    return "" if value is None else str(value)
