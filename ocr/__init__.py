"""Reading: bytes of one uploaded file in, a ReadDocument out.

Knows nothing of the rest of prereview. Stages, top to bottom:
load (decode by content) -> prepare pages (clean up, OCR where there is no
text layer) -> classify -> read the kind's fields. A stage that fails leaves
a ReadProblem and the reading goes on with what it has: bad content never
raises. An unexpected exception (a bug) is recorded as ``read.internal_error``
with its type and logged with its traceback (no message: it may hold
personal data).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import numpy  # noqa: F401 - loaded first, so that its BLAS is found and limited below
from threadpoolctl import threadpool_limits

from . import engines
from .errors import ReadError, log_bug
from .types import DocumentKind, Page, ReadDocument, ReadProblem

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .loader import Loaded
    from .quality import Looks

__all__ = ["read_file", "read_upload", "ReadDocument", "DocumentKind", "engines"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# numpy's BLAS runs on one thread in a process that reads: the reader's matrices are
# small (a sheet's lighting is fitted at 120 px), and BLAS's second thread spun on the
# cores the models and OpenCV need, ~8 % of the CPU time spent reading a desk photo of
# an ID copy (perf); reads were 5-7 % faster, the same fields to the bit (48 documents).
threadpool_limits(limits=1, user_api="blas")


def read_upload(name: str, data: bytes) -> list[ReadDocument]:
    """Read one uploaded file as the documents it holds: usually one; two for both
    sides of an ID card photocopied onto one page."""
    from .split import read_upload as split_and_read

    return split_and_read(name, data)


def read_file(name: str, data: bytes, loaded: Loaded | None = None,
              fields: bool = True, quality: bool = True,
              judged: Future[Looks | None] | None = None) -> ReadDocument:
    """Read one file. Never raises for bad content: a file that cannot be read
    comes back as kind ``unknown`` with a ``read.unreadable.*`` problem.
    ``loaded``: the file already decoded (by ``read_upload``), not decoded again;
    ``fields=False``: its pages read and classified, its fields left to ``read_fields``;
    ``quality=False``: the picture's quality is judged by the caller (a card cut out of
    a page is judged on the page); ``judged``: a one-page file's quality, being measured
    already (``quality.measure``)."""
    from .classify import classify
    from .loader import load
    from .prepare import prepare_page
    from .quality import check_pages

    started = time.perf_counter()
    doc = ReadDocument(name, hashlib.sha256(data).hexdigest(), DocumentKind.UNKNOWN, 0.0, [])
    loaded = loaded or _stage("load", doc.problems, lambda: load(name, data))
    if loaded is not None:
        doc.pdf = loaded.pdf
        doc.problems.extend(loaded.problems)
        doc.pages = _lean([_prepared(page, prepare_page, doc.problems)
                           for page in loaded.pages], keep_cleaned=len(loaded.pages) == 1)
        doc.kind, doc.kind_confidence = _stage(
            "classify", doc.problems, lambda: classify(doc.pages)) or (DocumentKind.UNKNOWN, 0.0)
        if _stage("engine", doc.problems, lambda: _read_by_another_engine(doc.kind)):
            with engines.reading_as(doc.kind):  # this kind is read with its own engine
                doc.pages = [_prepared(page, engines.read_again, doc.problems)
                             for page in (doc.pages if engines.active().cleanup
                                          else loaded.pages)]
        if doc.kind is DocumentKind.UNKNOWN and doc.pages:
            doc.problems.append(ReadProblem(
                "read.kind_unknown", "The document was not recognised as any kind the "
                "service reads: check it is the right document and upload a clearer copy."))
        if quality:
            measured = judged.result if judged is not None else None
            doc.problems.extend(_stage("quality", doc.problems,
                                       lambda: check_pages(loaded.pages, doc.kind, measured))
                               or [])
    doc.seconds = time.perf_counter() - started
    return read_fields(doc) if fields and loaded is not None else doc


def read_fields(doc: ReadDocument) -> ReadDocument:
    """The fields (and a statement's rows) of a document whose pages are read."""
    from .kinds import KindResult, read_kind

    started = time.perf_counter()
    result = _stage("read", doc.problems, lambda: read_kind(doc.kind, doc.pages))
    result = result or KindResult()
    doc.fields, doc.rows = result.fields, result.rows
    doc.problems.extend(result.problems)
    doc.pages = _lean(doc.pages)
    doc.seconds += time.perf_counter() - started
    return doc


def _lean(pages: list[Page], keep_cleaned: bool = False) -> list[Page]:
    """The pages without their images cleaned up for reading (two more images a page),
    unless kept for the kind's reader of a one-page document."""
    if keep_cleaned:
        return pages
    return [dataclasses.replace(p, cleaned=None) if p.cleaned is not None else p
            for p in pages]


def _read_by_another_engine(kind: DocumentKind) -> bool:
    page_engine = engines.for_kind(None)
    kind_engine = engines.for_kind(kind)
    return (kind_engine.cleanup, kind_engine.finder, kind_engine.second_reader) != (
        page_engine.cleanup, page_engine.finder, page_engine.second_reader)


def _prepared(page: Page, prepare: Callable[[Page], Page],
              problems: list[ReadProblem]) -> Page:
    return _stage("prepare", problems, lambda: prepare(page), page.number) or page


def _stage(stage: str, problems: list[ReadProblem], run: Callable[[], T],
           page: int | None = None) -> T | None:
    try:
        return run()
    except ReadError as err:
        problems.append(ReadProblem(err.code, str(err), page))
    except Exception as err:  # a bug: record it, keep the service up
        kind = type(err).__name__
        log_bug(log, f"reading stage {stage}", err)
        problems.append(ReadProblem(
            "read.internal_error", f"Reading failed in stage {stage} ({kind}); "
            "the file may be read after an update: keep it, or upload it again.", page))
    return None
