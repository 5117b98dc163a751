"""Resident ID card (居民身份证): the front here, the back in ``id_back``.

Read like a careful clerk: find each label among the page's OCR lines, crop
the value beside it, re-read the crop with the setting that suits it, and
check the fields against each other through the ID number (check character,
birth date, sex digit). A card whose number is not valid is tried upside down.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np

from .. import engines
from .. import image as im
from ..classify import cjk_only, contains
from ..engines import read_line, read_lines, recognise
from ..recognizer import AGREE_CONFIDENCE
from ..types import BBox, DocumentKind, Field, Page, ReadProblem, Word
from . import KindResult, after_label, find_line, flat_of, reread, value_box
from .id_number import (
    NUMBER_LIKE,
    number_birth,
    number_votes,
)
from .names import common_surname, fills_its_ink
from .names import name_chars as _name_chars

_ETHNIC_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 "
    "傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 "
    "布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 "
)
ETHNICITIES = tuple(_ETHNIC_NAMES.split())
_DATE = re.compile(r"(\d{4})\D{0,3}?(\d{1,2})\D{0,3}?(\d{1,2})")
_SEX_ETHNICITY = re.compile(  # 性别男民族汉 with its labels misread: 栏剧男民旅汉, 性彩男腾汉
    "([男女])[^男女]{0,2}?(" + "|".join(sorted(ETHNICITIES, key=len, reverse=True)) + ")$")
GRAMMAR_CONFIDENCE = 0.9  # a character put right by the card's fixed wording
WELL_READ = 0.9  # a line the recogniser read this sure of is not read again
NAME_SCALES = (0.5, 0.7, 1.0)  # name crop re-read at these sizes
PHOTO_LEFT, PHOTO_BOTTOM = 0.645, 0.78  # the portrait: right of and above these fractions


def read(pages: list[Page], kind: DocumentKind) -> KindResult:
    if not pages:
        return KindResult()
    page = pages[0]
    if kind is DocumentKind.ID_CARD_BACK:
        from .id_back import read_back

        return KindResult(fields=read_back(page))
    fields = read_front(page)
    if not page.one_card and ("id_number" not in fields or fields["id_number"].confidence < 0.5):
        turned = turn_over(page)
        alt = read_front(turned)
        if alt.get("id_number") and alt["id_number"].confidence >= 0.5:
            pages[0] = turned
            page, fields = turned, alt
    problems = [] if "id_number" in fields else [ReadProblem(
        "read.field_missing", "The ID number could not be read: photograph the front again, "
        "flat and without glare.", page.number)]
    return KindResult(fields=fields, problems=problems)


# A front whose number was not read may lie upside down: it is read turned 180 too. Not a
# card cut out of a copy: which way up it lies was settled as it was cut out (``upright``,
# by the angle classifier). On the ID files of seeds 5-41 and 73-83, 10 such cards (all
# blurred, cut out of desk photos) were read turned again, a detection each, and none of
# those readings was kept.
def turn_over(page: Page) -> Page:
    image = im.rotate_quarter(page.image, 180)
    text = engines.find_text(im.ocr_ready(image), large_print=True)
    return dataclasses.replace(page, image=image, words=text.lines, tokens=text.pieces,
                               rotation=(page.rotation + 180) % 360)


# --- front ----------------------------------------------------------------------------

def read_front(page: Page) -> dict[str, Field]:
    from .id_address import province_line, read_address

    g = flat_of(page)
    if _is_card(g):  # without the portrait: it reads as stray characters
        g = without_photo(im.blank_margin(g))
        page.words = (engines.lines_from_pieces(_outside_photo(page.tokens, g.shape))
                      if page.tokens else read_lines(g, lang="chi_sim", psm=6))
    lines = _with_lines_unfound(g, [w for w in page.words if w.text.strip()])
    fields: dict[str, Field] = {}
    i_number = _number_line(lines)
    votes = number_votes(page, g, lines[i_number] if i_number is not None else None)
    i_birth = _line_or(find_line(lines, "出生"), _first_date_line(lines, i_number))
    i_sex = _line_or(find_line(lines, "性别"), _before(i_birth))
    i_name = _line_or(find_line(lines, "姓名"), _before(i_sex))
    if not _in_order(i_name, i_sex, i_birth) and (
            order := _in_card_order(lines, i_number) or _above_birth(i_birth)):
        i_name, i_sex, i_birth = order  # a label found may be another misread (性书, 性址)
    i_province = province_line(lines, i_number) if i_birth is None else None
    if order := _above_address(i_province):
        i_name, i_sex, i_birth = order
    i_addr = _line_or(find_line(lines, "住址", after=(i_birth or 0)),
                      i_birth + 1 if i_birth is not None else i_province)
    if i_addr is not None and i_number is not None and i_addr >= i_number:
        i_addr = None
    if i_name is not None:  # the name and address are read while Tesseract votes
        fields.update(_name(page, g, lines[i_name], _value_column(
            g, lines[i_name:(i_birth + 1 if i_birth is not None else i_name + 2)])))
    if i_addr is not None:
        end = i_number if i_number is not None and i_number > i_addr else len(lines)
        fields.update(read_address(page, g, lines[i_addr:end]))
    number = votes.decide()
    if number:
        fields["id_number"] = number
    if i_sex is not None:
        band = _sex_band(g, lines[i_sex], lines[i_name] if i_name is not None else None,
                         lines[i_birth] if i_birth is not None else None)
        fields.update(_sex_ethnicity(page, lines[i_sex], number, band))
    fields.update(_birth(page, g, lines[i_birth] if i_birth is not None else None, number))
    return fields


def _with_lines_unfound(g: np.ndarray, lines: list[Word]) -> list[Word]:
    """The card's lines with those above the birth line the detector missed (a short
    name or sex beside faint labels on a small card): rows of ink between the card's
    top and it that no line found lies on, from the labels' column to the portrait,
    read as lines."""
    i_birth = _first_date_line(lines, _number_line(lines))
    if i_birth is None or not _is_card(g):
        return lines
    birth = lines[i_birth]
    height = birth.bbox[3] - birth.bbox[1]
    left = max(0, birth.bbox[0] - LABEL_COLUMN * height)
    right = clip_left_of_photo(g, (left, 0, g.shape[1], 1))[2]
    bottom = birth.bbox[1]
    rows = [(y0, y1) for y0, y1 in im.ink_rows(g, (left, 0, right, bottom), height // 4)
            if ROW_HEIGHT[0] * height <= y1 - y0 <= ROW_HEIGHT[1] * height
            and y0 > 1 and y1 < bottom - 1
            and not any(_overlap(w.bbox, y0, y1) for w in lines[:i_birth])]
    boxes = [(runs[0][0], y0, runs[-1][1], y1) for y0, y1 in rows
             if (runs := im.ink_runs(g, (left, y0, right, y1), height))]
    if not boxes:
        return lines
    readings = recognise([im.crop(g, box, pad=6) for box in boxes])
    # however unsure, even unread: its values are read again as what they may be
    restored = [Word(text, box, round(min(score, engines.DISAGREE_CONFIDENCE), 3))
                for box, (text, score) in zip(boxes, readings, strict=True)]
    return sorted(lines + restored, key=lambda w: (w.bbox[1], w.bbox[0]))


def _overlap(box: BBox, y0: int, y1: int) -> bool:
    """Whether a found line's box lies on the row of ink from ``y0`` to ``y1``."""
    return min(box[3], y1) - max(box[1], y0) > ROW_OVERLAP * (y1 - y0)


ROW_OVERLAP = 0.3  # of a row's height: a found line covering this much of it is its line
LABEL_COLUMN = 3  # line heights left of a value where its label is printed
ROW_HEIGHT = (0.6, 1.6)  # a row of ink taken for a missed line: this many line heights


def _in_order(*found: int | None) -> bool:
    """Whether the name, sex and birth lines were all found, one after another: a
    label matched loosely can be another line's (出生 by the 生 of 性别 misread 生利)."""
    return None not in found and all(
        a < b for a, b in zip(found, found[1:], strict=False))  # type: ignore[operator]


def _in_card_order(lines: list[Word], i_number: int | None) -> tuple[int, int, int] | None:
    """The name, sex and birth lines by their place on the card, where labels were
    misread on a small card (性书 for 姓名, 维理 for 性别): four to six lines above
    the number (the address takes one to three), the second with a sex, the third
    with a date's digits."""
    if i_number is None or not 4 <= i_number <= 6:
        return None
    if not re.search("[男女]", lines[1].text) or sum(ch.isdigit() for ch in lines[2].text) < 4:
        return None
    return 0, 1, 2


def _above_birth(i_birth: int | None) -> tuple[int, int, int] | None:
    """The name and sex lines as the two above the birth line (missed ones restored),
    where the labels found do not come in the card's order."""
    if i_birth is None or i_birth < 2:
        return None
    return i_birth - 2, i_birth - 1, i_birth


def _above_address(i_addr: int | None) -> tuple[int, int, int] | None:
    """The name, sex and birth lines as the three above the address's, where no line
    reads as a birth date (16385)."""
    if i_addr is None or i_addr < 3:
        return None
    return i_addr - 3, i_addr - 2, i_addr - 1


def without_photo(g: np.ndarray) -> np.ndarray:
    """The front with its portrait painted white."""
    h, w = g.shape[:2]
    out = g.copy()
    out[: int(PHOTO_BOTTOM * h), int(PHOTO_LEFT * w):] = 255
    return out


def _outside_photo(pieces: list[Word], shape: tuple[int, ...]) -> list[Word]:
    """The text pieces found on the card that do not lie on its portrait."""
    h, w = shape[:2]
    return [p for p in pieces if not ((p.bbox[0] + p.bbox[2]) / 2 > PHOTO_LEFT * w
                                      and (p.bbox[1] + p.bbox[3]) / 2 < PHOTO_BOTTOM * h)]


def _is_card(g: np.ndarray) -> bool:
    return im.looks_like_card(g) and g.shape[1] > g.shape[0]


def clip_left_of_photo(g: np.ndarray, box: BBox) -> BBox:
    if not _is_card(g):
        return box
    right = int(PHOTO_LEFT * g.shape[1])
    return (box[0], box[1], max(box[0] + 1, min(box[2], right)), box[3])


def _line_or(found: int | None, fallback: int | None) -> int | None:
    """A label's line, or where the card's fixed order of lines puts it."""
    return found if found is not None else fallback


def _before(i: int | None) -> int | None:
    return i - 1 if i is not None and i > 0 else None


def _first_date_line(lines: list[Word], i_number: int | None) -> int | None:
    """The first line above the number with a date, or a year (1977年2月58: the day
    misread, the line still the birth date's)."""
    end = i_number if i_number is not None else len(lines)
    return next((i for i in range(end)
                 if _dates(lines[i].text) or _YEAR.search(lines[i].text)), None)


_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")


def _number_line(lines: list[Word]) -> int | None:
    for i in range(len(lines) - 1, -1, -1):
        if NUMBER_LIKE.search(lines[i].text.replace(" ", "")) or contains(
                cjk_only(lines[i].text), "身份号码"):
            return i
    return None


def _value_column(g: np.ndarray, lines: list[Word]) -> int | None:
    """Where the card's values start (its name, sex and birth date are printed in
    one column right of the labels): the left of those ``lines`` found without a
    label, if any."""
    if not _is_card(g):
        return None
    return min((w.bbox[0] for w in lines if w.bbox[0] > LABEL_EDGE * g.shape[1]), default=None)


LABEL_EDGE = 0.13  # of a card's width: its labels start left of this, its values right


def _name_box(g: np.ndarray, line: Word, value_x: int | None) -> BBox:
    """The name's part of its line: after the label's share of the line's text
    where 姓名 was read, else from the value column where it is known (the label, read
    in part or not at all, lies left of it)."""
    if value_x is None or "姓名" in line.text:
        return clip_left_of_photo(g, value_box(g, line, label_chars=2))
    x0, y0, x1, y1 = line.bbox
    return clip_left_of_photo(g, (max(x0, value_x - (y1 - y0) // 4), y0, x1, y1))


def _name(page: Page, g: np.ndarray, line: Word, value_x: int | None) -> dict[str, Field]:
    """Vote between the page line and the crop read at several scales (rare
    characters of names read differently at each size)."""
    box = _name_box(g, line, value_x)
    votes: dict[str, float] = {}
    from_line = _name_chars(after_label(line.text, "姓名"))
    if len(from_line) >= 2:  # a one-character name is a piece of one
        votes[from_line] = line.confidence
    crop = im.crop(g, box, pad=6)
    as_it_is = recognise([crop])[0]  # the PP-OCR reader reads rare characters better
    for scale in NAME_SCALES:
        text, conf = (as_it_is if scale == 1.0 and _recogniser_reads_lines() else read_line(
            im.scale_to(crop, int(max(crop.shape[:2]) * scale)), "chi_sim", 7))
        name = _name_chars(text)
        if 2 <= len(name) <= 5:
            votes[name] = votes.get(name, 0.0) + conf
    tesseract_names = set(votes)
    second, score = as_it_is
    second = _name_chars(second)
    if 2 <= len(second) <= 5 and score >= 0.8:
        votes[second] = votes.get(second, 0.0) + 2 * score
    if not votes:
        return {}
    value = max(votes, key=lambda v: votes[v])
    conf = min(1.0, votes[value] / max(1.0, sum(votes.values())) * 0.5 + 0.5 * votes[value] /
               (len(NAME_SCALES) + 1))
    if value == second:
        conf = AGREE_CONFIDENCE if value in tesseract_names else max(conf, min(score, 0.95))
    if not _fills_its_line(value, crop):
        conf = min(conf, engines.DISAGREE_CONFIDENCE)
    if common := common_surname(crop, value):
        value, conf = common, min(conf, engines.DISAGREE_CONFIDENCE)
    return {"name": Field("name", value, page.number, box, round(conf, 3))}


def _recogniser_reads_lines() -> bool:
    """Whether ``read_line`` of a crop is the recogniser's reading of it (not Tesseract's):
    the crop read as it is once serves both."""
    profile = engines.active()
    return profile.second_reader and not profile.tesseract_crops


NAME_SPAN_SLACK = 0.5  # characters: a name's ink spans its count of square characters
#                        to within 0.18 on every front of seeds 5, 7 and 11; a blurred
#                        韩军勇 read 车勇 by both readers spanned 2.88


def _fills_its_line(name: str, crop: np.ndarray) -> bool:
    """Whether a name read fills the ink of its crop (``names.fills_its_ink``)."""
    return fills_its_ink(name, crop, NAME_SPAN_SLACK)


def _sex_band(g: np.ndarray, line: Word, name: Word | None, birth: Word | None) -> BBox:
    """Where the sex and ethnicity are printed: on a card, the row halfway between
    the name's and the birth date's lines (the sex line's piece may hold only part of
    it, or be another line taken for it), from the labels to the portrait; else the
    sex line and two line heights past its end."""
    x0, y0, x1, y1 = line.bbox
    height = y1 - y0
    if not _is_card(g):
        return (x0, y0, min(g.shape[1], x1 + 2 * height), y1)
    if name is not None and birth is not None and name.bbox[3] < birth.bbox[1]:
        middle = (name.bbox[1] + name.bbox[3] + birth.bbox[1] + birth.bbox[3]) // 4
        height = birth.bbox[3] - birth.bbox[1]
        x0, y0, y1 = min(name.bbox[0], birth.bbox[0]), middle - height // 2, middle + height // 2
    return clip_left_of_photo(g, (x0, y0, g.shape[1], y1))


def _sex_ethnicity(page: Page, line: Word, number: Field | None,
                   band: BBox) -> dict[str, Field]:
    out: dict[str, Field] = {}
    text = line.text.replace(" ", "")
    sex_digit = None
    if number and len(number.value) == 18 and number.value[16].isdigit():
        sex_digit = "男" if int(number.value[16]) % 2 else "女"
    misread = _SEX_ETHNICITY.search(cjk_only(text))
    found = re.search("[男女]", after_label(text, "性别")) or misread
    if found or sex_digit:
        value = found.group(1 if found is misread else 0) if found else sex_digit
        conf = line.confidence if found else 0.6
        if sex_digit and value != sex_digit:
            conf = min(conf, 0.4)
        out["sex"] = Field("sex", str(value), page.number, line.bbox, round(conf, 3))
    pos = text.find("族")
    rest = cjk_only(text[pos + 1:]) if pos >= 0 else ""
    if not rest and misread:
        rest = misread.group(2)  # only a name on the list, the label unread
    ethnicity = _closest_ethnicity(rest)
    conf = line.confidence if ethnicity == rest else 0.6
    if ethnicity not in ETHNICITIES and (again := _ethnicity_again(page, band)):
        ethnicity, conf = again
    if ethnicity:
        out["ethnicity"] = Field("ethnicity", ethnicity, page.number, line.bbox,
                                 round(conf, 3))
    return out


ETHNICITY_SHARE = 0.5  # the name's share of the 56 names' likelihood that takes it (its confidence)


def _ethnicity_again(page: Page, band: BBox) -> tuple[str, float] | None:
    """The ethnicity read again as one of the 56 names (``engines.read_as_one_of``),
    where the line's reading has none on the list (回 read as 口, 汉 as 议, or left out
    of the line's piece): the name that ends the sex and ethnicity's ``band``, whatever
    its labels and sex read as."""
    crop = im.crop(page.image, band, pad=4)
    if crop.size == 0:
        return None
    chosen = engines.read_as_one_of(crop, ETHNICITIES, free_start=True)
    if chosen is None or chosen.share < ETHNICITY_SHARE:
        return None
    return chosen.value, min(chosen.share, GRAMMAR_CONFIDENCE)


def _closest_ethnicity(text: str) -> str:
    if not text:
        return ""
    if text in ETHNICITIES:
        return text
    for name in sorted(ETHNICITIES, key=len, reverse=True):
        if text.startswith(name):
            return name
    return text


def _birth(page: Page, g: np.ndarray, line: Word | None,
           number: Field | None) -> dict[str, Field]:
    from_number = number_birth(number.value) if number and number.confidence >= 0.5 else None
    printed: list[tuple[dt.date, float, BBox]] = []
    if line is not None:
        box = clip_left_of_photo(g, value_box(g, line, label_chars=2))
        printed += [(d, line.confidence, box) for d in _dates(line.text) if _may_be_born(d)]
        if not printed or (from_number and printed[0][0] != from_number):
            text, conf = reread(g, box)
            printed += [(d, conf, box) for d in _dates(text) if _may_be_born(d)]
    for date, conf, box in printed:
        if from_number and _one_digit_apart(date, from_number):  # a misread digit
            return {"birth_date": Field("birth_date", from_number.isoformat(), page.number,
                                        box, 0.7)}
        if date == from_number:
            return {"birth_date": Field("birth_date", date.isoformat(), page.number, box,
                                        round(max(conf, 0.9), 3))}
    if printed:  # printed date disagrees with the number (or no number): report what is printed
        date, conf, box = max(printed, key=lambda p: p[1])
        conf = min(conf, 0.5) if from_number else conf
        return {"birth_date": Field("birth_date", date.isoformat(), page.number, box,
                                    round(conf, 3))}
    if from_number and number:
        where = line.bbox if line is not None else number.bbox
        return {"birth_date": Field("birth_date", from_number.isoformat(), page.number, where,
                                    0.6)}
    return {}


def _may_be_born(date: dt.date) -> bool:
    """A birth date a living applicant may have (3197-06-19 is 1974's misread)."""
    return EARLIEST_BIRTH <= date <= dt.date.today()


EARLIEST_BIRTH = dt.date(1900, 1, 1)


def _one_digit_apart(a: dt.date, b: dt.date) -> bool:
    x, y = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return sum(c != d for c, d in zip(x, y, strict=True)) == 1


def _dates(text: str) -> list[dt.date]:
    out = []
    for y, m, d in _DATE.findall(text.replace(" ", "")):
        try:
            out.append(dt.date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return out
