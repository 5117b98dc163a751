"""Semantic checks of a rule book: what a schema cannot see.

Unknown fact types and fields (with "did you mean"), expressions that do not
parse, aliases used before they are matched, duplicate rule ids, derived facts
nobody produces or nobody uses, derivation cycles, unknown checks and
document kinds.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from .expressions import (
    ExpressionError,
    References,
    check_value_expression,
    compile_condition,
    references,
)
from .rulebook import ENGINE_FIELDS, Problem, Rule

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}")


def suggest(name: str, options: Any) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def semantic_problems(rules: list[Rule], facts: dict[str, dict[str, str]], derived: set[str],
                      policy: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, str] = {}
    for rule in rules:
        file, line = rule.source.rsplit(":", 1)

        def add(message: str, rule: Rule = rule, file: str = file, line: str = line) -> None:
            out.append(Problem(file, int(line), f"rule {rule.id}: {message}"))

        if rule.id in seen:
            add(f"duplicate rule id (also at {seen[rule.id]})")
        seen.setdefault(rule.id, rule.source)
        if rule.check not in policy["checks"]:
            add(f"unknown check {rule.check!r}{suggest(rule.check, policy['checks'])}")
        for problem in _rule_problems(rule, facts):
            add(problem)
    out += _graph_problems(rules, derived, policy)
    out += _policy_problems(facts, policy)
    return out


def _rule_problems(rule: Rule, facts: dict[str, dict[str, str]]) -> list[str]:
    out: list[str] = []
    bound: dict[str, str] = {}
    for alias in rule.aliases:
        if alias.fact not in facts:
            out.append(f"unknown fact {alias.fact!r}{suggest(alias.fact, facts)}")
            continue
        if alias.condition:
            refs = References()
            try:
                compile_condition(alias.condition, refs)
            except ExpressionError as err:
                out.append(f"when.{alias.name}.if: {err}")
                continue
            out += _field_problems(f"when.{alias.name}.if", alias.fact, refs.own, facts)
            out += _other_problems(f"when.{alias.name}.if", refs.other, bound, facts)
        bound[alias.name] = alias.fact
    if rule.derive_fact:
        if rule.derive_fact not in facts:
            out.append(f"derive: unknown fact {rule.derive_fact!r}"
                       f"{suggest(rule.derive_fact, facts)}")
        else:
            out += _field_problems("derive.set", rule.derive_fact, set(rule.derive_set), facts)
        for name, expr in rule.derive_set.items():
            if isinstance(expr, str):
                try:
                    check_value_expression(expr)
                except ExpressionError as err:
                    out.append(f"derive.set.{name}: {err}")
                    continue
                out += _other_problems(f"derive.set.{name}", references(expr).other, bound, facts)
    for part in ("message", "action"):
        text = (rule.finding or {}).get(part, "")
        placeholders = {(a, f) for a, f in PLACEHOLDER.findall(text)}
        out += _other_problems(f"finding.{part}", placeholders, bound, facts)
    return out


def _field_problems(where: str, fact: str, names: set[str],
                    facts: dict[str, dict[str, str]]) -> list[str]:
    known = set(facts[fact]) | ENGINE_FIELDS
    return [f"{where}: {fact} has no field {n!r}{suggest(n, known)}"
            for n in sorted(names - known)]


def _other_problems(where: str, refs: set[tuple[str, str]], bound: dict[str, str],
                    facts: dict[str, dict[str, str]]) -> list[str]:
    out = []
    for alias, name in sorted(refs):
        if alias not in bound:
            out.append(f"{where}: {alias!r} is not matched before this point"
                       f"{suggest(alias, bound)}")
        elif name not in facts[bound[alias]] and name not in ENGINE_FIELDS:
            out.append(f"{where}: {bound[alias]} has no field {name!r}"
                       f"{suggest(name, facts[bound[alias]])}")
    return out


def _graph_problems(rules: list[Rule], derived: set[str], policy: dict[str, Any]
                    ) -> list[Problem]:
    produced: dict[str, list[Rule]] = defaultdict(list)
    used: set[str] = set()
    edges: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        for alias in rule.aliases:
            used.add(alias.fact)
            if rule.derive_fact:
                edges[alias.fact].add(rule.derive_fact)
        if rule.derive_fact:
            produced[rule.derive_fact].append(rule)
    for check in policy["checks"].values():
        used |= set(check["evaluated_by"])
    out = []
    for name in sorted(derived - set(produced)):
        out.append(Problem("facts.yaml", 0, f"derived fact {name!r} is produced by no rule"))
    for name in sorted(set(produced) - used):
        rule = produced[name][0]
        file, line = rule.source.rsplit(":", 1)
        out.append(Problem(file, int(line), f"rule {rule.id}: derives {name!r}, "
                                            "which no rule or check uses"))
    for name, rules_producing in sorted(produced.items()):
        if name not in derived:
            file, line = rules_producing[0].source.rsplit(":", 1)
            out.append(Problem(file, int(line), f"rule {rules_producing[0].id}: derives "
                               f"{name!r}, a fact the engine provides: mark a new fact "
                               "`derived: true` in facts.yaml instead"))
    cycle = _find_cycle(edges)
    if cycle:
        out.append(Problem("checks", 0, "derivation cycle: " + " -> ".join(cycle)))
    return out


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def _policy_problems(facts: dict[str, dict[str, str]], policy: dict[str, Any]) -> list[Problem]:
    out = []
    kinds = policy["documents"]
    for product, spec in policy["products"].items():
        for group in spec["required_documents"]:
            for kind in group:
                if kind not in kinds:
                    out.append(Problem("policy.yaml", 0, f"products.{product}: unknown document "
                                       f"{kind!r}{suggest(kind, kinds)}"))
    for name, check in policy["checks"].items():
        for fact in check["evaluated_by"]:
            if fact not in facts:
                out.append(Problem("policy.yaml", 0, f"checks.{name}.evaluated_by: unknown "
                                   f"fact {fact!r}{suggest(fact, facts)}"))
    return out


# Limits of the durable-rules C core (../shared/durable-rules-notes.md, trap 9): a rule set
# over them fails (error 303, 108, 302) or, worse, hangs in assert_fact. Lint the compiled JSON.
MAX_TESTS_PER_FACT = 64  # more: error 303
HANG_TESTS = 512  # this many or more: assert_fact never returns
MAX_SAME_CONDITION = 256  # more rules sharing one identical condition on a fact: error 108
MAX_PROPERTIES = 250  # ~253 properties on one fact: error 302 (id, type, sid included)


def limit_problems(rules: list[Rule], facts: dict[str, dict[str, str]]) -> list[Problem]:
    """Problems the durable-rules C core would hit with this rule set, by rule and file."""
    from .rules_engine import compile_rules  # the one module that imports durable

    compiled = compile_rules(rules, set(facts))
    out: list[Problem] = []
    sharing: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        file, line = rule.source.rsplit(":", 1)
        for alias in compiled[rule.id]["all"]:
            (name, pattern), = alias.items()
            out += [Problem(file, int(line), f"rule {rule.id}: when.{name}: {m}")
                    for m in _test_count_problems(count_tests(pattern))]
        for pattern in {json.dumps(a, sort_keys=True) for alias in compiled[rule.id]["all"]
                        for a in alias.values()}:
            sharing[pattern].append(rule)
    for pattern, group in sharing.items():
        if len(group) > MAX_SAME_CONDITION:
            file, line = group[0].source.rsplit(":", 1)
            out.append(Problem(file, int(line), (
                f"{len(group)} rules (the first {group[0].id}) share one condition "
                f"{pattern[:80]}; the rules engine allows at most {MAX_SAME_CONDITION} "
                "(error 108): merge rules or make their conditions differ")))
    for fact, fields in facts.items():
        count = len(set(fields) | {"id", "type", "sid"})
        if count > MAX_PROPERTIES:
            out.append(Problem("facts.yaml", 0, (
                f"fact {fact} has {count} fields (with id, type, sid); the rules engine "
                f"allows about {MAX_PROPERTIES} (error 302): split it into several facts")))
    return out


def count_tests(pattern: Any) -> int:
    """Comparisons in one compiled pattern (``$and``/``$or`` add up their parts)."""
    if isinstance(pattern, list):
        return sum(count_tests(p) for p in pattern)
    if not isinstance(pattern, dict):
        return 0
    return sum(count_tests(v) if k in ("$and", "$or") else 1 for k, v in pattern.items())


def _test_count_problems(count: int) -> list[str]:
    if count >= HANG_TESTS:
        return [f"{count} tests on one fact would make the rules engine hang (limit "
                f"{MAX_TESTS_PER_FACT}): split the condition into derived facts"]
    if count > MAX_TESTS_PER_FACT:
        return [f"{count} tests on one fact; the rules engine allows at most "
                f"{MAX_TESTS_PER_FACT} (error 303): split the condition into derived facts"]
    return []


def try_compile(directory: Path, timeout: float = 30.0) -> list[str]:
    """Register the rule set and assert one fact of every type in a separate process: a
    hang or a crash of the C core there fails validation, never the service."""
    command = [sys.executable, "-m", "engine.rulecheck", str(directory)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False, cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        return [f"compiling the rule set did not finish within {timeout:g}s (the rules "
                "engine hangs on it): look for conditions with very many tests"]
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        return [f"compiling the rule set failed (exit {done.returncode}): {tail}"]
    return []


def _compile_in_this_process(directory: Path) -> None:
    from .rulebook import load_rulebook
    from .rules_engine import _host, ensure_registered

    book = load_rulebook(directory)
    name, host, sid = ensure_registered(book), _host(), "try-compile"
    samples = {"number": 0, "string": "", "boolean": False}
    facts = [{"id": f"{kind}:0", "type": kind, "sid": sid,
              **{f: samples.get(t, "") for f, t in fields.items()}}
             for kind, fields in sorted(book.facts.items())]
    try:
        host.assert_facts(name, facts)  # actions do nothing: no case run is registered
    finally:
        host.delete_state(name, sid)


if __name__ == "__main__":
    _compile_in_this_process(Path(sys.argv[1]))
