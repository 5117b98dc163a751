"""Evidence: where on which page a value was read."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ocr.types import BBox, Field, ReadDocument


@dataclass(frozen=True)
class Evidence:
    file: str
    page: int | None
    field: str
    value: str
    bbox: BBox | None
    confidence: float | None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["bbox"] = list(self.bbox) if self.bbox else None
        return data


def of_field(doc: ReadDocument, name: str) -> list[Evidence]:
    found: Field | None = doc.fields.get(name)
    if found is None:
        return []
    return [Evidence(doc.file, found.page, name, found.value, found.bbox, found.confidence)]


def of_document(doc: ReadDocument) -> Evidence:
    return Evidence(doc.file, 1 if doc.pages else None, "kind", doc.kind.value, None,
                    round(doc.kind_confidence, 3))


def of_application(field: str, value: Any) -> Evidence:
    return Evidence("case.json", None, field, str(value), None, None)
