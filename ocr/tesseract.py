"""Thin wrapper over pytesseract: lines of words with boxes and confidences.

See ../shared/ocr-notes.md: ``OMP_THREAD_LIMIT=1`` (set before pytesseract
starts a process), ``chi_sim`` for Chinese text, ``eng`` with a whitelist and
``--psm 7`` for a crop holding one line of digits.
"""

from __future__ import annotations

import os

import numpy as np
import pytesseract
from PIL import Image

from .types import Word

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DIGITS = "0123456789"
ID_CHARS = DIGITS + "X"
AMOUNT_CHARS = DIGITS + ".,-"
DATE_CHARS = DIGITS + ".-/"


def read_lines(image: np.ndarray, lang: str = "chi_sim", psm: int = 6) -> list[Word]:
    """OCR an image; return one Word per text line (top to bottom), the line's
    words joined (Chinese without spaces), its bbox and mean confidence."""
    data = pytesseract.image_to_data(
        _uncompressed(image), lang=lang, config=f"--psm {psm}",
        output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[int]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= 0:
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(i)
    out: list[Word] = []
    for idx in lines.values():
        parts = [data["text"][i].strip() for i in idx]
        text = _join(parts)
        x0 = min(data["left"][i] for i in idx)
        y0 = min(data["top"][i] for i in idx)
        x1 = max(data["left"][i] + data["width"][i] for i in idx)
        y1 = max(data["top"][i] + data["height"][i] for i in idx)
        conf = sum(float(data["conf"][i]) for i in idx) / len(idx) / 100.0
        out.append(Word(text, (x0, y0, x1, y1), round(conf, 3)))
    out.sort(key=lambda w: (w.bbox[1], w.bbox[0]))
    return out


def read_line(
    image: np.ndarray, lang: str = "eng", psm: int = 7, whitelist: str | None = None
) -> tuple[str, float]:
    """OCR a crop holding a single line; return its text and mean confidence."""
    config = f"--psm {psm}"
    if whitelist:
        config += f" -c tessedit_char_whitelist={whitelist}"
    data = pytesseract.image_to_data(
        _uncompressed(image), lang=lang, config=config, output_type=pytesseract.Output.DICT)
    parts, confs = [], []
    for text, conf in zip(data["text"], data["conf"], strict=True):
        if text.strip() and float(conf) >= 0:
            parts.append(text.strip())
            confs.append(float(conf))
    if not parts:
        return "", 0.0
    return _join(parts), round(sum(confs) / len(confs) / 100.0, 3)


def _uncompressed(image: np.ndarray) -> Image.Image:
    """The image handed to Tesseract as BMP: pytesseract writes a temporary file, and
    PNG compression of a page took 0.1-0.5 s a call, BMP ~2 ms. The pixels are the
    ones pytesseract was always given (a BGR array taken as RGB, as the readers were
    tuned on)."""
    picture = Image.fromarray(image)
    picture.format = "BMP"
    return picture


def _join(parts: list[str]) -> str:
    """Join Tesseract's words: no space between CJK characters, one elsewhere."""
    out = ""
    for part in parts:
        if out and (_is_ascii_word(out[-1]) and _is_ascii_word(part[0])):
            out += " "
        out += part
    return out


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()
