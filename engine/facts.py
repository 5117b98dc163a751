"""Facts: an application plus its read documents, in the rule files' words.

Every fact is a flat dict with a unique ``id`` and a ``type`` from
rules/facts.yaml; the evidence behind each fact (file, page, field, box) is
kept beside it, keyed by fact id, and never enters the rules engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ocr.types import DocumentKind, ReadDocument

from . import identity
from . import statement as stmt
from .application import Application
from .evidence import Evidence, of_application, of_document, of_field
from .masking import mask_id_number
from .payment import monthly_payment
from .rulebook import RuleBook

# A document counts as read when these fields were found.
KEY_FIELDS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.ID_CARD_FRONT: ("name", "id_number"),
    DocumentKind.ID_CARD_BACK: ("valid_until",),
    DocumentKind.PROPERTY_CERTIFICATE: ("owners",),
    DocumentKind.PAY_SLIP: ("net_pay",),
    DocumentKind.INCOME_CERTIFICATE: ("monthly_income",),
    DocumentKind.BANK_STATEMENT: (),
}
NAME_FIELDS = {
    DocumentKind.ID_CARD_FRONT: "name",
    DocumentKind.PAY_SLIP: "employee_name",
    DocumentKind.INCOME_CERTIFICATE: "employee_name",
    DocumentKind.BANK_STATEMENT: "holder_name",
}
INCOME_FIELD = {DocumentKind.PAY_SLIP: "net_pay", DocumentKind.INCOME_CERTIFICATE: "monthly_income"}
DEDUCTIONS = ("social_insurance", "housing_fund", "income_tax", "other_deductions")
CO_OWNED = ("共同共有", "按份共有", "共有")
QUALITY_PROBLEM = "read.quality."  # blurry, glare, too_small, not_found, cut_off
MIN_ID_CONFIDENCE = 0.8  # below this an ID number read from an image is not judged


@dataclass(frozen=True)
class Duplicate:
    """A file of this case already seen in another applicant's case."""

    file: str
    match: str  # "same file" | "same image"
    other_case: str


@dataclass
class FactSet:
    facts: list[dict[str, Any]] = field(default_factory=list)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def add(self, fact_type: str, fact_id: str, evidence: Iterable[Evidence] = (),
            **values: Any) -> None:
        self.facts.append({"id": fact_id, "type": fact_type, **values})
        self.evidence[fact_id] = list(evidence)


def build_facts(app: Application, docs: list[ReadDocument], book: RuleBook,
                duplicates: list[Duplicate]) -> FactSet:
    facts = FactSet()
    _application(facts, app, book)
    _documents(facts, app, docs, book)
    _identity(facts, app, docs, book)
    _income(facts, app, docs)
    _statement(facts, app, docs)
    _property(facts, app, docs)
    _pdf(facts, docs, book)
    facts.add("duplicate_scan", "duplicate_scan", files_checked=len(docs))
    for i, dup in enumerate(duplicates):
        facts.add("duplicate", f"duplicate:{i}", [Evidence(dup.file, 1, "file", dup.match,
                                                           None, None)],
                  file=dup.file, match=dup.match)
    return catalogued(facts, book)


def catalogued(facts: FactSet, book: RuleBook) -> FactSet:
    """Only the facts and fields this rule book declares: a past version, published before
    a fact or field existed, still re-runs (its rules cannot use what it never declared)."""
    kept = []
    for fact in facts.facts:
        fields = book.facts.get(fact["type"])
        if fields is not None:
            kept.append({k: v for k, v in fact.items() if k in fields or k in ("id", "type")})
    facts.facts = kept
    return facts


def _application(facts: FactSet, app: Application, book: RuleBook) -> None:
    loan = app.loan
    facts.add("application", "application", [of_application("product", app.product)],
              product=app.product, amount=loan.amount, term_months=loan.term_months,
              annual_rate=loan.annual_rate, method=loan.method.value,
              application_date=app.application_date.isoformat(),
              co_borrower_count=len(app.co_borrowers))
    facts.add("policy", "policy", [], **book.thresholds(app.product))
    payment = monthly_payment(loan)
    facts.add("monthly_payment", "monthly_payment",
              [of_application("loan", f"{loan.amount:.2f} / {loan.term_months} / "
                              f"{loan.annual_rate} / {loan.method.value}")],
              amount=payment, method=loan.method.value)


def _documents(facts: FactSet, app: Application, docs: list[ReadDocument],
               book: RuleBook) -> None:
    for i, doc in enumerate(docs):
        problem = "; ".join(p.message for p in doc.problems if p.code.startswith("read.unread"))
        facts.add("document", f"document:{i}", [of_document(doc)], file=doc.file,
                  kind=doc.kind.value, readable=doc.readable, problem=problem,
                  key_fields_read=is_read(doc), quality_problem=quality_problem(doc))
    for i, group in enumerate(book.required_documents(app.product)):
        kinds = [DocumentKind(k) for k in group]
        present = [d for d in docs if d.kind in kinds]
        readable = [d for d in present if is_read(d)]
        label = " / ".join(book.document_label(k).split(" / ")[0] for k in group)
        evidence = [of_document(d) for d in present] or [
            of_application("product", f"{app.product}: {label}")]
        facts.add("requirement", f"requirement:{i}", evidence,
                  document="|".join(group), label=label, present=bool(present),
                  readable=bool(readable))


def quality_problem(doc: ReadDocument) -> str:
    """What intake should do about the image (the first ``read.quality.*`` message), or ""."""
    return next((p.message for p in doc.problems if p.code.startswith(QUALITY_PROBLEM)), "")


def is_read(doc: ReadDocument) -> bool:
    if not doc.readable:
        return False
    if doc.kind is DocumentKind.BANK_STATEMENT:
        return bool(doc.rows)
    return all(_meaningful(f, doc.value(f)) for f in KEY_FIELDS.get(doc.kind, ()))


def _meaningful(name: str, value: str | None) -> bool:
    """A key field was read: present, and an amount above zero."""
    if name in ("net_pay", "monthly_income"):
        return (stmt.money(value) or 0.0) > 0
    return bool(value)


def _identity(facts: FactSet, app: Application, docs: list[ReadDocument],
              book: RuleBook) -> None:
    fronts = [d for d in docs if d.kind is DocumentKind.ID_CARD_FRONT]
    backs = [d for d in docs if d.kind is DocumentKind.ID_CARD_BACK and d.value("valid_until")]
    number = identity.check(app.applicant.id_number, None)
    facts.add("id_number", "id_number:application",
              [of_application("applicant.id_number", mask_id_number(app.applicant.id_number))],
              source="申请表 / application", **number)
    for i, doc in enumerate(fronts):
        read = doc.fields.get("id_number")
        if read and read.confidence >= MIN_ID_CONFIDENCE:
            facts.add("id_number", f"id_number:card:{i}", of_field(doc, "id_number"),
                      source="身份证 / ID card", **identity.check(read.value, doc.value("sex")))
    for i, doc in enumerate(backs):
        valid_until = str(doc.value("valid_until"))
        days = identity.days_valid_after(valid_until, app.application_date)
        if days is not None:
            facts.add("id_card", f"id_card:{i}", of_field(doc, "valid_until"),
                      days_valid_after_application=days, valid_until=valid_until)
    for i, doc in enumerate(docs):
        name_field = NAME_FIELDS.get(doc.kind)
        name = doc.value(name_field) if name_field else None
        if name_field and name:
            facts.add("name_check", f"name_check:{i}", of_field(doc, name_field),
                      document=book.document_label(doc.kind.value).split(" / ")[0],
                      file=doc.file, matches=identity.same_name(name, app.applicant.name)
                      or belongs_to_co_borrower(doc, app),
                      confidence=_confidence(doc, name_field))


def belongs_to_co_borrower(doc: ReadDocument, app: Application) -> bool:
    """An income document naming a co-borrower (by name, or ID number when printed)
    rather than the applicant."""
    name_field = NAME_FIELDS.get(doc.kind)
    name, number = doc.value(name_field) if name_field else None, doc.value("id_number")
    if not name and not number:
        return False
    def names(person: Any) -> bool:
        return bool((name and identity.same_name(name, person.name))
                    or (number and str(number).upper() == person.id_number.upper()))
    return not names(app.applicant) and any(names(p) for p in app.co_borrowers)


def _income(facts: FactSet, app: Application, docs: list[ReadDocument]) -> None:
    income_docs = [d for d in docs if d.kind in INCOME_FIELD and stmt.money(d.value(
        INCOME_FIELD[d.kind]))]
    co_docs = [d for d in income_docs if belongs_to_co_borrower(d, app)]
    own = [d for d in docs if d not in co_docs]
    slips = [d for d in own if d.kind is DocumentKind.PAY_SLIP and stmt.money(d.value("net_pay"))]
    certs = [d for d in own if d.kind is DocumentKind.INCOME_CERTIFICATE
             and stmt.money(d.value("monthly_income"))]
    co = _co_borrower_income(co_docs)
    for i, slip in enumerate(slips):
        gross, net = stmt.money(slip.value("gross_pay")), stmt.money(slip.value("net_pay"))
        if gross is not None and net is not None:
            deductions = sum(stmt.money(slip.value(n)) or 0.0 for n in DEDUCTIONS)
            evidence = [e for n in ("gross_pay", *DEDUCTIONS, "net_pay")
                        for e in of_field(slip, n)]
            facts.add("pay_slip", f"pay_slip:{i}", evidence, gross_pay=gross,
                      deductions=round(deductions, 2), net_pay=net,
                      confidence=_confidence(slip, "gross_pay", *DEDUCTIONS, "net_pay"))
    if slips:
        amounts = [stmt.money(s.value("net_pay")) or 0.0 for s in slips]
        evidence = [e for s in slips for e in of_field(s, "net_pay")]
        facts.add("declared_income", "declared_income", evidence + co.evidence,
                  amount=round(sum(amounts) / len(amounts), 2), source="pay_slip",
                  file=slips[0].file,
                  confidence=min(_confidence(s, "net_pay") for s in slips), **co.values())
    elif certs:
        amount = stmt.money(certs[0].value("monthly_income")) or 0.0
        facts.add("declared_income", "declared_income",
                  of_field(certs[0], "monthly_income") + co.evidence,
                  amount=amount, source="income_certificate", file=certs[0].file,
                  confidence=_confidence(certs[0], "monthly_income"), **co.values())


@dataclass
class CoBorrowerIncome:
    amount: float = 0.0
    confidence: float = 1.0
    evidence: list[Evidence] = field(default_factory=list)

    def values(self) -> dict[str, float]:
        return {"co_borrower_amount": round(self.amount, 2),
                "co_borrower_confidence": self.confidence}


def _co_borrower_income(docs: list[ReadDocument]) -> CoBorrowerIncome:
    """Co-borrowers' stated monthly income, one document per person (pay slips first),
    summed; whether it counts is the rule files' call (co_borrower_income_share)."""
    out, seen = CoBorrowerIncome(), set()
    for doc in sorted(docs, key=lambda d: d.kind is not DocumentKind.PAY_SLIP):
        who = str(doc.value(NAME_FIELDS[doc.kind]) or doc.value("id_number"))
        if who in seen:
            continue
        seen.add(who)
        name = INCOME_FIELD[doc.kind]
        out.amount += stmt.money(doc.value(name)) or 0.0
        out.confidence = min(out.confidence, _confidence(doc, name))
        out.evidence += of_field(doc, name)
    return out


def _statement(facts: FactSet, app: Application, docs: list[ReadDocument]) -> None:
    statements = [d for d in docs if d.kind is DocumentKind.BANK_STATEMENT and d.rows]
    if not statements:
        return
    periods = [stmt.period(d) for d in statements]
    starts = [s for s, _ in periods if s]
    ends = [e for _, e in periods if e]
    if starts and ends:
        start, end = min(starts), max(ends)
        evidence = [e for d in statements for n in ("period_start", "period_end")
                    for e in of_field(d, n)]
        facts.add("statement", "statement", evidence or [of_document(statements[0])],
                  months_covered=stmt.months_between(start, end),
                  days_before_application=(app.application_date - end).days,
                  row_count=sum(len(d.rows) for d in statements), chain_checked=True)
    for i, doc in enumerate(statements):
        checked, breaks = stmt.balance_breaks(doc.rows)
        if checked:
            facts.add("balance_chain", f"balance_chain:{i}", [of_document(doc)],
                      rows_checked=checked, breaks=len(breaks))
        for brk in breaks:
            row = brk.row
            facts.add("balance_break", f"balance_break:{i}:{brk.index}",
                      [Evidence(doc.file, row.page, f"row {brk.index + 1}",
                                f"{row.date} {row.amount} → {row.balance}", row.bbox,
                                row.confidence)],
                      row=brk.index + 1, date=row.date, expected_balance=brk.expected,
                      printed_balance=stmt.money(row.balance) or 0.0)
    _closing_balance(facts, statements)
    rows = [(d, r) for d in statements for r in d.rows]
    # salary credits verify the applicant's own income: a co-borrower's statement is
    # kept out of them (its debts and balance still count for the household)
    own_rows = [r for d, r in rows if not belongs_to_co_borrower(d, app)]
    salary = stmt.salary_rows(own_rows)
    if salary:
        average, months = stmt.monthly_average(salary)
        facts.add("salary_credits", "salary_credits", _row_evidence(rows, salary[-6:]),
                  monthly_average=average, months=months, count=len(salary))
    repayments = stmt.loan_repayment_rows([r for _, r in rows])
    average, months = stmt.monthly_average(repayments)
    facts.add("existing_debt", "existing_debt", _row_evidence(rows, repayments[-6:]),
              monthly_repayment=average, count=len(repayments))


def _closing_balance(facts: FactSet, statements: list[ReadDocument]) -> None:
    """The balance on the latest dated row of the statements (the last printed of that day)."""
    dated = [(row.date, i, doc, row) for doc in statements for i, row in enumerate(doc.rows)
             if row.date and stmt.money(row.balance) is not None]
    if not dated:
        return
    day, _, doc, row = max(dated, key=lambda t: (t[0], t[1]))
    facts.add("statement_balance", "statement_balance",
              [Evidence(doc.file, row.page, f"row {row.date} balance", row.balance, row.bbox,
                        row.confidence)],
              closing_balance=stmt.money(row.balance) or 0.0, date=day)


def _row_evidence(rows: list[Any], chosen: list[Any]) -> list[Evidence]:
    out = []
    for doc, row in rows:
        if row in chosen:
            out.append(Evidence(doc.file, row.page, f"row {row.date} {row.summary}",
                                row.amount, row.bbox, row.confidence))
    return out


def _property(facts: FactSet, app: Application, docs: list[ReadDocument]) -> None:
    certs = [d for d in docs if d.kind is DocumentKind.PROPERTY_CERTIFICATE and d.value("owners")]
    if not certs:
        return
    doc = certs[0]
    owners = [o for o in re.split(r"[、,，;；\s]+", str(doc.value("owners"))) if o]
    borrowers = [p.name for p in app.borrowers]
    is_borrower = [any(identity.same_name(o, b) for b in borrowers) for o in owners]
    share = str(doc.value("co_ownership") or "")
    remarks = f"{doc.value('other_status') or ''} {doc.value('notes') or ''}"
    facts.add("property", "property",
              of_field(doc, "owners") + of_field(doc, "co_ownership"),
              co_owned=len(owners) > 1 or any(k in share for k in CO_OWNED),
              co_ownership=share or "未注明", owner_count=len(owners),
              borrower_is_owner=any(is_borrower),
              owner_near_borrower=not any(is_borrower) and any(
                  identity.near_name(o, b) for o in owners for b in borrowers),
              encumbered=bool(re.search(r"抵押(?!.{0,4}(已注销|已解除))", remarks)),
              seized="查封" in remarks and "解封" not in remarks,
              owners_confidence=_confidence(doc, "owners"))
    for i, borrower in enumerate(is_borrower):
        facts.add("property_owner", f"property_owner:{i}", of_field(doc, "owners"),
                  is_borrower=borrower)


def _confidence(doc: ReadDocument, *names: str) -> float:
    """The lowest confidence among the fields read (fields not printed do not count)."""
    found = [doc.fields[n].confidence for n in names if n in doc.fields]
    return round(min(found), 3) if found else 0.0


def _pdf(facts: FactSet, docs: list[ReadDocument], book: RuleBook) -> None:
    editors = [str(e).lower() for e in book.policy["pdf_editors"]]
    grace = float(book.policy["pdf_edit_grace_seconds"])
    for i, doc in enumerate(docs):
        if doc.pdf is None:
            continue
        maker = f"{doc.pdf.producer} {doc.pdf.creator}"
        edited = doc.pdf.revisions > 1 or _seconds_between(doc.pdf.creation_date,
                                                            doc.pdf.mod_date) > grace
        facts.add("pdf_integrity", f"pdf_integrity:{i}",
                  [Evidence(doc.file, None, "producer", maker.strip(), None, None)],
                  file=doc.file, producer=maker.strip() or "未注明",
                  editor_software=any(e in maker.lower() for e in editors),
                  edited_after_creation=edited, revisions=doc.pdf.revisions)


def _seconds_between(created: str, modified: str) -> float:
    try:
        return (datetime.fromisoformat(modified) - datetime.fromisoformat(created)).total_seconds()
    except ValueError:
        return 0.0
