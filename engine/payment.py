"""Monthly payment (月供) for the three repayment methods the banks use."""

from __future__ import annotations

from .application import Loan, RepaymentMethod


def monthly_payment(loan: Loan) -> float:
    """The payment the income must cover: for 等额本金 the first (largest) month."""
    principal, months, rate = loan.amount, loan.term_months, loan.annual_rate / 12
    if loan.method is RepaymentMethod.EQUAL_INSTALLMENT:
        if rate == 0:
            return round(principal / months, 2)
        factor = (1 + rate) ** months
        return round(principal * rate * factor / (factor - 1), 2)
    if loan.method is RepaymentMethod.EQUAL_PRINCIPAL:
        return round(principal / months + principal * rate, 2)
    return round(principal * rate, 2)


def schedule(loan: Loan) -> list[tuple[int, float, float, float]]:
    """(month, payment, principal part, interest part) for every month."""
    rows: list[tuple[int, float, float, float]] = []
    balance, rate = loan.amount, loan.annual_rate / 12
    fixed = monthly_payment(loan)
    for month in range(1, loan.term_months + 1):
        interest = balance * rate
        if loan.method is RepaymentMethod.EQUAL_INSTALLMENT:
            principal_part = fixed - interest
        elif loan.method is RepaymentMethod.EQUAL_PRINCIPAL:
            principal_part = loan.amount / loan.term_months
        else:
            principal_part = loan.amount if month == loan.term_months else 0.0
        if month == loan.term_months:
            principal_part = balance
        balance -= principal_part
        rows.append((month, round(principal_part + interest, 2), round(principal_part, 2),
                     round(interest, 2)))
    return rows
