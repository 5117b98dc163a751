"""Ruled tables in page images: the grid from the table's own lines (OpenCV),
so each cell can be read on its own."""

from __future__ import annotations

import cv2
import numpy as np

from .types import BBox


def grid(image: np.ndarray, min_rows: int = 2, min_cols: int = 3) -> list[list[BBox]]:
    """Rows of cell boxes of the largest ruled table on the page ([] if none)."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                   cv2.THRESH_BINARY_INV, 25, 15)
    h, w = binary.shape
    horizontal = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (max(20, w // 25), 1)))
    vertical = cv2.morphologyEx(binary, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, h // 60))))
    ys = _lines(horizontal.sum(axis=1) / 255, 0.25 * w)
    if len(ys) < min_rows + 1:
        return []
    top, bottom = ys[0], ys[-1]
    xs = _lines(vertical[top:bottom].sum(axis=0) / 255, 0.6 * (bottom - top))
    if len(xs) < min_cols + 1:
        return []
    rows = []
    for y0, y1 in zip(ys, ys[1:], strict=False):
        if y1 - y0 < 12:
            continue
        row = [(x0 + 2, y0 + 2, x1 - 2, y1 - 2) for x0, x1 in zip(xs, xs[1:], strict=False)
               if x1 - x0 >= 12]
        rows.append(row)
    return rows if len(rows) >= min_rows else []


def _lines(profile: np.ndarray, threshold: float) -> list[int]:
    """Centres of the runs of the profile above the threshold."""
    above = np.flatnonzero(profile >= threshold)
    if above.size == 0:
        return []
    runs, start = [], above[0]
    for prev, cur in zip(above, above[1:], strict=False):
        if cur - prev > 3:
            runs.append((start + prev) // 2)
            start = cur
    runs.append((start + above[-1]) // 2)
    return [int(r) for r in runs]


def cell_image(image: np.ndarray, box: BBox, scale: float = 2.0) -> np.ndarray:
    """A cell, enlarged and given a white margin (Tesseract reads it better)."""
    x0, y0, x1, y1 = box
    cell = image[y0:y1, x0:x1]
    if scale != 1.0:
        cell = cv2.resize(cell, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(cell, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=(255, 255, 255))
