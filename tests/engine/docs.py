"""Read documents built by hand, for engine tests that need no OCR."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from engine.application import Application
from ocr.types import DocumentKind, Field, Page, PdfInfo, ReadDocument, StatementRow

NAME, ID_NUMBER = "王小明", "110105199003071239"


def application(**changes: object) -> Application:
    raw = {
        "case_id": "T-0001", "product": "mortgage", "application_date": "2026-11-01",
        "applicant": {"name": NAME, "id_number": ID_NUMBER},
        "loan": {"amount": 1000000, "term_months": 360, "annual_rate": 0.0385,
                 "method": "equal_installment"},
        "co_borrowers": [],
    }
    raw.update(changes)
    return Application.model_validate(raw)


def doc(kind: DocumentKind, file: str, fields: dict[str, str], rows: list[StatementRow] = (),
        pdf: PdfInfo | None = None) -> ReadDocument:
    page = Page(1, np.full((100, 100, 3), 255, np.uint8))
    return ReadDocument(
        file=file, sha256=f"sha-{file}", kind=kind, kind_confidence=0.99, pages=[page],
        fields={n: Field(n, v, 1, (1, 2, 30, 12), 0.95) for n, v in fields.items()},
        rows=list(rows), pdf=pdf)


def statement_rows(months: int = 7, salary: float = 12000.0, end: date = date(2026, 10, 20)
                   ) -> list[StatementRow]:
    rows, balance, day = [], 5000.0, end - timedelta(days=30 * months)
    while day <= end:
        for summary, amount in (("代发工资", salary), ("消费", -1234.5)):
            balance = round(balance + amount, 2)
            rows.append(StatementRow(day.isoformat(), summary, f"{amount:.2f}",
                                     f"{balance:.2f}", "某某科技有限公司", 1, (0, 0, 10, 10),
                                     1.0))
        day += timedelta(days=30)
    return rows


def clean_documents(**over: dict[str, str]) -> list[ReadDocument]:
    rows = statement_rows()
    docs = [
        doc(DocumentKind.ID_CARD_FRONT, "a.jpg", {"name": NAME, "sex": "男",
                                                  "id_number": ID_NUMBER}),
        doc(DocumentKind.ID_CARD_BACK, "b.jpg", {"valid_until": "2035-06-01"}),
        doc(DocumentKind.PAY_SLIP, "c.jpg", {"employee_name": NAME, "gross_pay": "15000.00",
                                             "social_insurance": "1200.00",
                                             "housing_fund": "1200.00", "income_tax": "600.00",
                                             "net_pay": "12000.00"}),
        doc(DocumentKind.BANK_STATEMENT, "d.pdf", {"holder_name": NAME,
                                                   "period_start": rows[0].date,
                                                   "period_end": rows[-1].date}, rows,
            PdfInfo("Bank Statement System", "", "2026-10-21T09:00:00",
                    "2026-10-21T09:00:00", 1, False)),
        doc(DocumentKind.PROPERTY_CERTIFICATE, "e.png", {"owners": NAME,
                                                          "co_ownership": "单独所有",
                                                          "other_status": "", "notes": ""}),
    ]
    for d in docs:
        for name, value in over.get(d.kind.value, {}).items():
            d.fields[name] = Field(name, value, 1, (1, 2, 30, 12), 0.95)
    return docs
