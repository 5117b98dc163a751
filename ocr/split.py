"""One uploaded file, several documents: both sides of an ID card photocopied onto
one page are found, cut apart and read as a front and a back.

``read_upload`` is the entry point; a file that is one document is read as is."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import cv2
import numpy as np

from . import image as im
from .types import DocumentKind, Page, ReadDocument

ID_SIDES = {DocumentKind.ID_CARD_FRONT, DocumentKind.ID_CARD_BACK}
CARD_MIN_AREA = 0.02  # of the picture: a card on A4 is ~7% of a scan, ~3.5% of a photo
CARD_MAX_AREA = 0.35
CARD_ASPECT = (1.40, 1.80)  # 85.6 x 54 mm is 1.585
PAPER_DELTA = 6  # grey levels below the paper's white that count as something on it
PAPER_TINT = 14  # HSV saturation above which a pixel is not white paper
MARGIN = 0.03  # of the card's size, kept around each cut-out


def card_regions(page: np.ndarray) -> list[np.ndarray]:
    """Corner boxes (4x2, page pixels) of card-shaped regions, top to bottom."""
    small = im.scale_to(page, im.DETECT_SIDE)
    ratio = max(page.shape[:2]) / max(small.shape[:2])
    grey = cv2.GaussianBlur(im.grey(small), (5, 5), 0)
    area = float(grey.shape[0] * grey.shape[1])
    for edges in _card_edge_maps(small, grey):
        found = _card_boxes(edges, area)
        if len(found) == 2:
            return [box * ratio for box in sorted(found, key=lambda b: float(b[:, 1].mean()))]
    return []


def _card_edge_maps(small: np.ndarray, grey: np.ndarray) -> list[np.ndarray]:
    """What is not the page's paper (a little darker, or tinted), closed into solid
    blobs; then the ordinary edge maps."""
    paper = float(np.percentile(grey, 90))
    tint = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1] if small.ndim == 3 else grey * 0
    not_paper = ((grey < paper - PAPER_DELTA) | (tint > PAPER_TINT)).astype(np.uint8) * 255
    tinted = (tint > PAPER_TINT).astype(np.uint8) * 255  # a photo: grey desk, shaded paper
    return [_solid(not_paper), _solid(tinted), *im._edge_maps(grey)]


def _solid(mask: np.ndarray) -> np.ndarray:
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    return cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))


def _card_boxes(edges: np.ndarray, area: float) -> list[np.ndarray]:
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours:
        (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
        if not w or not h or not CARD_MIN_AREA * area < w * h < CARD_MAX_AREA * area:
            continue
        if not CARD_ASPECT[0] <= max(w, h) / min(w, h) <= CARD_ASPECT[1]:
            continue
        grown = ((cx, cy), (w * (1 + 2 * MARGIN), h * (1 + 2 * MARGIN)), angle)
        boxes.append(im.order_corners(cv2.boxPoints(grown).astype(np.float32)))
    return boxes


def cut_out(page: np.ndarray, box: np.ndarray) -> np.ndarray:
    card, _ = im.warp_document(page, box, card=False)
    return card


def read_upload(name: str, data: bytes) -> list[ReadDocument]:
    """Read an uploaded file as the documents it holds (usually one)."""
    from . import read_file
    from .loader import load

    whole = read_file(name, data)
    if len(whole.pages) > 1:
        return split_pages(whole)
    if len(whole.pages) != 1 or whole.pages[0].has_text_layer or whole.kind in (
            DocumentKind.BANK_STATEMENT, DocumentKind.PROPERTY_CERTIFICATE):
        return [whole]
    try:
        original = load(name, data).pages[0].image
    except Exception:  # noqa: BLE001 - read_file already recorded why
        return [whole]
    original, boxes = _sheet_and_cards(original)
    if len(boxes) != 2:
        return [whole]
    sides = [_read_side(name, data, original, box, i) for i, box in enumerate(boxes, 1)]
    if {s.kind for s in sides} != ID_SIDES:
        return [whole]
    return sides


def split_pages(whole: ReadDocument) -> list[ReadDocument]:
    """A multi-page file holding several documents (an ID copy, a pay slip, a
    statement…): each page classified, consecutive pages of one kind grouped; a page
    of no known kind continues the document before it (a statement's later pages)."""
    from .classify import classify
    from .kinds import read_kind

    groups: list[tuple[DocumentKind, list[Page]]] = []
    for page in whole.pages:
        kind, _ = classify([page])
        if groups and kind in (groups[-1][0], DocumentKind.UNKNOWN):
            groups[-1][1].append(page)
        else:
            groups.append((kind, [page]))
    if len(groups) < 2:
        return [whole]
    parts = []
    for kind, pages in groups:
        result = read_kind(kind, pages)
        part = f"p{pages[0].number}-{pages[-1].number}"
        own = [p for p in whole.problems if p.page is None or pages[0].number <= p.page
               <= pages[-1].number]
        parts.append(replace(whole, file=f"{whole.file}#{part}", kind=kind, pages=pages,
                             fields=result.fields, rows=result.rows,
                             problems=own + result.problems, part=part))
    return parts


def _sheet_and_cards(picture: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The cards on a scanned page, or on the sheet found in a photo of a desk."""
    boxes = card_regions(picture)
    if len(boxes) == 2:
        return picture, boxes
    sheet = im.find_document(picture)
    if sheet is None:
        return picture, []
    flat, _ = im.warp_document(picture, sheet, card=False)
    return flat, card_regions(flat)


def _read_side(name: str, data: bytes, page: np.ndarray, box: np.ndarray,
               number: int) -> ReadDocument:
    from . import read_file

    ok, png = cv2.imencode(".png", cut_out(page, box))
    side = read_file(name, png.tobytes() if ok else b"")
    part = f"p1-card{number}"
    return replace(side, file=f"{name}#{part}", sha256=hashlib.sha256(data).hexdigest(),
                   part=part)
