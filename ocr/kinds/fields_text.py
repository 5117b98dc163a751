"""Helpers for kinds read from text lines: find a label, take its value."""

from __future__ import annotations

import re

from ..types import Field, Page, Word

AMOUNT = re.compile(r"(?<![\d.])-?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])")
ORG = re.compile(r"([\u4e00-\u9fff（）()]{2,30}?(?:有限责任公司|股份有限公司|有限公司|集团|公司|"
                 r"研究院|医院|学校|大学|事务所|银行[\u4e00-\u9fff]*?分行|中心))")
# What no address is written as: 单 not in 单元 (a property's 4单6元003 for 4单元1103, sure
# 0.912); a road's 路 twice (武路路 for 武珞路, on certificates and ID cards alike, sure
# 0.98: a rare character read as the 路 it holds).
MALFORMED_ADDRESS = re.compile(r"单(?![元县])|([路街巷道])\1")  # 单县: a county


def lines(pages: list[Page]) -> list[tuple[Page, Word]]:
    return [(page, line) for page in pages for line in page.words]


def field(name: str, value: str, page: Page, line: Word, confidence: float | None = None
          ) -> Field:
    return Field(name, value, page.number, line.bbox,
                 round(line.confidence if confidence is None else confidence, 3))


def after_label(text: str, labels: str) -> str | None:
    """The text after ``label:`` (full- or half-width colon, or just a space); a label
    printed letter-spaced ("姓 名") is found too."""
    spaced = "|".join(r"\s*".join(map(re.escape, label)) for label in labels.split("|"))
    m = re.search(rf"(?:{spaced})\s*[:：]?\s*(.+)", text)
    return m.group(1).strip() if m else None


def clean(text: str) -> str:
    """OCR noise Tesseract reads from table borders and quotes."""
    return re.sub(r"[”“\"'‘’|。〈〉<>「」]", " ", text).replace(";", ",")

