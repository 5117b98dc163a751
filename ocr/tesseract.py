"""Thin wrapper over pytesseract: lines of words with boxes and confidences.

See ../shared/ocr-notes.md: ``OMP_THREAD_LIMIT=1`` (set before pytesseract
starts a process), ``chi_sim`` for Chinese text, ``eng`` with a whitelist and
``--psm 7`` for a crop holding one line of digits.

A page is read as pytesseract reads it (a temporary file, a process). A crop's
line (``read_line``, ``read_lines_apart``) is read by a Tesseract process started
before the crop was ready (``_Started``): starting Tesseract and loading its model
takes ~0.15 s, reading a line ~0.02 s.
"""

from __future__ import annotations

import atexit
import io
import os
import subprocess
import threading

import cv2
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
    data = _STARTED.read(_uncompressed(image), lang, psm, whitelist)
    parts, confs = [], []
    for text, conf in zip(data["text"], data["conf"], strict=True):
        if text.strip() and float(conf) >= 0:
            parts.append(text.strip())
            confs.append(float(conf))
    if not parts:
        return "", 0.0
    return _join(parts), round(sum(confs) / len(confs) / 100.0, 3)


def read_lines_apart(crops: list[np.ndarray], lang: str = "eng",
                     whitelist: str | None = None) -> list[str]:
    """Several crops of one line each, read in one Tesseract run (starting Tesseract
    costs ~0.1 s a call): each crop binarised on its own, stacked on white with room
    between them, read as a block; each word goes back to the crop it lies on."""
    if not crops:
        return []
    pad = max(12, max(c.shape[0] for c in crops) // 2)
    width = max(c.shape[1] for c in crops) + 2 * pad
    spans, y = [], pad
    for crop in crops:
        spans.append((y, y + crop.shape[0]))
        y += crop.shape[0] + pad
    canvas = np.full((y, width), 255, np.uint8)
    for crop, (top, bottom) in zip(crops, spans, strict=True):
        canvas[top:bottom, pad:pad + crop.shape[1]] = _binary(crop)
    data = _STARTED.read(_uncompressed(canvas), lang, 6, whitelist)
    words: list[list[tuple[int, str]]] = [[] for _ in crops]
    for i, text in enumerate(data["text"]):
        middle = data["top"][i] + data["height"][i] / 2
        for k, (top, bottom) in enumerate(spans):
            if text.strip() and float(data["conf"][i]) >= 0 and top <= middle <= bottom:
                words[k].append((data["left"][i], text.strip()))
    return [_join([t for _, t in sorted(found)]) for found in words]


def _binary(crop: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    if grey.size == 0:
        return grey
    _, out = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return out


def _uncompressed(image: np.ndarray) -> Image.Image:
    """The image handed to Tesseract as BMP: pytesseract writes a temporary file, and
    PNG compression of a page took 0.1-0.5 s a call, BMP ~2 ms. The pixels are the
    ones pytesseract was always given (a BGR array taken as RGB, as the readers were
    tuned on)."""
    picture = Image.fromarray(image)
    picture.format = "BMP"
    return picture


class _Started:
    """Tesseract processes started ahead of the crop they will read, one per setting
    (language, page mode, whitelist): each loads its model and waits on its standard
    input, so a crop costs only its reading. The arguments are pytesseract's
    ``image_to_data`` ones, the picture given on standard input instead of a file.
    A forked process (a Celery worker) starts its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[tuple[str, ...], subprocess.Popen[bytes]] = {}
        self._pid = os.getpid()
        atexit.register(self.stop)

    def read(self, picture: Image.Image, lang: str, psm: int,
             whitelist: str | None) -> dict[str, list]:
        args = ("-l", lang, "--psm", str(psm), "-c", "tessedit_create_tsv=1",
                *(("-c", f"tessedit_char_whitelist={whitelist}") if whitelist else ()))
        prepared, _ = pytesseract.pytesseract.prepare(picture)  # as pytesseract saves it
        bmp = io.BytesIO()
        prepared.save(bmp, format="BMP")
        process, waited = self._take(args)
        try:
            returncode, out, err = _run(process, bmp.getvalue())
            if returncode and waited:  # it died while it waited (killed): once more, anew
                returncode, out, err = _run(_start(args), bmp.getvalue())
        finally:
            self._start_next(args)
        if returncode:
            raise pytesseract.TesseractError(returncode, pytesseract.pytesseract.get_errors(err))
        return pytesseract.pytesseract.file_to_dict(out.decode("utf-8"), "\t", -1)

    def _take(self, args: tuple[str, ...]) -> tuple[subprocess.Popen[bytes], bool]:
        """The process waiting for this setting (True), or one started now (False)."""
        with self._lock:
            if self._pid != os.getpid():  # forked: the waiting ones are the parent's
                for parents in self._waiting.values():
                    if parents.stdin:
                        parents.stdin.close()
                self._waiting, self._pid = {}, os.getpid()
            process = self._waiting.pop(args, None)
        if process is None or process.poll() is not None:
            return _start(args), False
        return process, True

    def _start_next(self, args: tuple[str, ...]) -> None:
        with self._lock:
            if args not in self._waiting:
                self._waiting[args] = _start(args)

    def stop(self) -> None:
        """End the waiting processes (at exit: they would read an empty input)."""
        with self._lock:
            waiting, self._waiting = list(self._waiting.values()), {}
        for process in waiting:
            process.kill()
            process.communicate()


READ_TIMEOUT = 60  # s: a line's crop is read in well under a second


def _run(process: subprocess.Popen[bytes], picture: bytes) -> tuple[int, bytes, bytes]:
    """The picture given to a started process: its exit code, output and errors."""
    try:
        out, err = process.communicate(picture, timeout=READ_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise pytesseract.TesseractError(-1, f"no answer in {READ_TIMEOUT} s") from None
    return process.returncode, out, err


def _start(args: tuple[str, ...]) -> subprocess.Popen[bytes]:
    command = pytesseract.pytesseract.tesseract_cmd
    try:
        return subprocess.Popen([command, "stdin", "stdout", *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise pytesseract.TesseractNotFoundError() from None


_STARTED = _Started()


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
