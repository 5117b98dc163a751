"""One uploaded file, several documents: both sides of an ID card photocopied onto
one page are found (``ocr.cards``), cut apart and read as a front and a back; a
multi-page file is split into its documents by classifying each page.

``read_upload`` is the entry point; a file that is one document is read as is."""

from __future__ import annotations

import contextvars
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from . import image as im
from .card_look import ID_SIDES, KEY_FIELD, real_period, second_look, small_print_checked
from .cards import LOW_RES, at_a_glance, cut_out, enlargement, find_cards, outline_of
from .errors import log_bug
from .loader import Loaded
from .quality import Looks, measure, with_cards
from .types import DocumentKind, Outline, Page, PdfInfo, ReadDocument, ReadProblem

if TYPE_CHECKING:
    from .pdf import Renderer

log = logging.getLogger(__name__)
_SIDES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="id-copy-side")
# A one-page picture's quality is measured while it is glanced at for two cards (one
# core is free then: ~0.02 s of a desk photo of a copy's ~0.45 s) and read.
_JUDGING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="page-quality")
Judged = Future["Looks | None"]
PDF_DPI = 300  # a scanned PDF's ID copy is rendered again at up to this


def read_upload(name: str, data: bytes) -> list[ReadDocument]:
    """Read an uploaded file as the documents it holds (usually one). A one-page
    picture whose two cards show at a glance is read as an ID copy straight away;
    another is read whole, and looked for two cards on if it may be an ID copy."""
    from . import read_file

    loaded = _only_page(name, data)
    if loaded is None:  # several pages, a text layer, or a file that does not decode
        whole = read_file(name, data)
        return split_pages(whole, name, data) if len(whole.pages) > 1 else [whole]
    judged = _JUDGING.submit(measure, loaded.pages[0])  # while it is glanced at and read
    boxes, page = at_a_glance(loaded.pages[0])
    loaded = replace(loaded, pages=[page])
    if boxes:
        return split_copy(name, data, page, loaded.pdf, boxes, loaded.renderer,
                          judged) or _unsplit(name, data, loaded, boxes, judged)
    return _one_page(name, data, loaded, look_for_cards=True, judged=judged)


def _unsplit(name: str, data: bytes, loaded: Loaded, boxes: list[np.ndarray],
             judged: Judged | None = None) -> list[ReadDocument]:
    """A page on which two cards showed but were not read as a front and a back, read
    whole: if its cards are blurred where the page is not, intake is told so (the
    page's own gate passes it). Cards small in the photo leave an ID side's wording
    to be checked by hand, as when they are cut out (seed 103: both cards blurred past
    knowing, the page read as a front with its address wrong and sure)."""
    from .quality import card_problems

    page = loaded.pages[0]
    small = min(map(enlargement, boxes)) > LOW_RES
    documents = [small_print_checked(d) if small and d.kind in ID_SIDES else d
                 for d in _one_page(name, data, loaded, look_for_cards=False, judged=judged)]
    looks, unjudged = _page_looks(page, boxes, judged)
    if looks is None:
        return [replace(d, problems=d.problems + unjudged) for d in documents]
    blurriest = int(np.argmin(looks.cards))
    return [replace(d, problems=d.problems + card_problems(
        looks, d.kind, page.number, blurriest, small and d.kind in ID_SIDES))
        for d in documents]


def _one_page(name: str, data: bytes, loaded: Loaded, look_for_cards: bool,
              judged: Judged | None = None) -> list[ReadDocument]:
    """A one-page picture read whole. If it may be an ID copy it is looked for two
    cards on before its fields are read (they would be read from the cut-out cards),
    or after, for a photo whose one card was not read well. ``judged``: its quality
    being measured."""
    from . import read_fields, read_file

    page = loaded.pages[0]
    whole = read_file(name, data, loaded, fields=False, judged=judged)  # decoded once
    if look_for_cards and may_hold_both_sides(whole) and (
            sides := split_copy(name, data, page, loaded.pdf, judged=judged)):
        return sides
    whole = read_fields(whole) if whole.pages else whole
    if look_for_cards and may_be_a_photographed_copy(whole, page) and (
            sides := split_copy(name, data, page, loaded.pdf, judged=judged)):
        return sides
    return [whole]


def may_hold_both_sides(whole: ReadDocument) -> bool:
    """Whether a one-page picture read whole (its fields not yet), on which no two
    cards showed at a glance, may still be an ID copy, worth looking closely for two
    cards on (~0.15-0.3 s a page): it holds both sides' wording, or it was read as
    nothing known and is not card-shaped once straightened (a sheet)."""
    if whole.kind not in ID_SIDES | {DocumentKind.UNKNOWN} or not whole.pages:
        return False
    page = whole.pages[0]
    if whole.kind is DocumentKind.UNKNOWN and not im.looks_like_card(page.image):
        return True
    return all(any(word in page.text for word in words) for words in SIDE_WORDS)


def may_be_a_photographed_copy(whole: ReadDocument, uploaded: Page) -> bool:
    """A photo (not card-shaped as uploaded) read as one ID side whose key field was
    not read well: a sheet photographed in perspective can be read as one card,
    squashed, or as one side whose other card was too small to read on the page."""
    return (whole.kind in ID_SIDES and bool(whole.pages)
            and not im.looks_like_card(uploaded.image) and not _one_card_read_well(whole))


# wording printed on one side only, matched exactly (居民身份证 on the back may read as
# 公民身份 with one character off; its other wording still shows the back)
SIDE_WORDS = (("姓名", "性别", "民族", "住址", "公民身份号码"),
              ("签发机关", "有效期限", "居民身份证", "中华人民共和国"))


def _one_card_read_well(side: ReadDocument) -> bool:
    """A valid ID number on a front, a real validity period on a back."""
    from .kinds.id_number import valid_number

    fields = side.fields
    if side.kind is DocumentKind.ID_CARD_FRONT:
        return "id_number" in fields and valid_number(fields["id_number"].value)
    if side.kind is DocumentKind.ID_CARD_BACK:
        return real_period(fields.get("valid_from"), fields.get("valid_until"))
    return False


def _only_page(name: str, data: bytes) -> Loaded | None:
    """The file as loaded, if it has one page and no text layer."""
    import pypdfium2 as pdfium

    from .loader import load, sniff

    try:
        if sniff(data) == "pdf" and len(pdfium.PdfDocument(data)) != 1:
            return None
        loaded = load(name, data)
    except Exception:  # noqa: BLE001 - read_file records why
        return None
    if len(loaded.pages) != 1 or loaded.pages[0].has_text_layer:
        return None
    return loaded


def split_copy(name: str, data: bytes, page: Page, pdf: PdfInfo | None,
               boxes: list[np.ndarray] | None = None,
               renderer: Renderer | None = None,
               judged: Judged | None = None) -> list[ReadDocument]:
    """A page (as loaded, not cleaned up) holding both ID sides, read as a front and
    a back; [] when it is not such a page. One card taken for an ID side, the other of
    no known kind (its small labels unread in a photo), is read as the other side and
    kept if its key field is found. Cards cut from a photo (enlarged more than
    LOW_RES times) have their key fields looked at again. ``boxes``: the two cards
    already found; ``renderer``: the PDF's pages as loaded (its cards are rendered again
    from the page already decoded)."""
    if page.has_text_layer:
        return []
    boxes = boxes or find_cards(page.image, outline_of(page))
    if len(boxes) != 2:
        return []
    cards = [(page, box) for box in boxes]
    if pdf is not None and min(map(enlargement, boxes)) > LOW_RES:
        cards = _sharper(data, page, boxes, renderer)
    # the second card is read (and looked at again) in another thread while this one
    # reads the first: one's OpenCV work and Tesseract vote (another process) overlap the
    # other's models, and neither card's second look waits for the other card
    (top, top_box), (bottom, bottom_box) = cards
    second = _SIDES.submit(contextvars.copy_context().run, _read_card, name, data, bottom,
                           bottom_box, 2, pdf)
    looks, unjudged = _page_looks(page, boxes, judged)  # while the cards are read
    sides = [_read_card(name, data, top, top_box, 1, pdf), second.result()]
    kinds = [s.kind for s in sides]
    unknown = kinds.index(DocumentKind.UNKNOWN) if DocumentKind.UNKNOWN in kinds else None
    if set(kinds) != ID_SIDES:
        if unknown is None or kinds.count(DocumentKind.UNKNOWN) != 1:
            return []
        sides[unknown] = second_look(_read_as(sides[unknown], next(iter(
            ID_SIDES - set(kinds)))), enlargement(cards[unknown][1]))
    if unknown is not None and KEY_FIELD[sides[unknown].kind] not in sides[unknown].fields:
        return []
    small = [enlargement(box) > LOW_RES for _, box in cards]  # wording checked by hand
    return [_page_quality(side, looks, page.number, unjudged, card, small[card])
            for card, side in enumerate(sides)]


def _page_looks(page: Page, boxes: list[np.ndarray], judged: Judged | None = None
                ) -> tuple[Looks | None, list[ReadProblem]]:
    """The picture's quality measured on the page as uploaded (``judged``: being
    measured already), and each card's sharpness on it, not on the enlarged cut-outs
    (which would always look blurry); a failure to measure it is a problem of each
    side, never a clean judgement."""
    from . import _stage

    def measured() -> Looks | None:
        looks = judged.result() if judged is not None else measure(page)
        return None if looks is None else with_cards(looks, page, boxes)

    unjudged: list[ReadProblem] = []
    return _stage("quality", unjudged, measured, page.number), unjudged


def _page_quality(side: ReadDocument, looks: Looks | None, number: int,
                  unjudged: list[ReadProblem], card: int, small: bool) -> ReadDocument:
    from .quality import problems_of

    found = problems_of(looks, side.kind, number, card, small) if looks else []
    return replace(side, problems=side.problems + unjudged + found)


def _sharper(data: bytes, page: Page, boxes: list[np.ndarray],
             renderer: Renderer | None = None) -> list[tuple[Page, np.ndarray]]:
    """Each card of a scanned PDF page rendered again at up to PDF_DPI, so it is cut
    from the scan's own pixels rather than enlarged: only the card's part of the page
    (~0.01 s, the whole page ~0.2 s), with its box moved onto it. The page as loaded
    where that cannot be done (a turned page, a rendering error)."""
    import pypdfium2 as pdfium

    from .pdf import RESOLUTION

    as_loaded = [(page, box) for box in boxes]
    scale = min(PDF_DPI / RESOLUTION, min(map(enlargement, boxes))) * RESOLUTION / 72
    try:
        pdf_page = (renderer.page(page.number) if renderer is not None
                    else pdfium.PdfDocument(data)[page.number - 1])
        if pdf_page.get_rotation():
            return as_loaded
        width, height = pdf_page.get_size()
        return [_card_rendered(pdf_page, page, box * 72 / RESOLUTION, scale, width, height)
                for box in boxes]
    except Exception:  # noqa: BLE001 - keep the page as loaded
        return as_loaded


def _card_rendered(pdf_page: Any, page: Page, box: np.ndarray, scale: float, width: float,
                   height: float) -> tuple[Page, np.ndarray]:
    """The part of the page (in points) around ``box`` rendered at ``scale``."""
    left, top = np.floor(np.clip(box.min(axis=0), 0, None) * scale) / scale  # whole pixels
    right, bottom = np.minimum(box.max(axis=0), (width, height))
    image = pdf_page.render(scale=scale, crop=(left, height - bottom, width - right, top))
    from .pdf import bgr_image

    return replace(page, image=bgr_image(image)), (box - (left, top)) * scale


def _read_as(side: ReadDocument, kind: DocumentKind) -> ReadDocument:
    from .kinds import KindResult, read_kind

    pages = list(side.pages)
    try:
        result = read_kind(kind, pages)
    except Exception as err:  # noqa: BLE001 - a reader's bug: the second look may still read it
        log_bug(log, f"reading a card as {kind.value}", err)
        result = KindResult()
    problems = [p for p in side.problems if p.code != "read.kind_unknown"]
    return replace(side, kind=kind, kind_confidence=0.5, pages=pages, fields=result.fields,
                   rows=result.rows, problems=problems + result.problems)


def split_pages(whole: ReadDocument, name: str, data: bytes) -> list[ReadDocument]:
    """A multi-page file holding several documents (an ID copy, a pay slip, a
    statement…): each page classified, consecutive pages of one kind grouped; a page
    of no known kind continues the document before it (a statement's later pages);
    a page holding both ID sides (an ID side or unknown, not after a statement)
    becomes a front and a back."""
    from .classify import classify

    originals: list[Page] = []
    groups: list[tuple[DocumentKind, list[Page]] | list[ReadDocument]] = []
    for page in whole.pages:
        kind, _ = classify([page])
        last = groups[-1] if groups else None
        sides: list[ReadDocument] = []
        if kind in ID_SIDES or kind is DocumentKind.UNKNOWN and not page.has_text_layer and (
                not isinstance(last, tuple) or last[0] is not DocumentKind.BANK_STATEMENT):
            originals = originals or _loaded_pages(name, data)
            if page.number <= len(originals):
                sides = split_copy(name, data, originals[page.number - 1], whole.pdf)
        if sides:
            groups.append(sides)
        elif isinstance(last, tuple) and kind in (last[0], DocumentKind.UNKNOWN):
            last[1].append(page)
        else:
            groups.append((kind, [page]))
    if len(groups) < 2:
        return [whole]
    parts: list[ReadDocument] = []
    for group in groups:
        parts.extend(group if isinstance(group, list) else [_pages_part(whole, *group)])
    return parts


def _loaded_pages(name: str, data: bytes) -> list[Page]:
    from .loader import load

    try:
        return load(name, data).pages
    except Exception as err:  # noqa: BLE001 - it loaded once: keep the pages unsplit
        log_bug(log, "loading an upload again", err)
        return []


def _pages_part(whole: ReadDocument, kind: DocumentKind, pages: list[Page]) -> ReadDocument:
    from .kinds import read_kind

    result = read_kind(kind, pages)
    part = f"p{pages[0].number}-{pages[-1].number}"
    own = [p for p in whole.problems if p.page is None or pages[0].number <= p.page
           <= pages[-1].number]
    return replace(whole, file=f"{whole.file}#{part}", kind=kind, pages=pages,
                   fields=result.fields, rows=result.rows, problems=own + result.problems,
                   part=part)


def _read_card(name: str, data: bytes, page: Page, box: np.ndarray, number: int,
               pdf: PdfInfo | None) -> ReadDocument:
    """One card read as the side it shows, its key fields looked at again if it is small
    (a side of no known kind is read as the other side's opposite once both are read)."""
    return second_look(_read_side(name, data, page, box, number, pdf), enlargement(box))


def _read_side(name: str, data: bytes, page: Page, box: np.ndarray, number: int,
               pdf: PdfInfo | None) -> ReadDocument:
    from . import read_file

    # cut out along its outline: no other outline is looked for inside it (on 120 cut-out
    # cards of desk photos, scans and PDFs of copies none stood out, at ~0.02 s a card)
    card = Loaded([Page(1, cut_out(page.image, box), one_card=True,  # not encoded, decoded
                        small_card=enlargement(box) > LOW_RES, outline=Outline(None))])
    side = read_file(name, data, card, quality=False)
    part = f"p{page.number}-card{number}"
    return replace(side, file=f"{name}#{part}", part=part, pdf=pdf)  # the upload's sha256


# --- a second look at a small card's key fields -------------------------------------
