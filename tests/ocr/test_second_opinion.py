"""The other engine's vote: values RapidOCR read that decide a verdict (pay-slip
amounts, ID numbers) are read again by Tesseract; a difference leaves the value
too unsure to reject on."""

from __future__ import annotations

import random

import pytest

import ocr
from api.bench import rows_right
from ocr import engines
from ocr.kinds import pay_slip
from ocr.kinds.fields_text import after_label
from ocr.types import DocumentKind
from samples import degrade
from samples.corpus import render_kind

AMOUNTS = ("gross_pay", "social_insurance", "housing_fund", "income_tax", "net_pay")
FLOOR = 0.85  # rules/policy.yaml field_confidence_min


@pytest.fixture(scope="module")
def scanned_slip() -> tuple[bytes, dict[str, str]]:
    rendered = render_kind("pay_slip", random.Random(23), 1)
    data, _ = degrade.apply(rendered.pages[0], "scan", 23)
    return data, rendered.fields


def test_agreement_keeps_and_difference_caps_the_confidence() -> None:
    assert engines.agreed_confidence(0.97, "12000.00", "12000.00") == 0.97
    assert engines.agreed_confidence(0.97, "12000.00", None) == 0.97  # nothing usable read
    assert engines.agreed_confidence(0.97, "12000.00", "12800.00") < FLOOR


def test_amounts_both_engines_read_alike_stay_trusted(
        scanned_slip: tuple[bytes, dict[str, str]]) -> None:
    data, truth = scanned_slip
    with engines.forced("rapidocr"):
        doc = ocr.read_file("slip.png", data)
    assert doc.kind is DocumentKind.PAY_SLIP
    for name in AMOUNTS:
        assert doc.value(name) == truth[name]
        assert doc.fields[name].confidence >= FLOOR, name


def test_an_amount_tesseract_reads_otherwise_is_only_a_check_by_hand(
        scanned_slip: tuple[bytes, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    data, truth = scanned_slip
    monkeypatch.setattr(pay_slip, "second_opinions",
                        lambda crops, whitelist: ["99999.99"] * len(crops))
    with engines.forced("rapidocr"):
        doc = ocr.read_file("slip.png", data)
    for name in AMOUNTS:
        assert doc.value(name) == truth[name]  # the value stays what RapidOCR read …
        assert doc.fields[name].confidence < FLOOR, name  # … but no rule may reject on it


def test_a_letter_spaced_label_is_found() -> None:
    assert after_label("姓 名: 韦辉", "姓名|员工姓名") == "韦辉"
    assert after_label("员工姓名：张三", "姓名|员工姓名") == "张三"
    assert after_label("部门：财务部", "姓名|员工姓名") is None


def test_a_missed_statement_row_costs_one_row() -> None:
    want = [(f"2026-01-0{i}", "x") for i in range(1, 6)]
    assert rows_right(want[:2] + want[3:], want) == 4
    assert rows_right([], want) == 0
    assert rows_right(want, want) == 5
