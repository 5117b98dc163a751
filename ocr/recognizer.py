"""RapidOCR (PP-OCR's detection, angle and recognition models, run offline on
OpenVINO or onnxruntime: ``ocr/inference.py``): the pieces of text on a picture found
and read, or crops read, or the lines Tesseract found read again.

Tesseract finds the lines (and stays the fallback); on Chinese text the
PP-OCR recogniser reads far better (../shared/ocr-notes.md). Each line keeps
Tesseract's box and takes the better reading; agreement between the two
raises the confidence, disagreement caps it. Without the model installed
(``PREREVIEW_SECOND_READER=off`` or the package missing) lines stay as
Tesseract read them.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from . import inference
from .types import CardCut, Word

_ENGINE: Any = None
_BACKEND = ""  # where its models run: "openvino" or "onnxruntime" (ocr/inference.py)
_LOCK = threading.Lock()
AGREE_CONFIDENCE = 0.99
# "max": the detector never enlarges a picture (a page is capped at 2000 px). Its default
# ("min": the short side raised to 736 px) blew a table row or a field band of 85x782 px
# up to ~736x2950 before detection: ~3 s a band instead of ~0.2 s, for the same boxes.
DET_LIMIT_TYPE = os.environ.get("PREREVIEW_RAPIDOCR_DET_LIMIT", "max")
PAD = 4
# Detection runs on a copy with at most the pixels of an A4 page this long: its cost grows
# with the pixels (a 2000 px photo ~1 s, the same at 1280 px ~0.3 s) and text on a page
# or card is still 10+ px high there; every piece is then read from the full-size image.
DET_SIDE = int(os.environ.get("PREREVIEW_RAPIDOCR_DET_SIDE", "1280"))
# An ID card's print is large (its smallest line ~30 px high on a card cut out 1300 px
# wide): detection at this side finds the same pieces in half the time. A statement's
# small print is not: at 960 px its scanned pages lost rows (121 of 128 read right, not 126).
LARGE_PRINT_DET_SIDE = int(os.environ.get("PREREVIEW_RAPIDOCR_CARD_DET_SIDE", "960"))
# A card cut from a scan or a PDF (not enlarged from a photo) is sharp: detection at this
# side finds what it finds at 960 px in ~3/4 of the pixels (the 216 fields of the scanned
# and PDF copies of seeds 5, 7 and 11, and 4 more copies: each as right and as sure). At
# 720 px, 2 of those right fields were left to be checked by hand.
SHARP_CARD_DET_SIDE = int(os.environ.get("PREREVIEW_RAPIDOCR_SHARP_CARD_DET_SIDE", "832"))
# A card cut small out of a desk photo of a copy (enlarged over 1.8x to be read) holds
# fewer pixels than detection at 960 px looks at. At 704 px it is read ~16 % faster and as
# well: 427 fields right of 504 on 56 such photos (seeds 5-17, 19-41 and 73-83) against
# 428 at 960 px, none wrong and sure at either; at 640 px, 422.
SMALL_CARD_DET_SIDE = int(os.environ.get("PREREVIEW_RAPIDOCR_SMALL_CARD_DET_SIDE", "704"))
TEXT_SCORE = 0.5  # pieces read with a lower score are dropped (RapidOCR's own default)
# Each piece is read alone, padded only to this width at the model's 48 px height. RapidOCR's
# default (batches of 6, each padded to the widest and to at least 320 px) spent most of its
# time on padding: a statement's 240 short cells took 3.6 s, alone and unpadded 1.5 s, and
# short amounts read better (a leading minus sign, a thousands comma) without the padding.
REC_BATCH = 1
REC_MIN_WIDTH = 96
FLIP_SCORE = 0.9  # the angle classifier's score that counts a piece as upside down
CLS_SAMPLE = 16  # the widest pieces the angle classifier looks at: enough for a vote
UPSIDE_DOWN = 0.5  # the share of that width turned 180 that turns the page


def available() -> bool:
    return _engine() is not None


def backend() -> str:
    """Where the second reader's models run ("" without the second reader)."""
    return _BACKEND if _engine() is not None else ""


def _engine() -> Any:
    global _ENGINE, _BACKEND
    if os.environ.get("PREREVIEW_SECOND_READER", "on") == "off":
        return None
    if _ENGINE is not None:  # made once: not waiting for the lock another read holds
        return _ENGINE or None
    with _LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                _ENGINE = False
            else:
                engine = RapidOCR(det_limit_type=DET_LIMIT_TYPE, rec_batch_num=REC_BATCH,
                                  rec_img_shape=[3, 48, REC_MIN_WIDTH])
                _float32_detection_input(engine)
                _BACKEND = inference.accelerate(engine)
                _ENGINE = engine  # seen by other threads only once it is ready
        return _ENGINE or None


def _float32_detection_input(engine: Any) -> None:
    """The detector's input scaled to -1..1 in float32: RapidOCR computes it in float64
    (~0.1 s for a pay slip's unshrunk strip, ~0.03 s for a page) and then casts it."""
    make = engine.text_det.get_preprocess

    def get_preprocess(max_wh: int) -> Any:
        step = make(max_wh)
        if np.allclose(step.mean, 0.5) and np.allclose(step.std, 0.5):
            step.normalize = _scaled
        return step

    engine.text_det.get_preprocess = get_preprocess


def _scaled(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float32) * np.float32(1 / 127.5) - np.float32(1.0)


def recognise(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Text and score (0..1) of each crop holding one line."""
    engine = _engine()
    if engine is None or not crops:
        return [("", 0.0)] * len(crops)
    crops = [c if c.ndim == 3 else np.dstack([c, c, c]) for c in crops]
    with _LOCK:  # onnxruntime sessions are used from one thread at a time here
        if len(crops) == 1:  # as the recogniser reads one crop, its scores kept
            one = _single(engine)
            results = one.postprocess_op(_predictions(one, crops[0])[np.newaxis])
        else:
            results, _ = engine.text_rec(crops)
    out = []
    for item in results or []:
        text, score = (item[0], float(item[1])) if isinstance(item, (list, tuple)) else ("", 0.0)
        out.append((str(text).strip(), score))
    return out + [("", 0.0)] * (len(crops) - len(out))


def character_scores(crop: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
    """The recogniser's log-probabilities of each character (classes, the CTC blank
    first) at each step along a crop holding one line, and the characters by class;
    None without the second reader."""
    engine = _engine()
    if engine is None or crop.size == 0:
        return None
    crop = crop if crop.ndim == 3 else np.dstack([crop, crop, crop])
    with _LOCK:
        one = _single(engine)
        probabilities = _predictions(one, crop)
        characters = list(one.postprocess_op.character)
    return np.log(np.maximum(probabilities, 1e-12)), characters


def _single(engine: Any) -> Any:
    """RapidOCR's recogniser as it reads one crop (OpenVINO's parallel one wraps it)."""
    return getattr(engine.text_rec, "_one", engine.text_rec)


def _predictions(one: Any, crop: np.ndarray) -> np.ndarray:
    """The recogniser's probabilities of each character at each step along a crop,
    computed as RapidOCR computes them for one crop. The last few are kept by the
    recogniser and the crop's pixels: a row's crop read and then asked how sure each
    character is (a certificate's owners and location, ~0.01 s each) is not read twice."""
    key = (id(one), crop.shape, hashlib.blake2b(np.ascontiguousarray(crop).data,
                                                digest_size=16).digest())
    if key in _PREDICTED:
        _PREDICTED.move_to_end(key)
        return _PREDICTED[key]
    ratio = max(one.rec_image_shape[2] / one.rec_image_shape[1], crop.shape[1] / crop.shape[0])
    batch = one.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
    _PREDICTED[key] = probabilities = one.session(batch)[0][0]
    while len(_PREDICTED) > PREDICTIONS_KEPT:
        _PREDICTED.popitem(last=False)
    return probabilities


PREDICTIONS_KEPT = 4
_PREDICTED: OrderedDict[tuple[int, tuple[int, ...], bytes], np.ndarray] = OrderedDict()


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


def detect_and_read(image: np.ndarray, large_print: bool = False) -> list[Word]:
    """Find and read every text piece of an image (a table row: one per cell),
    left to right; [] without the second reader."""
    return sorted(read_pieces(image, large_print=large_print).pieces, key=lambda w: w.bbox[0])


@dataclass(frozen=True)
class Reading:
    """The text pieces RapidOCR found on an image, and how much of the widest ones
    its angle classifier saw upside down. ``turned``: there were most of them, and
    the pieces are those of the image turned 180 (read the right way up)."""

    pieces: list[Word]
    upside_down: float = 0.0  # share of the widest pieces' width, 0..1
    turned: bool = False
    # when ``turned``: the pieces read as the image lies, from the same detection (what
    # ``read_pieces`` without ``orientation`` reads, without detecting again)
    as_it_lies: Callable[[], list[Word]] | None = None


def read_pieces(image: np.ndarray, orientation: bool = False,
                large_print: bool = False, cut: CardCut = CardCut.NONE) -> Reading:
    """Detect text on a smaller copy (detection's cost grows with the pixels; its boxes
    do not need them), then read each piece from the full image. ``orientation``: the
    angle classifier also votes on whether the image is upside down; when it is (over
    UPSIDE_DOWN), each piece is read turned 180 from the same boxes, and the pieces are
    the turned image's (``turned``); ``large_print`` (an ID card): detection on a
    smaller copy still, smaller again if the card was ``cut`` out of a copy (sharp
    from a scan or PDF, small from a photo)."""
    engine = _engine()
    if engine is None or image.size == 0:
        return Reading([])
    image = image if image.ndim == 3 else np.dstack([image, image, image])
    with _LOCK:
        quads = _detect(engine, image, _detection_side(large_print, cut))
        crops = engine.get_crop_img_list(image, quads) if quads else []
        upside_down = _upside_down(engine, crops) if orientation and crops else 0.0
        turned = upside_down > UPSIDE_DOWN
        lying = functools.partial(_read_crops, quads, crops) if turned else None
        if turned:
            image, quads = np.ascontiguousarray(image[::-1, ::-1]), _turned(quads, image)
            crops = engine.get_crop_img_list(image, quads)
        results, _ = engine.text_rec(crops) if crops else ([], 0.0)
    return Reading(_pieces(quads, results), upside_down, turned, lying)


def _detection_side(large_print: bool, cut: CardCut) -> int:
    if not large_print:
        return DET_SIDE
    return {CardCut.SHARP: SHARP_CARD_DET_SIDE,
            CardCut.SMALL: SMALL_CARD_DET_SIDE}.get(cut, LARGE_PRINT_DET_SIDE)


def _read_crops(quads: list[np.ndarray], crops: list[np.ndarray]) -> list[Word]:
    """The pieces cut out at ``quads`` read as they are."""
    engine = _engine()
    with _LOCK:
        results, _ = engine.text_rec(crops)
    return _pieces(quads, results)


def _turned(quads: list[np.ndarray], image: np.ndarray) -> list[np.ndarray]:
    """The boxes on the image turned 180, corners again from the top left."""
    h, w = image.shape[:2]
    return [np.stack([w - 1 - q[:, 0], h - 1 - q[:, 1]], axis=1)[[2, 3, 0, 1]]
            .astype(np.float32) for q in quads]


def _upside_down(engine: Any, crops: list[np.ndarray]) -> float:
    """The share (by width) of the widest pieces the angle classifier sees turned 180."""
    widest = sorted(crops, key=lambda c: -c.shape[1])[:CLS_SAMPLE]
    _, votes, _ = engine.text_cls([c.copy() for c in widest])
    turned = sum(c.shape[1] for c, (label, score) in zip(widest, votes, strict=True)
                 if "180" in label and float(score) >= FLIP_SCORE)
    return turned / max(1, sum(c.shape[1] for c in widest))


def _detect(engine: Any, image: np.ndarray, side: int) -> list[np.ndarray]:
    """Detection on a copy with at most the pixels of an A4 page ``side`` px long: a
    page or photo is shrunk as before, a pay slip's wide strip (few pixels) is not, and
    its cells stay apart (at 1280 px long they ran together and were detected again)."""
    h, w = image.shape[:2]
    small = image
    budget = side * side / math.sqrt(2)
    if h * w > budget:
        factor = math.sqrt(budget / (h * w))
        small = cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    small, _, _ = engine.preprocess(small)  # a thin strip is raised to 30 px
    sh, sw = small.shape[:2]
    padded, record = engine.maybe_add_letterbox(small, {})
    boxes, _ = engine.auto_text_det(padded)
    if boxes is None:
        return []
    out = []
    for box in boxes:
        quad = np.array(box, np.float32)
        quad[:, 1] -= record["padding_1"]["top"]
        quad[:, 0] = np.clip(quad[:, 0] * (w / sw), 0, w - 1)
        quad[:, 1] = np.clip(quad[:, 1] * (h / sh), 0, h - 1)
        out.append(quad)
    return out


def _pieces(quads: list[np.ndarray], results: Any) -> list[Word]:
    pieces = []
    for quad, item in zip(quads, results or [], strict=False):
        text, score = (str(item[0]).strip(), float(item[1])) if isinstance(
            item, (list, tuple)) else ("", 0.0)
        if text and score >= TEXT_SCORE:
            xs, ys = quad[:, 0], quad[:, 1]
            pieces.append(Word(text, (int(xs.min()), int(ys.min()), int(xs.max()),
                                      int(ys.max())), score))
    return pieces
