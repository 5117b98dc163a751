"""What the intake page shows while a case is prepared: each file with its kind and
reading state, the product's checklist (present, missing, unreadable, with what to
do), and once verified the verdict and what intake must supply (补正)."""

from __future__ import annotations

from typing import Any

from engine.masking import Scrubber
from engine.rulebook import RuleBook

from ..db import RUNNING, Case, Document
from .evidence import personal_values
from .i18n import MESSAGES, Translator

PRODUCTS = ("mortgage", "car_loan", "consumer")
METHODS = ("equal_installment", "equal_principal", "interest_only")
# findings intake acts on: documents to supply again, files to re-shoot
CORRECTION_PREFIXES = ("completeness.", "document.")
INCOME_KINDS = frozenset({"pay_slip", "income_certificate"})


def case_row(case: Case, t: Translator) -> dict[str, Any]:
    """A case as the lists and page headings show it."""
    app = case.application or {}
    loan = app.get("loan") or {}
    return {"case_id": case.case_id, "product": case.product,
            "product_label": t(f"product.{case.product}")
            if f"product.{case.product}" in MESSAGES else case.product,
            "status": case.status, "status_label": t(f"status.{case.status}"),
            "verdict": case.outcome or "",
            "verdict_label": t(f"verdict.{case.outcome}") if case.outcome else "",
            "created": f"{case.created_at:%Y-%m-%d %H:%M}",
            "documents": len(case.documents), "application_date": app.get("application_date"),
            "amount": loan.get("amount"), "term": loan.get("term_months"),
            "rate": loan.get("annual_rate"), "method": loan.get("method")}


def case_state(case: Case, book: RuleBook, t: Translator) -> dict[str, Any]:
    documents = [_document(d, t) for d in case.documents]
    read = sum(1 for d in case.documents if d.status == "read")
    state: dict[str, Any] = {
        "case_id": case.case_id, "product": case.product, "status": case.status,
        "status_label": t(f"status.{case.status}"), "busy": case.status in RUNNING,
        "documents": documents, "documents_read": read,
        "progress_label": t("intake.documents_read", read=read, total=len(documents)),
        "checklist": checklist(case, book, t), "verdict": case.outcome,
        "verdict_label": t(f"verdict.{case.outcome}") if case.outcome else "",
        "corrections": corrections(case) if case.status == "done" else [],
        "error": t("intake.failed", message=case.error or case.error_code or "")
        if case.status == "failed" else "",
        "verification": case.verification,
    }
    return state


def checklist(case: Case, book: RuleBook, t: Translator) -> list[dict[str, Any]]:
    """One line per document the product requires (each a set of alternatives)."""
    try:
        required = book.required_documents(case.product)
    except KeyError:
        return []
    parts = [(d, p) for d in case.documents for p in (d.kinds or {}).get("parts", [])]
    waiting = any(d.status != "read" for d in case.documents)
    items = []
    for kinds in required:
        matches = [(d, p) for d, p in parts if p.get("kind") in kinds]
        readable = [m for m in matches if not _unreadable(m[1])]
        if readable:
            state = "present"
        elif matches:
            state = "unreadable"
        else:
            state = "waiting" if waiting else "missing"
        items.append({
            "kinds": list(kinds), "label": " / ".join(t(f"kind.{k}") for k in kinds),
            "state": state, "state_label": t(f"intake.{state}"),
            "files": [d.file for d, _ in matches],
            "hint": "" if state == "present" else _need(kinds, book, t)})
    return items


def corrections(case: Case) -> list[dict[str, str]]:
    """The verdict's findings intake can clear, personal data masked."""
    verdict = case.verdict or {}
    scrub = Scrubber(personal_values(verdict))
    return [{"code": str(f.get("code", "")), "severity": str(f.get("severity", "")),
             "message": scrub(str(f.get("message") or "")),
             "action": scrub(str(f.get("action") or ""))}
            for f in verdict.get("findings") or []
            if str(f.get("code", "")).startswith(CORRECTION_PREFIXES)]


def _document(d: Document, t: Translator) -> dict[str, Any]:
    parts = []
    for p in (d.kinds or {}).get("parts", []):
        kind = str(p.get("kind") or "unknown")
        parts.append({"kind": kind, "kind_label": t(f"kind.{kind}"), "pages": p.get("pages", 0),
                      "unreadable": _unreadable(p),
                      "problems": [_problem(x, t) for x in p.get("problems", [])]})
    return {"id": d.id, "file": d.file, "size": d.size, "status": d.status,
            "status_label": t(f"doc.{d.status}"), "parts": parts,
            "needs_attention": any(p["unreadable"] or p["problems"] for p in parts)}


def _problem(problem: dict[str, Any], t: Translator) -> dict[str, str]:
    code = str(problem.get("code", ""))
    key = f"hint.{code}"
    hint = t(key) if key in MESSAGES else str(problem.get("message", ""))
    return {"code": code, "hint": hint}


def _unreadable(part: dict[str, Any]) -> bool:
    return part.get("kind") == "unknown" or any(
        str(x.get("code", "")).startswith("read.unreadable") for x in part.get("problems", []))


def _need(kinds: list[str] | tuple[str, ...], book: RuleBook, t: Translator) -> str:
    if set(kinds) <= INCOME_KINDS:
        return t("need.income")
    if len(kinds) == 1 and f"need.{kinds[0]}" in MESSAGES:
        return t(f"need.{kinds[0]}")
    return t("need.other", label=" / ".join(book.document_label(k) for k in kinds))

