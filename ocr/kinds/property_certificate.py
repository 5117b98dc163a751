"""Property certificate (不动产权证书 / 房屋所有权证).

The certificate number is found anywhere on the page by its pattern. Every
other field is a labelled row: the row's band is bounded by the table rulings
that cross the label column (or, without rulings, by the next label), and the
value is the OCR text in that band beside or below the label.
"""

from __future__ import annotations

import dataclasses
import re

import cv2
import numpy as np

from .. import image as im
from ..classify import cjk_only, contains
from ..engines import (
    least_sure_character,
    lines_from_pieces,
    read_line,
    read_lines,
    recognise,
    reread_lines,
)
from ..recognizer import AGREE_CONFIDENCE
from ..tesseract import DIGITS
from ..types import BBox, Field, Page, Word
from . import KindResult, after_label, ready_of, rulings_of, value_box
from .fields_text import MALFORMED_ADDRESS
from .names import fills_its_ink

ROWS: tuple[tuple[str, str], ...] = (
    ("owners", "权利人"), ("co_ownership", "共有情况"), ("location", "坐落"),
    ("unit_number", "不动产单元号"), ("right_type", "权利类型"), ("right_nature", "权利性质"),
    ("use", "用途"), ("area", "面积"), ("term", "使用期限"),
    ("other_status", "权利其他状况"), ("notes", "附记"),
)
CO_OWNERSHIP = ("单独所有", "共同共有", "按份共有")
_CERT = re.compile(r"(\S{1,2})[(（\[【{]\s*(\d{4})\s*[)）\]】}](\S*?)不动产权第\s*(\d+)\s*号")
_UNIT = re.compile(r"\d{12}[A-Z]{2}\d{5}[A-Z]\d{8}")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
OWNER_SCALES = (0.7, 1.4)
VOCABULARY = (
    "专有建筑面积", "分摊建筑面积", "房屋结构", "钢筋混凝土结构", "总层数", "抵押权人",
    "抵押登记日期", "债权数额", "人民法院查封", "查封期限三年", "国有建设用地使用权",
    "房屋所有权", "市场化商品房", "城镇住宅用地", "股份有限公司", "共有宗地面积", "房屋建筑面积",
)
UNIT_CHARS = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A building's structure as certificates print it: the six of the registration data
# standard (TD/T 1066: 钢, 钢和钢筋混凝土, 钢筋混凝土, 混合, 砖木, 其它) and the common names
# registries also use. Read as none of them, it is taken for the nearest within
# STRUCTURE_EDITS characters, or kept; either way checked by hand (钢筋混凝土结构 read
# 钢饰混复土结构, 0.873 sure, on seed 61's photo).
STRUCTURES = ("钢结构", "钢和钢筋混凝土结构", "钢筋混凝土结构", "混合结构", "砖木结构",
              "其它结构", "其他结构", "砖混结构", "钢混结构", "框架结构", "剪力墙结构",
              "框架剪力墙结构", "框剪结构", "砖石结构", "木结构")
STRUCTURE_EDITS = 2
_STRUCTURE = re.compile(r"(?<=房屋结构：)([^；;，,：:]+)")
UNSURE = 0.8  # below field_confidence_min: checked by hand


def read(pages: list[Page]) -> KindResult:
    if not pages:
        return KindResult()
    page = max(pages, key=lambda p: len(_label_lines(p.words)))
    fields: dict[str, Field] = {}
    for p in pages:
        number = certificate_number(p)
        if number:
            fields["certificate_number"] = number
            break
    g = ready_of(page)
    for name, (value, box, conf) in read_rows(page, g).items():
        value = normalise(name, value, g, box)
        if name == "owners" and value:
            value, conf = vote_owners(value, conf, g, box)
            value, conf = _agree_with_page_line(page, value, conf, g, box)
            if not fills_its_ink(value, im.crop(g, box), OWNERS_SPAN_SLACK) or not (
                    _surely_read(im.crop(g, box, pad=6), OWNER_CHARACTER_SURE)):
                conf = min(conf, UNSURE)
        if name == "other_status":
            value, conf = known_structure(value, conf)
        if name == "location" and value:
            value, conf = second_reading(name, value, conf, g, box)
            if MALFORMED_ADDRESS.search(value) or conf > UNSURE and not _surely_read(
                    im.crop(g, box, pad=6), LOCATION_CHARACTER_SURE):
                conf = min(conf, UNSURE)
        if value or name == "notes":
            fields[name] = Field(name, value, page.number, box, round(conf, 3))
    cross_check_area(fields)
    if "unit_number" in fields:
        fields["unit_number"] = cross_check_unit(fields["unit_number"], fields)
    if "term" in fields:
        use = fields["use"].value if "use" in fields else ""
        term = fields["term"]
        value, conf = known_term(term.value, term.confidence, use)
        fields["term"] = dataclasses.replace(term, value=value, confidence=round(conf, 3))
    return KindResult(fields=fields)


def known_term(value: str, conf: float, use: str = "") -> tuple[str, float]:
    """使用期限 as printed: the right, then from (起) and to (止) a land grant's years
    apart (TERM_YEARS: 70 for homes, ``use`` saying 住宅). One read otherwise is checked by hand; a
    起 or 止 misread between dates that are that far apart is put back (seed 79:
    2013年10月19日22083年10月19日止, the 起 read 2, sure 0.958)."""
    found = _TERM.match(value.replace(" ", ""))
    if found is None:
        return value, min(conf, UNSURE)
    right, start, join, end_year, end, tail = found.groups()
    if int(end_year) - int(start[:4]) not in (HOME_YEARS if "住宅" in use else TERM_YEARS):
        return value, min(conf, UNSURE)
    if join == "起" and tail == "止":
        return value, conf
    return f"{right} {start}起{end_year}{end}止".strip(), min(conf, UNSURE)


_TERM = re.compile(r"^(\D*?)(\d{4}年\d{1,2}月\d{1,2}日)(\D?\d?)(\d{4})(年\d{1,2}月\d{1,2}日)(\D?)$")
TERM_YEARS = (40, 50, 70)  # 城镇国有土地使用权出让和转让暂行条例 art. 12
HOME_YEARS = (70,)


def second_reading(name: str, value: str, conf: float, g: np.ndarray,
                   box: BBox) -> tuple[str, float]:
    """The row's crop read by Tesseract too: where it reads otherwise, at two sizes
    alike, its reading is taken and checked by hand (a street's rare character read as
    a common one, sure: 广禁路 for 广渠路, 武路路 for 武珞路; on 64 certificates of seeds
    7, 11, 79 and 83 Tesseract read the 59 right locations alike, and three of the five
    wrong ones right, twice)."""
    crop = im.crop(g, box, pad=6)
    readings = []
    for scale in SECOND_READING_SCALES:
        text, _ = read_line(im.scale_to(crop, int(max(crop.shape[:2]) * scale)), "chi_sim", 7)
        readings.append(normalise(name, text, g, box))
        if readings[-1] == value:
            return value, conf
    if len(set(readings)) == 1 and readings[0]:
        return readings[0], min(conf, UNSURE)
    return value, min(conf, UNSURE)


SECOND_READING_SCALES = (1.0, 1.4)


def vote_owners(value: str, conf: float, g: np.ndarray, box: BBox) -> tuple[str, float]:
    """Names' rare characters read differently at each size: read the owners'
    crop again (the second reader, and Tesseract at two more sizes) and keep
    the reading with most confidence; two readers agreeing is a strong sign."""
    votes = {value: conf}
    crop = im.crop(g, box, pad=6)
    second, score = recognise([crop])[0]
    second = normalise("owners", second, g, box) if score >= 0.8 else ""
    if second:
        votes[second] = votes.get(second, 0.0) + 2 * score
    for scale in OWNER_SCALES:
        text, c = read_line(im.scale_to(crop, int(max(crop.shape[:2]) * scale)), "chi_sim", 7)
        name = normalise("owners", text, g, box)
        if name:
            votes[name] = votes.get(name, 0.0) + c
    best = max(votes, key=lambda v: votes[v])
    confidence = min(1.0, votes[best] / max(1.0, sum(votes.values())) * 0.5 + 0.25 * votes[best])
    if second and best == second:
        confidence = AGREE_CONFIDENCE if best == value else max(confidence, min(score, 0.95))
    return best, confidence


def _surely_read(crop: np.ndarray, least_sure: float) -> bool:
    """Whether the recogniser reads every Chinese character of a row's crop at least
    ``least_sure``: a rare character read as a likelier one is read less surely than
    the rest (seed 7's photo: 龚丽倩 read 龚丽值 by both readers, sure 0.99, its 值 at
    0.68; seed 83's turned photo: 体育西路 read 体有西路 by both, sure 0.981, its 有
    at 0.818)."""
    least = least_sure_character(crop, lambda ch: "\u4e00" <= ch <= "\u9fff")
    return least is None or least >= least_sure


# On 191 certificates of seeds 5-17 and 73-107 the three owners read wrong and sure had a
# character read at 0.33, 0.68 and 0.76; 6 of 179 read right and sure had one under 0.8.
OWNER_CHARACTER_SURE = 0.8
# A location is longer, its characters commoner: on 128 certificates of seeds 5-17, 73, 79
# and 83 the one read wrong and sure (体有西路) had a character at 0.818; 3 of 122 read
# right and sure had one under 0.85 (0.675, 0.821, 0.832) and are now checked by hand.
LOCATION_CHARACTER_SURE = 0.85


# characters: the owners' ink spans about a square per character read (、 included). On 64
# certificates of seeds 5, 7, 61 and 71 a right reading spanned -0.57 to +0.75 of that; 孔雪
# for 孔雪璇 (a rare character dropped by every reading alike, sure 1.0) spanned +1.14.
OWNERS_SPAN_SLACK = 0.9


def _agree_with_page_line(page: Page, value: str, conf: float, g: np.ndarray,
                          box: BBox) -> tuple[str, float]:
    """The page's own line for the row (read line by line by both readers)
    saying the same raises the confidence; a confident page line wins a tie."""
    index = _label_lines(page.words).get("owners")
    if index is None:
        return value, conf
    line = page.words[index]
    from_line = normalise("owners", after_label(line.text, "权利人").lstrip(":："), g, box)
    if from_line == value:
        return value, max(conf, line.confidence)
    if from_line and line.confidence >= AGREE_CONFIDENCE > conf:
        return from_line, line.confidence * 0.95
    return value, conf


def known_structure(value: str, conf: float) -> tuple[str, float]:
    """权利其他状况 with its 房屋结构 one of ``STRUCTURES``: one read as none of them is
    put right to the nearest (within STRUCTURE_EDITS) or kept, and checked by hand."""
    from ..lexicon import edits

    found = _STRUCTURE.search(value)
    if found is None or found.group(1) in STRUCTURES:
        return value, conf
    read = found.group(1)
    distance, nearest = min((edits(read, known), known) for known in STRUCTURES)
    if distance <= STRUCTURE_EDITS:
        value = value[:found.start(1)] + nearest + value[found.end(1):]
    return value, min(conf, UNSURE)


def cross_check_area(fields: dict[str, Field]) -> None:
    """The floor area is the exclusive plus the shared area (专有 + 分摊) that
    权利其他状况 prints: when the area read disagrees, the sum is taken."""
    other = fields.get("other_status")
    if other is None:
        return
    other = fields["other_status"] = _points_restored(other, fields.get("area"))
    own = re.search(r"专有建筑面积(\d+\.\d{2})m²", other.value)
    shared = re.search(r"分摊建筑面积(\d+\.\d{2})m²", other.value)
    if not own or not shared:
        if "建筑面积" in other.value:  # an area there, not read as one (5.0lm²)
            fields["other_status"] = _unsure(other)
        return
    total = f"{float(own.group(1)) + float(shared.group(1)):.2f}"
    read = fields.get("area")
    if read is not None and read.value == total:
        fields["area"] = dataclasses.replace(read, confidence=max(read.confidence, 0.95))
    elif read is None or not read.value or abs(float(read.value) - float(total)) >= 0.015:
        bbox = read.bbox if read is not None else other.bbox
        fields["area"] = Field("area", total, other.page, bbox, 0.7)
        if read is not None and read.value:  # one of the three was misread: which?
            fields["other_status"] = _unsure(other)


def _unsure(field: Field) -> Field:
    return dataclasses.replace(field, confidence=min(field.confidence, UNSURE))


def _points_restored(other: Field, area: Field | None) -> Field:
    """An exclusive or shared area of 权利其他状况 read without its decimal point (71.77
    read 7177, sure) put back where the floor area read less the other gives its digits."""
    found = {name: re.search(rf"{name}建筑面积(\d+(?:\.\d+)?)m²", other.value)
             for name in ("专有", "分摊")}
    if area is None or not re.fullmatch(r"\d+\.\d{2}", area.value) or not all(found.values()):
        return other
    value = other.value
    for name, rest in (("专有", "分摊"), ("分摊", "专有")):
        read, known = found[name], found[rest]
        assert read is not None and known is not None
        if "." in read.group(1) or "." not in known.group(1):
            continue
        told = f"{float(area.value) - float(known.group(1)):.2f}"
        if told.replace(".", "") == read.group(1):
            value = value[:read.start(1)] + told + value[read.end(1):]
    return dataclasses.replace(other, value=value)


def certificate_number(page: Page) -> Field | None:
    for word in page.words:
        text = word.text.replace(" ", "")
        found = _CERT.search(text)
        if found:
            prov, year, district, serial = found.groups()
            value = f"{prov}({year}){district}不动产权第{serial}号"
            return Field("certificate_number", value, page.number, word.bbox, word.confidence)
    return None


def _label_lines(words: list[Word]) -> dict[str, int]:
    """Field name -> index of the line that starts with its label."""
    found: dict[str, int] = {}
    for name, label in ROWS:
        for i, word in enumerate(words):
            head = cjk_only(word.text)[: len(label) + 1]
            if head.startswith(label) or (len(label) >= 4 and contains(head, label)):
                found[name] = i
                break
    return found


def _misread_labels(lines: list[Word], labels: dict[str, int]) -> dict[str, int]:
    """Rows whose label was misread (用途 read 用述, 面积 read 商积 on seed 79's blurred
    photo), told by their line: it starts in the labels' column with a few characters
    and a colon. Between two labels read, as many such lines as rows missing there
    are those rows, in the certificate's order; else the rows above them ran on into
    theirs (出让/市场化商品房城镇住宅用地/住宅共有…, sure)."""
    found = sorted(labels.items(), key=lambda item: lines[item[1]].bbox[1])
    column = float(np.median([lines[i].bbox[0] for _, i in found]))
    height = float(np.median([lines[i].bbox[3] - lines[i].bbox[1] for _, i in found]))
    order = [name for name, _ in ROWS]
    out: dict[str, int] = {}
    for (above, i), (below, j) in zip(found, found[1:], strict=False):
        missing = order[order.index(above) + 1:order.index(below)]
        between = [k for k, line in enumerate(lines)
                   if lines[i].bbox[1] < line.bbox[1] < lines[j].bbox[1]
                   and abs(line.bbox[0] - column) < height and _LABEL_HEAD.match(line.text)]
        if missing and len(between) == len(missing):
            out.update(zip(missing, between, strict=True))
    return out


_LABEL_HEAD = re.compile(r"\s*[\u4e00-\u9fff]{2,6}\s*[:：]")


def read_rows(page: Page, g: np.ndarray) -> dict[str, tuple[str, BBox, float]]:
    """Each labelled row's value: its band beside the label column, cropped
    and read again as a block (values wrap onto several lines)."""
    lines = page.words
    labels = _label_lines(lines)
    if not labels:
        return {}
    labels.update(_misread_labels(lines, labels))
    label_lines = [lines[i] for i in labels.values()]
    value_x = _value_column(g, lines, labels)
    right = max(w.bbox[2] for w in lines) + 10
    page_left = min(w.bbox[0] for w in lines) - 20
    rulings = _rulings(rulings_of(page)[0])
    tops = sorted(w.bbox[1] for w in label_lines)
    bands = {name: _band(lines[i], tops, _rules_across(rulings, lines[i]), g.shape[0],
                         notes=name == "notes")
             for name, i in labels.items()}
    bands.update(_unlabelled_rows(bands))
    boxes: dict[str, BBox] = {}
    for name, (top, bottom) in bands.items():
        left = page_left if name == "notes" else _row_left(
            g, lines, labels.get(name), name, value_x) - 6
        boxes[name] = (max(0, left), int(top), min(g.shape[1], right), int(bottom))
    readings = _bands_read(page, g, boxes)
    out: dict[str, tuple[str, BBox, float]] = {}
    for name, box in boxes.items():
        i = labels.get(name)
        found = [w for w in readings[name] if w.confidence >= 0.3 and w.text.strip()
                 and not (i is not None and _on_label(w, box, lines[i], name))]
        text = _join(w.text for w in found)
        text = _strip_label(text, "附记") if name == "notes" else _strip_label_end(
            text, dict(ROWS)[name])
        conf = sum(w.confidence for w in found) / len(found) if found else (
            lines[i].confidence if i is not None else 0.0)
        if i is not None and not text.strip():
            # the band read nothing (a short value): keep what the page line says
            text = after_label(lines[i].text, dict(ROWS)[name]).lstrip(":： ")
            conf, found = lines[i].confidence, []
        if i is None:
            conf *= 0.8  # placed by the order of rows, its label unread
        if found:
            box = _union([(box[0] + w.bbox[0], box[1] + w.bbox[1], box[0] + w.bbox[2],
                           box[1] + w.bbox[3]) for w in found])
        out[name] = (text, box, conf)
    return out


def _bands_read(page: Page, g: np.ndarray, boxes: dict[str, BBox]) -> dict[str, list[Word]]:
    """Each row's band read as lines (band coordinates; values wrap). Where RapidOCR
    read the page, the pieces it found in a band are taken, those crossing the band's
    left edge (into the label) read again from their part inside it: nothing is
    detected again. Else (Tesseract) each band is cropped and read on its own."""
    if not page.tokens:
        return {name: _band_lines(im.crop(g, box)) for name, box in boxes.items()}
    pieces: dict[str, list[Word]] = {name: [] for name in boxes}
    cut: list[tuple[str, BBox]] = []
    for name, (x0, y0, x1, y1) in boxes.items():
        for piece in page.tokens:
            px0, py0, px1, py1 = piece.bbox
            if not y0 <= (py0 + py1) / 2 <= y1 or px1 <= x0 + 4 or px0 >= x1:
                continue
            if px0 >= x0 and px1 <= x1:
                pieces[name].append(_moved(piece, piece.text, piece.confidence, x0, y0))
            else:
                cut.append((name, (max(px0, x0), py0, min(px1, x1), py1)))
    for (name, box), (text, score) in zip(cut, recognise([im.crop(g, b, pad=2) for _, b in cut]),
                                          strict=True):
        if text:
            x0, y0 = boxes[name][:2]
            pieces[name].append(_moved(Word(text, box, score), text, score, x0, y0))
    return {name: lines_from_pieces(found) for name, found in pieces.items()}


def _moved(piece: Word, text: str, confidence: float, x0: int, y0: int) -> Word:
    px0, py0, px1, py1 = piece.bbox
    return Word(text, (px0 - x0, py0 - y0, px1 - x0, py1 - y0), confidence)


def _band_lines(band: np.ndarray) -> list[Word]:
    if min(band.shape[:2]) < 4:  # lines read out of order leave no room for a value
        return []
    return reread_lines(band, read_lines(band, lang="chi_sim", psm=6))


def _row_left(g: np.ndarray, lines: list[Word], i: int | None, name: str, value_x: int) -> int:
    """Where a row's value starts: the values' column, or left of it where the row's
    own line shows its value starting earlier (a photo taken at an angle: the
    table slants, and a column's start taken from every row cuts the first
    character of the top rows)."""
    if i is None or len(after_label(lines[i].text, dict(ROWS)[name])) <= 1:
        return value_x
    return min(value_x, value_box(g, lines[i], len(dict(ROWS)[name]) + 1)[0])


def _on_label(word: Word, box: BBox, label: Word, name: str) -> bool:
    """A piece of the band read from the label itself (the label's line holds
    nothing else, and the piece's middle lies on it)."""
    if len(cjk_only(label.text)) > len(dict(ROWS)[name]) + 1:
        return False
    x = box[0] + (word.bbox[0] + word.bbox[2]) / 2
    y = box[1] + (word.bbox[1] + word.bbox[3]) / 2
    x0, y0, x1, y1 = label.bbox
    return x0 <= x <= x1 and y0 <= y <= y1


def _rulings(horizontal: np.ndarray) -> list[tuple[int, int, int]]:
    """The page's horizontal rulings as (x0, x1, y), from their mask."""
    horiz = cv2.dilate(horizontal, np.ones((1, 9), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(horiz)
    return [(int(stats[i, 0]), int(stats[i, 0] + stats[i, 2]), int(stats[i, 1] + stats[i, 3] // 2))
            for i in range(1, count)]


def _rules_across(rulings: list[tuple[int, int, int]], label: Word) -> list[int]:
    """y of the rulings that run under and over a label (its line starts with it):
    the borders of its row. Taken at each label's own start, not one x for all
    rows: on a photo taken at an angle the table's left border slants, and a fixed
    x misses the rows whose border starts right of it."""
    x = label.bbox[0] + 8
    return sorted(y for x0, x1, y in rulings if x0 <= x <= x1)


def _unlabelled_rows(bands: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """A row whose label was misread lies between the rows found before and
    after it (the certificate prints its rows in a fixed order)."""
    names = [name for name, _ in ROWS]
    out: dict[str, tuple[float, float]] = {}
    for k, name in enumerate(names[1:-1], start=1):
        before, after = names[k - 1], names[k + 1]
        if name not in bands and before in bands and after in bands:
            top, bottom = bands[before][1], bands[after][0]
            if bottom - top > 20:
                out[name] = (top, bottom)
    return out


def _value_column(g: np.ndarray, lines: list[Word], labels: dict[str, int]) -> int:
    """Where values start: the median start of the value beside each label."""
    starts = [value_box(g, lines[i], len(dict(ROWS)[name]) + 1)[0]
              for name, i in labels.items()
              if name != "notes" and len(after_label(lines[i].text, dict(ROWS)[name])) > 1]
    if starts:
        return int(np.median(starts))
    first = lines[next(iter(labels.values()))]
    return first.bbox[0] + 7 * (first.bbox[3] - first.bbox[1])


def _strip_label(text: str, label: str) -> str:
    head = text[: len(label) + 3]
    pos = max(head.find(label[-1]), head.find(label))
    return text[pos + 1:].lstrip(":：") if pos >= 0 else text


def _strip_label_end(text: str, label: str) -> str:
    """A value without the end of its label, colon and all, read at its start from a
    piece that crossed into the label (0日止状况：专有建筑面积…: the row above's last
    characters, then 状况： of 权利其他状况)."""
    return re.sub(rf"^.{{0,4}}?{re.escape(label[-2:])}[:：]", "", text, count=1)


def _band(line: Word, tops: list[int], rules: list[int], height: int,
          notes: bool) -> tuple[float, float]:
    """Vertical extent of a label's row."""
    x0, y0, x1, y1 = line.bbox
    middle = (y0 + y1) / 2
    if notes:
        return y0 - (y1 - y0) * 0.3, height
    above = [r for r in rules if r < middle]
    below = [r for r in rules if r > middle]
    if above and below and below[0] - above[-1] > (y1 - y0) and not any(
            above[-1] < t < below[0] and abs(t - y0) > (y1 - y0) for t in tops):
        return above[-1], below[0]  # a table row (not a frame around all rows)
    later = [t for t in tops if t > y0 + (y1 - y0) * 0.5]
    return y0 - (y1 - y0) * 0.3, (later[0] if later else height)


def _join(texts: object) -> str:
    return "".join(str(t).replace(" ", "") for t in texts)  # type: ignore[attr-defined]


def _union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


# --- values -----------------------------------------------------------------------------

def normalise(name: str, value: str, g: np.ndarray, box: BBox) -> str:
    value = _tidy(value)
    if name == "owners":
        return re.sub(r"[、,，;；/\s]+", "、", cjk_only_keep(value, "、,，;；/")).strip("、")
    if name == "co_ownership":
        return _closest(cjk_only(value), CO_OWNERSHIP)
    if name == "unit_number":
        return unit_number(value, g, box)
    if name == "area":
        return area(value)
    if name == "term":
        value = re.sub(r"(起\d{4}年\d{1,2}月\d{1,2})(日.?)?$", r"\1日止", value)
    if name == "notes":  # a court's or a bank branch's place: 成都市武侯区人民法院
        value = _CITY_COUNTY.sub(_known_county, value)
    if name in _SLASHED:
        value = _SLASHED[name].sub(r"\1/", value)
    return value.replace("（", "(").replace("）", ")")


# Rows printed as two terms joined by a slash (国有建设用地使用权/房屋所有权): the slash
# dropped or read as a stroke between the two (seed 73's photo: 国有建设用地使用权房屋所有权,
# sure 0.973) is put back.
_SLASH_READ = r"[1lI|丨丿\\]?"
_SLASHED = {name: re.compile(rf"({left}){_SLASH_READ}(?={right})") for name, left, right in (
    ("right_type", "使用权", "房屋所有权|构筑物所有权|林木所有权"),
    ("right_nature", "出让|划拨|出租|作价出资", "市场化商品房|商品房|房改房|经济适用住房|自建房"),
    ("use", "用地", "住宅|商业|办公|工业|车位"))}


_CITY_COUNTY = re.compile(r"(?<=市)[\u4e00-\u9fff]{1,4}?[区县]")


def _known_county(found: re.Match[str]) -> str:
    """A city's district or county read a character off (武候区 for 成都市武侯区, sure)
    put right where one of the city's own is that character away, and only one."""
    from ..divisions import counties_by_prefecture
    from ..lexicon import edits

    county, before = found.group(0), found.string[:found.start()]
    cities = counties_by_prefecture()
    city = next((before[-n:] for n in (3, 2, 4, 5) if before[-n:] in cities), None)
    if city is None or county in cities[city]:
        return county
    near = [name for name in cities[city] if len(name) == len(county)
            and edits(name, county) == 1]
    return near[0] if len(near) == 1 else county


def _tidy(value: str) -> str:
    """Undo common OCR noise: stray marks at the ends, m² read as m2/m°/m:/m?/ml."""
    value = value.strip("：:;；”“\"'|。.,，、-_[]一 ")
    value = re.sub(r"(\d)m[2²°:?*\"“”z]{1,2}", r"\1m²", value)
    value = re.sub(r"(\d)(?:mm|nm|m|n)[2²7:?*\"“”zl1I|]{0,2}(?=[，,；;：/]|$)", r"\1m²", value)
    value = _known_phrases(value)
    value = re.sub(r"(?<=\d)[\]|l](?=[\d号单元楼层年月日]|m²)|(?<=[号院楼])[\]|l](?=\d)", "1",
                   value)
    return value.replace(":", "：").replace(";", "；")


DROPPED_FROM = 5  # characters: a printed phrase this long read a character short is put right


def _dropped_restored(value: str, phrase: str) -> str:
    """``phrase`` read with one character dropped (分建筑面积 for 分摊建筑面积, seed 89's
    photo, sure 0.936) put right; not where the phrase itself is there (屋建筑面积 in
    房屋建筑面积)."""
    n = len(phrase)
    for k in range(n):
        short = phrase[:k] + phrase[k + 1:]
        i = value.find(short)
        while i >= 0:
            if phrase not in (value[max(0, i - 1):i - 1 + n], value[i:i + n]):
                value = value[:i] + phrase + value[i + n - 1:]
            i = value.find(short, i + n)
    return value


def _known_phrases(value: str) -> str:
    """Words printed on every certificate, put right when one character is
    misread (分捧 -> 分摊); the colon after a sub-label restored and the semicolon
    before one (a photo's ； reads as ： or ，) put back."""
    for phrase in VOCABULARY:
        chars = set(phrase)
        if sum(ch in value for ch in chars) < len(chars) - 1:
            continue  # no window one character off, none a character short: nothing to do
        n = len(phrase)
        i = 0
        while i + n <= len(value):
            window = value[i:i + n]
            if window != phrase and sum(a != b for a, b in zip(window, phrase, strict=True)) == 1:
                value = value[:i] + phrase + value[i + n:]
            i += 1
        if n >= DROPPED_FROM:
            value = _dropped_restored(value, phrase)
    value = re.sub(r"[，,;:：](?=抵押登记日期|债权数额|房屋结构|总层数)", "；", value)
    value = re.sub(r"(?<=m²)[、.。;；,](?=分摊建筑面积)", "，", value)  # printed ，
    value = re.sub(r"([；，])[；，;,]+", r"\1", value)  # ；； read for one (seed 113)
    return re.sub(r"(抵押权人|抵押登记日期|债权数额|房屋结构|总层数)[，,;；:]", r"\1：", value)


def cjk_only_keep(text: str, keep: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch in keep or ch == "·")


def _closest(text: str, choices: tuple[str, ...]) -> str:
    if not text:
        return ""
    best = max(choices, key=lambda c: sum(a == b for a, b in zip(text, c, strict=False)))
    return best if sum(a == b for a, b in zip(text, best, strict=False)) >= 2 else text


def unit_number(text: str, g: np.ndarray, box: BBox) -> str:
    """28 characters; the line read first, then the crop read as letters and
    digits (``eng``) when the line read is not well formed."""
    from_line = re.sub(r"[^0-9A-Z]", "", text.upper())
    if _UNIT.fullmatch(from_line):
        return from_line
    read, _ = read_line(im.crop(g, box, pad=6), "eng", 7, UNIT_CHARS)
    from_crop = read.replace(" ", "")
    if _UNIT.fullmatch(from_crop):
        return from_crop
    return from_crop if len(from_crop) == 28 else from_line


def cross_check_unit(unit: Field, fields: dict[str, Field]) -> Field:
    """不动产单元号 against the rest of the certificate: its first six digits are the
    district's code, whose name the location or the certificate number prints; its
    13th and 14th letters say the land (G: state-owned; B, S or X: a construction-land
    use right, as 权利类型 says). A district code one digit off the one named is put
    right, a letter read for B put back; either way, and anything else that does not
    agree, is checked by hand (seed 79: 120106 for 武昌区's 420106, GE for GB, sure
    0.917)."""
    from ..lexicon import edits

    value, sure = unit.value, True
    if not _UNIT.fullmatch(value):
        return dataclasses.replace(unit, confidence=min(unit.confidence, UNSURE))
    place = "".join(fields[n].value for n in ("location", "certificate_number") if n in fields)
    named = _district_codes_named(place)
    if named and value[:6] not in named:
        near = [code for code in named if edits(code, value[:6]) == 1]
        value = (near[0] if len(near) == 1 else value[:6]) + value[6:]
        sure = False
    land = fields["right_type"].value if "right_type" in fields else ""
    if "建设用地使用权" in land and value[13] not in "BSX":
        value = value[:13] + ("B" if value[13] in "E8RP" else value[13]) + value[14:]
        sure = False
    return unit if sure else dataclasses.replace(
        unit, value=value, confidence=min(unit.confidence, UNSURE))


def _district_codes_named(place: str) -> list[str]:
    """Codes of the districts and counties whose names ``place`` prints."""
    from ..divisions import county_names

    return [code for code, name in county_names().items() if len(name) > 2 and name in place]


def area(text: str) -> str:
    """The building's floor area as a number with two decimals: after
    房屋建筑面积 / 建筑面积 when printed, else the last number."""
    text = text.replace(" ", "").replace("，", ",")
    for key in ("房屋建筑面积", "建筑面积"):
        pos = text.find(key)
        if pos >= 0:
            found = _NUMBER.search(text, pos)
            if found:
                return f"{float(found.group(0)):.2f}"
    numbers = _NUMBER.findall(text)
    return f"{float(numbers[-1]):.2f}" if numbers else ""
