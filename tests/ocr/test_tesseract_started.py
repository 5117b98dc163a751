"""A crop's line is read by a Tesseract process started before the crop was ready:
it reads what pytesseract reads, the next process waits with its model loaded, a
forked worker starts its own, and a failure is Tesseract's error, not an empty read."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytesseract
import pytest

from ocr import tesseract
from ocr.tesseract import AMOUNT_CHARS, ID_CHARS


def _line(text: str, height: int = 48) -> np.ndarray:
    canvas = np.full((height, 24 * len(text) + 40), 255, np.uint8)
    cv2.putText(canvas, text, (20, height - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    return canvas


def _by_pytesseract(crop: np.ndarray, psm: int, whitelist: str) -> dict:
    return pytesseract.image_to_data(
        tesseract._uncompressed(crop), lang="eng",
        config=f"--psm {psm} -c tessedit_char_whitelist={whitelist}",
        output_type=pytesseract.Output.DICT)


def test_a_line_reads_as_pytesseract_reads_it() -> None:
    crop = _line("11010519491231002X")
    text, confidence = tesseract.read_line(crop, "eng", 7, ID_CHARS)
    data = _by_pytesseract(crop, 7, ID_CHARS)
    words = [t.strip() for t in data["text"] if t.strip()]
    assert text == "".join(words) == "11010519491231002X"
    assert 0 < confidence <= 1


def test_lines_apart_each_go_back_to_their_crop() -> None:
    crops = [_line("12000.00"), _line("-860.50"), _line("9,876.54")]
    assert tesseract.read_lines_apart(crops, "eng", AMOUNT_CHARS) == [
        "12000.00", "-860.50", "9,876.54"]


def test_the_next_process_is_started_before_it_is_needed() -> None:
    started = tesseract._Started()
    try:
        crop = tesseract._uncompressed(_line("12345"))
        started.read(crop, "eng", 7, "0123456789")
        key = ("-l", "eng", "--psm", "7", "-c", "tessedit_create_tsv=1",
               "-c", "tessedit_char_whitelist=0123456789")
        waiting = started._waiting[key]
        assert waiting.poll() is None  # loaded, waiting on its input
        data = started.read(crop, "eng", 7, "0123456789")
        assert waiting.poll() == 0  # it read the second crop …
        assert "12345" in data["text"]
        assert started._waiting[key] is not waiting  # … and another one waits now
    finally:
        started.stop()
    assert not started._waiting


def test_a_forked_process_starts_its_own() -> None:
    started = tesseract._Started()
    crop = tesseract._uncompressed(_line("42"))
    try:
        started.read(crop, "eng", 7, "0123456789")
        parents = set(started._waiting.values())
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:  # a Celery worker forked from this process
            try:
                data = started.read(crop, "eng", 7, "0123456789")
                own = not parents & set(started._waiting.values())
                os.write(writer, b"ok" if "42" in data["text"] and own else b"no")
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        assert os.read(reader, 2) == b"ok"
        assert all(p.poll() is None for p in parents)  # still waiting for this process
        assert "42" in started.read(crop, "eng", 7, "0123456789")["text"]
    finally:
        started.stop()


def test_a_failing_tesseract_raises_its_error() -> None:
    started = tesseract._Started()
    try:
        with pytest.raises(pytesseract.TesseractError):
            started.read(tesseract._uncompressed(_line("1")), "no_such_language", 7, None)
    finally:
        started.stop()


def test_a_process_that_died_while_it_waited_is_replaced() -> None:
    """A waiting process killed (out of memory, by an operator) just as its crop
    comes: the crop is read by one started then, not lost."""
    started = tesseract._Started()
    crop = tesseract._uncompressed(_line("2718"))
    try:
        started.read(crop, "eng", 7, "0123456789")
        [waiting] = started._waiting.values()
        waiting.kill()
        waiting.wait()
        waiting.poll = lambda: None  # type: ignore[method-assign]  # seen alive when taken
        assert "2718" in started.read(crop, "eng", 7, "0123456789")["text"]
    finally:
        started.stop()
