"""Finding ID cards on a page: two cards photocopied onto one sheet, seen at a
glance before the page is read (``at_a_glance``) or looked for closely
(``find_cards``), and cut out flattened (``cut_out``). OpenCV only: no reading here."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import replace

import cv2
import numpy as np

from . import image as im
from .types import Outline, Page

CARD_MIN_AREA = 0.02  # of the picture: a card on A4 is ~7% of a scan, ~3.5% of a photo
CARD_MAX_AREA = 0.35
CARD_ASPECT = (1.40, 1.80)  # 85.6 x 54 mm is 1.585
PAPER_DELTA = 6  # grey levels below the paper's white that count as something on it
PAPER_TINT = 14  # HSV saturation above which a pixel is not white paper
SURFACE_DELTA = 8  # colour levels off the lit paper's fitted surface: not paper
SURFACE_SIDE = 120  # long side the paper's lighting is fitted at
BORDER = 0.02  # of the sheet's size: a flattened sheet's edge may show the desk
MARGIN = 0.03  # of the card's size, kept around each cut-out
LOW_RES = 1.8  # a card enlarged more than this to be read came from a photo
def card_regions(page: np.ndarray, on_paper: bool = False, lit: bool = False,
                 glance: bool = False) -> list[np.ndarray]:
    """Corner boxes (4x2, page pixels) of card-shaped regions, top to bottom.
    ``on_paper``: only within the largest bright region (a sheet photographed with
    its edge out of the frame), by the paper's fitted lighting; ``lit``: a
    photographed sheet, its lighting fitted first; ``glance``: only what is not the
    paper (~0.015 s a page: a scanned or rendered copy's cards)."""
    small = im.scale_to(page, im.DETECT_SIDE)
    ratio = max(page.shape[:2]) / max(small.shape[:2])
    grey = cv2.GaussianBlur(im.grey(small), (5, 5), 0)
    area = float(grey.shape[0] * grey.shape[1])
    maps: Iterable[np.ndarray] = _card_edge_maps(small, grey)
    if on_paper:
        maps = [_solid(_off_surface(small, _paper(grey)))]
    elif lit:
        maps = itertools.chain([_solid(_off_surface(small))], maps)
    elif glance:
        maps = itertools.islice(maps, 1)
    for edges in maps:
        found = _card_boxes(edges, area)
        if len(found) == 2:
            return [box * ratio for box in sorted(found, key=lambda b: float(b[:, 1].mean()))]
    return []


def _paper(grey: np.ndarray) -> np.ndarray:
    """The largest smooth region with its holes filled (the sheet, on a grainy desk),
    its print closed away first: smoothness, not brightness, as the sheet's light may
    fall off across it (a bright-region threshold then cut a card in two)."""
    closed = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    smooth = cv2.morphologyEx(im.smooth(closed).astype(np.uint8) * 255,
                              cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(smooth, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    paper = np.zeros_like(grey)
    if contours:
        cv2.drawContours(paper, [max(contours, key=cv2.contourArea)], -1, 255, cv2.FILLED)
    edge = max(3, int(BORDER * max(grey.shape[:2])))
    return cv2.erode(paper, np.ones((edge, edge), np.uint8))


def _card_edge_maps(small: np.ndarray, grey: np.ndarray) -> Iterator[np.ndarray]:
    """What is not the page's paper (a little darker, or tinted), closed into solid
    blobs; what stands off the paper's fitted lighting (a photographed sheet); then
    the ordinary edge maps. Made one at a time: the first that shows two cards wins."""
    paper = im.percentiles(grey, (90,))[0]
    tint = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1] if small.ndim == 3 else grey * 0
    yield _solid(((grey < paper - PAPER_DELTA) | (tint > PAPER_TINT)).astype(np.uint8) * 255)
    yield _solid((tint > PAPER_TINT).astype(np.uint8) * 255)  # grey desk, shaded paper
    yield _solid(_off_surface(small))
    yield from im._edge_maps(grey)


def _solid(mask: np.ndarray) -> np.ndarray:
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    return cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))


def _off_surface(small: np.ndarray, paper: np.ndarray | None = None) -> np.ndarray:
    """Pixels whose colour differs from the paper under its uneven light: a smooth
    (quadratic) surface fitted to the paper (within ``paper`` if given), the cards
    left out as outliers. The sheet's edge is left out too."""
    pixels = cv2.GaussianBlur(im.to_bgr(small), (5, 5), 0).astype(np.float32)
    h, w = pixels.shape[:2]
    fit = im.scale_to(pixels, SURFACE_SIDE)
    inside = np.full((h, w), 255, np.uint8) if paper is None else paper
    keep = cv2.resize(inside, fit.shape[1::-1], interpolation=cv2.INTER_NEAREST) > 0
    if keep.mean() < 0.25:
        return np.zeros((h, w), np.uint8)
    surface = cv2.resize(_quadratic_fit(fit, keep), (w, h), interpolation=cv2.INTER_LINEAR)
    channels = cv2.split(cv2.absdiff(pixels, surface))  # numpy's max over 3 is ~10x slower
    off = (cv2.max(cv2.max(channels[0], channels[1]), channels[2]) > SURFACE_DELTA
           ).astype(np.uint8) * 255
    edge = max(2, int(BORDER * max(h, w)))
    off[:edge], off[-edge:], off[:, :edge], off[:, -edge:] = 0, 0, 0, 0
    return off & inside


def _quadratic_fit(pixels: np.ndarray, inside: np.ndarray, rounds: int = 4) -> np.ndarray:
    """The smooth surface (per colour channel) under ``pixels``, fitted robustly to
    those ``inside``: outliers (the cards, text) are dropped round by round."""
    h, w = pixels.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    x, y = (xx.ravel() + 0.5) / w * 2 - 1, (yy.ravel() + 0.5) / h * 2 - 1
    basis = np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)
    values, inside = pixels.reshape(-1, 3), inside.ravel()
    keep = inside
    for _ in range(rounds):
        coef, *_ = np.linalg.lstsq(basis[keep], values[keep], rcond=None)
        residual = np.abs(values - basis @ coef).max(axis=1)
        keep = inside & (residual < 3 * (float(np.median(residual[keep])) + 0.5))
    return (basis @ coef).reshape(h, w, 3).astype(np.float32)


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


def find_cards(picture: np.ndarray, outline: Outline | None = None) -> list[np.ndarray]:
    """Two card outlines (4x2, picture pixels, top card first) on a photocopied page:
    in a photo the sheet is found and flattened first and the cards looked for on it;
    a scan is the sheet, as is a photo whose sheet was not found right (outlined
    around its middle, the cards come out squashed). [] unless exactly two cards are
    found. ``outline``: the sheet already looked for in this picture (``outline_of``)."""
    sheet = outline.corners if outline else im.find_document(picture)
    if sheet is not None:
        flat, _ = im.warp_document(picture, sheet, card=False)
        boxes = card_regions(flat, lit=True)
        if len(boxes) == 2:
            h, w = flat.shape[:2]
            corners = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
            back = cv2.getPerspectiveTransform(corners, sheet)
            return [cv2.perspectiveTransform(b.reshape(-1, 1, 2), back).reshape(4, 2)
                    for b in boxes]
    return card_regions(picture) or card_regions(picture, on_paper=True)


def card_sides(box: np.ndarray) -> tuple[float, float]:
    """The longer of each pair of opposite sides (width, height) of a quadrilateral."""
    tl, tr, br, bl = box
    return (max(float(np.linalg.norm(tr - tl)), float(np.linalg.norm(br - bl))),
            max(float(np.linalg.norm(bl - tl)), float(np.linalg.norm(br - tr))))


def enlargement(box: np.ndarray) -> float:
    """How much the card in ``box`` is enlarged to be cut out CARD_WIDTH wide."""
    return max(1.0, im.CARD_WIDTH / max(*card_sides(box), 1.0))


def cut_out(page: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The card inside ``box``, flattened, at least CARD_WIDTH wide. A small card (from
    a photo) is enlarged linearly: cubic interpolation's overshoot sharpens a blurred
    JPEG's ringing, and its small print read worse (40 desk photos of copies: 278 of
    360 fields right, linearly 285)."""
    width, height = card_sides(box)
    scale = enlargement(box)
    size = (round(width * scale), round(height * scale))
    dst = np.array([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1], [0, size[1] - 1]],
                   np.float32)
    matrix = cv2.getPerspectiveTransform(box.astype(np.float32), dst)
    return cv2.warpPerspective(page, matrix, size, borderMode=cv2.BORDER_REPLICATE,
                               flags=cv2.INTER_LINEAR if scale > LOW_RES else cv2.INTER_CUBIC)


def at_a_glance(page: Page) -> tuple[list[np.ndarray], Page]:
    """Two cards of an ID copy seen before its page is read whole, and the page with
    its outline noted (the document is looked for once: reading uses it). On a scan
    or a rendered page (no outline: the picture is the sheet) the cards stand off the
    paper (~0.015 s); on a photo's sheet, flattened small, they stand off its fitted
    lighting (~0.015 s), and are then looked at closely. No boxes when there are not
    two cards (the page is read whole and may be looked at again)."""
    if im.looks_like_card(page.image):
        return [], page
    fitted = im.fit_size(im.to_bgr(page.image))
    corners = im.find_document(fitted)
    page = replace(page, outline=Outline(corners))
    if corners is None:
        boxes = card_regions(page.image, glance=True)
        return (boxes if len(boxes) == 2 else []), page
    sheet = _thumbnail(fitted, corners, GLANCE_SIDE)
    area = float(sheet.shape[0] * sheet.shape[1])
    if len(_card_boxes(_solid(_off_surface(sheet)), area)) != 2:
        return [], page
    return find_cards(page.image, outline_of(page)), page


def outline_of(page: Page) -> Outline | None:
    """The page's outline if it was looked for in the page's own picture (reading
    looks for it in the picture fitted to size: the same one unless it was resized)."""
    if page.outline is None or page.image.ndim != 3 or not im.fits(page.image):
        return None
    return page.outline


GLANCE_SIDE = 400  # px: a photographed sheet's long side when glanced at


def _thumbnail(picture: np.ndarray, corners: np.ndarray, side: int) -> np.ndarray:
    """The quadrilateral flattened to ``side`` px on its long side."""
    width, height = card_sides(corners)
    scale = side / max(width, height, 1.0)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    dst = np.array([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1], [0, size[1] - 1]],
                   np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    return cv2.warpPerspective(picture, matrix, size, flags=cv2.INTER_AREA,
                               borderMode=cv2.BORDER_REPLICATE)
