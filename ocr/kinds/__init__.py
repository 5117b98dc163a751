"""Per-kind field readers. Each module ``ocr.kinds.<kind>`` has
``read(pages: list[Page]) -> KindResult``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ..types import DocumentKind, Field, Page, ReadProblem, StatementRow


@dataclass
class KindResult:
    fields: dict[str, Field] = field(default_factory=dict)
    rows: list[StatementRow] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


_MODULES = {
    DocumentKind.ID_CARD_FRONT: "id_card",
    DocumentKind.ID_CARD_BACK: "id_card",
    DocumentKind.PROPERTY_CERTIFICATE: "property_certificate",
    DocumentKind.PAY_SLIP: "pay_slip",
    DocumentKind.INCOME_CERTIFICATE: "income_certificate",
    DocumentKind.BANK_STATEMENT: "bank_statement",
}


def read_kind(kind: DocumentKind, pages: list[Page]) -> KindResult:
    module_name = _MODULES.get(kind)
    if module_name is None:
        return KindResult()
    module = importlib.import_module(f"{__name__}.{module_name}")
    if module_name == "id_card":
        return module.read(pages, kind)  # type: ignore[no-any-return]
    return module.read(pages)  # type: ignore[no-any-return]
