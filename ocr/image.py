"""Image clean-up with OpenCV: size, document crop, straightening, contrast.

Pure functions on numpy images (BGR or grey uint8); no OCR here.
"""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np

MAX_SIDE = 2000  # longer phone photos read slower and worse (ocr-notes)
SMALL_SIDE = 1000  # below this the image is upscaled ...
SMALL_TARGET = 1400  # ... to this long side
CARD_WIDTH = 1400  # a card crop is warped to this width
CARD_ASPECT = 85.6 / 54.0  # ID-1 card, GB/T 14916
DETECT_SIDE = 800  # long side used to look for the document outline
PAPER_TEXTURE = 2.5  # grey std (9x9) of print-closed paper at DETECT_SIDE; grainy desks 3-8


def grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image


def to_bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def scale_to(image: np.ndarray, long_side: int) -> np.ndarray:
    h, w = image.shape[:2]
    factor = long_side / max(h, w)
    if abs(factor - 1.0) < 0.02:
        return image
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=interp)


def fit_size(image: np.ndarray) -> np.ndarray:
    """Downscale big photos to MAX_SIDE, upscale small images to SMALL_TARGET."""
    if fits(image):
        return image
    return scale_to(image, MAX_SIDE if max(image.shape[:2]) > MAX_SIDE else SMALL_TARGET)


def fits(image: np.ndarray) -> bool:
    """Whether ``fit_size`` keeps the image as it is."""
    return SMALL_SIDE <= max(image.shape[:2]) <= MAX_SIDE


# --- the document's outline -------------------------------------------------

def find_document(image: np.ndarray) -> np.ndarray | None:
    """Corners (4x2 float32, original pixels, clockwise from top-left) of a card
    or sheet that stands out from its background, or None."""
    small = scale_to(image, DETECT_SIDE)
    ratio = max(image.shape[:2]) / max(small.shape[:2])
    g = cv2.GaussianBlur(grey(small), (5, 5), 0)
    area = g.shape[0] * g.shape[1]
    # the first outline found, unless it is far from a rectangle seen in perspective and a
    # later one is not (a desk's bright grain run into the paper pulled a corner out to the
    # frame's): the later maps are looked at only then
    # the smooth paper's outline (the last map) is simplified more coarsely: a fleck of a
    # light desk run into the sheet's edge left it five corners (seed 41's desk photo of
    # an ID copy at a phone camera's 4000 px)
    first = None
    maps = _edge_maps(g)
    smooth_paper = maps[-1]
    if small.ndim == 3:
        maps.append(_tinted(small))
    for edges in maps:
        quad = _largest_quad(edges, area, coarse=edges is smooth_paper)
        if quad is None or not _stands_out(small, quad) or _inside_a_page(small, quad):
            continue
        if squareness(quad) >= SQUARE_ENOUGH:
            return (quad * ratio).astype(np.float32)
        first = quad if first is None else first
    return None if first is None else (first * ratio).astype(np.float32)


SQUARE_ENOUGH = 0.88  # the shorter of opposite sides over the longer: 0.88+ on good outlines


def squareness(quad: np.ndarray) -> float:
    """How far a quadrilateral's opposite sides are of one length: the smaller of the two
    pairs' ratios (1 for a rectangle; a page photographed in perspective keeps 0.88+)."""
    tl, tr, br, bl = quad
    sides = [float(np.linalg.norm(v)) for v in (tr - tl, br - bl, bl - tl, br - tr)]
    return min(min(a, b) / max(a, b, 1e-6) for a, b in (sides[:2], sides[2:]))


def _edge_maps(g: np.ndarray) -> list[np.ndarray]:
    median = float(np.median(g))
    canny = cv2.Canny(g, int(max(0, 0.66 * median)), int(min(255, 1.33 * median)))
    canny = cv2.dilate(canny, np.ones((3, 3), np.uint8))
    _, otsu = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    otsu = cv2.morphologyEx(otsu, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    return [canny, otsu, _smooth_paper(g)]


def _smooth_paper(g: np.ndarray) -> np.ndarray:
    """Paper is bright and smooth once its print is closed over; a desk is textured
    (a card on a grainy grey desk, where edges and Otsu find only the grain)."""
    closed = cv2.morphologyEx(g, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    otsu, _ = cv2.threshold(closed, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper: np.ndarray = (smooth(closed) & (closed >= otsu)).astype(np.uint8) * 255
    paper = cv2.morphologyEx(paper, cv2.MORPH_OPEN, np.ones((21, 21), np.uint8))  # desk specks
    return cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))


def _tinted(small: np.ndarray) -> np.ndarray:
    """What is more coloured than the rest (HSV saturation, Otsu's split): a cream or
    tinted sheet on a grey desk, whatever the light. Shade falling off across a
    certificate's page hid its corner from the edge, brightness and smoothness maps
    (seed 103's turned photo: outlined across its text, its rows ran together)."""
    saturation = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2HSV)[:, :, 1]
    _, tint = cv2.threshold(saturation, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    tint = cv2.morphologyEx(tint, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    return cv2.morphologyEx(tint, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))


def smooth(closed: np.ndarray) -> np.ndarray:
    """Where a grey image (its print closed over) is as smooth as paper (bool mask)."""
    values = closed.astype(np.float32)
    mean = cv2.blur(values, (9, 9))
    texture = np.sqrt(np.maximum(cv2.blur(values * values, (9, 9)) - mean * mean, 0))
    mask: np.ndarray = texture < PAPER_TEXTURE
    return mask


def _largest_quad(edges: np.ndarray, area: float, coarse: bool = False) -> np.ndarray | None:
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        c_area = cv2.contourArea(contour)
        if not 0.12 * area < c_area < 0.97 * area:
            continue
        hull = cv2.convexHull(contour)
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(approx) == 4:
            return order_corners(approx.reshape(4, 2).astype(np.float32))
        rect = cv2.minAreaRect(hull)
        if c_area / max(rect[1][0] * rect[1][1], 1.0) > 0.93:
            return order_corners(cv2.boxPoints(rect).astype(np.float32))
        if coarse:  # four corners once the outline is simplified more coarsely
            approx = cv2.approxPolyDP(hull, COARSE_OUTLINE * cv2.arcLength(hull, True), True)
            if len(approx) == 4:
                return order_corners(approx.reshape(4, 2).astype(np.float32))
    return None


COARSE_OUTLINE = 0.04  # of the outline's length: how far a simplified side may stray


def _inside_a_page(image: np.ndarray, quad: np.ndarray) -> bool:
    """True when the outline is a table or frame printed on a page: around it is
    white paper that carries text, not a desk."""
    g = grey(image)
    outside = np.full(g.shape, 255, np.uint8)
    cv2.fillPoly(outside, [quad.astype(np.int32)], 0)
    around = g[outside > 0]
    if around.size == 0:
        return False
    paper = float(np.median(around)) > 200
    text = float(np.mean(around < 110)) > 0.002
    return paper and text


def _stands_out(image: np.ndarray, quad: np.ndarray) -> bool:
    """True when the colour just inside the outline differs from just outside:
    a card on a table, not a frame or table ruled on paper (medians, so thin
    printed lines near the outline do not count)."""
    h, w = image.shape[:2]
    inside = np.zeros((h, w), np.uint8)
    cv2.fillPoly(inside, [quad.astype(np.int32)], 255)
    band_in = cast(np.ndarray, cv2.erode(inside, np.ones((7, 7), np.uint8))) & ~cast(
        np.ndarray, cv2.erode(inside, np.ones((31, 31), np.uint8)))
    band_out = cast(np.ndarray, cv2.dilate(inside, np.ones((31, 31), np.uint8))) & ~cast(
        np.ndarray, cv2.dilate(inside, np.ones((7, 7), np.uint8)))
    if cv2.countNonZero(band_out) < 0.002 * h * w:
        return False  # the outline runs along the image border: nothing to crop
    pixels = to_bgr(image)
    med_in = np.median(pixels[band_in > 0], axis=0)
    med_out = np.median(pixels[band_out > 0], axis=0)
    return float(np.linalg.norm(med_in - med_out)) > 28.0


def order_corners(pts: np.ndarray) -> np.ndarray:
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)],
                     pts[np.argmax(d)]], np.float32)


def warp_document(image: np.ndarray, quad: np.ndarray,
                  card: bool | None = None) -> tuple[np.ndarray, bool]:
    """Flatten the quadrilateral; a card comes out CARD_WIDTH wide. Returns the
    image and whether it is taken for a card (by its aspect ratio, unless
    ``card`` says)."""
    tl, tr, br, bl = quad
    width = cast(float, max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = cast(float, max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    aspect = max(width, height) / max(min(width, height), 1.0)
    is_card = abs(aspect - CARD_ASPECT) < 0.1 if card is None else card
    if is_card:
        long_side, short_side = CARD_WIDTH, round(CARD_WIDTH / CARD_ASPECT)
        width, height = (long_side, short_side) if width >= height else (short_side, long_side)
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                   np.float32)
    matrix = cv2.getPerspectiveTransform(quad, dst)
    out = cv2.warpPerspective(image, matrix, (int(width), int(height)),
                              flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return out, is_card


def looks_like_card(image: np.ndarray) -> bool:
    h, w = image.shape[:2]
    return abs(max(h, w) / min(h, w) - CARD_ASPECT) < 0.1


# --- straightening ------------------------------------------------------------

def rotate_quarter(image: np.ndarray, degrees: int) -> np.ndarray:
    """Turn clockwise by 0/90/180/270 degrees."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
             270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if degrees % 360 == 0 else cv2.rotate(image, codes[degrees % 360])


def rotate_small(image: np.ndarray, angle: float,
                 interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
    """Rotate by a small angle (degrees, counter-clockwise) keeping the size."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=interpolation,
                          borderMode=cv2.BORDER_REPLICATE)


def ink(image: np.ndarray, side: int = 600) -> np.ndarray:
    """Binary ink mask (text white on black) of a downscaled image."""
    g = scale_to(grey(image), side)
    mask = cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, 25, 15)
    return mask


def _line_score(mask: np.ndarray) -> float:
    """How strongly ink forms horizontal lines: variance of the row profile."""
    profile = mask.sum(axis=1).astype(np.float64)
    return float(profile.var() / (profile.mean() ** 2 + 1e-6))


def text_axis_and_skew(image: np.ndarray, max_angle: float = 6.0,
                       quarters: tuple[int, ...] = (0, 90)) -> tuple[int, float]:
    """(quarter turn 0 or 90 that makes text lines horizontal, small angle to
    straighten them). Upside down is not decided here (that needs OCR). The quarter
    is chosen with the mask's edge left out: a strip of desk the outline left on a
    card (seed 79's photo) scored as one long line across it."""
    mask = ink(image)
    quarter = quarters[0]
    if len(quarters) > 1:
        edge = int(AXIS_EDGE * min(mask.shape[:2]))
        inner = np.ascontiguousarray(mask[edge:-edge, edge:-edge]) if edge else mask
        quarter = _best_turn(inner, quarters, max_angle)[1]
    return _best_turn(mask, (quarter,), max_angle)[1:]


def _best_turn(mask: np.ndarray, quarters: tuple[int, ...],
               max_angle: float) -> tuple[float, int, float]:
    """(line score, quarter, angle) of the turn that lines the ink up best: every
    degree, then the half degrees beside the best."""

    def score(turned: np.ndarray, angle: float) -> float:  # the ink mask turned linearly
        return _line_score(rotate_small(turned, angle, MASK_INTERPOLATION))

    best = (-1.0, 0, 0.0)
    for quarter in quarters:
        turned = rotate_quarter(mask, quarter)
        for angle in np.arange(-max_angle, max_angle + 0.01, 1.0):
            best = max(best, (score(turned, float(angle)), quarter, float(angle)))
    _, quarter, coarse = best
    turned = rotate_quarter(mask, quarter)
    for angle in (coarse - 0.5, coarse + 0.5):
        if abs(angle) <= max_angle:
            best = max(best, (score(turned, angle), quarter, angle))
    return best


AXIS_EDGE = 0.03  # of the short side, left out of the ink mask at each edge

# The ink mask is turned for the search linearly, not cubically: ~2x faster a page (28
# turns), and on 198 pages and cards of seeds 5, 7 and 11 the same angle but for 2 of them
# (half a degree apart)
MASK_INTERPOLATION = cv2.INTER_LINEAR


# --- contrast -----------------------------------------------------------------

def flatten(image: np.ndarray) -> np.ndarray:
    """Grey with uneven lighting removed and contrast stretched: paper white,
    ink dark. The input to OCR."""
    g = grey(image)
    k = max(15, (min(g.shape[:2]) // 20) | 1)
    background = cv2.morphologyEx(g, cv2.MORPH_CLOSE, cv2.getStructuringElement(
        cv2.MORPH_RECT, (k, k)))
    norm = cv2.divide(g, background, scale=255)
    lo, hi = percentiles(norm, (1, 99.5))
    if hi - lo < 10:
        return norm
    stretched = np.clip((norm.astype(np.float32) - lo) * 255.0 / (hi - lo), 0, 255)
    return stretched.astype(np.uint8)


def percentiles(image: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """``np.percentile(image, qs)`` of a uint8 or uint16 image, to the bit, from its
    histogram: ~6x faster than numpy's partition on a card or page (it is taken for
    every crop); a uint8 image's histogram counted by OpenCV, ~5x faster again than
    numpy's ``bincount`` on a page (6 ms)."""
    if image.dtype not in (np.uint8, np.uint16) or image.size == 0:
        return [float(v) for v in np.percentile(image, qs)]
    upto = np.cumsum(_histogram(image))
    n = int(upto[-1])
    out = []
    for q in qs:
        position = q / 100 * (n - 1)
        below = int(np.floor(position))
        t = position - below
        a = float(np.searchsorted(upto, below, side="right"))  # the value at sorted ``below``
        b = float(np.searchsorted(upto, min(below + 1, n - 1), side="right"))
        out.append(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)  # numpy's _lerp
    return out


def _histogram(image: np.ndarray) -> np.ndarray:
    """How many pixels have each value (uint8: 256 counts; uint16: up to the largest)."""
    if image.dtype == np.uint8:
        flat = np.ascontiguousarray(image).reshape(-1, 1)
        counts = cv2.calcHist([flat], [0], None, [256], [0, 256]).ravel()
        return np.rint(counts).astype(np.int64)
    return np.bincount(image.ravel())


def ruling_masks(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of long horizontal and vertical lines (table rulings, underlines)."""
    mask = cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                 cv2.THRESH_BINARY_INV, 25, 15)
    h, w = g.shape[:2]
    horiz = cv2.morphologyEx(mask, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (max(40, w // 12), 1)))
    vert = cv2.morphologyEx(mask, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(40, h // 12))))
    return horiz, vert


def remove_rulings(g: np.ndarray, masks: tuple[np.ndarray, np.ndarray] | None = None
                   ) -> np.ndarray:
    """Paint long horizontal and vertical lines (table rulings) white so digits
    next to them are not dropped (``masks``: ``ruling_masks(g)`` already found)."""
    horiz, vert = masks if masks is not None else ruling_masks(g)
    lines = cv2.dilate(horiz | vert, np.ones((3, 3), np.uint8))
    if not cv2.countNonZero(lines):
        return g
    out = g.copy()
    out[lines > 0] = 255
    return out


def rules_across(g: np.ndarray, x: int) -> list[int]:
    """y of the horizontal rulings that run through column ``x`` (the row
    borders of a table whose label column contains ``x``)."""
    horiz, _ = ruling_masks(g)
    horiz = cv2.dilate(horiz, np.ones((1, 9), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(horiz)
    ys = [int(stats[i, 1] + stats[i, 3] // 2) for i in range(1, count)
          if stats[i, 0] <= x <= stats[i, 0] + stats[i, 2]]
    return sorted(ys)


def ocr_ready(image: np.ndarray) -> np.ndarray:
    """The grey image handed to Tesseract for a cleaned page image."""
    return ready_from_flat(flatten(image))


def ready_from_flat(flat: np.ndarray, masks: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> np.ndarray:
    """``ocr_ready`` of an image already flattened (``flatten``; ``masks``: its
    ``ruling_masks`` already found)."""
    g = remove_rulings(flat, masks)
    return blank_margin(g) if looks_like_card(g) else g


def blank_margin(g: np.ndarray, fraction: float = 0.02) -> np.ndarray:
    """Paint a card's edge white: a crop's dark border reads as stray strokes."""
    h, w = g.shape[:2]
    m = max(2, int(fraction * min(h, w)))
    out = g.copy()
    out[:m, :] = 255
    out[-m:, :] = 255
    out[:, :m] = 255
    out[:, -m:] = 255
    return out


def crop(image: np.ndarray, box: tuple[int, int, int, int], pad: int = 0) -> np.ndarray:
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    return image[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]


def ink_aspect(g: np.ndarray) -> float:
    """Width over height of the ink on a grey crop of one line (0.0 without ink): how
    many square characters (Chinese) the line holds."""
    _, mask = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(mask)
    if xs.size == 0:
        return 0.0
    return float(np.ptp(xs) + 1) / float(np.ptp(ys) + 1)


def ink_rows(g: np.ndarray, box: tuple[int, int, int, int], min_gap: int) -> list[tuple[int, int]]:
    """Vertical runs of ink (text lines) inside ``box`` of a grey image, in page y
    coordinates; runs closer than ``min_gap`` pixels are merged."""
    x0, y0, x1, y1 = box
    return ink_runs(np.ascontiguousarray(g.T), (y0, x0, y1, x1), min_gap)


def ink_runs(g: np.ndarray, box: tuple[int, int, int, int], min_gap: int) -> list[tuple[int, int]]:
    """Horizontal runs of ink inside ``box`` of a grey image, in page x
    coordinates; runs closer than ``min_gap`` pixels are merged."""
    band = crop(g, box)
    if band.size == 0:
        return []
    _, mask = cv2.threshold(band, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    cols = (mask > 0).sum(axis=0) > max(1, band.shape[0] // 30)
    runs: list[tuple[int, int]] = []
    start = None
    for x, on in enumerate(list(cols) + [False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            if runs and start - runs[-1][1] < min_gap:
                runs[-1] = (runs[-1][0], x)
            else:
                runs.append((start, x))
            start = None
    return [(box[0] + a, box[0] + b) for a, b in runs]
