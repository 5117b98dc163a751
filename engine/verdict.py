"""The verdict: findings with their rule, evidence and trace; checks that did
not run; figures; documents. The rule of combination is fixed (contract.md):
reject if any finding rejects, else conditional if any is a condition, else pass."""

from __future__ import annotations

from typing import Any

from ocr.types import ReadDocument

from .application import Application
from .evidence import Evidence
from .facts import FactSet
from .rulebook import RuleBook
from .rules_engine import Firing

SEVERITY_ORDER = {"reject": 0, "condition": 1, "info": 2}
NOT_EVALUATED = "review.check_not_evaluated"


def combine(severities: list[str]) -> str:
    if "reject" in severities:
        return "reject"
    if "condition" in severities:
        return "conditional"
    return "pass"


def build_verdict(app: Application, book: RuleBook, docs: list[ReadDocument],
                  facts: FactSet, final: list[dict[str, Any]],
                  firings: list[Firing]) -> dict[str, Any]:
    made_by = {f.produced["id"]: f for f in firings}
    findings = [_finding(f, facts, made_by) for f in firings if f.produced["type"] == "finding"]
    checks = _checks(app, book, final)
    findings += _not_evaluated(book, checks, final)
    findings.sort(key=lambda f: (SEVERITY_ORDER[f["severity"]], f["code"]))
    return {
        "case_id": app.case_id,
        "verdict": combine([f["severity"] for f in findings]),
        "findings": findings,
        "figures": _figures(final),
        "documents": [_document(d) for d in docs],
        "checks": checks,
        "ruleset": {"name": book.name, "version": book.version, "sha256": book.sha256},
        "application": app.model_dump(mode="json"),
    }


def _finding(firing: Firing, facts: FactSet, made_by: dict[str, Firing]) -> dict[str, Any]:
    produced, rule = firing.produced, firing.rule
    return {
        "code": produced["code"], "severity": produced["severity"],
        "message": produced["message"], "action": produced["action"],
        "rule": {"id": rule.id, "version": rule.version, "title": rule.title,
                 "source": rule.source},
        "evidence": [e.as_json() for e in _evidence(firing, facts, made_by)],
        "trace": _trace(firing, made_by),
    }


def _evidence(firing: Firing, facts: FactSet, made_by: dict[str, Firing],
              depth: int = 0) -> list[Evidence]:
    """Evidence of every fact the rule matched; for a derived fact, of the facts
    it was derived from, down the chain."""
    out: list[Evidence] = []
    for fact in firing.matched.values():
        if fact["id"] in made_by and depth < 10:
            out += _evidence(made_by[fact["id"]], facts, made_by, depth + 1)
        else:
            out += facts.evidence.get(fact["id"], [])
    unique: list[Evidence] = []
    for e in out:
        if e not in unique:
            unique.append(e)
    return unique


def _trace(firing: Firing, made_by: dict[str, Firing], depth: int = 0) -> list[dict[str, Any]]:
    """The chain of rules and facts behind a finding, nearest first."""
    steps = []
    for alias, fact in firing.matched.items():
        values = {k: v for k, v in fact.items() if k not in ("id", "type")}
        step: dict[str, Any] = {"alias": alias, "fact": fact["type"], "id": fact["id"],
                                "values": values}
        maker = made_by.get(fact["id"])
        if maker and depth < 10:
            step["derived_by"] = {"rule": maker.rule.id, "version": maker.rule.version,
                                  "from": _trace(maker, made_by, depth + 1)}
        steps.append(step)
    return steps


def _checks(app: Application, book: RuleBook, final: list[dict[str, Any]]) -> list[dict[str, Any]]:
    present = {f["type"] for f in final}
    out = []
    for name, check in book.checks(app.product).items():
        missing = [t for t in check["evaluated_by"] if t not in present]
        out.append({"check": name, "title": check["title"], "required": check["required"],
                    "status": "not_evaluated" if missing else "evaluated",
                    "reason": f"no {', '.join(missing)} could be established" if missing else ""})
    return out


def _not_evaluated(book: RuleBook, checks: list[dict[str, Any]],
                   final: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A required check that could not run is never clean. When documents are
    missing the case already goes back for 补正 and every check runs again
    then; otherwise each such check becomes a finding of its own."""
    incomplete = any(f["type"] == "requirement" and not (f["present"] and f["readable"])
                     for f in final)
    if incomplete:
        return []
    severity = book.policy["not_evaluated_severity"]
    return [{
        "code": NOT_EVALUATED, "severity": severity,
        "message": f"未能评估：{c['title']}（{c['reason']}） / not evaluated: {c['title']}",
        "action": "人工核验相关材料 / verify the documents by hand",
        "rule": {"id": f"policy.checks.{c['check']}", "version": 1, "title": c["title"],
                 "source": "policy.yaml"},
        "evidence": [], "trace": [],
    } for c in checks if c["required"] and c["status"] == "not_evaluated"]


def _figures(final: list[dict[str, Any]]) -> dict[str, Any]:
    def first(fact_type: str, name: str) -> Any:
        return next((f[name] for f in final if f["type"] == fact_type and name in f), None)

    return {
        "monthly_payment": first("monthly_payment", "amount"),
        "monthly_income": first("verified_income", "amount"),
        "income_ratio": first("income_coverage", "ratio"),
        "debt_ratio": first("debt_burden", "ratio"),
        "statement_months": first("statement", "months_covered"),
        "salary_credit_average": first("salary_credits", "monthly_average"),
    }


def _document(doc: ReadDocument) -> dict[str, Any]:
    return {
        "file": doc.file, "kind": doc.kind.value, "kind_confidence": round(doc.kind_confidence, 3),
        "sha256": doc.sha256, "pages": len(doc.pages),
        "fields": {n: f.value for n, f in doc.fields.items()},
        "field_confidence": {n: round(f.confidence, 3) for n, f in doc.fields.items()},
        "rows": len(doc.rows),
        "problems": [{"code": p.code, "message": p.message} for p in doc.problems],
        "seconds": round(doc.seconds, 2),
    }


# Findings that send a case back to intake because something could not be read.
READING_CODES = frozenset({"review.field_unconfident", "review.check_not_evaluated",
                           "completeness.missing_document", "document.unreadable"})


def judge(verdict: dict[str, Any], expected: dict[str, Any]) -> str:
    """Compare a verdict with the one expected: "exact"; "fail-safe" when it
    differs only by asking for documents or fields to be checked again (no
    reject lost, none invented, no other finding); else "wrong"."""
    got = {f["code"] for f in verdict["findings"]}
    want = set(expected["finding_codes"])
    if got == want and verdict["verdict"] == expected["verdict"]:
        return "exact"
    if expected["verdict"] == "reject":
        ok = verdict["verdict"] == "reject" and want <= got and got - want <= READING_CODES
    else:
        ok = (verdict["verdict"] != "reject" and got - want <= READING_CODES
              and bool(got & READING_CODES))
    return "fail-safe" if ok else "wrong"
