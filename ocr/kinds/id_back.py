"""Resident ID card (居民身份证), back: the issuing authority and the validity period,
each read beside its label and checked by the card's grammar (an authority is a
public security bureau or its branch, one that issues cards; a period runs 5, 10 or
20 years to the day, or 长期)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from .. import engines, lexicon
from .. import image as im
from ..classify import cjk_only
from ..divisions import issuing_authorities
from ..engines import read_line
from ..types import BBox, Field, Page, Word
from . import after_label, find_line, flat_of, reread, value_box
from .id_card import (
    _DATE,
    GRAMMAR_CONFIDENCE,
    WELL_READ,
    _before,
    _dates,
    _first_date_line,
    _line_or,
)
from .id_number import CONFLICT_CONFIDENCE

_BUREAU = re.compile(r"公安[^局分\s](?=.*分局$|$)")
_BRANCH = re.compile(r"公安局(.*)分局$")


def read_back(page: Page) -> dict[str, Field]:
    g = flat_of(page)
    lines = [w for w in page.words if w.text.strip()]
    fields: dict[str, Field] = {}
    i_valid = _line_or(find_line(lines, "有效期限"), _first_date_line(lines, None))
    i_auth = _line_or(find_line(lines, "签发机关"), _before(i_valid))
    if i_auth is not None:
        fields.update(_authority(page, g, lines[i_auth]))
    if i_valid is not None:
        fields.update(_validity(page, g, lines[i_valid]))
    return fields


def _authority(page: Page, g: np.ndarray, line: Word) -> dict[str, Field]:
    box = value_box(g, line, label_chars=4)
    from_line = cjk_only(after_label(line.text, "签发机关"))
    text, conf = reread(g, box)
    from_crop = cjk_only(text)
    candidates = [(from_crop, conf), (from_line, line.confidence)]
    candidates = [c for c in candidates if c[0]]
    if not candidates:
        return {}
    plausible = [c for c in candidates if c[0].endswith(("局", "分局", "所", "处"))]
    value, conf = max(plausible or candidates, key=lambda c: c[1])
    if from_crop == from_line:
        conf = min(1.0, conf + 0.1)
    value, conf = _authority_checked(value, conf)
    if value not in issuing_authorities() and (again := _authority_again(g, line, value)):
        chosen, chosen_conf, backed = again
        if backed or conf < WELL_READ:  # one read sure stays (成都市公安局高新分局, a zone's)
            value, conf = chosen, chosen_conf
    return {"issuing_authority": Field("issuing_authority", value, page.number, box,
                                       round(conf, 3))}


AUTHORITY_SHARE = 0.5  # the authority's share of every authority's likelihood that takes it
AUTHORITY_EDITS = 1  # characters a reading may differ from the authority chosen and back it


def _authority_again(g: np.ndarray, line: Word, read: str) -> tuple[str, float, bool] | None:
    """The authority read again as one of those that issue cards (``ocr.divisions``),
    where the line's reading is none of them (深圳市公安局山分局 lost 南): the one that
    ends its line, however the label reads; its confidence; and whether the line's
    reading backs it (within AUTHORITY_EDITS characters): sure only if it does."""
    x0, y0, x1, y1 = line.bbox
    crop = im.crop(g, (x0, y0, min(g.shape[1], x1 + (y1 - y0)), y1), pad=4)
    chosen = engines.read_as_one_of(crop, issuing_authorities(), free_start=True)
    if chosen is None or chosen.share < AUTHORITY_SHARE:
        return None
    backed = lexicon.edits(read, chosen.value) <= AUTHORITY_EDITS
    return chosen.value, min(chosen.share, GRAMMAR_CONFIDENCE if backed
                             else engines.DISAGREE_CONFIDENCE), backed


def _authority_checked(value: str, conf: float) -> tuple[str, float]:
    """Cards are issued by a public security bureau (公安局) or its branch (分局):
    ``公安展`` is 公安局 misread; a branch named by one character (公安局楼分局 for
    鼓楼分局) lost one, and a value without 公安 (安局楼分局) or the place before it
    (市公安局徐汇分局) lost more, so those are checked by hand."""
    fixed = _BUREAU.sub("公安局", value)
    if fixed != value:
        conf = min(conf, GRAMMAR_CONFIDENCE)
    branch = _BRANCH.search(fixed)
    bureau = fixed.find("公安")
    if branch and len(branch.group(1)) < 2 or bureau < 0 or len(
            fixed[:bureau].rstrip("市县")) < 1:  # 市公安局缘汇分局 lost its city
        conf = min(conf, CONFLICT_CONFIDENCE)
    return fixed, conf


def _validity(page: Page, g: np.ndarray, line: Word) -> dict[str, Field]:
    box = value_box(g, line, label_chars=4)
    first = _DATE.search(line.text.replace(" ", ""))
    permanent = "长期" in line.text or bool(  # 长期 read 长别: 长 after the first date
        first and "长" in line.text.replace(" ", "")[first.end():])
    readings = [(_dates(line.text), line.confidence)]
    if not _consistent(readings[0][0], permanent):
        text, conf = read_line(im.crop(g, box, pad=6), "eng", 7, "0123456789.-")
        readings.append((_dates(text), conf))
    for dates, conf in readings:
        if _consistent(dates, permanent):
            return _validity_fields(page, box, dates, permanent, max(conf, 0.85))
    dates, conf = max(readings, key=lambda r: (len(r[0]), r[1]))
    return _validity_fields(page, box, dates, permanent, min(conf, 0.5)) if dates else {}


def _consistent(dates: list[dt.date], permanent: bool) -> bool:
    """A real period: 5, 10 or 20 years to the day, or from a date for life."""
    if permanent:
        return len(dates) >= 1
    if len(dates) < 2:
        return False
    start, end = dates[0], dates[1]
    return end.year - start.year in (5, 10, 20) and (end.month, end.day) == (
        start.month, start.day)


def _validity_fields(page: Page, box: BBox, dates: list[dt.date], permanent: bool,
                     conf: float) -> dict[str, Field]:
    out = {"valid_from": Field("valid_from", dates[0].isoformat(), page.number, box,
                               round(conf, 3))}
    if permanent:
        out["valid_until"] = Field("valid_until", "长期", page.number, box, round(conf, 3))
    elif len(dates) >= 2:
        out["valid_until"] = Field("valid_until", dates[1].isoformat(), page.number, box,
                                   round(conf, 3))
    return out
