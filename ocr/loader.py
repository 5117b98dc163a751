"""Decode a file by its content (magic bytes), never by its name.

Images become one page per frame (EXIF orientation applied); PDFs go through
ocr.pdf (text layer kept, pages rendered). Limits are module constants.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from . import errors
from .types import Page, PdfInfo, ReadProblem

if TYPE_CHECKING:
    from .pdf import Renderer

MAX_BYTES = 200 * 1024 * 1024
MAX_PAGES = 100
MAX_PIXELS = 80_000_000

Image.MAX_IMAGE_PIXELS = MAX_PIXELS

IMAGE_SIGNATURES = {
    b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png", b"II*\x00": "tiff",
    b"MM\x00*": "tiff", b"BM": "bmp", b"GIF87a": "gif", b"GIF89a": "gif",
}


@dataclass
class Loaded:
    pages: list[Page]
    pdf: PdfInfo | None = None
    problems: list[ReadProblem] = field(default_factory=list)
    renderer: Renderer | None = None  # a PDF's pages, to render a part again


def sniff(data: bytes) -> str:
    """The file's type from its first bytes: jpeg, png, tiff, bmp, gif, webp, pdf or ''."""
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for sig, kind in IMAGE_SIGNATURES.items() if data.startswith(sig)), "")


def load(name: str, data: bytes) -> Loaded:
    if not data:
        raise errors.EmptyFile(f"{name} has no content.")
    if len(data) > MAX_BYTES:
        raise errors.TooLarge(f"{name} is {len(data) // 2**20} MB (limit {MAX_BYTES // 2**20}).")
    kind = sniff(data)
    if kind == "pdf":
        from .pdf import load_pdf

        pages, info, renderer = load_pdf(name, data)
        return Loaded(pages, info, renderer=renderer)
    if not kind:
        raise errors.UnsupportedFileType(f"{name} is not an image or a PDF.")
    return Loaded(_image_pages(name, data))


def _image_pages(name: str, data: bytes) -> list[Page]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            if (plain := _plain_picture(name, image, data)) is not None:
                return [Page(1, plain)]
            pages = []
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if number > MAX_PAGES:
                    raise errors.TooLarge(f"{name} has more than {MAX_PAGES} pages.")
                frame.load()
                upright = ImageOps.exif_transpose(frame.convert("RGB"))
                rgb = np.asarray(upright, dtype=np.uint8)
                pages.append(Page(number, np.ascontiguousarray(rgb[:, :, ::-1])))
            return pages
    except Image.DecompressionBombError as err:
        raise errors.TooLarge(f"{name} has more than {MAX_PIXELS} pixels.") from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise errors.CorruptImage(f"{name} cannot be decoded ({type(err).__name__}).") from err


def _plain_picture(name: str, image: Image.Image, data: bytes) -> np.ndarray | None:
    """A one-frame colour or grey PNG or JPEG, upright as stored, decoded by OpenCV:
    the same pixels as Pillow's in 1/2 to 1/5 of the time (an A4 scan at 300 dpi:
    0.46 s against 0.25 s). None for anything else, or when OpenCV cannot decode it
    (a truncated file): Pillow then decodes it or says why not."""
    if image.format not in ("PNG", "JPEG") or image.mode not in ("RGB", "L"):
        return None
    if getattr(image, "n_frames", 1) != 1 or _may_be_turned(image, data):
        return None
    if image.width * image.height > MAX_PIXELS:
        raise errors.TooLarge(f"{name} has more than {MAX_PIXELS} pixels.")
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if picture is None or picture.shape[:2] != (image.height, image.width):
        return None
    return picture


def _may_be_turned(image: Image.Image, data: bytes) -> bool:
    """Whether the picture carries an EXIF orientation other than upright. A PNG's
    EXIF chunk may follow its pixels, and Pillow decodes them all to find it: the
    chunk's name is looked for in the bytes instead (~5 ms for an A4 scan, not 0.3 s)."""
    if image.format == "PNG":
        return b"eXIf" in data
    return image.getexif().get(EXIF_ORIENTATION, 1) != 1


EXIF_ORIENTATION = 0x0112
