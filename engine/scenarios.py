"""Scenario tests written as data (rules/tests/*.yaml): facts in, expected
findings and verdict out. ``prereview rules test`` runs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .rulebook import RuleBook
from .rules_engine import evaluate_facts
from .verdict import combine


@dataclass
class ScenarioResult:
    file: str
    name: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def run_scenarios(book: RuleBook, tests_dir: Path) -> list[ScenarioResult]:
    results = []
    for path in sorted(tests_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for scenario in data.get("scenarios", []):
            results.append(run_one(book, path.name, scenario))
    return results


def run_one(book: RuleBook, file: str, scenario: dict[str, Any]) -> ScenarioResult:
    name = str(scenario.get("name", "?"))
    product = str(scenario.get("product", "mortgage"))
    problems = _fact_problems(book, scenario.get("facts", []))
    problems += [f"thresholds: unknown {name!r}" for name in scenario.get("thresholds") or {}
                 if name not in book.facts["policy"]]
    if problems:
        return ScenarioResult(file, name, problems)
    thresholds = {**book.thresholds(product), **(scenario.get("thresholds") or {})}
    facts = [{"id": "policy", "type": "policy", **thresholds}]
    facts += [{"id": f"{f['type']}:{i}", **f} for i, f in enumerate(scenario.get("facts", []))]
    on = date.fromisoformat(str(scenario.get("date", date.today().isoformat())))
    _, firings = evaluate_facts(book, facts, product, on)
    found = [(f.produced["code"], f.produced["severity"]) for f in firings
             if f.produced["type"] == "finding"]
    expect = scenario.get("expect", {})
    got_codes = sorted({code for code, _ in found})
    if "findings" in expect and got_codes != sorted(set(expect["findings"])):
        problems.append(f"findings {got_codes}, expected {sorted(set(expect['findings']))}")
    for code, severity in (expect.get("severities") or {}).items():
        if (code, severity) not in found:
            problems.append(f"{code} with severity {severity} expected, got {found}")
    verdict = combine([s for _, s in found])
    if "verdict" in expect and verdict != expect["verdict"]:
        problems.append(f"verdict {verdict}, expected {expect['verdict']}")
    return ScenarioResult(file, name, problems)


def _fact_problems(book: RuleBook, facts: list[dict[str, Any]]) -> list[str]:
    out = []
    for fact in facts:
        kind = fact.get("type")
        if kind not in book.facts:
            out.append(f"unknown fact type {kind!r}")
            continue
        unknown = set(fact) - set(book.facts[kind]) - {"type", "id"}
        if unknown:
            out.append(f"{kind}: unknown fields {sorted(unknown)}")
    return out
