"""Income certificates (收入证明): a letter. Its lines are joined into one text
(sentences wrap), each field found by the words around it, its box the line
it sits on. The red seal is taken out before the signature is read again; the
amount in 大写 is checked against the digits."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import cast

import cv2
import numpy as np

from .. import image as im
from .. import normalize as norm
from ..engines import read_line, recognise
from ..types import Field, Page, ReadProblem, Word
from . import KindResult
from .fields_text import ID_NUMBER, ORG

CJK = r"[\u4e00-\u9fff]"
LETTERHEAD_LINES = 3  # the employer's name printed above the title
DATE = r"\d{4}\s*[年./\-]\s*\d{1,2}\s*[月./\-]\s*\d{1,2}\s*日?"
PATTERNS: dict[str, re.Pattern[str]] = {
    "employee_name": re.compile(rf"兹(?:证明|有|证)\s*[:：]?\s*(?:我单位|本单位|我司)?"
                                rf"(?:员工|职工)?\s*({CJK}{{2,4}}?)\s*"
                                rf"(?:同志|先生|女士|身份证|，|,|\(|（|系|于|自|在)"),
    "start_date": re.compile(rf"(?:自|于|从)\s*({DATE})\s*(?:起|入职|开始|进入)"),
    "position": re.compile(rf"(?:现任|担任|任)\s*({CJK}{{2,10}}?)\s*"
                           r"(?:职务|一职|岗位|职位|。|，|,)"),
    "monthly_income": re.compile(r"月(?:收入|薪|工资)[^\d]{0,16}?([\d,，]+(?:\.\d{1,2})?)\s*元"),
    "monthly_income_capital": re.compile(r"大写\s*[)）]?\s*[:：]?\s*(?:人民币)?\s*"
                                         r"([零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正]{2,})"),
}


def read(pages: list[Page]) -> KindResult:
    result = KindResult()
    text, spans = _joined(pages)
    for name, pattern in PATTERNS.items():
        if m := pattern.search(text):
            _put(result, name, m.group(1), m.start(1), spans)
    if m := ID_NUMBER.search(text):
        _put(result, "id_number", m.group(1).upper(), m.start(1), spans)
    dates = list(re.finditer(DATE, text))
    if dates and dates[-1].start() > len(text) * 0.6:
        _put(result, "issue_date", dates[-1].group(0), dates[-1].start(), spans)
    _employer(result, pages, text, spans)
    _check_capital(result)
    return result


def _joined(pages: list[Page]) -> tuple[str, list[tuple[int, Page, Word]]]:
    text, spans = "", []
    for page in pages:
        for line in page.words:
            spans.append((len(text), page, line))
            text += norm.fullwidth_to_ascii(line.text).replace(" ", "")
    return text, spans


def _where(offset: int, spans: list[tuple[int, Page, Word]]) -> tuple[Page, Word]:
    start, page, line = spans[0]
    for start, p, w in spans:
        if start > offset:
            break
        page, line = p, w
    return page, line


def _put(result: KindResult, name: str, raw: str, offset: int,
         spans: list[tuple[int, Page, Word]]) -> None:
    value = _normal(name, raw)
    if value:
        page, line = _where(offset, spans)
        result.fields[name] = Field(name, value, page.number, line.bbox,
                                    round(line.confidence, 3))


def _normal(name: str, raw: str) -> str | None:
    if name in ("start_date", "issue_date"):
        return norm.iso_date(raw)
    if name == "monthly_income":
        return norm.amount(raw.replace("，", ","))
    if name == "employee_name":
        return norm.chinese_name(raw)
    return raw.strip() or None


def _employer(result: KindResult, pages: list[Page], text: str,
              spans: list[tuple[int, Page, Word]]) -> None:
    """The signature line, read again with the red seal taken out; where the
    employer's letterhead prints the name too, the two readings are compared: the
    same name is trusted, a different one gives way to the letterhead (printed
    clear of any seal)."""
    signed = _signature_employer(spans)
    head = _letterhead_employer(spans)
    if signed and head and signed.value != head.value:
        signed = head
    elif signed and head:
        signed = replace(signed, confidence=max(signed.confidence, head.confidence))
    if found := signed or head:
        result.fields["employer"] = found
    elif m := ORG.search(text):
        _put(result, "employer", m.group(1), m.start(1), spans)


def _signature_employer(spans: list[tuple[int, Page, Word]]) -> Field | None:
    for _offset, page, line in reversed(spans):
        if "盖章" in line.text or "公章" in line.text or ORG.search(line.text):
            seal_free = without_red(im.crop(page.image, line.bbox, pad=6))
            again, confidence = recognise([seal_free])[0]
            if not again:
                again, confidence = read_line(seal_free, lang="chi_sim", psm=7)
            for candidate, conf in ((again, confidence), (line.text, line.confidence)):
                if m := ORG.search(norm.fullwidth_to_ascii(candidate).replace(" ", "")):
                    return Field("employer", m.group(1), page.number, line.bbox, round(conf, 3))
            return None
    return None


def _letterhead_employer(spans: list[tuple[int, Page, Word]]) -> Field | None:
    """A line above the title (收入证明) that is nothing but an organisation's name."""
    for _offset, page, line in spans[:LETTERHEAD_LINES]:
        flat = norm.fullwidth_to_ascii(line.text).replace(" ", "")
        if "证明" in flat:
            return None
        if (m := ORG.fullmatch(flat)) and page.number == 1:
            return Field("employer", m.group(1), page.number, line.bbox,
                         round(line.confidence, 3))
    return None


def without_red(image: np.ndarray) -> np.ndarray:
    """Paint red (a seal) white, keep dark text."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    red = cast(np.ndarray, cv2.inRange(hsv, (0, 60, 60), (12, 255, 255))) | cast(
        np.ndarray, cv2.inRange(hsv, (160, 60, 60), (180, 255, 255)))
    out = image.copy()
    out[red > 0] = (255, 255, 255)
    return out


def _check_capital(result: KindResult) -> None:
    digits, capital = result.fields.get("monthly_income"), result.fields.get(
        "monthly_income_capital")
    if not digits or not capital:
        return
    parsed = norm.capital_amount(capital.value)
    if parsed is not None and parsed != digits.value:
        result.fields["monthly_income"] = Field(digits.name, digits.value, digits.page,
                                                digits.bbox, min(digits.confidence, 0.5))
        result.problems.append(ReadProblem(
            "read.amount_capital_mismatch",
            f"月收入数字 {digits.value} 与大写 {capital.value} 不一致：请人工核对收入证明 / "
            "the amount in figures and in words differ: check the certificate by hand",
            digits.page))
