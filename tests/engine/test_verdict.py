"""Facts -> durable-rules -> verdict, on hand-built read documents (no OCR):
every finding code of the contract from the shipped rule files."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest

from engine.facts import Duplicate, build_facts
from engine.rulebook import RuleBook, load_rulebook
from engine.rules_engine import evaluate_facts
from engine.verdict import build_verdict, combine
from ocr.types import DocumentKind, Field, PdfInfo, ReadDocument, ReadProblem

from .docs import NAME, application, clean_documents, doc, statement_rows


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rulebook()


def run(book: RuleBook, docs: list[ReadDocument], duplicates: list[Duplicate] = (),
        **app_changes: Any) -> dict[str, Any]:
    app = application(**app_changes)
    facts = build_facts(app, docs, book, list(duplicates))
    final, firings = evaluate_facts(book, facts.facts, app.product, app.application_date)
    return build_verdict(app, book, docs, facts, final, firings)


def codes(verdict: dict[str, Any]) -> list[str]:
    return sorted({f["code"] for f in verdict["findings"]})


def replace(docs: list[ReadDocument], kind: DocumentKind, **fields: str) -> list[ReadDocument]:
    for d in docs:
        if d.kind is kind:
            for name, value in fields.items():
                d.fields[name] = Field(name, value, 1, (5, 5, 50, 20), 0.95)
    return docs


def test_clean_case_passes_with_figures(book: RuleBook) -> None:
    verdict = run(book, clean_documents())
    assert codes(verdict) == [] and verdict["verdict"] == "pass"
    assert verdict["figures"]["monthly_payment"] == 4688.08
    assert verdict["figures"]["monthly_income"] == 12000.0
    assert verdict["figures"]["income_ratio"] == 2.56
    assert verdict["ruleset"]["sha256"] == book.sha256
    assert all(c["status"] == "evaluated" for c in verdict["checks"] if c["required"])


@pytest.mark.parametrize(("net", "severity"), [("8500.00", "condition"), ("6000.00", "reject")])
def test_income_ratio_below_min(book: RuleBook, net: str, severity: str) -> None:
    docs = replace(clean_documents(), DocumentKind.PAY_SLIP, net_pay=net, gross_pay="20000.00",
                   other_deductions=f"{20000 - 3000 - float(net):.2f}")
    for d in docs:
        if d.kind is DocumentKind.BANK_STATEMENT:
            d.rows = statement_rows(salary=float(net))
    verdict = run(book, docs)
    assert codes(verdict) == ["income.ratio_below_min"]
    finding = verdict["findings"][0]
    assert finding["severity"] == severity
    assert finding["rule"]["id"].startswith("income.ratio_below_min")
    assert any(e["field"] == "net_pay" and e["value"] == net for e in finding["evidence"])
    # the trace shows the chain: coverage derived from verified income derived from declared
    cover = next(s for s in finding["trace"] if s["fact"] == "income_coverage")
    assert cover["derived_by"]["rule"] == "income.coverage_ratio"


def test_each_defect_gives_its_code(book: RuleBook) -> None:
    cases = {
        "completeness.id_expired": replace(clean_documents(), DocumentKind.ID_CARD_BACK,
                                           valid_until="2026-10-01"),
        "identity.name_mismatch": replace(clean_documents(), DocumentKind.PAY_SLIP,
                                          employee_name="王小名"),
        "fraud.payslip_arithmetic": replace(clean_documents(), DocumentKind.PAY_SLIP,
                                            gross_pay="16000.00"),
        "owner.mismatch": replace(clean_documents(), DocumentKind.PROPERTY_CERTIFICATE,
                                  owners="李四"),
        "owner.co_owner_consent_missing": replace(
            clean_documents(), DocumentKind.PROPERTY_CERTIFICATE, owners=f"{NAME}、李四",
            co_ownership="共同共有"),
        "fraud.id_number_invalid": replace(clean_documents(), DocumentKind.ID_CARD_FRONT,
                                           id_number="110105199003071238"),
    }
    for code, docs in cases.items():
        assert codes(run(book, docs)) == [code], code


def test_co_borrower_owner_is_fine(book: RuleBook) -> None:
    docs = replace(clean_documents(), DocumentKind.PROPERTY_CERTIFICATE, owners=f"{NAME}、李四",
                   co_ownership="共同共有")
    co = {"name": "李四", "id_number": "110105199208150029"}
    assert codes(run(book, docs, co_borrowers=[co])) == []


def test_an_owner_one_character_off_a_borrower_is_checked_by_hand_not_rejected(
        book: RuleBook) -> None:
    """A rare character of a name read as another (龚丽倩 as 龚丽值, read sure): the
    verdict asks for the owner to be checked by hand; another person is rejected."""
    from engine.identity import near_name

    assert near_name("龚丽值", "龚丽倩") and near_name("欧阳明辉", "欧阳明晖")
    assert not near_name("张伟", "张敏")  # one surname, another person
    assert not near_name("龚丽倩", "龚丽倩") and not near_name("龚丽倩", "姜波辉")
    misread = NAME[:-1] + ("值" if NAME[-1] != "值" else "倩")
    verdict = run(book, replace(clean_documents(), DocumentKind.PROPERTY_CERTIFICATE,
                                owners=misread))
    assert codes(verdict) == ["review.field_unconfident"]
    assert verdict["verdict"] == "conditional"
    assert [f["rule"]["id"] for f in verdict["findings"]] == ["owner.near_borrower"]
    other = run(book, replace(clean_documents(), DocumentKind.PROPERTY_CERTIFICATE,
                              owners="姜波辉"))
    assert codes(other) == ["owner.mismatch"] and other["verdict"] == "reject"


def test_missing_and_unreadable_documents(book: RuleBook) -> None:
    docs = [d for d in clean_documents() if d.kind is not DocumentKind.PROPERTY_CERTIFICATE]
    broken = ReadDocument("x.pdf", "sha-x", DocumentKind.UNKNOWN, 0.0, [],
                          problems=[ReadProblem("read.unreadable.corrupt_pdf", "damaged")])
    verdict = run(book, [*docs, broken])
    assert codes(verdict) == ["completeness.missing_document", "document.unreadable"]
    assert verdict["verdict"] == "conditional"
    owner = next(c for c in verdict["checks"] if c["check"] == "owner.consistency")
    assert owner["status"] == "not_evaluated"  # never "clean"
    assert run(book, docs, product="consumer")["verdict"] == "pass"


def test_statement_defects(book: RuleBook) -> None:
    docs = clean_documents()
    stmt = next(d for d in docs if d.kind is DocumentKind.BANK_STATEMENT)
    row = stmt.rows[5]
    stmt.rows[5] = dataclasses.replace(row, amount=f"{float(row.amount) + 1000:.2f}")
    verdict = run(book, docs)
    assert codes(verdict) == ["fraud.balance_chain_broken"]
    evidence = verdict["findings"][0]["evidence"][0]
    assert evidence["field"] == "row 6" and evidence["bbox"] == [0, 0, 10, 10]

    short = statement_rows(months=3)
    stmt.rows = short
    stmt.fields["period_start"] = Field("period_start", short[0].date, 1, None, 1.0)
    assert codes(run(book, docs)) == ["completeness.statement_too_short"]

    stmt.rows = statement_rows(salary=6000.0)
    stmt.fields["period_start"] = Field("period_start", stmt.rows[0].date, 1, None, 1.0)
    assert codes(run(book, docs)) == ["fraud.income_mismatch"]


def test_pdf_edited(book: RuleBook) -> None:
    for info in (PdfInfo("Adobe Photoshop 25.0", "", "2026-10-21T09:00:00",
                         "2026-10-21T09:00:00", 1, False),
                 PdfInfo("Bank", "", "2026-10-21T09:00:00", "2026-10-25T10:00:00", 2, False)):
        docs = clean_documents()
        next(d for d in docs if d.kind is DocumentKind.BANK_STATEMENT).pdf = info
        verdict = run(book, docs)
        assert codes(verdict) == ["fraud.pdf_edited"] and verdict["verdict"] == "reject"


def test_duplicate(book: RuleBook) -> None:
    verdict = run(book, clean_documents(), [Duplicate("c.jpg", "same file", "2026-9")])
    assert codes(verdict) == ["fraud.duplicate_document"]


def test_unread_income_is_not_evaluated_never_clean(book: RuleBook) -> None:
    docs = clean_documents()
    for d in docs:
        if d.kind is DocumentKind.BANK_STATEMENT:
            d.rows = [dataclasses.replace(r, summary="转账") for r in d.rows]
    verdict = run(book, docs)
    assert "review.check_not_evaluated" in codes(verdict)
    assert verdict["verdict"] == "conditional"


def test_combination_rule() -> None:
    assert combine([]) == "pass"
    assert combine(["info", "condition"]) == "conditional"
    assert combine(["condition", "reject", "info"]) == "reject"


def test_concurrent_cases_never_share_facts(book: RuleBook) -> None:
    """Threads verifying different cases at once each get their own verdict."""
    low = replace(clean_documents(), DocumentKind.PROPERTY_CERTIFICATE, owners="李四")
    results: dict[int, list[str]] = {}

    def work(i: int) -> None:
        results[i] = codes(run(book, low if i % 2 else clean_documents()))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[i] == (["owner.mismatch"] if i % 2 else []) for i in range(16))


def test_many_cases_do_not_exhaust_durable_sessions(book: RuleBook) -> None:
    for _ in range(1100):  # more than durable's 1024 live sids per ruleset
        app = application()
        facts = build_facts(app, [], book, [])
        evaluate_facts(book, facts.facts, app.product, app.application_date)


def test_unused(book: RuleBook) -> None:
    assert doc  # keep the helper import used
