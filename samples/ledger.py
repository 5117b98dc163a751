"""Bank statement rows: a running balance that adds up, day by day."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .money import d, fmt
from .people import make_name

MERCHANTS = ("财付通-美团外卖", "支付宝-淘宝", "京东商城", "盒马鲜生", "中国石化加油站",
             "星巴克咖啡", "财付通-滴滴出行", "永辉超市", "支付宝-饿了么", "国家电网电费",
             "中国移动话费", "物业管理处", "拼多多", "华润万家", "海底捞餐饮")


@dataclass
class Row:
    date: date
    summary: str
    amount: Decimal
    balance: Decimal
    counterparty: str

    def truth(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "summary": self.summary,
                "amount": fmt(self.amount), "balance": fmt(self.balance),
                "counterparty": self.counterparty}


def make_rows(rng: random.Random, *, start: date, end: date, salary: Decimal, salary_day: int,
              employer: str, opening: Decimal, loan_payment: Decimal | None = None,
              loan_day: int = 18, loan_name: str = "个人贷款") -> list[Row]:
    """Rows from ``start`` to ``end`` inclusive; balance never drops below a floor."""
    events: list[tuple[date, int, str, Decimal, str]] = []  # date, order, summary, amount, cp
    friends = [make_name(rng, rng.choice(("男", "女"))) for _ in range(4)]
    day = start
    while day <= end:
        if day.day == salary_day:
            events.append((day, 0, "代发工资", salary, employer))
        if loan_payment is not None and day.day == loan_day:
            events.append((day, 1, "贷款还款", -loan_payment, loan_name))
        if day.month in (3, 6, 9, 12) and day.day == 21:
            events.append((day, 2, "结息", Decimal(0), ""))  # amount set from the balance
        r = rng.random()
        if r < 0.30:
            low, high = rng.choice(((12, 120), (50, 400), (80, 900)))
            amount = d(rng.uniform(low, high))
            events.append((day, 3, "消费", -amount, rng.choice(MERCHANTS)))
        elif r < 0.34:
            amount = d(rng.choice((200, 500, 800, 1000, 1500, 2000, 3000)))
            events.append((day, 4, "转账", -amount, rng.choice(friends)))
        elif r < 0.355:
            amount = d(rng.choice((100, 200, 300, 500, 1000, 2000)))
            events.append((day, 5, "ATM取现", -amount, "ATM取款"))
        elif r < 0.365:
            amount = d(rng.choice((100, 200, 300, 500, 666, 800)))
            events.append((day, 6, "转账", amount, rng.choice(friends)))
        day += timedelta(days=1)
    events.sort(key=lambda e: (e[0], e[1]))
    rows: list[Row] = []
    balance = opening
    floor = d(300)
    for when, _, summary, amount, cp in events:
        if summary == "结息":
            amount = d(balance * Decimal("0.0005") + Decimal(rng.randint(0, 99)) / 100)
            if amount <= 0:
                continue
        if amount < 0 and balance + amount < floor and summary != "贷款还款":
            continue
        balance += amount
        rows.append(Row(when, summary, amount, balance, cp))
    return rows


def break_chain(rng: random.Random, rows: list[Row]) -> int:
    """Change one expense's printed amount (balances stay): returns the row's index."""
    candidates = [i for i, r in enumerate(rows) if i > 2 and r.summary in ("消费", "转账")
                  and r.amount < 0]
    i = rng.choice(candidates)
    delta = d(rng.choice((300, 500, 800, 1200)))
    rows[i].amount = rows[i].amount - delta if rng.random() < 0.5 else rows[i].amount + delta
    if rows[i].amount >= 0:
        rows[i].amount = rows[i].amount - 2 * delta
    return i


def chain_breaks(rows: list[dict[str, str]]) -> list[int]:
    """Indexes of rows whose balance is not previous balance + amount."""
    out = []
    for i in range(1, len(rows)):
        prev = Decimal(rows[i - 1]["balance"])
        if prev + Decimal(rows[i]["amount"]) != Decimal(rows[i]["balance"]):
            out.append(i)
    return out
