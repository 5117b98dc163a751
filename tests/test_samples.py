"""The synthetic document generator: determinism, internal consistency, real text layer."""

from __future__ import annotations

import io
import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from stdnum.cn import ric

from samples import cases, fraud, ledger, people, policy
from samples.money import capital, capital_back, d, make_salary, monthly_payment

BRIEF_VERDICTS = {
    "clean": "pass", "clean_income_certificate": "pass", "clean_consumer": "pass",
    "balance_broken": "reject", "pdf_edited": "reject", "id_check_char": "reject",
    "owner_other": "reject", "co_owned_no_consent": "conditional",
    "income_low_condition": "conditional", "income_low_reject": "reject",
    "payslip_arithmetic": "reject", "missing_document": "conditional",
    "id_expired": "conditional", "statement_short": "conditional",
    "name_mismatch": "conditional", "income_mismatch": "reject", "duplicate_first": "pass",
    "duplicate_second": "reject", "broken_files": "conditional",
}
RENDERED = ("clean", "clean_income_certificate", "balance_broken", "pdf_edited",
            "id_check_char", "payslip_arithmetic", "duplicate_first", "duplicate_second",
            "broken_files", "id_expired")
SEED = {name: 500 + i for i, name in enumerate(cases.SCENARIOS)}


@pytest.fixture(scope="module")
def built() -> dict[str, cases.Case]:
    return {s: cases.make_case(s, SEED[s]) for s in RENDERED}


def _valid_id(number: str) -> bool:
    return ric.calc_check_digit(number) == number[-1]  # stdnum leaves out the last character


def _doc(case: cases.Case, kind: str) -> cases.CaseFile:
    return next(f for f in case.files if f.truth["kind"] == kind)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = cases.build_case("clean", 42, tmp_path / "a")
    cases._make_case.cache_clear()
    b = cases.build_case("clean", 42, tmp_path / "b")
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    expected = json.loads((a / "expected.json").read_text(encoding="utf-8"))
    assert set(expected["documents"]) | {"case.json", "expected.json"} == set(names)


def test_generated_people_are_valid() -> None:
    rng = random.Random(1)
    on = date(2026, 11, 1)
    for _ in range(300):
        p = people.make_person(rng, on)
        n = p.id_number
        assert len(n) == 18 and _valid_id(n)
        assert n[6:14] == f"{p.birth_date:%Y%m%d}"
        assert (int(n[16]) % 2 == 1) == (p.sex == "男")
        assert p.valid_until is None or p.valid_until > on
        assert p.address.startswith(p.region.full)
        acct = people.make_account(rng, rng.choice(people.BANKS))
        assert len(acct) == 19 and people.luhn_digit(acct[:-1]) == acct[-1]
    expired = people.make_person(rng, on, expired=True)
    assert expired.valid_until is not None and expired.valid_until < on


def test_case_ids_valid_except_check_char_scenario(built: dict[str, cases.Case]) -> None:
    for scenario, case in built.items():
        applicant = case.application["applicant"]
        assert isinstance(applicant, dict)
        front = _doc(case, "id_card_front").truth["fields"]
        assert isinstance(front, dict)
        assert front["id_number"] == applicant["id_number"]
        assert _valid_id(applicant["id_number"]) == (scenario != "id_check_char")


def test_statement_balances_add_up(built: dict[str, cases.Case]) -> None:
    for scenario, case in built.items():
        if scenario == "broken_files":
            continue
        rows = _doc(case, "bank_statement").truth["rows"]
        assert isinstance(rows, list) and len(rows) > 20
        breaks = ledger.chain_breaks(rows)
        assert len(breaks) == (1 if scenario == "balance_broken" else 0), (scenario, breaks)


def test_salary_credits_equal_net_pay(built: dict[str, cases.Case]) -> None:
    case = built["clean"]
    slip = _doc(case, "pay_slip").truth["fields"]
    rows = _doc(case, "bank_statement").truth["rows"]
    assert isinstance(slip, dict) and isinstance(rows, list)
    credits = {r["amount"] for r in rows if r["summary"] == "代发工资"}
    assert credits == {slip["net_pay"]}
    assert len([r for r in rows if r["summary"] == "代发工资"]) >= 6


def test_payslip_arithmetic(built: dict[str, cases.Case]) -> None:
    for scenario in ("clean", "payslip_arithmetic"):
        f = _doc(built[scenario], "pay_slip").truth["fields"]
        assert isinstance(f, dict)
        gap = Decimal(f["gross_pay"]) - sum(Decimal(f[k]) for k in (
            "social_insurance", "housing_fund", "income_tax", "other_deductions"))
        gap -= Decimal(f["net_pay"])
        assert (gap == 0) == (scenario == "clean")
        assert scenario == "clean" or abs(gap) >= 500


@pytest.mark.parametrize("value", ["15000.00", "12345.67", "8000.50", "100000", "9999.99",
                                   "10050.00"])
def test_capital_parses_back(value: str) -> None:
    assert capital_back(capital(d(value))) == d(value)


def test_income_certificate_capital(built: dict[str, cases.Case]) -> None:
    f = _doc(built["clean_income_certificate"], "income_certificate").truth["fields"]
    assert isinstance(f, dict)
    assert capital_back(f["monthly_income_capital"]) == Decimal(f["monthly_income"])


def _norm(text: str | None) -> str:
    return (text or "").replace("\n", "").replace(",", "").replace("+", "").strip()


def _read_rows(pdf_bytes: bytes) -> tuple[str, list[dict[str, str]]]:
    rows: list[dict[str, str]] = []
    text = ""
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            text += page.extract_text() or ""
            for table in page.extract_tables():
                header = [_norm(h) for h in table[0]]
                for cells in table[1:]:
                    cell = dict(zip(header, (_norm(c) for c in cells), strict=True))
                    if "交易金额" in cell:
                        amount = cell["交易金额"]
                        day = cell["交易日期"]
                    else:
                        amount = cell["收入"] or "-" + cell["支出"]
                        raw = cell["交易日期"]
                        day = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
                    rows.append({"date": day, "summary": cell["摘要"], "amount": amount,
                                 "balance": cell["余额"], "counterparty": cell["对方户名"]})
    return text, rows


def test_statement_pdf_text_layer_matches_truth() -> None:
    from samples.corpus import render_kind
    from samples.render import statement

    for i, layout in enumerate(statement.LAYOUTS):
        r = render_kind("bank_statement", random.Random(i), i)
        assert r.layout == layout and r.pdf
        text, rows = _read_rows(r.pdf)
        assert rows == r.rows
        for key in ("holder_name", "account_number", "bank"):
            assert r.fields[key] in text


def test_case_statement_reads_back(built: dict[str, cases.Case]) -> None:
    f = _doc(built["clean"], "bank_statement")
    _, rows = _read_rows(f.data)
    assert rows == f.truth["rows"]
    with pdfplumber.open(io.BytesIO(f.data)) as pdf:
        assert len(pdf.pages) >= 2


def test_edited_pdf_shows_editor(built: dict[str, cases.Case]) -> None:
    edited = _doc(built["pdf_edited"], "bank_statement").data
    clean = _doc(built["clean"], "bank_statement").data
    assert fraud.revisions(clean) == 1 and fraud.revisions(edited) == 2
    with pikepdf.open(io.BytesIO(edited)) as pdf:
        info = pdf.docinfo
        assert "Photoshop" in str(info["/Producer"])
        assert str(info["/ModDate"])[2:16] > str(info["/CreationDate"])[2:16]
    with pdfplumber.open(io.BytesIO(edited)) as pdf:
        assert "Photoshop" in pdf.metadata["Producer"]
    # an incremental update: the original file is kept, byte for byte, in front
    with pikepdf.open(io.BytesIO(clean)) as pdf:
        assert "ReportLab" in str(pdf.docinfo["/Producer"])


def test_broken_files(built: dict[str, cases.Case]) -> None:
    case = built["broken_files"]
    unknown = [f for f in case.files if f.truth["kind"] == "unknown"]
    assert len(unknown) == 3
    assert any(f.data == b"" for f in unknown)
    for f in unknown:
        if f.data:  # pdfplumber cannot open either (qpdf would repair the truncated one)
            with pytest.raises(Exception), pdfplumber.open(io.BytesIO(f.data)) as pdf:  # noqa: B017
                pdf.pages[0].extract_text()
    back = _doc(case, "id_card_back")
    assert back.name.endswith(".jpg") and back.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_duplicate_second_reuses_first_slip(built: dict[str, cases.Case]) -> None:
    first, second = built["duplicate_first"], built["duplicate_second"]
    assert SEED["duplicate_second"] == SEED["duplicate_first"] + 1
    assert second.expected["depends_on"] == first.application["case_id"]
    slip1, slip2 = _doc(first, "pay_slip"), _doc(second, "pay_slip")
    assert slip1.data == slip2.data
    slip_fields = slip2.truth["fields"]
    assert isinstance(slip_fields, dict)
    applicant = second.application["applicant"]
    assert isinstance(applicant, dict)
    assert slip_fields["employee_name"] != applicant["name"]
    rows = _doc(second, "bank_statement").truth["rows"]
    assert isinstance(rows, list)
    assert {r["amount"] for r in rows if r["summary"] == "代发工资"} == {slip_fields["net_pay"]}


def test_expected_verdicts_follow_combination(built: dict[str, cases.Case]) -> None:
    for scenario, want in BRIEF_VERDICTS.items():
        ratio = 1.2 if scenario == "income_low_reject" else 1.75
        assert policy.verdict(cases.CODES[scenario], ratio) == want, scenario
    for scenario, case in built.items():
        e = case.expected
        assert e["verdict"] == BRIEF_VERDICTS[scenario]
        assert e["finding_codes"] == sorted(set(cases.CODES[scenario]))
        severities = [policy.severity(c, 1.0) for c in e["finding_codes"]]  # type: ignore[union-attr]
        if "reject" in severities:
            assert e["verdict"] == "reject"
        figures = e["figures"]
        assert isinstance(figures, dict)
        loan = case.application["loan"]
        assert isinstance(loan, dict)
        assert figures["monthly_payment"] == monthly_payment(
            loan["amount"], loan["term_months"], loan["annual_rate"], loan["method"])
        if scenario not in ("income_low_condition", "income_low_reject"):
            assert figures["monthly_income"] / figures["monthly_payment"] >= 2.3


@pytest.mark.parametrize("scenario,lo,hi", [("income_low_condition", 1.6, 1.9),
                                            ("income_low_reject", 0.0, 1.4),
                                            ("clean", 2.3, 99.0)])
def test_loan_ratio_ranges(scenario: str, lo: float, hi: float) -> None:
    for seed in range(30):
        rng = random.Random(seed)
        income = make_salary(rng, d(rng.randint(90, 400) * 100)).net
        _, payment = cases._loan(rng, scenario, income)
        assert lo <= float(income) / payment < hi


def test_monthly_payment_formulas() -> None:
    assert monthly_payment(1_000_000, 360, 0.0385, "equal_installment") == 4688.08
    assert monthly_payment(1_200_000, 240, 0.036, "equal_principal") == 8600.0
    assert monthly_payment(200_000, 12, 0.048, "interest_only") == 800.0
