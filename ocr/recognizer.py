"""A second reader for text lines: RapidOCR's recognition model (PP-OCR, run
offline through onnxruntime) on the boxes Tesseract found.

Tesseract finds the lines (and stays the fallback); on Chinese text the
PP-OCR recogniser reads far better (../shared/ocr-notes.md). Each line keeps
Tesseract's box and takes the better reading; agreement between the two
raises the confidence, disagreement caps it. Without the model installed
(``PREREVIEW_SECOND_READER=off`` or the package missing) lines stay as
Tesseract read them.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

from .types import Word

_ENGINE: Any = None
_LOCK = threading.Lock()
AGREE_CONFIDENCE = 0.99
# "max": the detector never enlarges a picture (a page is capped at 2000 px). Its default
# ("min": the short side raised to 736 px) blew a table row or a field band of 85x782 px
# up to ~736x2950 before detection: ~3 s a band instead of ~0.2 s, for the same boxes.
DET_LIMIT_TYPE = os.environ.get("PREREVIEW_RAPIDOCR_DET_LIMIT", "max")
PAD = 4


def available() -> bool:
    return _engine() is not None


def _engine() -> Any:
    global _ENGINE
    if os.environ.get("PREREVIEW_SECOND_READER", "on") == "off":
        return None
    with _LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                _ENGINE = False
            else:
                _ENGINE = RapidOCR(det_limit_type=DET_LIMIT_TYPE)
        return _ENGINE or None


def recognise(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Text and score (0..1) of each crop holding one line."""
    engine = _engine()
    if engine is None or not crops:
        return [("", 0.0)] * len(crops)
    crops = [c if c.ndim == 3 else np.dstack([c, c, c]) for c in crops]
    with _LOCK:  # onnxruntime sessions are used from one thread at a time here
        results, _ = engine.text_rec(crops)
    out = []
    for item in results or []:
        text, score = (item[0], float(item[1])) if isinstance(item, (list, tuple)) else ("", 0.0)
        out.append((str(text).strip(), score))
    return out + [("", 0.0)] * (len(crops) - len(out))


def reread_lines(image: np.ndarray, lines: list[Word]) -> list[Word]:
    """Each line read again by the second reader; the better reading wins."""
    if not lines or _engine() is None:
        return lines
    crops = [_crop(image, w.bbox) for w in lines]
    readings = recognise(crops)
    return [_better(w, text, score) for w, (text, score) in zip(lines, readings, strict=True)]


def _better(line: Word, text: str, score: float) -> Word:
    if not text or score < 0.5:
        return line
    if _same(text, line.text):
        return Word(text, line.bbox, max(AGREE_CONFIDENCE, line.confidence))
    if score >= line.confidence:
        return Word(text, line.bbox, round(min(score, 0.97), 3))
    return line


def _same(a: str, b: str) -> bool:
    strip = str.maketrans("", "", " :：,，.。()（）")
    return a.translate(strip) == b.translate(strip)


def _crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    crop = image[max(0, y0 - PAD):min(h, y1 + PAD), max(0, x0 - PAD):min(w, x1 + PAD)]
    return crop if crop.size else np.full((8, 8, 3), 255, np.uint8)


def detect_and_read(image: np.ndarray) -> list[Word]:
    """Find and read every text piece of an image (a table row: one per cell),
    left to right; [] without the second reader."""
    engine = _engine()
    if engine is None or image.size == 0:
        return []
    image = image if image.ndim == 3 else np.dstack([image, image, image])
    with _LOCK:
        result, _ = engine(image, use_cls=False)
    out = []
    for box, text, score in result or []:
        xs = [int(p[0]) for p in box]
        ys = [int(p[1]) for p in box]
        out.append(Word(str(text), (min(xs), min(ys), max(xs), max(ys)), float(score)))
    return sorted(out, key=lambda w: w.bbox[0])
