"""Whole cases: case.json, the applicant's files (names that reveal nothing) and
expected.json (what the default policy must conclude, and the ground truth).

``build_case(scenario, seed, out_dir)``: the case id is ``2026-S{seed:04d}``.
``duplicate_second`` with seed ``s`` reuses the pay slip file of
``duplicate_first`` with seed ``s - 1`` (``python -m samples cases`` numbers
scenarios consecutively so that holds).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from . import degrade, fraud, ledger, people, policy
from .money import d, make_salary, monthly_payment
from .render import id_card, income, payslip, statement
from .render import property as prop
from .render.common import Rendered

SCENARIOS: tuple[str, ...] = (
    "clean", "clean_income_certificate", "clean_consumer", "balance_broken", "pdf_edited",
    "id_check_char", "owner_other", "co_owned_no_consent", "income_low_condition",
    "income_low_reject", "payslip_arithmetic", "missing_document", "id_expired",
    "statement_short", "name_mismatch", "income_mismatch", "duplicate_first",
    "duplicate_second", "broken_files",
)

CODES: dict[str, list[str]] = {
    "clean": [], "clean_income_certificate": [], "clean_consumer": [],
    "balance_broken": ["fraud.balance_chain_broken"], "pdf_edited": ["fraud.pdf_edited"],
    "id_check_char": ["fraud.id_number_invalid"], "owner_other": ["owner.mismatch"],
    "co_owned_no_consent": ["owner.co_owner_consent_missing"],
    "income_low_condition": ["income.ratio_below_min"],
    "income_low_reject": ["income.ratio_below_min"],
    "payslip_arithmetic": ["fraud.payslip_arithmetic"],
    "missing_document": ["completeness.missing_document"],
    "id_expired": ["completeness.id_expired"],
    "statement_short": ["completeness.statement_too_short"],
    "name_mismatch": ["identity.name_mismatch"], "income_mismatch": ["fraud.income_mismatch"],
    "duplicate_first": [],
    "duplicate_second": ["fraud.duplicate_document", "identity.name_mismatch"],
    "broken_files": ["completeness.missing_document", "document.unreadable"],
}

RATIO_RANGE: dict[str, tuple[float, float]] = {
    "income_low_condition": (1.65, 1.85), "income_low_reject": (1.1, 1.3),
}


def case_id(seed: int) -> str:
    return f"2026-S{seed:04d}"


@dataclass
class CaseFile:
    name: str
    data: bytes
    truth: dict[str, object]


@dataclass
class Case:
    scenario: str
    seed: int
    application: dict[str, object]
    expected: dict[str, object]
    files: list[CaseFile] = field(default_factory=list)


class _Names:
    """File names that say nothing about the content, unique within a case."""

    def __init__(self, rng: random.Random, on: date) -> None:
        self.rng, self.on, self.used = rng, on, set[str]()

    def __call__(self, degradation: str, ext: str) -> str:
        while True:
            r = self.rng
            if ext == "pdf":
                name = r.choice((f"doc_{r.randrange(16**4):04x}.pdf",
                                 f"download ({r.randint(1, 9)}).pdf",
                                 f"{r.randint(10**9, 10**10 - 1)}.pdf"))
            elif degradation in ("photo", "rotated"):
                day = self.on - timedelta(days=r.randint(1, 30))
                hms = f"{r.randint(8, 22):02d}{r.randint(0, 59):02d}{r.randint(0, 59):02d}"
                name = r.choice((f"IMG_{r.randint(1000, 9999)}.jpg",
                                 f"微信图片_{day:%Y%m%d}{hms}.jpg",
                                 f"IMG_{day:%Y%m%d}_{hms}.jpg"))
            else:
                name = r.choice((f"scan{r.randint(1, 9999):04d}.{ext}",
                                 f"扫描件{r.randint(1, 99)}.{ext}",
                                 f"CamScanner {self.on:%m-%d-%Y} {r.randint(10, 23)}.{ext}"))
            if name not in self.used:
                self.used.add(name)
                return name


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return date(day.year + y, m + 1, min(day.day, 28))


def _truth(r: Rendered, degradation: str) -> dict[str, object]:
    return {"kind": r.kind, "degradation": degradation, "layout": r.layout, "font": r.font,
            "fields": dict(r.fields), "rows": [dict(x) for x in r.rows]}


def _image_file(names: _Names, r: Rendered, degradation: str, seed: int,
                fmt: str | None = None) -> CaseFile:
    data, ext = degrade.apply(r.pages[0], degradation, seed, fmt)
    return CaseFile(names(degradation, ext), data, _truth(r, degradation))


def _loan(rng: random.Random, scenario: str,
          income_: Decimal) -> tuple[dict[str, str | float | int], float]:
    if scenario == "clean_consumer":
        amount = rng.randint(10, 30) * 10000
        loan = {"amount": amount, "term_months": rng.choice((12, 24, 36)),
                "annual_rate": rng.choice((0.036, 0.042, 0.0485, 0.055)),
                "method": "interest_only"}
    else:
        method = "equal_principal" if scenario == "clean_income_certificate" else \
            "equal_installment"
        term = rng.choice((240, 300, 360))
        rate = rng.choice((0.0305, 0.0315, 0.0325, 0.0355, 0.0385))
        lo, hi = RATIO_RANGE.get(scenario, (2.4, 3.6))
        target = float(income_) / rng.uniform(lo, hi)
        unit = monthly_payment(1_000_000, term, rate, method) / 1_000_000
        amount = int(target / unit / 10000) * 10000
        while float(income_) / monthly_payment(amount, term, rate, method) > hi:
            amount += 10000
        while float(income_) / monthly_payment(amount, term, rate, method) < lo:
            amount -= 10000
        loan = {"amount": amount, "term_months": term, "annual_rate": rate, "method": method}
    pay = monthly_payment(float(loan["amount"]), int(loan["term_months"]),
                          float(loan["annual_rate"]), str(loan["method"]))
    return loan, pay


def make_case(scenario: str, seed: int) -> Case:
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    return _make_case(scenario, seed)


@lru_cache(maxsize=4)
def _make_case(scenario: str, seed: int) -> Case:
    rng = random.Random(f"{scenario}:{seed}")
    app_date = date(2026, 11, 1) + timedelta(days=rng.randint(0, 45))
    names = _Names(rng, app_date)
    person = people.make_person(rng, app_date, expired=scenario == "id_expired")
    if scenario == "id_check_char":
        person = replace(person, id_number=people.wrong_check_char(person.id_number))
    employer = people.make_employer(rng, person.region)
    bank = rng.choice(people.BANKS)
    salary = make_salary(rng, d(rng.randint(90, 400) * 100))
    files: list[CaseFile] = []
    expected_extra: dict[str, object] = {}

    # ID card, both sides
    front = id_card.render_front(id_card.front_fields(person), rng)
    back = id_card.render_back(id_card.back_fields(person), rng)
    files.append(_image_file(names, front, rng.choice(("photo", "scan")), rng.randrange(2**31)))
    back_fmt = "png" if scenario == "broken_files" else None
    back_file = _image_file(names, back, "scan" if back_fmt else rng.choice(("photo", "scan")),
                            rng.randrange(2**31), back_fmt)
    if scenario == "broken_files":  # a PNG whose name says .jpg
        back_file.name = back_file.name.rsplit(".", 1)[0] + ".jpg"
    files.append(back_file)

    # income proof
    period_month = _add_months(app_date.replace(day=1), -1)
    period = f"{period_month:%Y-%m}"
    if scenario == "duplicate_second":
        first = _make_case("duplicate_first", seed - 1)
        slip_file = next(f for f in first.files if f.truth["kind"] == "pay_slip")
        slip_truth = slip_file.truth["fields"]
        assert isinstance(slip_truth, dict)
        declared = Decimal(slip_truth["net_pay"])
        credit, credit_from = declared, str(slip_truth["employer"])
        files.append(CaseFile(names("photo", "jpg"), slip_file.data, slip_file.truth))
        expected_extra["depends_on"] = case_id(seed - 1)
    elif scenario == "clean_income_certificate":
        declared = d(int(salary.net / 100) * 100)
        credit, credit_from = salary.net, employer
        start = app_date - timedelta(days=rng.randint(2 * 365, 10 * 365))
        fields = income.make_fields(
            employer=employer, name=person.name, id_number=person.id_number,
            position=rng.choice(people.POSITIONS), start_date=start.isoformat(), income=declared,
            issue_date=(app_date - timedelta(days=rng.randint(3, 20))).isoformat())
        files.append(_image_file(names, income.render(fields, rng), "scan", rng.randrange(2**31)))
    else:
        slip_name = person.name
        if scenario == "name_mismatch":
            slip_name = people.alter_one_char(rng, person.name, person.sex)
        show_id = rng.random() < 0.5 and not scenario.startswith("duplicate")
        gross = None
        if scenario == "payslip_arithmetic":
            gross = salary.gross + d(rng.randint(6, 20) * 100)
        fields, extra = payslip.make_fields(
            salary, employer=employer, name=slip_name, period=period,
            id_number=person.id_number if show_id else "", gross_override=gross)
        declared = salary.net
        credit, credit_from = salary.net, employer
        if scenario == "income_mismatch":
            credit = d(salary.net * Decimal(str(round(rng.uniform(0.47, 0.53), 2))))
        deg = "photo" if scenario == "duplicate_first" else rng.choice(("photo", "scan"))
        files.append(_image_file(names, payslip.render(fields, extra, rng), deg,
                                 rng.randrange(2**31)))

    loan, payment = _loan(rng, scenario, declared)
    ratio = float(declared) / payment

    # property certificate
    if loan["method"] != "interest_only" and scenario != "missing_document":
        region = person.region
        owners, co = [person.name], "单独所有"
        if scenario == "owner_other":
            owners = [people.make_person(rng, app_date, region=region).name]
        elif scenario == "co_owned_no_consent":
            spouse_sex = "女" if person.sex == "男" else "男"
            owners = [person.name, people.make_person(rng, app_date, sex=spouse_sex).name]
            co = "共同共有"
        pf = prop.make_fields(rng, owners=owners, co_ownership=co, abbr=region.abbr,
                              region_code=region.code, district=region.district,
                              street=rng.choice(region.streets),
                              notes=prop.make_notes(rng, "none", region.city, region.district))
        files.append(_image_file(names, prop.render(pf, rng), "scan", rng.randrange(2**31)))

    # bank statement
    end = app_date - timedelta(days=rng.randint(2, 15))
    months = 3 if scenario == "statement_short" else rng.randint(7, 10)
    start = _add_months(end, -months) - timedelta(days=rng.randint(0, 10))
    existing = None
    spare = float(declared) * 0.45 - payment
    if spare > 400 and rng.random() < 0.5 and scenario not in RATIO_RANGE:
        existing = d(min(2000, int(spare * rng.uniform(0.3, 0.8) / 10) * 10))
    rows = ledger.make_rows(rng, start=start, end=end, salary=credit,
                            salary_day=rng.choice((5, 8, 10, 15, 20, 25)), employer=credit_from,
                            # savings of 8+ monthly payments: reserves are not what these
                            # scenarios are about
                            opening=d(int(payment * 8) + rng.randint(3000, 40000)),
                            loan_payment=existing,
                            loan_name=f"{rng.choice(people.BANKS).name}个人贷款")
    if scenario == "balance_broken":
        ledger.break_chain(rng, rows)
    st_fields = {"bank": bank.name, "holder_name": person.name,
                 "account_number": people.make_account(rng, bank),
                 "period_start": start.isoformat(), "period_end": end.isoformat()}
    printed = end + timedelta(days=rng.randint(1, 3))
    creation = f"D:{printed:%Y%m%d}{rng.randint(8, 17):02d}{rng.randint(0, 59):02d}00+08'00'"
    st = statement.render(st_fields, [r.truth() for r in rows], rng,
                          print_date=printed.isoformat(), creation=creation)
    pdf = st.pdf or b""
    truth = _truth(st, "digital_pdf")
    if scenario == "pdf_edited":
        edit_day = printed + timedelta(days=rng.randint(1, 5))
        pdf = fraud.edited_pdf(pdf, mod_date=f"D:{edit_day:%Y%m%d}2{rng.randint(0, 3)}1533+08'00'")
        truth["degradation"] = "edited_pdf"
    if scenario == "broken_files":
        files.append(CaseFile(names("pdf", "pdf"), fraud.truncated(pdf), _unknown("truncated")))
        files.append(CaseFile("IMG_0001.jpg", b"", _unknown("empty")))
        files.append(CaseFile(names("pdf", "pdf"), fraud.encrypted(pdf), _unknown("encrypted")))
    else:
        files.append(CaseFile(names("pdf", "pdf"), pdf, truth))

    codes = sorted(set(CODES[scenario]))
    application: dict[str, object] = {
        "case_id": case_id(seed), "product": "consumer" if scenario == "clean_consumer"
        else "mortgage", "application_date": app_date.isoformat(),
        "applicant": {"name": person.name, "id_number": person.id_number, "phone": person.phone},
        "loan": loan, "co_borrowers": [],
    }
    expected: dict[str, object] = {
        "scenario": scenario, "verdict": policy.verdict(codes, ratio), "finding_codes": codes,
        "figures": {"monthly_payment": payment, "monthly_income": float(declared),
                    "income_ratio": round(ratio, 2)},
        **expected_extra,
        "documents": {f.name: f.truth for f in files},
    }
    return Case(scenario, seed, application, expected, files)


def _unknown(degradation: str) -> dict[str, object]:
    return {"kind": "unknown", "degradation": degradation, "fields": {}, "rows": []}


def build_case(scenario: str, seed: int, out_dir: Path) -> Path:
    case = make_case(scenario, seed)
    folder = Path(out_dir) / case_id(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    (folder / "case.json").write_text(
        json.dumps(case.application, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (folder / "expected.json").write_text(
        json.dumps(case.expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for f in case.files:
        (folder / f.name).write_bytes(f.data)
    return folder
