"""Money: amounts as Decimal, loan payments, pay-slip arithmetic, 大写."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import cn2an

CENT = Decimal("0.01")


def d(value: float | int | str | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Normalised ground-truth form: two decimals, no separators, ``-`` when negative."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"


def fmt_thousands(value: Decimal, plus: bool = False) -> str:
    text = f"{abs(value):,.2f}"
    if value < 0:
        return "-" + text
    return ("+" + text) if plus else text


def capital(value: Decimal) -> str:
    """人民币大写, e.g. 壹万伍仟元整."""
    return str(cn2an.an2cn(fmt(value), "rmb"))


def capital_back(text: str) -> Decimal:
    return d(cn2an.cn2an(text, "smart"))


def monthly_payment(amount: float, term_months: int, annual_rate: float, method: str) -> float:
    """The domain's figure: annuity, first month of equal principal, or interest only."""
    r = annual_rate / 12
    if method == "equal_installment":
        pay = amount * r * (1 + r) ** term_months / ((1 + r) ** term_months - 1)
    elif method == "equal_principal":
        pay = amount / term_months + amount * r
    elif method == "interest_only":
        pay = amount * r
    else:
        raise ValueError(method)
    return round(pay + 1e-9, 2)


def amount_for_payment(payment: float, term_months: int, annual_rate: float, method: str) -> float:
    """Inverse of monthly_payment (before rounding the amount)."""
    unit = monthly_payment(1_000_000, term_months, annual_rate, method) / 1_000_000
    return payment / unit


# Individual income tax, monthly table applied to one month (a simplification of
# the cumulative withholding method; what matters is that the slip adds up).
_TAX_TABLE = ((3000, 0.03, 0), (12000, 0.10, 210), (25000, 0.20, 1410),
              (35000, 0.25, 2660), (55000, 0.30, 4410), (80000, 0.35, 7160))


def income_tax(taxable: Decimal) -> Decimal:
    if taxable <= 0:
        return d(0)
    for limit, rate, quick in _TAX_TABLE:
        if taxable <= limit:
            return d(taxable * Decimal(str(rate)) - quick)
    return d(taxable * Decimal("0.45") - 15160)


@dataclass(frozen=True)
class Salary:
    gross: Decimal
    pension: Decimal  # 养老 8%
    medical: Decimal  # 医疗 2%
    unemployment: Decimal  # 失业 0.5%
    housing_fund: Decimal
    tax: Decimal
    other: Decimal
    net: Decimal

    @property
    def social_insurance(self) -> Decimal:
        return self.pension + self.medical + self.unemployment


def make_salary(rng: random.Random, gross: Decimal) -> Salary:
    base = d(min(gross, Decimal(35000)))
    pension = d(base * Decimal("0.08"))
    medical = d(base * Decimal("0.02"))
    unemployment = d(base * Decimal("0.005"))
    hf = d(base * Decimal(rng.choice(("0.07", "0.08", "0.10", "0.12"))))
    tax = income_tax(gross - pension - medical - unemployment - hf - 5000)
    other = d(rng.choice((0, 0, 0, 20, 50, 100, 150)))
    net = gross - pension - medical - unemployment - hf - tax - other
    return Salary(gross, pension, medical, unemployment, hf, tax, other, d(net))

