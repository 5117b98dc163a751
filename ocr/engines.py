"""One reader interface over two OCR engines, chosen per document kind.

Every piece of reading (prepare a page, read a field's crop, read a table row)
asks this module, never an engine directly, so one switch changes how a kind is
read. The profiles are what ``prereview bench accuracy --engines`` compares
side by side on the generated corpus:

- ``tesseract-raw``: Tesseract alone on the picture as uploaded (``--psm 3``, no
  crop, perspective, deskew, orientation or contrast clean-up): the baseline;
- ``tesseract``: our OpenCV clean-up, then Tesseract alone;
- ``rapidocr``: our clean-up, then RapidOCR (PP-OCR detection + recognition) alone;
- ``combined``: our clean-up, Tesseract finds the lines, both engines read every
  line and field crop; where they agree the reading is trusted (confidence 0.99),
  where they differ the better-scored one is kept with its own, capped confidence.

The profile for a kind comes from ``PREREVIEW_OCR_ENGINE``: one profile name for
every kind (``combined``), or a default followed by per-kind choices
(``combined,bank_statement=rapidocr``). Unset, ``DEFAULT_BY_KIND`` holds the choice
measured on the corpus. ``PREREVIEW_SECOND_READER=off`` (the model not wanted,
or missing) turns every profile that needs RapidOCR into its Tesseract-only twin.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from . import lexicon, recognizer, tesseract
from .image import ocr_ready, scale_to
from .types import CardCut, DocumentKind, Page, Word


@dataclass(frozen=True)
class Profile:
    name: str
    cleanup: bool  # OpenCV crop, perspective, deskew, orientation, contrast
    finder: str  # who finds and reads a page's lines: "tesseract" | "rapidocr"
    second_reader: bool  # the PP-OCR recogniser reads lines and crops too
    tesseract_crops: bool  # Tesseract reads field crops (digits with a whitelist)


PROFILES = {
    "tesseract-raw": Profile("tesseract-raw", False, "tesseract", False, True),
    "tesseract": Profile("tesseract", True, "tesseract", False, True),
    "rapidocr": Profile("rapidocr", True, "rapidocr", True, False),
    "combined": Profile("combined", True, "tesseract", True, True),
}
# Chosen by measurement (prereview bench accuracy --engines, held-back seed 2026, 2 files
# per kind and degradation incl. ID copies; fields right over every degradation,
# rapidocr / tesseract / tesseract-raw, 2026-11-30 after the speed work): statement
# 100 / 95.0 / 90.0, income certificate 100 / 57.8 / 35.9, property certificate
# 100 / 79.2 / 36.5, ID front 97.6 / 94.0 / 72.6, ID back 97.6 / 90.5 / 73.8, pay slip
# 100 / 92.1 / 40.8 (combined, measured 2026-11-29: 80 / 87.5 / 94.7 / 95.2 / 97.6 / 100).
# RapidOCR reads every kind; Tesseract still votes on the values that decide (ID numbers,
# pay-slip amounts: ``second_opinion``), so there is one reading per page and the other
# engine's agreement is the confidence signal.
DEFAULT = "rapidocr"
DEFAULT_BY_KIND: dict[DocumentKind, str] = {}

_OVERRIDE: ContextVar[Profile | None] = ContextVar("ocr_engine_override", default=None)
_CURRENT: ContextVar[Profile | None] = ContextVar("ocr_engine_current", default=None)


class UnknownEngine(ValueError):
    code = "read.engine_unknown"


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownEngine(f"unknown OCR engine profile {name!r}: choose one of "
                            f"{', '.join(PROFILES)}") from None


def configured() -> dict[DocumentKind | None, Profile]:
    """The profile per kind (key None: every other kind) from the environment."""
    choice: dict[DocumentKind | None, Profile] = {
        kind: profile(name) for kind, name in DEFAULT_BY_KIND.items()}
    choice[None] = profile(DEFAULT)
    for part in filter(None, os.environ.get("PREREVIEW_OCR_ENGINE", "").split(",")):
        kind_name, _, name = part.strip().rpartition("=")
        if not kind_name:
            choice = {None: profile(name)}  # one name first: every kind, then exceptions
            continue
        try:
            choice[DocumentKind(kind_name)] = profile(name)
        except ValueError as err:
            raise UnknownEngine(f"PREREVIEW_OCR_ENGINE: {err}") from None
    return choice


def for_kind(kind: DocumentKind | None) -> Profile:
    """The profile that reads ``kind`` (None: a page whose kind is not known yet)."""
    forced = _OVERRIDE.get()
    if forced is not None:
        return _usable(forced)
    choice = configured()
    return _usable(choice.get(kind, choice[None]) if kind is not None else choice[None])


def _usable(chosen: Profile) -> Profile:
    if (chosen.second_reader or chosen.finder == "rapidocr") and not recognizer.available():
        return PROFILES["tesseract" if chosen.cleanup else "tesseract-raw"]
    return chosen


@contextmanager
def forced(name: str | None) -> Iterator[None]:
    """Read everything with one profile (the bench); None: as configured."""
    token = _OVERRIDE.set(profile(name) if name else None)
    try:
        yield
    finally:
        _OVERRIDE.reset(token)


@contextmanager
def reading_as(kind: DocumentKind | None) -> Iterator[Profile]:
    """Within the block, the calls below use the profile of ``kind``."""
    chosen = for_kind(kind)
    token = _CURRENT.set(chosen)
    try:
        yield chosen
    finally:
        _CURRENT.reset(token)


def active() -> Profile:
    return _CURRENT.get() or for_kind(None)


# --- the reader interface ------------------------------------------------------------

@dataclass(frozen=True)
class PageText:
    """A page's text as the active profile found it: lines top to bottom, and (when
    RapidOCR found them) the pieces it detected, e.g. one per table cell."""

    lines: list[Word]
    pieces: list[Word] = dataclasses.field(default_factory=list)
    upside_down: float = 0.0  # share of the text the angle classifier saw turned 180
    turned: bool = False  # found upside down: read on the image turned 180
    # when ``turned``: the text read as the image lies, from the same pieces (what
    # ``find_text`` without ``orientation`` finds, without finding them again)
    as_it_lies: Callable[[], PageText] | None = None


def read_page_text(image: np.ndarray, orientation: bool = False,
                   large_print: bool = False, cut: CardCut = CardCut.NONE) -> PageText:
    """A whole page's text, as the active profile reads it. ``orientation``: RapidOCR's
    angle classifier also says how much of it is upside down, and a page it finds so
    is read turned 180 (``turned``); ``large_print`` (an ID card): its text is found on
    a smaller copy, smaller again if the card was ``cut`` out of a copy."""
    chosen = active()
    if chosen.finder == "rapidocr":
        reading = recognizer.read_pieces(image, orientation, large_print, cut)
        return PageText(lines_from_pieces(reading.pieces), reading.pieces,
                        reading.upside_down, reading.turned, _as_it_lies(reading))
    if not chosen.cleanup:
        return PageText(tesseract.read_lines(image, lang="chi_sim", psm=3))
    return PageText(reread_lines(image, tesseract.read_lines(
        ocr_ready(image), lang="chi_sim", psm=6)))


def _as_it_lies(reading: recognizer.Reading) -> Callable[[], PageText] | None:
    read = reading.as_it_lies
    if read is None:
        return None

    def text() -> PageText:
        pieces = read()
        return PageText(lines_from_pieces(pieces), pieces)
    return text


def find_text(ready: np.ndarray, orientation: bool = False,
              large_print: bool = False, cut: CardCut = CardCut.NONE) -> PageText:
    """The text of an image already cleaned up for reading (``ocr_ready``), found by
    the active profile's finder alone: no second reading of Tesseract's lines."""
    if active().finder == "rapidocr":
        return read_page_text(ready, orientation, large_print, cut)
    return PageText(tesseract.read_lines(ready, lang="chi_sim", psm=6))


def read_page_lines(image: np.ndarray) -> list[Word]:
    """A whole page's text lines, top to bottom, as the active profile reads them."""
    return read_page_text(image).lines


def read_again(page: Page) -> Page:
    """A page read by another profile: its lines read again on the page already
    cleaned up and turned upright, or (the baseline) the picture as it is."""
    if page.has_text_layer:
        return page
    if not active().cleanup:
        from .prepare import prepare_page

        return prepare_page(page)
    text = read_page_text(page.image)
    return dataclasses.replace(page, words=text.lines, tokens=text.pieces)


def read_lines(image: np.ndarray, lang: str = "chi_sim", psm: int = 6) -> list[Word]:
    """Lines of a region (a band, a card's crop) without the second reader's pass."""
    if active().finder == "rapidocr" and lang == "chi_sim":
        return lines_from_pieces(recognizer.detect_and_read(image))
    return tesseract.read_lines(image, lang=lang, psm=psm)


def read_line(crop: np.ndarray, lang: str = "eng", psm: int = 7,
              whitelist: str | None = None) -> tuple[str, float]:
    """One line's crop: Tesseract (with a character whitelist for digits), or the
    recogniser when the profile does not use Tesseract."""
    if active().tesseract_crops:
        return tesseract.read_line(crop, lang=lang, psm=psm, whitelist=whitelist)
    text, score = recognizer.recognise([crop])[0]
    if whitelist:
        text = "".join(ch for ch in text.upper() if ch in whitelist)
    return text, score


def second_opinion(crop: np.ndarray, whitelist: str) -> str:
    """A number's crop read by Tesseract (digits whitelisted) whatever the profile:
    the other engine's opinion of a value the recogniser read. Where the two disagree
    the value is not to be trusted (see ``agreed_confidence``)."""
    return tesseract.read_line(_for_opinion(crop), lang="eng", psm=7, whitelist=whitelist)[0]


def second_opinion_soon(crop: np.ndarray, whitelist: str) -> Future[str]:
    """``second_opinion`` read in the background (Tesseract is another process: the
    caller reads on with the recogniser meanwhile, then asks for the result)."""
    return _OPINIONS.submit(second_opinion, crop, whitelist)


_OPINIONS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="second-opinion")


def second_opinions(crops: list[np.ndarray], whitelist: str) -> list[str]:
    """``second_opinion`` of several crops, in one Tesseract run."""
    return tesseract.read_lines_apart([_for_opinion(c) for c in crops], "eng", whitelist)


def _for_opinion(crop: np.ndarray) -> np.ndarray:
    if 0 < crop.shape[0] < OPINION_HEIGHT:  # small print from a photo: enlarge it first
        return scale_to(crop, int(max(crop.shape[:2]) * OPINION_HEIGHT / crop.shape[0]))
    return crop


OPINION_HEIGHT = 64  # px: a crop's height Tesseract reads digits best at


DISAGREE_CONFIDENCE = 0.6  # below field_confidence_min: such a value only asks for a check


def agreed_confidence(confidence: float, ours: str, theirs: str | None) -> float:
    """The confidence of a value once the other engine has read it too: kept when
    both read the same or the other read nothing usable, capped when they differ."""
    if theirs is None or theirs == ours:
        return confidence
    return min(confidence, DISAGREE_CONFIDENCE)


def recognise(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """The second reader on crops holding one line each; empty readings when the
    profile has none (callers fall back to ``read_line``)."""
    if not active().second_reader:
        return [("", 0.0)] * len(crops)
    return recognizer.recognise(crops)


def read_as_one_of(crop: np.ndarray, candidates: Sequence[str], free_start: bool = False,
                   free_end: bool = False) -> lexicon.Choice | None:
    """A line's crop read as the candidate it most likely says (``ocr.lexicon``;
    ``free_end``: starts with): None when the profile has no recogniser (Tesseract
    gives no character probabilities) or no candidate can be written."""
    if not active().second_reader:
        return None
    scores = recognizer.character_scores(crop)
    return lexicon.choose(scores[0], scores[1], candidates, free_start,
                          free_end) if scores else None


def read_as_valid(crop: np.ndarray, alphabet: str | None, length: int | None,
                  valid: Callable[[str], bool], max_changes: int = lexicon.MAX_CHANGES
                  ) -> str | None:
    """A line's crop read as the likeliest ``valid`` value of ``length`` characters (any
    length if None) of ``alphabet`` (any if None; ``ocr.lexicon.closest_valid``: an ID number a blur
    put a digit or three off); None without a recogniser or such a value."""
    if not active().second_reader:
        return None
    scores = recognizer.character_scores(crop)
    return lexicon.closest_valid(scores[0], scores[1], alphabet, length, valid,
                                 max_changes) if scores else None


def least_sure_character(crop: np.ndarray, counted: Callable[[str], bool]) -> float | None:
    """How sure the recogniser is of the least sure character (of those ``counted``)
    it reads on a line's crop: a rare character of a name read as a likelier one is
    read less surely than the rest (``ocr.lexicon.least_sure``); None without a
    recogniser or such a character."""
    if not active().second_reader:
        return None
    scores = recognizer.character_scores(crop)
    return lexicon.least_sure(scores[0], scores[1], counted) if scores else None


def reread_lines(image: np.ndarray, lines: list[Word]) -> list[Word]:
    """Tesseract's lines read again by the recogniser (agreement: confidence)."""
    chosen = active()
    if not chosen.second_reader or chosen.finder != "tesseract":
        return lines
    return recognizer.reread_lines(image, lines)


def detect_and_read(image: np.ndarray, large_print: bool = False) -> list[Word]:
    """Every text piece of a region (a table row: one per cell), left to right;
    [] when the profile has no recogniser (callers split Tesseract's lines).
    ``large_print`` (an ID card): found on a smaller copy."""
    if not active().second_reader:
        return []
    return recognizer.detect_and_read(image, large_print)


def lines_from_pieces(pieces: list[Word]) -> list[Word]:
    """Text pieces (detected boxes) grouped into lines: pieces that overlap
    vertically by half their height are one line, read left to right."""
    lines: list[list[Word]] = []
    for piece in sorted(pieces, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        for line in lines:
            if _same_line(line[-1].bbox, piece.bbox):
                line.append(piece)
                break
        else:
            lines.append([piece])
    out = []
    for line in lines:
        line.sort(key=lambda w: w.bbox[0])
        text = " ".join(w.text for w in line)
        box = (min(w.bbox[0] for w in line), min(w.bbox[1] for w in line),
               max(w.bbox[2] for w in line), max(w.bbox[3] for w in line))
        out.append(Word(text, box, round(min(w.confidence for w in line), 3)))
    return sorted(out, key=lambda w: (w.bbox[1], w.bbox[0]))


def _same_line(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1])


def bare_tesseract_seconds(name: str, data: bytes) -> tuple[float, int]:
    """Seconds bare Tesseract (``chi_sim --psm 3`` on the decoded picture, nothing
    else) takes over a file's pages without a text layer, and how many there are:
    the yardstick of the speed target (our reading within 1.3x of it)."""
    import time

    from .loader import load

    seconds, pages = 0.0, 0
    for page in load(name, data).pages:
        if page.has_text_layer:
            continue
        started = time.perf_counter()
        tesseract.read_lines(page.image, lang="chi_sim", psm=3)
        seconds += time.perf_counter() - started
        pages += 1
    return seconds, pages
