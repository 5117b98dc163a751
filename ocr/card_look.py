"""A second look at a small ID card cut from a desk photo (enlarged more than
``LOW_RES`` to be read): the ID number is voted among valid readings (the
recogniser's pieces of the whole card read again, when its crop's readings do not
settle it), and the validity period is taken from the pieces or a re-read of its
line, a misread date completed from the other by the 5/10/20-years-to-the-day rule
(lower confidence). Its wording (name, address, authority, period) is then left to
be checked by hand (``SMALL_PRINT_CONFIDENCE``)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from . import image as im
from .cards import LOW_RES
from .types import BBox, DocumentKind, Field, Page, ReadDocument, Word

ID_SIDES = {DocumentKind.ID_CARD_FRONT, DocumentKind.ID_CARD_BACK}
KEY_FIELD = {DocumentKind.ID_CARD_FRONT: "id_number", DocumentKind.ID_CARD_BACK: "valid_until"}
_NUMBER = re.compile(r"\d{17}[\dX]")
_PERIOD = re.compile(r"(\d{8})[-—]?(\d{8}|长期)")


def second_look(side: ReadDocument, enlarged: float) -> ReadDocument:
    """A card cut from a photo is small: Tesseract misreads its enlarged digits (0 as
    6, even into a valid number). The ID number is voted on (the whole card read again
    unless its crop's readings settle it); a missing or impossible validity period is
    taken from the card read again (a real period read already is kept, and the card
    not read again)."""
    if enlarged <= LOW_RES or not side.pages or side.kind not in ID_SIDES:
        return side
    from . import engines

    page = side.pages[0]
    fields = dict(side.fields)
    if side.kind is DocumentKind.ID_CARD_FRONT:
        fields.update(_voted_number(page, fields.get("id_number"), enlarged))
        fields.update(_told_by_number(fields))
    elif not real_period(fields.get("valid_from"), fields.get("valid_until")):
        pieces = engines.detect_and_read(page.image, large_print=True)
        fields.update(_period(page, pieces, enlarged))
    problems = [p for p in side.problems
                if p.code != "read.field_missing" or KEY_FIELD[side.kind] not in fields]
    return small_print_checked(replace(side, fields=fields, problems=problems))


def small_print_checked(side: ReadDocument) -> ReadDocument:
    """A side read from a card small in its photo: its wording is left to be checked
    by hand; only what the sure ID number ties together keeps its confidence."""
    checked = _agreeing_with_number(side.fields)
    return replace(side, fields={name: field if name in checked else replace(
        field, confidence=min(field.confidence, SMALL_PRINT_CONFIDENCE))
        for name, field in side.fields.items()})


def _agreeing_with_number(fields: dict[str, Field]) -> set[str]:
    """The fields the sure ID number vouches for: itself, and the birth date and sex
    it tells where they were read alike. A number voted after the card was read may
    differ from the one its birth date was checked against (seed 73: 1956-02-01 read,
    sure, beside a number born 1985-06-21)."""
    from .kinds.id_number import valid_number

    number = fields.get("id_number")
    if number is None or number.confidence < NUMBER_SURE or not valid_number(number.value):
        return set()
    return {"id_number"} | {name for name, value in _told(number.value).items()
                            if name in fields and fields[name].value == value}


def _told(number: str) -> dict[str, str]:
    """The birth date and sex a valid ID number tells."""
    from .kinds.id_number import number_birth

    return {"birth_date": str(number_birth(number)), "sex": "男" if int(number[16]) % 2 else "女"}


# A small card's wording is checked by hand: on 40 desk photos of ID copies (cards
# 370-520 px wide) 15 names, addresses, authorities and periods were read wrong and
# sure, some by both readers alike. The number's check character ties the number, the
# birth date and the sex together: those keep their confidence, when the number is sure
# and they agree with it (``_agreeing_with_number``).
SMALL_PRINT_CONFIDENCE = 0.8  # below the policy's field_confidence_min (0.85)
NUMBER_SURE = 0.85  # a number voted less sure (or not valid) ties nothing together


def _voted_number(page: Page, read: Field | None, enlarged: float) -> dict[str, Field]:
    """The valid ID number most readings agree on: the recogniser and Tesseract on the
    number's crop (Tesseract at the photo's own size) and the reader's; when those three
    do not agree, the recogniser's pieces of the whole card read again go first. Ties
    go to the earlier."""
    from .kinds.id_number import NUMBER_AREA

    h, w = page.image.shape[:2]
    x0, y0, x1, y1 = NUMBER_AREA
    box = read.bbox if read and read.bbox else (int(x0 * w), int(y0 * h), int(x1 * w),
                                                int(y1 * h))
    readings = _number_readings(page, box, read, enlarged)
    found = _vote(readings)
    if found is None or found[1] < SETTLED:
        from . import engines

        pieces = engines.detect_and_read(page.image, large_print=True)
        texts = [re.sub(r"\s", "", w.text) for w in pieces]
        found = _vote([*(m for t in texts for m in _NUMBER.findall(t.upper())), *readings])
    if found is None and (guess := _closest_valid_number(page, box)):
        found = guess, 1  # a guess: checked by hand
    if found is None:
        return {}
    value, votes = found
    return {"id_number": Field("id_number", value, page.number, box,
                               0.95 if votes >= SETTLED else 0.85 if votes == 2 else 0.6)}


SETTLED = 3  # readings of one valid number that settle it
GUESSED = 0.6  # guessed from runner-up characters, or told only by the number: checked by hand


def _told_by_number(fields: dict[str, Field]) -> dict[str, Field]:
    """The birth date and sex a valid number tells, where their lines were not read
    (the number voted after the card was read)."""
    from .kinds.id_number import valid_number

    number = fields.get("id_number")
    if number is None or not valid_number(number.value):
        return {}
    return {name: Field(name, value, number.page, number.bbox, GUESSED)
            for name, value in _told(number.value).items() if name not in fields}


def _closest_valid_number(page: Page, box: BBox) -> str | None:
    """No reading is a valid number: the valid one the number's crop most likely
    says, a digit or three changed to their runners-up (0 read 6 or 9 on a blur), its
    province and city ones that exist or existed."""
    from .divisions import known_prefecture
    from .engines import read_as_valid
    from .kinds.id_number import valid_number
    from .tesseract import ID_CHARS

    def plausible(number: str) -> bool:
        return valid_number(number) and known_prefecture(number[:4])

    return read_as_valid(im.flatten(im.crop(page.image, box, pad=6)), ID_CHARS, 18, plausible)


def _number_readings(page: Page, box: BBox, read: Field | None, enlarged: float) -> list[str]:
    from .engines import read_line, recognise
    from .tesseract import ID_CHARS

    crop = im.flatten(im.crop(page.image, box, pad=6))
    small = im.scale_to(crop, max(32, round(max(crop.shape[:2]) / enlarged)))
    return [recognise([crop])[0][0], read_line(small, "eng", 7, ID_CHARS)[0],
            read.value if read else ""]


def _vote(readings: list[str]) -> tuple[str, int] | None:
    from .kinds.id_number import valid_number

    valid = [r.upper().replace(" ", "") for r in readings if valid_number(r.upper())]
    if not valid:
        return None
    value = max(valid, key=lambda v: (valid.count(v), -valid.index(v)))
    return value, valid.count(value)


def real_period(start: Field | None, end: Field | None) -> bool:
    if not start or not end:
        return False
    if end.value == "长期":
        return True
    years = end.value[:4].isdigit() and start.value[:4].isdigit() and int(
        end.value[:4]) - int(start.value[:4])
    return years in (5, 10, 20) and end.value[4:] == start.value[4:]


def _period(page: Page, pieces: list[Word], enlarged: float) -> dict[str, Field]:
    """valid_from and valid_until from the first reading that is a real period: a
    recogniser's piece such as ``2011.09.22-2031.09.22`` or ``2025.0113-长期``, then
    each piece with digits read again (the recogniser on its crop cleaned up and as
    is, Tesseract at the photo's own size)."""
    from .engines import read_line, recognise

    for piece in pieces:
        if sum(ch.isdigit() for ch in piece.text) < 6:
            continue
        raw = im.crop(page.image, piece.bbox, pad=6)
        crop = im.flatten(raw)
        small = im.scale_to(crop, max(32, round(max(crop.shape[:2]) / enlarged)))
        for again in (lambda: piece.text, lambda: recognise([crop])[0][0],  # noqa: B023
                      lambda: recognise([raw])[0][0],  # noqa: B023
                      lambda: read_line(small, "eng", 7, "0123456789.-")[0]):  # noqa: B023
            if found := _period_in(page, again(), piece.bbox):
                return found
    return _closest_period(page, pieces)


PERIOD_CHANGES = 4  # digits a blur put off in a period's two dates (0 read 9), at most


def _closest_period(page: Page, pieces: list[Word]) -> dict[str, Field]:
    """No reading is a real period: the real one a piece's crop most likely says,
    digits changed to their runners-up (2917.9301-2037.93.91 for 2017.03.01-2037.03.01),
    checked by hand."""
    from .engines import read_as_valid

    for piece in pieces:
        if sum(ch.isdigit() for ch in piece.text) < 6:
            continue
        crop = im.flatten(im.crop(page.image, piece.bbox, pad=6))
        text = read_as_valid(crop, "0123456789.-长期", None,
                             lambda t: bool(_period_in(page, t, piece.bbox)),  # noqa: B023
                             PERIOD_CHANGES)
        if text:
            return {name: replace(field, confidence=min(field.confidence, GUESSED))
                    for name, field in _period_in(page, text, piece.bbox).items()}
    return {}


def _period_in(page: Page, text: str, box: BBox) -> dict[str, Field]:
    """A real period in ``text`` (separators dropped). A period runs 5, 10 or 20
    years to the day: with one date read right, the other's year is enough."""
    digits = re.sub(r"[^0-9长期]", "", text)
    if "长期" in digits:
        found = (_iso(digits.split("长期")[0][-8:]), "长期", 0.8)
    elif len(digits) < 12:
        return {}
    else:
        found = _dates_of(digits)
    start, end, confidence = found
    fields = {"valid_from": Field("valid_from", start, page.number, box, confidence),
              "valid_until": Field("valid_until", end, page.number, box, confidence)}
    return fields if start and end and real_period(*fields.values()) else {}


def _dates_of(digits: str) -> tuple[str, str, float]:
    """Both dates read right; or one date right and the other not a date, its year
    (a year off by one digit, for the start) completing the period."""
    start, end = _iso(digits[:8]), _iso(digits[-8:])
    if start and end:
        real = real_period(Field("", start, 0, None, 0), Field("", end, 0, None, 0))
        return (start, end, 0.8) if real else ("", "", 0.0)  # which one is wrong?
    if start and digits[8:12].isdigit() and int(digits[8:12]) - int(start[:4]) in (5, 10, 20):
        return start, f"{digits[8:12]}{start[4:]}", 0.6
    for years in (5, 10, 20) if end else ():
        year = str(int(end[:4]) - years)
        if sum(a != b for a, b in zip(year, digits[:4], strict=True)) <= 1:
            return f"{year}{end[4:]}", end, 0.6
    return "", "", 0.0


def _iso(digits: str) -> str:
    """``YYYYMMDD`` as an ISO date if it is a date of an ID card's life, else ""."""
    if digits == "长期":
        return digits
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return ""
    return day.isoformat() if 1950 <= day.year <= 2100 else ""
