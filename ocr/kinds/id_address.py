"""The home address on an ID card's front (住址): its lines up to the number's, read
again as a block where the page's lines were unsure; where the two readings disagree,
each line as the recogniser more likely reads it; its start (province, city, county)
read against how addresses start where it is no county's; a building word misread
put right by the address's grammar.
"""

from __future__ import annotations

import re

import numpy as np

from .. import engines, lexicon
from .. import image as im
from ..divisions import address_starts
from ..engines import read_lines
from ..types import Field, Page, Word
from . import after_label, value_box
from .fields_text import MALFORMED_ADDRESS
from .id_card import (
    GRAMMAR_CONFIDENCE,
    PHOTO_BOTTOM,
    WELL_READ,
    clip_left_of_photo,
)
from .id_number import CONFLICT_CONFIDENCE

_PROVINCE_NAMES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙 广西 西藏 宁夏 新疆 香港 澳门"
)
PROVINCES = frozenset(_PROVINCE_NAMES.split())  # first two characters of each
_BUILDING = re.compile(r"号[^楼栋幢座院号\d](\d+单元)")


def read_address(page: Page, g: np.ndarray, lines: list[Word]) -> dict[str, Field]:
    """Up to the number line: the label line and the lines below it in the
    value column; the block is cropped and read again as a whole."""
    if not lines:  # the number line came first (a garbled card read upside down)
        return {}
    first = lines[0]
    height = first.bbox[3] - first.bbox[1]
    used = [first] + [w for w in lines[1:4] if w.bbox[0] < first.bbox[0] + 8 * height
                      and w.bbox[1] < PHOTO_BOTTOM * g.shape[0]]
    from_lines = _address_start(_address_chars(after_label(first.text, "住址") + "".join(
        w.text.replace(" ", "") for w in used[1:])))
    x0 = value_box(g, first, label_chars=2)[0]
    box = clip_left_of_photo(g, (x0, min(w.bbox[1] for w in used), max(
        w.bbox[2] for w in used), max(w.bbox[3] for w in used)))
    crop_lines = [] if _well_formed(from_lines, used) else read_lines(
        im.crop(g, (box[0] - 8, box[1], box[2] + 8, box[3] + 4)), lang="chi_sim", psm=6)
    from_crop = _address_start(_address_chars("".join(
        w.text.replace(" ", "") for w in crop_lines)))
    line_conf = sum(w.confidence for w in used) / len(used)
    crop_conf = (sum(w.confidence for w in crop_lines) / len(crop_lines)) if crop_lines else 0.0
    value, conf = (from_crop, crop_conf) if from_crop else (from_lines, line_conf)
    if from_crop and from_crop == from_lines:
        conf = min(1.0, conf + 0.1)
    elif from_crop and len(crop_lines) == len(used):
        value = _likelier_lines(g, used, crop_lines) or value
    if not value:
        return {}
    value, conf = _known_start(g, first, value, conf)
    value, conf = _address_checked(*_well_ended(g, used[-1], value, conf))
    return {"address": Field("address", value, page.number, box, round(conf, 3))}


def province_line(lines: list[Word], end: int | None) -> int | None:
    """The first line above the number that starts with a province: the address's,
    where neither its label nor the birth line above it was read."""
    return next((i for i, w in enumerate(lines[:end])
                 if _address_start(_address_chars(w.text))[:2] in PROVINCES), None)


def _well_ended(g: np.ndarray, last: Word, value: str, conf: float) -> tuple[str, float]:
    """An address whose end, after its street and number, is not one of the ways an
    address ends (学院路521号院3号24单元401号: a unit follows a building; 2208肉) read
    again on its last line's crop as the likeliest that is, at most TAIL_CHANGES of
    that line's characters changed to their runners-up (2 for 楼, 房 for 肉), checked by
    hand; as read if none is."""
    if _ends_well(value) or not _AFTER_STREET.search(value):
        return value, conf

    def spliced(text: str) -> str | None:  # the line's reading in place of its own
        read = _address_start(_address_chars(text))
        if not read or len(read) > len(value) or sum(
                a != b for a, b in zip(value[-len(read):], read, strict=True)) > TAIL_CHANGES:
            return None
        return value[:-len(read)] + read

    found = engines.read_as_valid(im.crop(g, last.bbox, pad=6), None, None,
                                  lambda text: _ends_well(spliced(text)), TAIL_CHANGES)
    ended = spliced(found) if found else None
    if ended is None:
        return value, conf
    return ended, min(conf, engines.DISAGREE_CONFIDENCE)


def _ends_well(address: str | None) -> bool:
    """Whether what follows the address's last street word is a number and then a room,
    or a compound's building, unit and room (82号院28号楼6单元1902号, 416号2208房)."""
    found = _AFTER_STREET.search(address or "")
    return bool(found and _ENDING.fullmatch(found.group(1)))


TAIL_CHANGES = 2  # characters of an address's last line changed to make its end well formed
_AFTER_STREET = re.compile(r".*[路街道巷弄](\d.*)$")
_ENDING = re.compile(r"\d+号(?:院?\d+(?:号楼|栋|幢|座)(?:\d+单元)?)?\d+[号室房]|\d+号")


def _known_start(g: np.ndarray, first: Word, value: str, conf: float) -> tuple[str, float]:
    """An address that starts with no county's name (江苏省阳京市装楼区, 市海定区 that
    lost 北京) read against how addresses start, on its first line's crop: the start
    the line most likely shows replaces the fewest characters closest to it (none, of a
    reading that has nothing of it), and is checked by hand unless they were a
    character from it. A first line read sure is kept as read
    (a county since renamed)."""
    starts = address_starts()
    if any(value.startswith(start) for start in starts):
        return value, conf
    if restored := _first_characters_restored(value, starts):  # checked by hand
        return restored, min(conf, engines.DISAGREE_CONFIDENCE)
    choice = engines.read_as_one_of(im.crop(g, first.bbox, pad=6), starts, free_start=True,
                                    free_end=True)
    if choice is None or choice.share < START_SHARE:
        return value, conf
    start = choice.value
    changed, cut = min((lexicon.edits(value[:k], start), k) for k in range(len(start) + 3))
    if changed > 1 and first.confidence >= WELL_READ:
        return value, conf
    return start + value[cut:], min(conf, GRAMMAR_CONFIDENCE if changed <= 1
                                    else engines.DISAGREE_CONFIDENCE)


START_SHARE = 0.5  # an address's start taken from the list only as at least this likely


def _first_characters_restored(value: str, starts: tuple[str, ...]) -> str | None:
    """An address that lost its first characters to a blur (省武汉市武昌区… for
    湖北省武汉市武昌区…) put back where what is left, at least KEPT_START characters
    of it, ends only one way that addresses start."""
    found = {start[:k] for start in starts for k in (1, 2, 3)
             if len(start) - k >= KEPT_START and value.startswith(start[k:])}
    return found.pop() + value if len(found) == 1 else None


KEPT_START = 5  # characters of an address's start left after a blur, to know the rest by


def _likelier_lines(g: np.ndarray, used: list[Word], again: list[Word]) -> str | None:
    """The address where the page's lines and its block read again disagree: each line
    as the recogniser more likely reads it on the line's own crop, of its two readings
    (a blur reads 楼 as 送 on one, as 2 on the other); None without a recogniser."""
    chosen = []
    for i, (line, other) in enumerate(zip(used, again, strict=True)):
        first = _address_chars(after_label(line.text, "住址") if i == 0 else line.text)
        second = _address_chars(other.text)
        if i == 0:  # the label, or a piece of it, left out
            first, second = _address_start(first), _address_start(second)
        if first == second or not first or not second:
            chosen.append(second or first)
            continue
        choice = engines.read_as_one_of(im.crop(g, line.bbox, pad=6), [first, second],
                                        free_start=i == 0)
        if choice is None:
            return None
        chosen.append(choice.value)
    return _address_start("".join(chosen))


def _address_checked(value: str, conf: float) -> tuple[str, float]:
    """A building word misread is put right (less sure); an address that does not
    start with a province (every card's does: 省南京市… lost 江苏), or is written as no
    address is (``MALFORMED_ADDRESS``), is checked by hand."""
    value, fixed = _building(value)
    if fixed:
        conf = min(conf, GRAMMAR_CONFIDENCE)
    if value[:2] not in PROVINCES or MALFORMED_ADDRESS.search(value):
        conf = min(conf, CONFLICT_CONFIDENCE)
    return value, conf


def _well_formed(address: str, lines: list[Word]) -> bool:
    """An address the page's lines already read whole and sure (the recogniser's
    pieces): from a province on, each line read at WELL_READ or better. Its block is
    then not read again (~0.1 s a card)."""
    return (engines.active().finder == "rapidocr" and address[:2] in PROVINCES
            and len(address) >= 8 and all(w.confidence >= WELL_READ for w in lines))


def _building(address: str) -> tuple[str, bool]:
    """``3号格6单元``: between a number and a unit only a building word is printed
    (楼, 栋, 幢, 座); another single character there is 楼 misread."""
    fixed = _BUILDING.sub(r"号楼\1", address)
    return fixed, fixed != address


def _address_start(text: str) -> str:
    """Drop what precedes the province (a piece of the 住址 label, a stroke)."""
    text = text.removeprefix("住址").lstrip("住址")
    for i in range(1, 3):
        if text[i:i + 2] in PROVINCES:
            return text[i:]
    return text


def _address_chars(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch.isdigit()
                   or ch in "-()（）·")
