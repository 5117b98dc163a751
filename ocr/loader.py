"""Decode a file by its content (magic bytes), never by its name.

Placeholder signature; the real implementation renders PDF pages and takes
their text layer (pdfplumber), decodes images with OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .types import Page, PdfInfo, ReadProblem


@dataclass
class Loaded:
    pages: list[Page]
    pdf: PdfInfo | None = None
    problems: list[ReadProblem] = field(default_factory=list)


def load(name: str, data: bytes) -> Loaded:
    raise NotImplementedError
