"""Income certificates (收入证明): a letter. Its lines are joined into one text
(sentences wrap), each field found by the words around it, its box the line
it sits on. The red seal sits on the signature and the date under it: those two
lines are read again from their red channel (where the seal's ink is as light
as the paper), the signature's crop widened to the body's left margin (the
seal hides its start from the page's detector). The amount in 大写 is checked
against the digits."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import cast

import cv2
import numpy as np

from .. import engines
from .. import image as im
from .. import normalize as norm
from ..engines import detect_and_read, read_line, recognise
from ..types import Field, Page, ReadProblem, Word
from . import KindResult
from .fields_text import ID_NUMBER, ORG
from .id_number import valid_number

CJK = r"[\u4e00-\u9fff]"
LETTERHEAD_LINES = 3  # the employer's name printed above the title
DATE = r"\d{4}\s*[年./\-]\s*\d{1,2}\s*[月./\-]\s*\d{1,2}\s*日?"
# a date whose year the seal blurred, or its month (2026年九月17日)
SEALED_DATE = r"\d{1,4}\D?\d{1,2}月\d{1,2}日|\d{4}年\D{1,2}月\d{1,2}日"
PATTERNS: dict[str, re.Pattern[str]] = {
    "employee_name": re.compile(rf"兹(?:证明|有|证)\s*[:：]?\s*(?:我单位|本单位|我司)?"
                                rf"(?:员工|职工)?\s*({CJK}{{2,4}}?)\s*"
                                rf"(?:同志|先生|女士|身份证|，|,|\(|（|系|于|自|在)"),
    # 入职 read 入款 in a photo: 入 is enough
    "start_date": re.compile(rf"(?:自|于|从)\s*({DATE})\s*(?:起|入|开始|进入)"),
    # 任 alone only where a clause starts: 员工任飞超， is a name (surname 任), not a post
    "position": re.compile(rf"(?:现任|担任|(?<=[，,。;；])任)\s*({CJK}{{2,10}}?)\s*"
                           r"(?:职务|一职|岗位|职位|。|，|,|·|\.)"),  # 。 read as · or .
    "monthly_income": re.compile(r"月(?:收入|薪|工资)[^\d]{0,16}?(\d[\d,，.]*)\s*元"),
    "monthly_income_capital": re.compile(r"大写\s*[)）]?\s*[:：]?\s*(?:人民币)?\s*"
                                         r"([零壹贰叁参肆伍陆柒捌玖拾佰仟万亿元圆角分整正]{2,})"),
}
# 兹 misread (慈 for 兹证明): the name is still the one the ID number follows
EMPLOYEE_BEFORE_ID = re.compile(rf"(?:证明|有我单位员工|有我单位职工|有本单位员工)"
                                rf"({CJK}{{2,4}}?)[，,、(（:：]身.?证")  # 身6证号: 份 misread
# the line signed （盖章）, its words half under the seal (北京正 盖）)
SIGNED = re.compile(r"盖章|公章|[(（]盖|盖[)）]")
# 参 is the old form of 叁 and what the recogniser often reads for it
CAPITAL_VARIANTS = str.maketrans({"参": "叁"})
YEAR_WIDTH = 3  # line heights: a year and 年, where a seal hid them
# the date read again stretched sideways: a narrow digit repeated (11月) gets steps of its
# own and is not read once (2026年1月8日, 0.9998 sure, read so by both passes unstretched)
DATE_STRETCH = 1.5
UNSURE = 0.8  # below field_confidence_min: a value to check by hand
# an ID number whose check character X a photo read as a mark (32010619780301419%)
_X_MISREAD = re.compile(r"(?<![\dA-Za-z])(\d{17})[%×※*]")


def read(pages: list[Page]) -> KindResult:
    result = KindResult()
    text, spans = _joined(pages)
    for name, pattern in PATTERNS.items():
        if m := pattern.search(text) or (name == "employee_name" and
                                         EMPLOYEE_BEFORE_ID.search(text)):
            _put(result, name, m.group(1), m.start(1), spans)
    if m := ID_NUMBER.search(text):
        _put(result, "id_number", m.group(1).upper(), m.start(1), spans)
    elif (m := _X_MISREAD.search(text)) and valid_number(m.group(1) + "X"):
        _put(result, "id_number", m.group(1) + "X", m.start(1), spans)  # the check says X
    _issue_date(result, text, spans)
    _employer(result, pages, text, spans)
    _check_capital(result)
    return result


def _issue_date(result: KindResult, text: str, spans: list[tuple[int, Page, Word]]) -> None:
    """The last date of the letter, under the seal: its line read again without
    the seal's red. The two readings agreeing is trusted; differing, the seal-free
    one is kept as unsure."""
    last = _last_date(text, spans)
    if last is None or last[0] <= len(text) * 0.6:
        return
    offset, date = last
    if re.fullmatch(DATE, date):
        _put(result, "issue_date", date, offset, spans)
    page, line = _where(offset, spans)
    x0, y0, x1, y1 = line.bbox
    if not re.match(r"\d{4}", date):  # the seal hid the year from the page's detector too
        x0 = max(0, x0 - YEAR_WIDTH * (y1 - y0))
    crop = red_channel(im.crop(page.image, (x0, y0, x1, y1), pad=4))
    wide = cv2.resize(crop, None, fx=DATE_STRETCH, fy=1.0, interpolation=cv2.INTER_CUBIC)
    again, _ = recognise([wide])[0]
    found = re.search(DATE, norm.fullwidth_to_ascii(again).replace(" ", ""))
    seal_free = norm.iso_date(found.group(0)) if found else None
    first = result.fields.get("issue_date")
    if seal_free and (first is None or first.value != seal_free):
        confidence = min(line.confidence, UNSURE)
        result.fields["issue_date"] = Field("issue_date", seal_free, page.number, line.bbox,
                                            round(confidence, 3))
    issued = result.fields.get("issue_date")
    if issued is not None and not _ones_told_apart(wide, issued.value):
        result.fields["issue_date"] = replace(issued, confidence=min(issued.confidence, UNSURE))


def _ones_told_apart(wide: np.ndarray, value: str) -> bool:
    """Whether the date's line, stretched, reads likeliest as the month and day read,
    of those a 1 read once for 11 (or 11 for 1) would give: both passes read 2026年11月27日
    as 2026年1月27日 (seed 127's photo, sure 0.927), where the stretched line's
    character probabilities made 11月 the likelier."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if found is None:
        return True
    year, month, day = found.group(1), int(found.group(2)), int(found.group(3))
    pairs = {(m, d) for m in _ONES.get(month, (month,)) for d in _ONES.get(day, (day,))
             if m <= 12}
    if len(pairs) == 1:
        return True
    written = {form.format(year, m, d): (m, d) for m, d in pairs for form in _DATE_FORMS}
    choice = engines.read_as_one_of(wide, list(written), free_start=True, free_end=True)
    return choice is None or written[choice.value] == (month, day)


_ONES = {1: (1, 11), 11: (1, 11)}  # a month or day a doubled narrow 1 may hide
_DATE_FORMS = ("{}年{}月{}日", "{}年{:02d}月{:02d}日")


def _last_date(text: str, spans: list[tuple[int, Page, Word]]) -> tuple[int, str] | None:
    """The letter's last date within one line, and where it starts in ``text``: the
    date under a seal stands on its own line, and a seal hiding its year must not
    leave it the digits ending the line above (联系电话：026-87205170 over 年12月6日
    read as 5170年12月6日)."""
    ends = [start for start, _, _ in spans[1:]] + [len(text)]
    for (start, _, _), end in reversed(list(zip(spans, ends, strict=True))):
        if found := list(re.finditer(f"{DATE}|{SEALED_DATE}", text[start:end])):
            return start + found[-1].start(), found[-1].group(0)
    return None


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
        return norm.amount(norm.comma_points(raw.replace("，", ",")))
    if name == "monthly_income_capital":
        return raw.translate(CAPITAL_VARIANTS)
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
    elif found := _above_the_date(spans):
        result.fields["employer"] = found


def _signature_employer(spans: list[tuple[int, Page, Word]]) -> Field | None:
    """The line signed ``…（盖章）``, found again without the seal: its pieces
    detected and read in the red channel of the line's band from the body's left
    margin (the seal hides the start of the name from the page's detector, and
    the crop's seal-covered edge reads as a stray character). The seal-free reading
    and the plain one agreeing is trusted; else the seal-free one is unsure."""
    margin = min(line.bbox[0] for _, _, line in spans)
    for _offset, page, line in reversed(spans):
        if SIGNED.search(line.text) or ORG.search(line.text):
            x0, y0, x1, y1 = line.bbox
            band = red_channel(im.crop(page.image, (min(x0, margin), y0, x1, y1), pad=6))
            pieces = detect_and_read(band)
            found = _org("".join(p.text for p in pieces)) or _org(
                read_line(band, lang="chi_sim", psm=7)[0])
            others = [_org(line.text), _org(recognise([band])[0][0])]
            found = found or others[0] or others[1]
            if found is None:
                return None
            conf = line.confidence
            if found not in others:
                conf = min(conf, UNSURE, *(p.confidence for p in pieces))
            return Field("employer", found, page.number, line.bbox, round(conf, 3))
    return None


def _above_the_date(spans: list[tuple[int, Page, Word]]) -> Field | None:
    """The signature the page's detector did not find at all (its seal over it on a
    clean page: seed 61): the band between the letter's date and the line above it,
    read in its red channel, as unsure."""
    if len(spans) < 2 or not re.search(f"{DATE}|{SEALED_DATE}", spans[-1][2].text):
        return None
    (_, page, above), (_, _, date) = spans[-2], spans[-1]
    height = date.bbox[3] - date.bbox[1]
    if date.bbox[1] - above.bbox[3] < SIGNATURE_GAP * height:
        return None
    margin = min(line.bbox[0] for _, _, line in spans)
    right = max(line.bbox[2] for _, _, line in spans)
    band = red_channel(im.crop(page.image, (margin, above.bbox[3], right, date.bbox[1])))
    pieces = detect_and_read(band)
    found = _org("".join(p.text for p in pieces))
    if found is None:
        return None
    box = (margin, above.bbox[3], right, date.bbox[1])
    conf = min([UNSURE, *(p.confidence for p in pieces)])
    return Field("employer", found, page.number, box, round(conf, 3))


SIGNATURE_GAP = 0.8  # line heights between the date and the line above: room for a signature


def _org(text: str) -> str | None:
    m = ORG.search(norm.fullwidth_to_ascii(text).replace(" ", ""))
    return m.group(1) if m else None


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


def red_channel(image: np.ndarray) -> np.ndarray:
    """The red channel as a grey picture: a red seal's ink is about as light as the
    paper there (even faded in a photo, where painting "red" pixels white misses
    its pale edges), black text stays black, text under the seal stays whole."""
    red = image[:, :, 2] if image.ndim == 3 else image
    return cast(np.ndarray, cv2.cvtColor(np.ascontiguousarray(red), cv2.COLOR_GRAY2BGR))


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
