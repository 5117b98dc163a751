"""Semantic checks of a rule book: what a schema cannot see.

Unknown fact types and fields (with "did you mean"), expressions that do not
parse, aliases used before they are matched, duplicate rule ids, derived facts
nobody produces or nobody uses, derivation cycles, unknown checks and
document kinds.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
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
