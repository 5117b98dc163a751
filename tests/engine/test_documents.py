"""What was read survives the trip through JSON and PNG (a worker picks it up)."""

from __future__ import annotations

import numpy as np

from engine.documents import decode_png, document_from_json, document_to_json, png
from ocr.types import DocumentKind, Field, Page, PdfInfo, ReadDocument, ReadProblem, StatementRow


def _document() -> ReadDocument:
    image = np.zeros((40, 60, 3), np.uint8)
    image[10:20, 5:50] = (0, 0, 255)
    return ReadDocument(
        "流水.pdf", "ab" * 32, DocumentKind.BANK_STATEMENT, 0.97,
        [Page(1, image, has_text_layer=True, rotation=90)],
        fields={"bank": Field("bank", "中国银行", 1, (1, 2, 3, 4), 0.99)},
        rows=[StatementRow("2026-10-05", "工资", "12000.00", "15000.00", "某公司", 1,
                           (0, 0, 10, 10), 1.0)],
        pdf=PdfInfo("pdfTeX", "", "2026-10-31T00:00:00", "", 1, False),
        problems=[ReadProblem("read.kind_unknown", "x", 1)], seconds=0.5)


def test_round_trip_keeps_every_value() -> None:
    original = _document()
    images = {1: decode_png(png(original.pages[0].image) or b"")}
    copy = document_from_json(document_to_json(original), images.get)
    assert copy.fields == original.fields and copy.rows == original.rows
    assert copy.pdf == original.pdf and copy.problems == original.problems
    assert copy.kind is DocumentKind.BANK_STATEMENT and copy.kind_confidence == 0.97
    assert copy.pages[0].rotation == 90 and copy.pages[0].has_text_layer
    assert np.array_equal(copy.pages[0].image, original.pages[0].image)


def test_missing_page_image_is_a_blank_page_not_a_crash() -> None:
    copy = document_from_json(document_to_json(_document()), lambda n: None)
    assert copy.pages[0].number == 1 and copy.pages[0].image.shape == (1, 1, 3)
