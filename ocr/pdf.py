"""PDFs through pdfplumber: each page rendered to an image, its text layer (if
any) kept as lines of words in that image's pixels, so no OCR runs on it; and
what the file says about its making (producer, dates, incremental updates)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from . import errors
from .types import Page, PdfInfo, Word

RESOLUTION = 150  # dpi of the rendered page images
LINE_TOLERANCE = 3.0  # points: words whose tops differ less are on one line
MIN_TEXT_CHARS = 20  # fewer characters than this: a scanned page, OCR it


def load_pdf(name: str, data: bytes) -> tuple[list[Page], PdfInfo, Renderer]:
    from .loader import MAX_PAGES

    encrypted = _looks_encrypted(data)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise errors.TooLarge(f"{name} has {len(pdf.pages)} pages (limit {MAX_PAGES}).")
            if not pdf.pages:
                raise errors.CorruptPdf(f"{name} has no pages.")
            info = _info(pdf.metadata, data, encrypted)
            renderer = Renderer(data)
            pages = [_page(number, page, renderer)
                     for number, page in enumerate(pdf.pages, start=1)]
    except (PDFPasswordIncorrect, PDFEncryptionError) as err:
        raise errors.EncryptedPdf(f"{name} is encrypted.") from err
    except errors.ReadError:
        raise
    except Exception as err:  # pdfminer/pypdfium2 raise many kinds on damaged files
        if encrypted:
            raise errors.EncryptedPdf(f"{name} is encrypted.") from err
        raise errors.CorruptPdf(f"{name} cannot be opened ({type(err).__name__}).") from err
    return pages, info, renderer


class Renderer:
    """A PDF's pages rendered by pdfium, the last one kept open while the file is read:
    a part of it rendered again (an ID copy's card at 300 dpi, ``ocr.split``) reuses
    the scan pdfium decoded for the whole page, ~0.05 s a page a fresh document decodes
    again. One page at a time: a 50-page statement's scans are not all held."""

    def __init__(self, data: bytes) -> None:
        self._document = pdfium.PdfDocument(data)
        self._open: tuple[int, Any] | None = None

    def page(self, number: int) -> Any:
        """The pdfium page ``number`` (from 1)."""
        if self._open is None or self._open[0] != number:
            self._open = number, self._document[number - 1]
        return self._open[1]

    def page_image(self, number: int) -> np.ndarray:
        """The page at RESOLUTION as a BGR image: pdfplumber's rendering (no smoothing)
        to the bit, without its second opening of the document for every page."""
        bitmap = self.page(number).render(scale=RESOLUTION / 72, no_smoothtext=True,
                                          no_smoothpath=True, no_smoothimage=True,
                                          prefer_bgrx=True)
        return bgr_image(bitmap)


def bgr_image(bitmap: Any) -> np.ndarray:
    """A pdfium bitmap (rendered BGR, BGRX or grey, as pdfium does by default) as a BGR
    image, without a conversion through RGB."""
    pixels = bitmap.to_numpy()
    if pixels.ndim == 2:
        return np.ascontiguousarray(np.dstack([pixels] * 3))
    return np.ascontiguousarray(pixels[:, :, :3])


def _page(number: int, page: Any, renderer: Renderer) -> Page:
    image = renderer.page_image(number)
    scale = RESOLUTION / 72.0
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=0.5)
    lines = text_lines(words, scale)
    if sum(len(w.text) for w in lines) < MIN_TEXT_CHARS:
        return Page(number, image)
    tokens = [Word(w["text"], _box(w, scale), 1.0) for w in words]
    return Page(number, image, lines, tokens, has_text_layer=True)


def _box(word: dict[str, Any], scale: float) -> tuple[int, int, int, int]:
    return (int(word["x0"] * scale), int(word["top"] * scale), int(word["x1"] * scale) + 1,
            int(word["bottom"] * scale) + 1)


def text_lines(words: list[dict[str, Any]], scale: float) -> list[Word]:
    """Group pdfplumber words into lines (top to bottom, left to right); a gap
    wider than a character becomes a space, so table cells stay apart."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        text = line[0]["text"]
        for prev, word in zip(line, line[1:], strict=False):
            gap = word["x0"] - prev["x1"]
            text += (" " if gap > 2 else "") + word["text"]
        boxes = [_box(w, scale) for w in line]
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
               max(b[3] for b in boxes))
        out.append(Word(text, box, 1.0))
    return out


def _info(metadata: dict[str, Any], data: bytes, encrypted: bool) -> PdfInfo:
    return PdfInfo(
        producer=_text(metadata.get("Producer")), creator=_text(metadata.get("Creator")),
        creation_date=pdf_date(_text(metadata.get("CreationDate"))),
        mod_date=pdf_date(_text(metadata.get("ModDate"))),
        revisions=revisions(data), encrypted=encrypted)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        for encoding in ("utf-16", "utf-8", "latin-1"):
            try:
                return value.decode(encoding).strip()
            except UnicodeDecodeError:
                continue
    return str(value or "").strip()


_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
                       r"(?:([Zz+\-])(\d{2})?'?(\d{2})?'?)?")


def pdf_date(text: str) -> str:
    """``D:20261015093000+08'00'`` -> ``2026-10-15T09:30:00+08:00`` ("" if not a date)."""
    m = _PDF_DATE.match(text.strip())
    if not m:
        return ""
    y, mo, d, h, mi, s = (int(g) if g else default for g, default in
                          zip(m.groups()[:6], (0, 1, 1, 0, 0, 0), strict=True))
    tz = None
    if m.group(7) in ("+", "-"):
        offset = timedelta(hours=int(m.group(8) or 0), minutes=int(m.group(9) or 0))
        tz = timezone(offset if m.group(7) == "+" else -offset)
    elif m.group(7) in ("Z", "z"):
        tz = UTC
    try:
        return datetime(y, mo, d, h, mi, s, tzinfo=tz).isoformat()
    except ValueError:
        return ""


def revisions(data: bytes) -> int:
    """1 + the incremental updates appended after the first save. A linearised
    file carries a first-page cross-reference of its own: not an edit."""
    count = len(re.findall(rb"startxref\s+\d+", data))
    if b"/Linearized" in data[:2048]:
        count -= 1
    return max(1, count)


def _looks_encrypted(data: bytes) -> bool:
    return re.search(rb"/Encrypt\s+\d+\s+\d+\s+R|/Encrypt\s*<<", data) is not None
