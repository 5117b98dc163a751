"""What was read, kept as JSON beside the page images so another process (a
worker, a later re-run) can pick a document up without reading it again."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from ocr.types import (
    DocumentKind,
    Field,
    Page,
    PdfInfo,
    ReadDocument,
    ReadProblem,
    StatementRow,
)

PAGE_META = ("number", "has_text_layer", "rotation")


def document_key(case_id: str, document: ReadDocument) -> str:
    """Where a read document's derived objects live (one folder per document part)."""
    part = getattr(document, "part", None)
    suffix = f"-{part}" if part else ""
    return f"cases/{case_id}/documents/{document.sha256}{suffix}"


def document_to_json(document: ReadDocument) -> dict[str, Any]:
    """Everything read except the page pixels (those go to PNG files)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(document):
        value = getattr(document, f.name)
        if f.name == "pages":
            out["pages"] = [{k: getattr(p, k) for k in PAGE_META} for p in value]
        elif f.name == "fields":
            out["fields"] = {n: dataclasses.asdict(v) for n, v in value.items()}
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out[f.name] = dataclasses.asdict(value)
        elif isinstance(value, list):
            out[f.name] = [dataclasses.asdict(v) for v in value]
        else:
            out[f.name] = value.value if isinstance(value, DocumentKind) else value
    return out


def document_from_json(data: dict[str, Any],
                       page_image: Callable[[int], np.ndarray | None]) -> ReadDocument:
    """The inverse of ``document_to_json``; ``page_image(n)`` gives page n's pixels."""
    data = dict(data)
    pages = []
    for meta in data.pop("pages"):
        image = page_image(meta["number"])
        pages.append(Page(image=image if image is not None else np.zeros((1, 1, 3), np.uint8),
                          **{k: meta[k] for k in PAGE_META}))
    data["kind"] = DocumentKind(data["kind"])
    data["fields"] = {n: Field(**_tuple_bbox(v)) for n, v in data.get("fields", {}).items()}
    data["rows"] = [StatementRow(**_tuple_bbox(v)) for v in data.get("rows", [])]
    data["problems"] = [ReadProblem(**v) for v in data.get("problems", [])]
    data["pdf"] = PdfInfo(**data["pdf"]) if data.get("pdf") else None
    known = {f.name for f in dataclasses.fields(ReadDocument)}
    return ReadDocument(pages=pages, **{k: v for k, v in data.items() if k in known})


def _tuple_bbox(value: dict[str, Any]) -> dict[str, Any]:
    bbox = value.get("bbox")
    return {**value, "bbox": tuple(bbox) if bbox is not None else None}


def png(image: np.ndarray) -> bytes | None:
    ok, data = cv2.imencode(".png", image)
    return data.tobytes() if ok else None


def decode_png(data: bytes) -> np.ndarray | None:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return image if image is not None else None


def dumps(document: ReadDocument) -> bytes:
    return json.dumps(document_to_json(document), ensure_ascii=False).encode()
