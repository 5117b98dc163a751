"""Pay slips (工资条): a vertical list (label: amount per line) or a one-row
table (a line of labels over a line of values)."""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .. import engines
from .. import image as im
from .. import normalize as norm
from ..engines import agreed_confidence, detect_and_read, second_opinions
from ..tesseract import AMOUNT_CHARS
from ..types import BBox, Field, Page, Word
from . import KindResult, char_width, value_box
from .fields_text import (
    AMOUNT,
    ID_NUMBER,
    ORG,
    after_label,
    clean,
    field,
    lines,
)

LABELS: dict[str, tuple[str, ...]] = {
    "gross_pay": ("应发工资", "应发合计", "应发金额", "税前工资"),
    "net_pay": ("实发工资", "实发金额", "实发合计", "实领工资", "实发"),
    "social_insurance": ("社会保险", "社保个人", "社保"),
    "pension": ("养老保险",),
    "medical": ("医疗保险",),
    "unemployment": ("失业保险",),
    "housing_fund": ("住房公积金", "公积金"),
    "income_tax": ("个人所得税", "个税"),
    "other_deductions": ("其他扣款", "其他扣除", "其他代扣"),
    "_base": ("基本工资",),
    "_bonus": ("绩效奖金", "奖金", "津贴", "补贴", "加班费"),
}
GLUED_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2}")
INSURANCE_PARTS = ("pension", "medical", "unemployment")
IDENTITY_LABELS = ("姓名", "身份证号")
LABEL_RE = re.compile("|".join(sorted([*(lab for labs in LABELS.values() for lab in labs),
                                       *IDENTITY_LABELS], key=len, reverse=True)))


@dataclass(frozen=True)
class Vote:
    """An amount the recogniser read, to be read again by Tesseract from its crop."""

    name: str
    value: str
    crop: np.ndarray


def read(pages: list[Page]) -> KindResult:
    result = KindResult()
    found = result.fields
    votes: list[Vote] = []
    for page, line in lines(pages):
        text = clean(norm.fullwidth_to_ascii(line.text))
        _identity(found, page, line, text)
        labels = LABEL_RE.findall(text)
        if len(labels) >= 3:
            _table(found, votes, page, line, labels)
        elif len(labels) == 1:
            amounts = AMOUNT.findall(norm.comma_points(text.split(labels[0], 1)[1]))
            name = _name_of(labels[0]) if amounts and labels[0] not in IDENTITY_LABELS else None
            if name and not _has(found, name) and (value := norm.amount(amounts[0])):
                _put(found, name, value, page, line)
                _line_vote(votes, name, found[name].value, page, line, len(labels[0]))
    _count_votes(found, votes)
    _sum_insurance(found)
    _points_restored(found)
    for helper in [k for k in found if k in INSURANCE_PARTS or k.startswith("_")]:
        del found[helper]
    return result


def _identity(found: dict[str, Field], page: Page, line: Word, text: str) -> None:
    if "employer" not in found and (m := ORG.search(text)):
        found["employer"] = field("employer", m.group(1), page, line)
    if "period" not in found and ("工资" in text or "期间" in text or "月份" in text):
        month = norm.iso_month(text)
        if month:
            found["period"] = field("period", month, page, line)
    if "employee_name" not in found and (value := after_label(text, "姓名|员工姓名")):
        name = norm.chinese_name(value.split()[0])
        if name and LABEL_RE.search(name) is None:
            found["employee_name"] = field("employee_name", name, page, line)
    if "id_number" not in found and (m := ID_NUMBER.search(text)):
        found["id_number"] = field("id_number", m.group(1).upper(), page, line)


def _table(found: dict[str, Field], votes: list[Vote], page: Page, header: Word,
           labels: list[str]) -> None:
    """A line of labels over a line of values. Each cell of both lines is found
    and read on its own, and a value belongs to the label above it; without
    that, the values are taken in the labels' order, amounts cut apart by their
    two decimals."""
    following = [w for w in page.words if w.bbox[1] >= (header.bbox[1] + header.bbox[3]) // 2 + 1
                 and w is not header and len(w.text) > 4]
    if not following:
        return
    values = min(following, key=lambda w: w.bbox[1])
    if not _table_by_cells(found, votes, page, header, values):
        _table_by_order(found, page, values, labels)


def _table_by_cells(found: dict[str, Field], votes: list[Vote], page: Page, header: Word,
                    values: Word) -> bool:
    heads, cells = _cells(page, header), _cells(page, values)
    if page.tokens and _run_together(heads, cells):  # cells found as one: look closer
        heads, cells = _cells(page, header, again=True), _cells(page, values, again=True)
    heads = [part for w in heads for part in _one_label_each(w)]
    cells = [part for w in cells for part in _one_amount_each(w)]
    known = [lab for labs in LABELS.values() for lab in labs] + ["姓名", "身份证号"]
    columns = [(label, w) for w in heads if (label := _closest(w.text, known))]
    if len(columns) < 3 or len(cells) < 3:
        return False
    for cell in cells:
        middle = (cell.bbox[0] + cell.bbox[2]) / 2
        label, _ = min(columns, key=lambda c: abs((c[1].bbox[0] + c[1].bbox[2]) / 2 - middle))
        text = norm.comma_points(clean(norm.fullwidth_to_ascii(cell.text)).replace(" ", ""))
        if label in IDENTITY_LABELS:
            _identity_cell(found, page, cell, text)
        elif (m := GLUED_AMOUNT.fullmatch(text.replace("，", ","))) and (
                value := norm.amount(m.group(0))):
            name = _name_of(label)
            if not _has(found, name):
                found[name] = _cell_field(name, value, page, cell)
                votes.append(Vote(name, value, _vote_crop(page, cell.bbox)))
        elif re.fullmatch(r"\d{3,}", text):  # an amount read without its point
            found.setdefault(f"_digits_{_name_of(label)}", _cell_field("", text, page, cell))
    for label, head in columns:  # a column printed, its amount not read: not a zero
        if label not in IDENTITY_LABELS and _name_of(label) not in found:
            found[_name_of(label)] = Field(_name_of(label), "", page.number, head.bbox, 0.0)
    return True


def _identity_cell(found: dict[str, Field], page: Page, cell: Word, text: str) -> None:
    """The name and ID number under 姓名 and 身份证号, each in its cell or the two
    found as one piece (吴悦雪420106197507294786: the name before the number)."""
    number = ID_NUMBER.search(text)
    if number:
        found.setdefault("id_number", _cell_field("id_number", number.group(1).upper(), page,
                                                  cell))
    if name := norm.chinese_name(text[:number.start()] if number else text):
        found.setdefault("employee_name", _cell_field("employee_name", name, page, cell))


def _one_label_each(head: Word) -> list[Word]:
    """A header piece holding two labels (医疗保险失业保险: two columns found as one)
    cut into one piece per label, each over its share of the piece's width."""
    return _cut(head, list(LABEL_RE.finditer(head.text)))


def _one_amount_each(cell: Word) -> list[Word]:
    """A value piece holding two amounts side by side (45,200.002,800.00: two cells
    found as one) cut into one piece per amount; the name and ID number before them
    (于林伟31011519811013461X13144.008056.00…: seed 97's turned photo, six cells found
    as one) are a piece of their own."""
    text = norm.comma_points(clean(norm.fullwidth_to_ascii(cell.text)).replace(" ", ""))
    identity = IDENTITY_FIRST.match(text)
    start = identity.end() if identity else 0
    found = list(GLUED_AMOUNT.finditer(text, start))
    if len(found) + bool(identity) < 2 or "".join(m.group(0) for m in found) != text[start:]:
        return [cell]
    return _cut(Word(text, cell.bbox, cell.confidence), [identity, *found] if identity else found)


IDENTITY_FIRST = re.compile(r"[\u4e00-\u9fff]{2,4}(?:\d{17}[\dXx])?(?=\d)")


def _cut(piece: Word, parts: list[re.Match[str]]) -> list[Word]:
    """The piece cut at its parts' characters, each over its share of the width (a
    Chinese character about twice a digit's)."""
    if len(parts) < 2:
        return [piece]
    x0, y0, x1, y1 = piece.bbox
    edges = [0.0, *itertools.accumulate(map(char_width, piece.text))]
    scale = (x1 - x0) / max(edges[-1], 1e-6)
    return [Word(m.group(0), (int(x0 + edges[m.start()] * scale), y0,
                              int(x0 + edges[m.end()] * scale), y1), piece.confidence)
            for m in parts]


def _run_together(heads: list[Word], cells: list[Word]) -> bool:
    """Neighbouring cells the page's detector found as one piece (two labels, two
    amounts, or a gap inside a piece)."""
    return any(len(_one_label_each(h)) > 1 for h in heads) or any(
        len(_one_amount_each(c)) > 1 or " " in c.text.strip() for c in cells)


def _cells(page: Page, line: Word, again: bool = False) -> list[Word]:
    """The line's cells, each read on its own, in page coordinates: the pieces the
    page's reader found on the line, or (Tesseract read the page, or ``again``) the
    line's crop detected and read anew by the recogniser (at full size it tells
    cells apart that the page's detector ran together)."""
    if page.tokens and not again:
        return sorted((t for t in page.tokens if _same_row(t.bbox, line.bbox)),
                      key=lambda t: t.bbox[0])
    x0, y0 = max(0, line.bbox[0] - 6), max(0, line.bbox[1] - 6)
    crop = page.image[y0:line.bbox[3] + 6, x0:line.bbox[2] + 6]
    return [Word(w.text, (w.bbox[0] + x0, w.bbox[1] + y0, w.bbox[2] + x0, w.bbox[3] + y0),
                 w.confidence) for w in detect_and_read(crop)]


def _same_row(piece: BBox, line: BBox) -> bool:
    middle = (piece[1] + piece[3]) / 2
    return line[1] <= middle <= line[3] and line[0] - 6 <= piece[0] and piece[2] <= line[2] + 6


def _line_vote(votes: list[Vote], name: str, value: str, page: Page, line: Word,
               label_chars: int) -> None:
    """An amount on a line RapidOCR found and read gets Tesseract's vote on its value
    crop (where Tesseract found the line, its own reading stands)."""
    if engines.active().finder == "rapidocr":
        box = value_box(im.grey(page.image), line, label_chars)
        votes.append(Vote(name, value, _vote_crop(page, box)))


def _vote_crop(page: Page, box: BBox) -> np.ndarray:
    x0, y0, x1, y1 = box
    return page.image[max(0, y0 - 4):y1 + 4, max(0, x0 - 4):x1 + 4]


def _count_votes(found: dict[str, Field], votes: list[Vote]) -> None:
    """The amounts the recogniser read, read again by Tesseract (all in one run): a
    difference (a 6 for an 8) makes one a value to check by hand, never one a fraud
    rule rejects on. Digits read without their cents give no opinion."""
    votes = [v for v in votes if v.crop.size and v.name in found and found[v.name].value]
    for vote, opinion in zip(votes, second_opinions([v.crop for v in votes], AMOUNT_CHARS),
                             strict=True):
        read = AMOUNT.findall(opinion)
        theirs = norm.amount(read[0]) if read else None
        mine = found[vote.name]
        confidence = agreed_confidence(mine.confidence, vote.value.lstrip("-"),
                                       theirs and theirs.lstrip("-"))
        found[vote.name] = dataclasses.replace(mine, confidence=round(confidence, 3))


def _closest(text: str, labels: list[str]) -> str | None:
    found = difflib.get_close_matches(clean(text).replace(" ", ""), labels, n=1, cutoff=0.6)
    return found[0] if found else None


def _cell_field(name: str, value: str, page: Page, cell: Word) -> Field:
    return Field(name, value, page.number, cell.bbox, round(cell.confidence, 3))


def _table_by_order(found: dict[str, Field], page: Page, values: Word, labels: list[str]) -> None:
    text = clean(norm.fullwidth_to_ascii(values.text)).replace(" ", "")
    if "姓名" in labels and "employee_name" not in found:
        name = norm.chinese_name(re.match(r"[^\d]*", text).group(0))  # type: ignore[union-attr]
        if name:
            found["employee_name"] = field("employee_name", name, page, values)
    rest = re.sub(r"^[^\d]*", "", text)
    if "身份证号" in labels and (m := re.match(r"\d{17}[\dXx]", rest)):
        found.setdefault("id_number", field("id_number", m.group(0).upper(), page, values))
        rest = rest[m.end():]
    amounts = GLUED_AMOUNT.findall(rest)
    money_labels = [lab for lab in labels if lab not in ("姓名", "身份证号")]
    confidence = values.confidence if len(amounts) == len(money_labels) else 0.3
    for label, value in zip(money_labels, amounts, strict=False):
        _put(found, _name_of(label), norm.amount(value), page, values, confidence)


def _put(found: dict[str, Field], name: str, value: str | None, page: Page, line: Word,
         confidence: float | None = None) -> None:
    value = value.lstrip("-") if value else value  # a pay slip's amounts are never negative
    if value is not None and not _has(found, name):
        found[name] = field(name, value, page, line, confidence)


def _has(found: dict[str, Field], name: str) -> bool:
    """A value read for ``name`` (a printed amount not read holds "")."""
    return name in found and bool(found[name].value)


def _name_of(label: str) -> str:
    return next(name for name, labels in LABELS.items() if label in labels)


def _points_restored(found: dict[str, Field]) -> None:
    """An amount read without its point (5196.25 read 519625, seed 101's photo) is the
    one the others tell (gross pay less the deductions is the net pay) where its digits
    are that amount's; then as sure as the least sure of the others."""
    for name in BALANCE:
        digits = found.get(f"_digits_{name}")
        if digits is None or name not in found or found[name].value:
            continue
        others = [o for n in BALANCE if n != name and (o := found.get(n)) is not None]
        if any(not o.value for o in others) or not {"gross_pay", "net_pay"} <= {
                o.name for o in others} | {name}:
            continue  # a deduction not printed is none
        told = _balance_told(name, {o.name: Decimal(o.value) for o in others})
        if f"{told:.2f}".replace(".", "") == digits.value:
            found[name] = dataclasses.replace(digits, name=name, value=f"{told:.2f}",
                                              confidence=min(o.confidence for o in others))


BALANCE = ("gross_pay", "social_insurance", "housing_fund", "income_tax", "other_deductions",
           "net_pay")


def _balance_told(name: str, known: dict[str, Decimal]) -> Decimal:
    """The amount ``name`` must be for gross pay less the deductions to be the net pay."""
    deductions = sum((v for n, v in known.items() if n not in ("gross_pay", "net_pay")),
                     Decimal(0))  # those not printed are none
    if name == "gross_pay":
        return known["net_pay"] + deductions
    if name == "net_pay":
        return known["gross_pay"] - deductions
    return known["gross_pay"] - known["net_pay"] - deductions


def _sum_insurance(found: dict[str, Field]) -> None:
    """Pension, medical and unemployment insurance printed apart: their sum (unread,
    value "" and confidence 0, when one of them was printed but not read)."""
    parts = [found[p] for p in INSURANCE_PARTS if p in found]
    if "social_insurance" in found or not parts:
        return
    first = parts[0]
    if any(not p.value for p in parts):
        found["social_insurance"] = Field("social_insurance", "", first.page, first.bbox, 0.0)
        return
    total = sum(Decimal(p.value) for p in parts)
    found["social_insurance"] = Field("social_insurance", f"{total:.2f}", first.page,
                                      first.bbox, min(p.confidence for p in parts))
