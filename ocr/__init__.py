"""Reading: bytes of one uploaded file in, a ReadDocument out.

Knows nothing of the rest of prereview. Stages, top to bottom:
load (decode by content) -> prepare pages (clean up, OCR where there is no
text layer) -> classify -> read the kind's fields.
"""

from __future__ import annotations

import hashlib
import time

from .errors import ReadError
from .types import DocumentKind, ReadDocument, ReadProblem

__all__ = ["read_file", "ReadDocument", "DocumentKind"]


def read_file(name: str, data: bytes) -> ReadDocument:
    """Read one file. Never raises for bad content: a file that cannot be read
    comes back as kind ``unknown`` with a ``read.unreadable.*`` problem."""
    from .classify import classify
    from .kinds import read_kind
    from .loader import load
    from .prepare import prepare_page

    started = time.perf_counter()
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        loaded = load(name, data)
    except ReadError as err:
        problem = ReadProblem(err.code, str(err))
        return ReadDocument(name, sha256, DocumentKind.UNKNOWN, 0.0, [], problems=[problem],
                            seconds=time.perf_counter() - started)
    pages = [prepare_page(p) for p in loaded.pages]
    kind, kind_confidence = classify(pages)
    result = read_kind(kind, pages)
    return ReadDocument(
        file=name, sha256=sha256, kind=kind, kind_confidence=kind_confidence, pages=pages,
        fields=result.fields, rows=result.rows, pdf=loaded.pdf,
        problems=loaded.problems + result.problems,
        seconds=time.perf_counter() - started,
    )
