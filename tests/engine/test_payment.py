import pytest

from engine.application import Loan
from engine.payment import monthly_payment, schedule


@pytest.mark.parametrize(("method", "expected"), [
    ("equal_installment", 4688.08),   # the annuity: 1,000,000 at 3.85% over 30 years
    ("equal_principal", 5986.11),     # first month: 2777.78 principal + 3208.33 interest
    ("interest_only", 3208.33),       # amount × rate / 12
])
def test_monthly_payment(method: str, expected: float) -> None:
    loan = Loan(amount=1_000_000, term_months=360, annual_rate=0.0385, method=method)
    assert monthly_payment(loan) == expected


def test_schedule_repays_the_principal() -> None:
    for method in ("equal_installment", "equal_principal", "interest_only"):
        loan = Loan(amount=120_000, term_months=24, annual_rate=0.06, method=method)
        rows = schedule(loan)
        assert len(rows) == 24
        assert sum(r[2] for r in rows) == pytest.approx(120_000, abs=0.05)


def test_zero_rate() -> None:
    loan = Loan(amount=12_000, term_months=12, annual_rate=0, method="equal_installment")
    assert monthly_payment(loan) == 1000.0
