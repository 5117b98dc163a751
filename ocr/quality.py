"""The image quality gate: is a photo or scan good enough to read?

Runs on image pages (never on PDF pages with a text layer). Each failure is a
``ReadProblem`` with a stable code, the measured figure and what intake should do,
naming the document (and ID side) when its kind is known. A failed gate does not
stop the reading: what could be read still comes back, with the problem beside it.

Thresholds were set on the generated corpus (clean, scan, photo, rotated pass;
heavy blur, a tiny image, a glare spot, a photo cut off at one side and a picture
with no document fail) and are module constants.

Where the document is (``layout``) is judged on a thumbnail: paper is bright and
smooth once the text is closed away, a desk is textured or darker. A scan is paper
from edge to edge; a photo shows desk around the paper. A photo is cut off when the
paper meets a border that way while another border shows the desk (printed content
running into that border, or the paper crossing it along most of its width).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .cards import card_sides
from .image import percentiles
from .types import DocumentKind, Page, ReadProblem

NORMALISED_LONG_SIDE = 1000  # px: sharpness is measured at one size
MIN_SHARPNESS = 25.0  # 99th percentile of |Laplacian|; sharp pages 60-320, blurred < 10
# A card on a photocopied page, measured alone at one width: its print is small in the
# picture, so a blur the page passes can leave it unreadable. Desk photos of copies
# (seeds 5, 7, 11): cards read well 60-101; misread or unread 26-51; scans and PDFs 100+
CARD_SHARPNESS_WIDTH = 400  # px
MIN_CARD_SHARPNESS = 54.0
MIN_LONG_SIDE = 500  # px: below this, characters are a few pixels high
SATURATED = 250  # grey level counted as blown out
GLARE_MIN_AREA = 0.02  # of the image: a blown-out patch this large …
GLARE_MAX_AREA = 0.40  # … but not the whole white page of a clean scan
GLARE_MAX_ELSEWHERE = 0.05  # the rest of the picture is not blown out (paper is not white)
GLARE_MIN_SOLIDITY = 0.97  # the patch has no holes: nothing is printed inside it any more
GLARE_RIM = 25  # px: the rim around the patch that glare fades through
GLARE_MAX_DARK_RIM = 0.1  # share of the rim far below white: glare spots 0-0.04; a blank
#                           white page blown out up to its edge on the desk 0.28-0.39
# Where the document is, on a thumbnail (measured on seeds 3, 5, 7, 11 with --count 3):
LAYOUT_SIDE = 320  # px: long side of the thumbnail
TEXT_CLOSING = 5  # px: a closing this wide paints text strokes over with the paper around them
PAPER_MAX_TEXTURE = 2.0  # grey std (7x7) of the closed thumbnail: paper < 1.5, desks 3-8
INK_CONTRAST = 25  # grey levels below the closed image: a printed stroke
PAPER_MIN_AREA = 0.10  # of the picture: photographed documents 0.16-0.69, scans 1.0
MIN_INK_DENSITY = 0.006  # ink per paper pixel: documents 0.014 (ID copy on A4)-0.23;
#                          blank, wall, desk < 0.003
MAX_PAPER_GRAIN = 5.0  # median darkening on the paper: documents 0-3, noise textures 8-39
DESK_MAX_TOUCH = 0.05  # paper along less of a border than this: that border shows the desk
CUT_MIN_TOUCH = 0.10  # paper along a cut border: cut strips >= 0.15, whole photos <= 0.12
CUT_MIN_EDGE_INK = 20  # ink px in the border band of a cut side: cut 20-230, whole photos <= 15
CUT_MIN_CROSS = 0.6  # touched stretch / paper extent: a cut is a cross-section (>= 0.72),
#                      a corner running off a whole photo is not (<= 0.4)
CUT_ALONE_TOUCH = 0.5  # paper along this much of a border is cut even where nothing is printed
EDGE_BAND = 4  # px of the thumbnail: the band along a border searched for ink
SIDES = {"top": ("上方", "top"), "bottom": ("下方", "bottom"),
         "left": ("左侧", "left"), "right": ("右侧", "right")}

KIND_LABELS = {
    DocumentKind.ID_CARD_FRONT: ("身份证人像面", "the front (photo side) of the ID card"),
    DocumentKind.ID_CARD_BACK: ("身份证国徽面", "the back (emblem side) of the ID card"),
    DocumentKind.PROPERTY_CERTIFICATE: ("房产证", "the property certificate"),
    DocumentKind.PAY_SLIP: ("工资单", "the pay slip"),
    DocumentKind.INCOME_CERTIFICATE: ("收入证明", "the income certificate"),
    DocumentKind.BANK_STATEMENT: ("银行流水", "the bank statement"),
    DocumentKind.UNKNOWN: ("该文件", "the document"),
}


def sharpness(grey: np.ndarray) -> float:
    """Edge strength at a fixed size: the 99th percentile of |Laplacian|."""
    h, w = grey.shape
    scale = NORMALISED_LONG_SIDE / max(h, w)
    small = cv2.resize(grey, (max(1, int(w * scale)), max(1, int(h * scale))),
                       interpolation=cv2.INTER_AREA)
    return _edge_strength(small)


def card_sharpness(picture: np.ndarray, box: np.ndarray) -> float:
    """``sharpness`` of the card inside ``box`` (4x2 corners on ``picture``), flattened
    at its own size and measured CARD_SHARPNESS_WIDTH wide."""
    width, height = (max(side, 8.0) for side in card_sides(box.astype(np.float32)))
    size = (round(width), round(height))
    corners = np.array([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1],
                        [0, size[1] - 1]], np.float32)
    card = cv2.warpPerspective(picture, cv2.getPerspectiveTransform(
        box.astype(np.float32), corners), size)
    grey = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY) if card.ndim == 3 else card
    return _edge_strength(cv2.resize(grey, (CARD_SHARPNESS_WIDTH, max(1, round(
        CARD_SHARPNESS_WIDTH * height / width))), interpolation=cv2.INTER_AREA))


def _edge_strength(grey: np.ndarray) -> float:
    """The 99th percentile of |Laplacian| (whole numbers: taken in 16 bits, exactly)."""
    if grey.dtype != np.uint8:
        return float(np.percentile(np.abs(cv2.Laplacian(grey, cv2.CV_64F)), 99))
    return percentiles(np.abs(cv2.Laplacian(grey, cv2.CV_16S)).astype(np.uint16), (99,))[0]


def glare_area(grey: np.ndarray) -> float:
    """The share of the picture taken by one blown-out patch on paper that is not
    itself white (0.0 when there is none)."""
    blown = (grey >= SATURATED).astype(np.uint8)
    total = float(blown.mean())
    if total < GLARE_MIN_AREA:
        return 0.0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(blown, connectivity=8)
    if count < 2:
        return 0.0
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    largest = float(stats[biggest, cv2.CC_STAT_AREA]) / blown.size
    if not GLARE_MIN_AREA <= largest <= GLARE_MAX_AREA or total - largest > GLARE_MAX_ELSEWHERE:
        return 0.0
    patch = labels == biggest
    x, y, w, h = stats[biggest, :4]
    box = (slice(max(0, y - GLARE_RIM), y + h + GLARE_RIM),
           slice(max(0, x - GLARE_RIM), x + w + GLARE_RIM))
    return largest if _solid(patch) and _fades(grey[box], patch[box]) else 0.0


def _solid(patch: np.ndarray) -> bool:
    """Glare is one solid blown-out patch; white paper is full of holes (its text)."""
    contours, _ = cv2.findContours(patch.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros(patch.shape, np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)
    return float(patch.sum()) / max(1.0, float(filled.sum())) >= GLARE_MIN_SOLIDITY


def _fades(grey: np.ndarray, patch: np.ndarray) -> bool:
    """Glare fades into the paper around it; a blown-out white page ends at the desk."""
    mask = patch.astype(np.uint8)
    rim = cv2.dilate(mask, np.ones((GLARE_RIM, GLARE_RIM), np.uint8)) > mask
    return float(np.mean(grey[rim] < SATURATED - 60)) <= GLARE_MAX_DARK_RIM


@dataclass(frozen=True)
class Layout:
    """Where the paper is in a picture, measured on the thumbnail."""

    paper: float  # share of the picture taken by the paper (its convex hull)
    ink: float  # printed pixels per paper pixel
    grain: float  # median darkening on the paper: printing is sparse, noise is everywhere
    touch: dict[str, float]  # per side: share of the border that is paper
    cross: dict[str, float]  # per side: paper along the border / the paper's extent that way
    edge_ink: dict[str, int]  # per side: printed pixels in the band along the border


def layout(grey: np.ndarray) -> Layout:
    """Paper, printing and what meets each border, on a LAYOUT_SIDE thumbnail."""
    h, w = grey.shape
    scale = LAYOUT_SIDE / max(h, w)
    small = cv2.resize(grey, (max(8, round(w * scale)), max(8, round(h * scale))),
                       interpolation=cv2.INTER_AREA)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((TEXT_CLOSING,) * 2, np.uint8))
    hull = _paper_hull(closed)
    inner = cv2.erode(hull, np.ones((7, 7), np.uint8)) > 0  # off the desk's shadowed edge
    dark = closed.astype(np.int16) - small
    ink = (dark > INK_CONTRAST) & inner
    borders = {"top": hull[0], "bottom": hull[-1], "left": hull[:, 0], "right": hull[:, -1]}
    b = EDGE_BAND
    bands = {"top": ink[:b], "bottom": ink[-b:], "left": ink[:, :b], "right": ink[:, -b:]}
    ys, xs = np.nonzero(hull)
    extent = {"top": np.ptp(xs) + 1, "bottom": np.ptp(xs) + 1, "left": np.ptp(ys) + 1,
              "right": np.ptp(ys) + 1} if ys.size else dict.fromkeys(SIDES, 1)
    return Layout(
        paper=float(hull.mean()), ink=float(ink.sum()) / max(1.0, float(inner.sum())),
        grain=float(np.median(dark[inner])) if inner.any() else 255.0,
        touch={k: float(v.mean()) for k, v in borders.items()},
        cross={k: float(v.sum()) / float(extent[k]) for k, v in borders.items()},
        edge_ink={k: int(v.sum()) for k, v in bands.items()})


def _paper_hull(closed: np.ndarray) -> np.ndarray:
    """0/1 mask: the convex hull of the largest bright, smooth region."""
    f = closed.astype(np.float32)
    mean = cv2.blur(f, (7, 7))
    texture = np.sqrt(np.maximum(cv2.blur(f * f, (7, 7)) - mean * mean, 0))
    otsu, _ = cv2.threshold(closed, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper: np.ndarray = ((texture < PAPER_MAX_TEXTURE) & (closed >= otsu)).astype(np.uint8)
    paper = cv2.morphologyEx(paper, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    hull = np.zeros_like(closed)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(paper)
    if count >= 2:
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        points = cv2.findNonZero((labels == biggest).astype(np.uint8))
        cv2.fillConvexPoly(hull, cv2.convexHull(points), 1)
    return hull


def no_document(lay: Layout) -> bool:
    """No paper with printing on it: a desk, a wall, a blank sheet, a texture."""
    return (lay.paper < PAPER_MIN_AREA or lay.ink < MIN_INK_DENSITY
            or lay.grain > MAX_PAPER_GRAIN)


def cut_sides(lay: Layout) -> list[str]:
    """The borders the document runs over; none when no border shows the desk (a
    scan, a card image filling the frame)."""
    if min(lay.touch.values()) > DESK_MAX_TOUCH:
        return []
    return [side for side, touch in lay.touch.items()
            if touch >= CUT_ALONE_TOUCH or touch >= CUT_MIN_TOUCH and (
                lay.edge_ink[side] >= CUT_MIN_EDGE_INK or lay.cross[side] >= CUT_MIN_CROSS)]


@dataclass(frozen=True)
class Looks:
    """What the gate measured on one picture, before it is worded for a document kind."""

    long_side: int
    sharpness: float
    glare: float
    not_found: bool
    cut_sides: tuple[str, ...]
    cards: tuple[float, ...] = ()  # sharpness of each card on a photocopied page


def measure(page: Page, cards: Sequence[np.ndarray] = ()) -> Looks | None:
    """The gate's figures for a page; None for a page it does not judge (a text layer).
    ``cards``: the outlines of the cards photocopied on it, each measured alone."""
    if page.has_text_layer or page.image.size == 0:
        return None
    grey = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY) if page.image.ndim == 3 else page.image
    lay = layout(grey)
    missing = no_document(lay)
    return with_cards(Looks(max(grey.shape), sharpness(grey), glare_area(grey), missing,
                            () if missing else tuple(cut_sides(lay))), page, cards)


def with_cards(looks: Looks, page: Page, cards: Sequence[np.ndarray]) -> Looks:
    """The page's figures with the sharpness of each card photocopied on it."""
    return replace(looks, cards=tuple(card_sharpness(page.image, box) for box in cards))


def check_page(page: Page, kind: DocumentKind,
               measured: Callable[[], Looks | None] | None = None) -> list[ReadProblem]:
    """The gate for one page; an empty list when it is fit to read. ``measured``: the
    page's figures, measured already (``measure``)."""
    looks = measured() if measured is not None else measure(page)
    return [] if looks is None else problems_of(looks, kind, page.number)


def problems_of(looks: Looks, kind: DocumentKind, number: int, card: int | None = None,
                small: bool = False) -> list[ReadProblem]:
    """The gate's findings, worded for intake with the document's name; ``card``: the
    document is that card of a photocopied page (its index in ``looks.cards``),
    ``small`` in the picture (see ``card_problems``)."""
    zh, en = KIND_LABELS.get(kind, KIND_LABELS[DocumentKind.UNKNOWN])
    problems = card_problems(looks, kind, number, card, small) if card is not None else []
    if looks.long_side < MIN_LONG_SIDE:
        problems.append(ReadProblem(
            "read.quality.too_small",
            f"图像太小（长边 {looks.long_side} 像素，至少 {MIN_LONG_SIDE}）："
            f"请靠近拍摄或以 300 dpi 重新扫描{zh} / The image is too small "
            f"({looks.long_side} px, at least {MIN_LONG_SIDE}): "
            f"photograph {en} closer or re-scan it at 300 dpi.", number))
    if looks.sharpness < MIN_SHARPNESS:
        problems.append(ReadProblem(
            "read.quality.blurry",
            f"图像模糊（清晰度 {looks.sharpness:.0f}，至少 {MIN_SHARPNESS:.0f}）：请对焦后重新"
            f"拍摄{zh}，拍摄时保持手机稳定 / The image is blurred (sharpness "
            f"{looks.sharpness:.0f}, at least {MIN_SHARPNESS:.0f}): re-shoot {en} in focus, "
            "holding the phone still.", number))
    if looks.glare:
        problems.append(ReadProblem(
            "read.quality.glare",
            f"图像有反光（{looks.glare:.0%} 的画面过曝）：请重新拍摄{zh}，避免反光 / Glare "
            f"covers {looks.glare:.0%} of the picture: re-shoot {en} without glare (turn off "
            "the flash, tilt the document away from the light).", number))
    placed = _placement_problems(looks, zh, en, number)
    if looks.not_found and looks.sharpness >= MIN_SHARPNESS:
        return placed + problems  # intake is told the first problem (a heavily blurred
    return problems + placed  # document may show no paper: there, blurry stays first)


def card_problems(looks: Looks, kind: DocumentKind, number: int, card: int,
                  small: bool = False) -> list[ReadProblem]:
    """The card ``card`` of a photocopied page blurred where the page is not (a
    blurred page is told as such); ``small``: so small in the picture that its
    wording is left to be checked by hand (a desk photo of the copy)."""
    zh, en = KIND_LABELS.get(kind, KIND_LABELS[DocumentKind.UNKNOWN])
    problems = []
    if looks.sharpness >= MIN_SHARPNESS and looks.cards[card] < MIN_CARD_SHARPNESS:
        problems.append(ReadProblem(
            "read.quality.blurry",
            f"复印件上的{zh}模糊（清晰度 {looks.cards[card]:.0f}，至少 "
            f"{MIN_CARD_SHARPNESS:.0f}）：请靠近、对焦、保持手机稳定后重新拍摄复印件，或扫描复印件"
            f" / {en[0].upper()}{en[1:]} on the photocopy is blurred (sharpness "
            f"{looks.cards[card]:.0f}, at least {MIN_CARD_SHARPNESS:.0f}): photograph the "
            "copy closer, in focus and holding the phone still, or scan it.", number))
    if small:
        problems.append(ReadProblem(
            "read.quality.too_small",
            f"复印件上的{zh}在照片中太小，其姓名、住址等文字须人工核对：请靠近拍摄复印件"
            f"（卡面约占画面宽度的一半），或扫描复印件 / {en[0].upper()}{en[1:]} on the "
            "photocopy is too small in the photo for its wording (name, address) to be "
            "read reliably, so it is left to be checked by hand: photograph the copy closer "
            "(the card about half the frame wide) or scan it.", number))
    return problems


def _placement_problems(looks: Looks, zh: str, en: str, number: int) -> list[ReadProblem]:
    if looks.not_found:
        return [ReadProblem(
            "read.quality.not_found",
            f"未在图像中找到证件/文件：请将{zh}平放在深色桌面上、完整拍入画面后重新拍摄 / "
            f"No document was found in the picture: lay {en} flat on a darker surface, "
            "fit it entirely in the frame and re-shoot.", number)]
    if not looks.cut_sides:
        return []
    side_zh = "、".join(SIDES[s][0] for s in looks.cut_sides)
    side_en = " and ".join(SIDES[s][1] for s in looks.cut_sides) + (
        " sides" if len(looks.cut_sides) > 1 else " side")
    return [ReadProblem(
        "read.quality.cut_off",
        f"{zh}未完整拍入画面（{side_zh}被截断）：请重新拍摄，四角都在画面内 / Part of {en} "
        f"is cut off ({side_en}): re-shoot with all four corners inside the frame.", number)]


def check_pages(pages: list[Page], kind: DocumentKind,
                measured: Callable[[], Looks | None] | None = None) -> list[ReadProblem]:
    """The gate for each page (``measured``: a one-page document's figures, measured
    already)."""
    if measured is not None and len(pages) == 1:
        return check_page(pages[0], kind, measured)
    return [p for page in pages for p in check_page(page, kind)]
