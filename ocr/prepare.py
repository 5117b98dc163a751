"""Make a scanned or photographed page readable, then OCR it.

A page with a text layer (digital PDF) is returned untouched. Otherwise:
size -> document crop and perspective -> text axis and skew -> upright
(0 or 180, decided by reading: Tesseract's own orientation guess is not
trusted, see ocr-notes) -> full-page OCR into ``page.words``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from . import engines
from . import image as im
from .classify import keyword_hits
from .types import CardCut, Cleaned, Page, Word

GOOD_ENOUGH = 2  # keyword hits that settle the orientation without trying others


def prepare_page(page: Page) -> Page:
    if page.has_text_layer:
        return page
    if not engines.active().cleanup:  # the bare-Tesseract baseline: the picture as it is
        image = im.to_bgr(page.image)
        return dataclasses.replace(page, image=image, words=engines.read_page_lines(image))
    image = im.fit_size(im.to_bgr(page.image))
    quad = page.outline.corners if page.outline else im.find_document(image)
    straight, is_card, quarter = straighten(image, quad, None, page.one_card)
    rotation, upright_image, text, cleaned = upright(
        straight, is_card, page.one_card, page.card_cut)
    if is_card and quad is not None and not page.one_card and keyword_hits(
            _text(text.lines)) < GOOD_ENOUGH:
        # an A4 sheet in perspective can measure like a card: try it as a sheet
        straight2, _, quarter2 = straighten(image, quad, False)
        rotation2, image2, text2, cleaned2 = upright(straight2, False)
        if _value(text2.lines) > _value(text.lines):
            rotation, upright_image, text, quarter = rotation2, image2, text2, quarter2
            cleaned = cleaned2
    return dataclasses.replace(page, image=upright_image, words=text.lines,
                               tokens=text.pieces, rotation=(rotation + quarter) % 360,
                               outline=None,  # it was the picture's, not this image's
                               cleaned=cleaned)


CUT_OUT_SKEW = 3.0  # degrees: a card cut out along its outline is straight to within this


def straighten(image: np.ndarray, quad: np.ndarray | None, card: bool | None,
               cut_out: bool = False) -> tuple[np.ndarray, bool, int]:
    """Crop, flatten and deskew; returns the image, whether it is a card, and
    the quarter turn already applied (0 or 90). ``cut_out``: a card cut out of a page
    along its outline, lying as cut (its residual skew is looked for within
    CUT_OUT_SKEW; on 150 cut-outs it was 0 to 3 degrees)."""
    axis = None
    if quad is not None:
        image, is_card = im.warp_document(image, quad, card)
        image = im.fit_size(image)
        if is_card and card:
            return image, True, 0
        if is_card:
            axis = im.text_axis_and_skew(image)
            if not _lines_along_short_side(image, axis[0]):
                return image, True, 0
            card = False  # a sheet that measured like a card
    quarter, angle = axis or (im.text_axis_and_skew(image, CUT_OUT_SKEW, quarters=(0,))
                              if cut_out else im.text_axis_and_skew(image))
    image = im.rotate_quarter(image, quarter)
    if abs(angle) >= 0.4:
        image = im.rotate_small(image, angle)
    return image, _a_card(image) if card is None else card, quarter


def _a_card(image: np.ndarray) -> bool:
    """Whether a picture whose text lines run across is a card: of a card's aspect, and
    lying landscape (a card's lines run along its long side). A turned letter in
    perspective measured 1.49 standing up: taken for a card, it was turned to lie
    landscape and its lines read as one (seed 101)."""
    h, w = image.shape[:2]
    return im.looks_like_card(image) and w > h


def _lines_along_short_side(image: np.ndarray, quarter: int) -> bool:
    """Whether a picture that measured like a card has its text lines along its short
    side: a sheet, not a card (an ID card's lines run along its long side). A property
    certificate's page or a letter photographed in perspective can measure a card's
    1.59; read as a card, it was turned to lie landscape (or left on its side), each
    piece of text, cut out and read upright, still read right, and the page's lines
    came out as one line of all its labels. ``quarter``: the turn that makes its lines
    run across (``image.text_axis_and_skew``)."""
    h, w = image.shape[:2]
    return (h > w) == (quarter == 0)


def _text(words: list[Word]) -> str:
    return "\n".join(w.text for w in words)


def upright(image: np.ndarray, is_card: bool, one_card: bool = False,
            cut: CardCut = CardCut.NONE) -> tuple[int, np.ndarray, engines.PageText,
                                                   Cleaned | None]:
    """Try turns (most likely first) and keep the one that reads best. Where the
    reader's angle classifier finds the text upside down, the opposite turn is read
    next (and the turns between are tried only if that does not settle it). A card
    (or a picture known to hold one card, though it measures off) is turned only to
    lie landscape. ``cut``: how a card was cut out of a copy (sharp from a scan or
    PDF, small from a photo), its text found on a smaller copy. Also the kept turn's
    image cleaned up for reading (None if its text was read turned from another
    turn's)."""
    h, w = image.shape[:2]
    turns = [0, 180, 90, 270]
    if (is_card or one_card) and h > w:
        turns = [90, 270]  # an ID card is printed landscape
    elif is_card or one_card:
        turns = [0, 180]
    large_print = is_card or one_card  # a card cut out measuring off is still a card
    best: tuple[float, int, np.ndarray, engines.PageText] | None = None
    tried: set[int] = set()
    cleaned: dict[int, Cleaned] = {}
    for turn in turns:
        if turn in tried:
            continue
        turned = im.rotate_quarter(image, turn)
        flat = im.flatten(turned)
        rulings = im.ruling_masks(flat)
        ready = im.ready_from_flat(flat, rulings)
        cleaned[turn] = Cleaned(turned, flat, ready, rulings)
        text = engines.find_text(ready, orientation=True, large_print=large_print, cut=cut)
        tried.add(turn)
        if text.turned:  # found upside down: its pieces were read turned 180
            if keyword_hits(_text(text.lines)) < GOOD_ENOUGH:  # the classifier may be wrong:
                as_is = (text.as_it_lies() if text.as_it_lies  # read as it lies
                         else engines.find_text(ready, large_print=large_print, cut=cut))
                if best is None or _value(as_is.lines) > best[0]:
                    best = (_value(as_is.lines), turn, turned, as_is)
            opposite = (turn + 180) % 360
            if opposite not in cleaned:  # else cleaned up already, as it was tried first
                cleaned[opposite] = _half_turned(cleaned[turn])
            turn, turned = opposite, cleaned[opposite].source
            tried.add(turn)
        value = _value(text.lines)
        if best is None or value > best[0]:
            best = (value, turn, turned, text)
        if keyword_hits(_text(text.lines)) >= GOOD_ENOUGH and turn == best[1]:
            break
        if large_print and _seen_upright(text):
            break
    assert best is not None
    text = best[3]
    kept = cleaned.get(best[1])
    return best[1], best[2], dataclasses.replace(
        text, lines=engines.reread_lines(best[2], text.lines)), (
        kept if kept is not None and kept.source is best[2] else None)


def _half_turned(cleaned: Cleaned) -> Cleaned:
    """The images cleaned up for reading turned 180, as if made from the turned image:
    cleaning up is the same either way up (its filters are centred; a ruling's end may
    lie a pixel off, an even-sized filter's centre not being symmetric), so a page
    whose text was found upside down is not cleaned up again for its kind's reader (a
    certificate ~0.02 s). On the 312 files of seeds 5, 7 and 11 every value and
    confidence read is the same."""
    def half(image: np.ndarray) -> np.ndarray:
        return im.rotate_quarter(image, 180)

    horizontal, vertical = cleaned.rulings
    return Cleaned(half(cleaned.source), half(cleaned.flat), half(cleaned.ready),
                   (half(horizontal), half(vertical)))


# A card whose text the angle classifier saw upright (at most this share of it turned,
# over at least UPRIGHT_PIECES pieces) is not read turned 180 as well, however few
# keywords it read: on 550 cards of seeds 5-41 and 73-83, 17 (blurred cards cut small out
# of desk photos of copies, 0-1 keywords read) were read turned too, each at the cost of a
# second detection, and all 17 were kept as they lay; the classifier had seen at most
# 0.13 of each upside down.
UPRIGHT_SHARE = 0.2
UPRIGHT_PIECES = 4


def _seen_upright(text: engines.PageText) -> bool:
    return (not text.turned and text.upside_down <= UPRIGHT_SHARE
            and len(text.pieces) >= UPRIGHT_PIECES)


def _value(lines: list[Word]) -> float:
    return reading_score(lines) + 10.0 * keyword_hits(_text(lines))


def reading_score(words: list[Word]) -> float:
    """Confident Chinese characters: upside-down text reads as few, unsure ones."""
    total = 0.0
    for word in words:
        if word.confidence >= 0.5:
            total += word.confidence * sum("\u4e00" <= ch <= "\u9fff" for ch in word.text)
    return total
