"""Checks on an uploaded file before it is kept: type by content (never by name),
size, pages and pixels. A file that passes may still be unreadable: reading says
so as a finding, and the original is kept."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from PIL import Image

from ocr.loader import sniff

from .config import ServiceSettings
from .errors import UnsupportedType, UploadTooLarge

CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png",
                 "tiff": "image/tiff", "bmp": "image/bmp", "gif": "image/gif",
                 "webp": "image/webp"}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    data: bytes
    content_type: str


def check_upload(name: str, data: bytes, settings: ServiceSettings) -> CheckedUpload:
    limit = settings.max_upload_mb * 2**20
    if len(data) > limit:
        raise UploadTooLarge(f"{_safe(name)} is {len(data) / 2**20:.1f} MB; the limit is "
                             f"{settings.max_upload_mb} MB: scan at 300 dpi or split the file",
                             file=_safe(name), limit_mb=settings.max_upload_mb)
    kind = sniff(data)
    if not kind:
        raise UnsupportedType(f"{_safe(name)} is not an image or a PDF (judged by its "
                              "content, not its name): upload JPEG, PNG, TIFF or PDF",
                              file=_safe(name))
    pages, pixels = _pages_and_pixels(kind, data)
    if pages > settings.max_pages:
        raise UploadTooLarge(f"{_safe(name)} has {pages} pages; the limit is "
                             f"{settings.max_pages}: upload the documents separately",
                             file=_safe(name), limit_pages=settings.max_pages)
    if pixels > settings.max_pixels:
        raise UploadTooLarge(f"{_safe(name)} has {pixels:,} pixels; the limit is "
                             f"{settings.max_pixels:,}: send a smaller photo",
                             file=_safe(name), limit_pixels=settings.max_pixels)
    return CheckedUpload(_safe(name), data, CONTENT_TYPES[kind])


def _pages_and_pixels(kind: str, data: bytes) -> tuple[int, int]:
    """Counted from headers only; a file too broken to count is let through (reading
    reports it as unreadable, and the original is kept)."""
    try:
        if kind == "pdf":
            with pikepdf.open(io.BytesIO(data)) as pdf:
                return len(pdf.pages), 0
        with Image.open(io.BytesIO(data)) as image:
            frames = getattr(image, "n_frames", 1)
            return frames, image.width * image.height
    except Image.DecompressionBombError:
        return 1, 2**62
    except Exception:  # noqa: BLE001 - unreadable is decided by the reader, not here
        return 1, 0


def _safe(name: str) -> str:
    """The base name only, printable, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip() or "upload"
    return cleaned[-200:]
