"""Co-borrower income, reserves and image quality: from read documents to findings;
and every shipped rule is exercised by a scenario in rules/tests."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.facts import build_facts
from engine.rulebook import DEFAULT_RULES_DIR, RuleBook, load_rulebook
from engine.rules_engine import evaluate_facts
from engine.verdict import build_verdict
from ocr.types import DocumentKind, Field, ReadDocument, ReadProblem

from .docs import application, clean_documents, doc, statement_rows

CO_NAME, CO_ID = "李红", "110105199205154328"


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return load_rulebook()


def run(book: RuleBook, docs: list[ReadDocument], **changes: Any) -> dict[str, Any]:
    app = application(**changes)
    facts = build_facts(app, docs, book, [])
    final, firings = evaluate_facts(book, facts.facts, app.product, app.application_date)
    return build_verdict(app, book, docs, facts, final, firings)


def codes(verdict: dict[str, Any]) -> list[str]:
    return sorted({f["code"] for f in verdict["findings"]})


def low_income_with_co_borrower_slip(confidence: float = 0.95) -> list[ReadDocument]:
    docs = clean_documents(pay_slip={"net_pay": "6000.00", "gross_pay": "9000.00"})
    statement = next(d for d in docs if d.kind is DocumentKind.BANK_STATEMENT)
    statement.rows[:] = statement_rows(salary=6000.0)  # the applicant's own salary credits
    co = doc(DocumentKind.PAY_SLIP, "f.jpg", {"employee_name": CO_NAME, "gross_pay": "7000.00",
                                              "social_insurance": "1000.00",
                                              "housing_fund": "1000.00", "income_tax": "0.00",
                                              "net_pay": "5000.00"})
    co.fields["net_pay"] = Field("net_pay", "5000.00", 1, (1, 2, 30, 12), confidence)
    return [*docs, co]


CO_BORROWERS = [{"name": CO_NAME, "id_number": CO_ID}]


def test_a_co_borrowers_pay_slip_counts_toward_household_income(book: RuleBook) -> None:
    docs = low_income_with_co_borrower_slip()
    alone = run(book, docs[:-1])
    assert codes(alone) == ["income.ratio_below_min"] and alone["verdict"] == "reject"
    verdict = run(book, docs, co_borrowers=CO_BORROWERS)
    assert codes(verdict) == [] and verdict["verdict"] == "pass"
    assert verdict["figures"]["monthly_income"] == 11000.0


def test_without_co_borrowers_another_persons_slip_is_a_name_mismatch(book: RuleBook) -> None:
    verdict = run(book, low_income_with_co_borrower_slip())
    assert "identity.name_mismatch" in codes(verdict)
    assert verdict["figures"]["monthly_income"] != 11000.0


def test_an_unconfident_co_borrower_income_is_checked_by_hand(book: RuleBook) -> None:
    verdict = run(book, low_income_with_co_borrower_slip(0.4), co_borrowers=CO_BORROWERS)
    assert "review.field_unconfident" in codes(verdict) and verdict["verdict"] == "conditional"


def test_reserves_depend_on_the_product(book: RuleBook) -> None:
    docs = clean_documents()
    for d in docs:
        if d.kind is DocumentKind.BANK_STATEMENT:  # every balance lowered: the last is 20,000
            shift = float(d.rows[-1].balance) - 20000.0
            d.rows[:] = [dataclasses.replace(r, balance=f"{float(r.balance) - shift:.2f}")
                         for r in d.rows]
    mortgage = run(book, docs)
    assert "income.reserves_below_min" in codes(mortgage)
    [finding] = [f for f in mortgage["findings"] if f["code"] == "income.reserves_below_min"]
    assert "20000" in finding["message"] and "d.pdf" in {e["file"] for e in finding["evidence"]}
    assert "income.reserves_below_min" not in codes(run(book, docs, product="car_loan"))


def test_a_blurry_unread_document_asks_intake_for_a_new_photo(book: RuleBook) -> None:
    advice = "照片模糊，请在光线充足处对焦后重新拍摄"
    docs = clean_documents()
    slip = next(d for d in docs if d.kind is DocumentKind.PAY_SLIP)
    slip.problems.append(ReadProblem("read.quality.blurry", advice, 1))
    assert "intake.image_quality" not in codes(run(book, docs))  # still read: no finding
    del slip.fields["net_pay"]
    verdict = run(book, docs)
    [finding] = [f for f in verdict["findings"] if f["code"] == "intake.image_quality"]
    assert finding["action"] == advice and finding["severity"] == "condition"


def test_every_shipped_rule_fires_in_some_scenario(book: RuleBook) -> None:
    fired: set[str] = set()
    for path in sorted((DEFAULT_RULES_DIR / "tests").glob("*.yaml")):
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            product = scenario.get("product", "mortgage")
            policy = {**book.thresholds(product), **(scenario.get("thresholds") or {})}
            facts = [{"id": "policy", "type": "policy", **policy}]
            facts += [{"id": f"{f['type']}:{i}", **f} for i, f in enumerate(scenario["facts"])]
            on = date.fromisoformat(str(scenario.get("date", "2026-11-01")))
            _, firings = evaluate_facts(book, facts, product, on)
            fired |= {f.rule.id for f in firings}
    assert sorted({r.id for r in book.rules} - fired) == []


def test_rules_dir_is_the_default(book: RuleBook) -> None:
    assert Path(book.directory) == DEFAULT_RULES_DIR


def test_a_past_rule_book_without_the_new_facts_still_evaluates(book: RuleBook) -> None:
    old = dataclasses.replace(book, sha256="0" * 64, facts={
        k: {f: t for f, t in v.items() if f not in ("quality_problem", "key_fields_read")}
        for k, v in book.facts.items() if k != "statement_balance"})
    old.rules = [r for r in book.rules if "image_quality" not in r.id]
    app = application()
    facts = build_facts(app, clean_documents(), old, []).facts
    assert "statement_balance" not in {f["type"] for f in facts}
    assert all("quality_problem" not in f for f in facts if f["type"] == "document")
    assert codes(run(old, clean_documents())) == []
    assert "statement_balance" in {f["type"] for f in build_facts(app, clean_documents(), book,
                                                                  []).facts}


def test_a_co_borrowers_statement_is_not_the_applicants_salary(book: RuleBook) -> None:
    docs = clean_documents()
    co_rows = statement_rows(salary=30000.0)
    co = doc(DocumentKind.BANK_STATEMENT, "g.pdf", {"holder_name": CO_NAME,
                                                    "period_start": co_rows[0].date,
                                                    "period_end": co_rows[-1].date}, co_rows)
    verdict = run(book, [*docs, co], co_borrowers=CO_BORROWERS)
    assert verdict["figures"]["salary_credit_average"] == 12000.0
    assert "fraud.income_mismatch" not in codes(verdict)
    assert verdict["verdict"] == "pass"


def test_a_deduction_printed_but_not_read_never_makes_a_slip_false(book: RuleBook) -> None:
    docs = clean_documents()
    slip = next(d for d in docs if d.kind is DocumentKind.PAY_SLIP)
    slip.fields["income_tax"] = Field("income_tax", "", 1, (1, 2, 30, 12), 0.0)  # unread
    slip.fields["housing_fund"] = Field("housing_fund", "", 1, (1, 2, 30, 12), 0.0)
    verdict = run(book, docs)
    assert "fraud.payslip_arithmetic" not in codes(verdict)
    assert "review.field_unconfident" in codes(verdict)
    assert verdict["verdict"] == "conditional"
