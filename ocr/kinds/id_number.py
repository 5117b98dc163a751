"""The resident ID number (公民身份号码): its check character and birth date, and the
votes between its readings on a card (the page line, the value crop read as digits,
the card's fixed number area, and Tesseract's opinion read in the background)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from concurrent.futures import Future

import numpy as np
from stdnum.cn import ric

from .. import engines
from .. import image as im
from ..engines import read_line, second_opinion_soon
from ..tesseract import ID_CHARS
from ..types import BBox, Field, Page, Word
from . import value_box

NUMBER_LIKE = re.compile(r"[0-9Xx×]{15,}")  # a run that may be an ID number
CONFLICT_CONFIDENCE = 0.6  # below the rules' floor: the value is checked by hand
NUMBER_AREA = (0.28, 0.74, 0.98, 0.97)  # where the number sits on a card crop (x0,y0,x1,y1)


def number_birth(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def valid_number(number: str) -> bool:
    """Check character and a real birth date (the region code is not judged:
    districts created after birth are real, see domain.md)."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in ID_CHARS:
        return False
    born = number_birth(number)
    return (check_character_right(number) and born is not None
            and born.year >= 1900 and born <= dt.date.today())


def as_checked(found: Field) -> Field:
    """A field: an ID number whose check character or birth date is wrong was misread
    (or is false) either way, and is left to be checked by hand, never passed on as sure
    (seed 113: an income certificate's ...6544 read ...6511, both readers alike, at 0.96;
    a letter's or pay slip's number has no second look). Any other field as it is."""
    if found.name != "id_number" or valid_number(found.value):
        return found
    return dataclasses.replace(found, confidence=min(found.confidence, CONFLICT_CONFIDENCE))


def check_character_right(number: str) -> bool:
    """Whether an 18-character number ends in the check character of its first 17
    (GB 11643-1999, ISO 7064 MOD 11-2). python-stdnum's ``calc_check_digit`` takes the
    whole number and leaves out its last character: given the first 17 only, it
    checked the first 16, so a misread sex digit passed and a real number such as
    11010519491231002X was judged invalid."""
    return len(number) == 18 and ric.calc_check_digit(number) == number[17]


def _clean_number(text: str) -> str:
    return text.upper().replace("×", "X").replace(" ", "")


@dataclasses.dataclass
class NumberVotes:
    """The ID number's candidates (text, confidence, box), and Tesseract's opinion
    still being read in the background (the recogniser's profile only)."""

    page: Page
    candidates: list[tuple[str, float, BBox]]
    opinion: Future[str] | None = None

    def decide(self) -> Field | None:
        candidates = self.candidates
        if not candidates:
            return None
        if self.opinion is not None:  # the other engine's vote (never preferred)
            candidates = [*candidates,
                          (_clean_number(self.opinion.result()), 0.0, candidates[0][2])]
        valid = [c for c in candidates if valid_number(c[0])]
        if valid:
            value, conf, box = max(valid, key=lambda c: c[1])
            agree = sum(c[0] == value for c in candidates) >= 2
            conf = max(conf, 0.9 if agree else 0.8)
            if any(c[0] != value for c in valid):  # two valid numbers read: checked by hand
                conf = min(conf, CONFLICT_CONFIDENCE)
            return Field("id_number", value, self.page.number, box, round(conf, 3))
        value, conf, box = max(candidates, key=lambda c: (len(c[0]) == 18, c[1]))
        return Field("id_number", value, self.page.number, box, round(min(conf, 0.4), 3))


def number_votes(page: Page, g: np.ndarray, line: Word | None) -> NumberVotes:
    """The number's candidates: the page line's digits, the value crop read as
    digits, the card's fixed number area (when no other is valid); Tesseract's opinion
    of its crop started (another process, while the other fields are read: ``decide``
    waits for it and keeps the best valid one), except on a small card."""
    candidates: list[tuple[str, float, BBox]] = []
    if line is not None:
        box = value_box(g, line, label_chars=6)
        for match in NUMBER_LIKE.findall(line.text.replace(" ", "")):
            candidates.append((_clean_number(match), line.confidence, box))
        text, conf = read_line(im.crop(g, box, pad=6), "eng", 7, ID_CHARS)
        candidates.append((_clean_number(text), conf, box))
    if im.looks_like_card(g) and not any(valid_number(c[0]) for c in candidates):
        h, w = g.shape[:2]
        x0, y0, x1, y1 = NUMBER_AREA
        box = (int(x0 * w), int(y0 * h), int(x1 * w), int(y1 * h))
        text, conf = read_line(im.crop(g, box), "eng", 7, ID_CHARS)
        candidates.append((_clean_number(text), conf, box))
    candidates = [c for c in candidates if 15 <= len(c[0]) <= 18]
    votes = NumberVotes(page, candidates)
    # A small card's number is voted on again once it is read (``card_look``), and
    # Tesseract misreads its enlarged digits: its opinion is not asked there (on 80
    # desk photos of copies it changed no value, and took a tenth of the time).
    if candidates and not engines.active().tesseract_crops and not page.small_card:
        votes.opinion = second_opinion_soon(im.crop(g, candidates[0][2], pad=6), ID_CHARS)
    return votes
