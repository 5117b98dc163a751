"""The application (case.json) as the contract defines it."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import CaseNotFound, InvalidApplication


class RepaymentMethod(StrEnum):
    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_ONLY = "interest_only"  # 按月还息到期还本


class Person(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1)
    id_number: str = Field(min_length=15, max_length=18)
    phone: str | None = None


class Loan(BaseModel):
    amount: float = Field(gt=0)
    term_months: int = Field(gt=0, le=600)
    annual_rate: float = Field(ge=0, lt=1)
    method: RepaymentMethod


class Application(BaseModel):
    model_config = ConfigDict(extra="allow")
    case_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    product: str = Field(min_length=1)
    application_date: date
    applicant: Person
    loan: Loan
    co_borrowers: list[Person] = Field(default_factory=list)
    callback_url: str | None = None

    @property
    def borrowers(self) -> list[Person]:
        return [self.applicant, *self.co_borrowers]


def load_application(case_dir: Path) -> Application:
    """Read ``case.json`` from a case directory, with a clear error if it is wrong."""
    if not case_dir.is_dir():
        raise CaseNotFound(f"{case_dir} is not a directory: give the folder holding case.json")
    path = case_dir / "case.json"
    if not path.is_file():
        raise CaseNotFound(f"{path} is missing: every case folder needs a case.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidApplication(f"{path} is not valid JSON: {err}") from err
    try:
        application = Application.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise InvalidApplication(f"{path}: {problems}") from err
    if application.case_id is None:
        application.case_id = case_dir.name
    return application
