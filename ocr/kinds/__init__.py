"""Per-kind field readers. Each module ``ocr.kinds.<kind>`` has
``read(pages: list[Page]) -> KindResult``. Also helpers the readers share:
finding a label among OCR lines and cropping the value beside it."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass, field, replace

import numpy as np

from .. import engines
from .. import image as im
from ..classify import cjk_only, contains
from ..engines import read_line, recognise
from ..types import BBox, DocumentKind, Field, Page, ReadProblem, StatementRow, Word
from .names import read_alike, surnames_checked


@dataclass
class KindResult:
    fields: dict[str, Field] = field(default_factory=dict)
    rows: list[StatementRow] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


# a name printed after its label on a form, read again from its piece (names.read_alike)
FORM_NAMES = {DocumentKind.PAY_SLIP: "employee_name", DocumentKind.BANK_STATEMENT: "holder_name"}

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
    with engines.reading_as(kind):  # the engine profile chosen for this kind
        result = module.read(pages, kind) if module_name == "id_card" else module.read(pages)
        if module_name != "id_card":  # a card's name is read from its own crop (id_card)
            result.fields = {name: surnames_checked(f, pages)
                             for name, f in result.fields.items()}
        if (name := FORM_NAMES.get(kind)) in result.fields:
            result.fields[name] = read_alike(result.fields[name], pages)
    from .id_number import as_checked  # it imports this package

    result.fields = {name: as_checked(_limited_company_checked(_unsure_if_impossible(f)))
                     for name, f in result.fields.items()}
    return result  # type: ignore[no-any-return]


# An employer's 有限公司 read a character off (北京博运医药育限公司, seed 113's turned
# letter under its seal, sure 0.914, its 远 misread too): 有 put back, checked by hand.
_MISREAD_LIMITED = re.compile(r"[\u4e00-\u9fff](?<!有)(?=限(?:责任)?公司$)")
MISREAD_CONFIDENCE = 0.8  # under field_confidence_min: checked by hand


def _limited_company_checked(found: Field) -> Field:
    if found.name != "employer" or not _MISREAD_LIMITED.search(found.value):
        return found
    return replace(found, value=_MISREAD_LIMITED.sub("有", found.value),
                   confidence=min(found.confidence, MISREAD_CONFIDENCE))


# How many years after this one a date field may fall (a statement's or a letter's date
# a little ahead of the clock, an ID card valid up to 20 years); none before 1900
DATE_HORIZON = {"birth_date": 0, "valid_from": 1, "valid_until": 21, "start_date": 1,
                "issue_date": 1, "period_start": 1, "period_end": 1}
IMPOSSIBLE_CONFIDENCE = 0.3  # under field_confidence_min: checked by hand


def _unsure_if_impossible(found: Field) -> Field:
    """A date no such document can carry (5170-12-06 for a letter's date: a seal hid its
    year and a phone number's digits were taken for it) is kept, but as unsure: a
    value read wrong is never given as sure."""
    horizon = DATE_HORIZON.get(found.name)
    if horizon is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", found.value):
        return found
    if 1900 <= int(found.value[:4]) <= dt.date.today().year + horizon:
        return found
    return replace(found, confidence=min(found.confidence, IMPOSSIBLE_CONFIDENCE))


# --- lines and value crops ----------------------------------------------------------

def flat_of(page: Page) -> np.ndarray:
    """The page's image flattened (``image.flatten``), as it was to be read: not again."""
    cleaned = page.cleaned_image()
    return cleaned.flat if cleaned else im.flatten(page.image)


def ready_of(page: Page) -> np.ndarray:
    """The page's image ready for reading (``image.ocr_ready``), as it was read: not again."""
    cleaned = page.cleaned_image()
    return cleaned.ready if cleaned else im.ocr_ready(page.image)


def rulings_of(page: Page) -> tuple[np.ndarray, np.ndarray]:
    """The page's horizontal and vertical rulings (``image.ruling_masks`` of its image
    flattened), as found when it was read: not again."""
    cleaned = page.cleaned_image()
    return cleaned.rulings if cleaned else im.ruling_masks(im.flatten(page.image))


def find_line(lines: list[Word], label: str, after: int = 0) -> int | None:
    """Index of the first line (from ``after``) that starts with ``label``; a
    two-character label may show only one of its characters."""
    for i in range(after, len(lines)):
        head = cjk_only(lines[i].text)[: len(label) + 2]
        if contains(head, label) or (len(label) == 2 and (label[0] in head[:2]
                                                           or label[1] in head[:3])):
            return i
    return None


def after_label(text: str, label: str) -> str:
    """The part of a line's text after its label (or the label's last char)."""
    text = text.replace(" ", "")
    for key in (label, label[-1], label[0]):
        pos = text[: len(label) + 3].find(key)
        if pos >= 0:
            return text[pos + len(key):]
    return text[len(label):]


def char_width(ch: str) -> float:
    """A character's printed width in Chinese characters (a digit or a letter about
    half of one)."""
    return 1.0 if ord(ch) > 0x2E80 else 0.55


def value_box(g: np.ndarray, line: Word, label_chars: int) -> BBox:
    """The line's box without its leading label of ``label_chars`` characters:
    split where the label's share of the text ends (a digit is about half as
    wide as a Chinese character), snapped to the nearest start of ink; in a
    table, after the first wide gap."""
    x0, y0, x1, y1 = line.bbox
    text = line.text.replace(" ", "")
    weights = [char_width(ch) for ch in text]
    total = sum(weights)
    if total == 0 or len(text) <= label_chars:
        return line.bbox
    runs = im.ink_runs(g, line.bbox, min_gap=2)
    height = y1 - y0
    wide = [b[0] for a, b in zip(runs, runs[1:], strict=False)  # a table cell's border gap
            if b[0] - a[1] > 1.5 * height and b[0] > x0 + 0.6 * label_chars * height]
    if wide:
        return (max(x0, wide[0] - 4), y0, x1, y1)
    split = x0 + (x1 - x0) * sum(weights[:label_chars]) / total
    char_w = (x1 - x0) / total
    starts = [a for a, _ in runs if abs(a - split) < 1.2 * char_w and a > x0]
    if starts:
        split = min(starts, key=lambda a: abs(a - split))
    return (max(x0, int(split) - 4), y0, x1, y1)


def reread(g: np.ndarray, box: BBox) -> tuple[str, float]:
    """A value's crop read again: the second reader first, Tesseract if it has none."""
    crop = im.crop(g, box, pad=6)
    text, conf = recognise([crop])[0]
    if not text or conf < 0.8:
        text, conf = read_line(crop, "chi_sim", 7)
    return text.replace(" ", ""), conf
