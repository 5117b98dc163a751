"""What a bank statement shows: period, running balance, salary credits, debts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ocr.types import ReadDocument, StatementRow

SALARY = re.compile(r"代发|工资|薪|奖金")
LOAN_REPAYMENT = re.compile(r"贷款还款|还贷|房贷|车贷|按揭|贷款归还|信用贷")


@dataclass(frozen=True)
class BalanceBreak:
    index: int  # 0-based row index in the statement
    row: StatementRow
    expected: float


def money(text: str | None) -> float | None:
    try:
        return float(str(text).replace(",", "")) if text not in (None, "") else None
    except ValueError:
        return None


def day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


def period(doc: ReadDocument) -> tuple[date | None, date | None]:
    """The statement's period: printed in its header, else its first and last rows."""
    dates = [d for d in (day(r.date) for r in doc.rows) if d]
    start = day(doc.value("period_start")) or (min(dates) if dates else None)
    end = day(doc.value("period_end")) or (max(dates) if dates else None)
    return start, end


def months_between(start: date, end: date) -> float:
    return round(((end - start).days + 1) / 30.44, 1)


def balance_breaks(rows: list[StatementRow]) -> tuple[int, list[BalanceBreak]]:
    """Check that each row's balance is the previous balance plus its amount.
    Statements printed newest first are checked in that order too; the order
    with fewer breaks is the one the bank used. Returns (rows checked, breaks)."""
    values = [(money(r.amount), money(r.balance)) for r in rows]
    if len(values) < 2 or any(a is None or b is None for a, b in values):
        return 0, []
    forward = _breaks(rows, values, newest_first=False)
    backward = _breaks(rows, values, newest_first=True)
    return len(rows) - 1, min(forward, backward, key=len)


def _breaks(rows: list[StatementRow], values: list[tuple[float | None, float | None]],
            newest_first: bool) -> list[BalanceBreak]:
    out = []
    for i in range(1, len(values)):
        amount, balance = values[i]
        prev_amount, prev_balance = values[i - 1]
        assert amount is not None and balance is not None
        assert prev_amount is not None and prev_balance is not None
        if newest_first:  # row i is older: its balance + the newer row's amount = newer balance
            expected, printed, index = balance + prev_amount, prev_balance, i - 1
        else:
            expected, printed, index = prev_balance + amount, balance, i
        if abs(expected - printed) > 0.005:
            out.append(BalanceBreak(index, rows[index], round(expected, 2)))
    return out


def salary_rows(rows: list[StatementRow]) -> list[StatementRow]:
    return [r for r in rows if SALARY.search(r.summary) and (money(r.amount) or 0) > 0]


def loan_repayment_rows(rows: list[StatementRow]) -> list[StatementRow]:
    return [r for r in rows if LOAN_REPAYMENT.search(r.summary) and (money(r.amount) or 0) < 0]


def monthly_average(rows: list[StatementRow]) -> tuple[float, int]:
    """Average per calendar month that has such rows, and the number of months."""
    by_month: dict[str, float] = {}
    for r in rows:
        by_month[r.date[:7]] = by_month.get(r.date[:7], 0.0) + abs(money(r.amount) or 0.0)
    if not by_month:
        return 0.0, 0
    return round(sum(by_month.values()) / len(by_month), 2), len(by_month)
