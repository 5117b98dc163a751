"""The image quality gate: is a photo or scan good enough to read?

Runs on image pages (never on PDF pages with a text layer). Each failure is a
``ReadProblem`` with a stable code, the measured figure and what intake should do,
naming the document (and ID side) when its kind is known. A failed gate does not
stop the reading: what could be read still comes back, with the problem beside it.

Thresholds were set on the generated corpus (clean, scan, photo, rotated pass;
heavy blur, a tiny image and a glare spot fail) and are module constants.
"""

from __future__ import annotations

import cv2
import numpy as np

from .types import DocumentKind, Page, ReadProblem

NORMALISED_LONG_SIDE = 1000  # px: sharpness is measured at one size
MIN_SHARPNESS = 25.0  # 99th percentile of |Laplacian|; sharp pages 60-320, blurred < 10
MIN_LONG_SIDE = 500  # px: below this, characters are a few pixels high
SATURATED = 250  # grey level counted as blown out
GLARE_MIN_AREA = 0.02  # of the image: a blown-out patch this large …
GLARE_MAX_AREA = 0.40  # … but not the whole white page of a clean scan
GLARE_MAX_ELSEWHERE = 0.05  # the rest of the picture is not blown out (paper is not white)
GLARE_MIN_SOLIDITY = 0.97  # the patch has no holes: nothing is printed inside it any more

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
    return float(np.percentile(np.abs(cv2.Laplacian(small, cv2.CV_64F)), 99))


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
    return largest if _solid(labels == biggest) else 0.0


def _solid(patch: np.ndarray) -> bool:
    """Glare is one solid blown-out patch; white paper is full of holes (its text)."""
    contours, _ = cv2.findContours(patch.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros(patch.shape, np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)
    return float(patch.sum()) / max(1.0, float(filled.sum())) >= GLARE_MIN_SOLIDITY


def check_page(page: Page, kind: DocumentKind) -> list[ReadProblem]:
    """The gate for one page; an empty list when it is fit to read."""
    if page.has_text_layer or page.image.size == 0:
        return []
    zh, en = KIND_LABELS.get(kind, KIND_LABELS[DocumentKind.UNKNOWN])
    grey = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY) if page.image.ndim == 3 else page.image
    problems = []
    long_side = max(grey.shape)
    if long_side < MIN_LONG_SIDE:
        problems.append(ReadProblem(
            "read.quality.too_small",
            f"图像太小（长边 {long_side} 像素，至少 {MIN_LONG_SIDE}）："
            f"请靠近拍摄或以 300 dpi 重新扫描{zh} / The image is too small "
            f"({long_side} px, at least {MIN_LONG_SIDE}): "
            f"photograph {en} closer or re-scan it at 300 dpi.", page.number))
    sharp = sharpness(grey)
    if sharp < MIN_SHARPNESS:
        problems.append(ReadProblem(
            "read.quality.blurry",
            f"图像模糊（清晰度 {sharp:.0f}，至少 {MIN_SHARPNESS:.0f}）：请对焦后重新拍摄{zh}，"
            f"拍摄时保持手机稳定 / The image is blurred (sharpness {sharp:.0f}, at least "
            f"{MIN_SHARPNESS:.0f}): re-shoot {en} in focus, holding the phone still.",
            page.number))
    glare = glare_area(grey)
    if glare:
        problems.append(ReadProblem(
            "read.quality.glare",
            f"图像有反光（{glare:.0%} 的画面过曝）：请重新拍摄{zh}，避免反光 / Glare covers "
            f"{glare:.0%} of the picture: re-shoot {en} without glare (turn off the flash, "
            "tilt the document away from the light).", page.number))
    return problems


def check_pages(pages: list[Page], kind: DocumentKind) -> list[ReadProblem]:
    return [p for page in pages for p in check_page(page, kind)]
