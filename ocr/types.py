"""What reading a file produces. Plain data: no OpenCV, no Tesseract here.

Coordinates: every ``bbox`` is ``(x0, y0, x1, y1)`` in pixels of
``ReadDocument.pages[page - 1].image`` (the page image the reader worked on,
after clean-up). Pages are numbered from 1.

Values are normalised strings:
- dates ``YYYY-MM-DD`` (a period of a pay slip ``YYYY-MM``; an ID card valid
  "for life" has ``valid_until == "长期"``);
- amounts with two decimals, no thousands separator, a leading ``-`` for money
  going out (``"12000.00"``, ``"-350.50"``);
- several owners of a property joined by ``、``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

BBox = tuple[int, int, int, int]


class DocumentKind(StrEnum):
    ID_CARD_FRONT = "id_card_front"
    ID_CARD_BACK = "id_card_back"
    PROPERTY_CERTIFICATE = "property_certificate"
    PAY_SLIP = "pay_slip"
    INCOME_CERTIFICATE = "income_certificate"
    BANK_STATEMENT = "bank_statement"
    UNKNOWN = "unknown"


# The fields each kind yields (ground truth in samples/ uses the same names).
KIND_FIELDS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.ID_CARD_FRONT: (
        "name", "sex", "ethnicity", "birth_date", "address", "id_number",
    ),
    DocumentKind.ID_CARD_BACK: ("issuing_authority", "valid_from", "valid_until"),
    DocumentKind.PROPERTY_CERTIFICATE: (
        "certificate_number", "owners", "co_ownership", "location", "unit_number",
        "right_type", "right_nature", "use", "area", "term", "other_status", "notes",
    ),
    DocumentKind.PAY_SLIP: (
        "employer", "employee_name", "id_number", "period", "gross_pay",
        "social_insurance", "housing_fund", "income_tax", "other_deductions", "net_pay",
    ),
    DocumentKind.INCOME_CERTIFICATE: (
        "employer", "employee_name", "id_number", "position", "start_date",
        "monthly_income", "monthly_income_capital", "issue_date",
    ),
    DocumentKind.BANK_STATEMENT: (
        "bank", "holder_name", "account_number", "period_start", "period_end",
    ),
    DocumentKind.UNKNOWN: (),
}


@dataclass(frozen=True)
class Word:
    """One word or line of text found on a page."""

    text: str
    bbox: BBox
    confidence: float  # 0..1 (1.0 for a PDF text layer)


@dataclass(frozen=True)
class Cleaned:
    """A page's image cleaned up for reading (``image.flatten`` and ``image.ocr_ready``
    of ``source``), kept so the kind's reader does not clean it up again."""

    source: np.ndarray
    flat: np.ndarray
    ready: np.ndarray
    rulings: tuple[np.ndarray, np.ndarray]  # ``image.ruling_masks(flat)``


class CardCut(StrEnum):
    """How a card being read was cut out of its page: what its text is found at."""

    NONE = "none"  # a page, or a card photographed on its own
    SHARP = "sharp"  # cut from a scan or a PDF of a copy, not enlarged
    SMALL = "small"  # cut small out of a desk photo of a copy: enlarged, blurred


@dataclass
class Page:
    number: int  # from 1
    image: np.ndarray  # BGR uint8, the page as read; bboxes refer to it
    words: list[Word] = field(default_factory=list)  # text lines, top to bottom
    tokens: list[Word] = field(default_factory=list)  # single words with boxes, for tables
    has_text_layer: bool = False  # True: words came from the PDF, no OCR was run
    rotation: int = 0  # degrees the original was turned to make it upright
    one_card: bool = False  # the picture is known to hold one card (cut out of a page)
    small_card: bool = False  # that card was small (from a photo): its key fields are
    #                           looked at again once it is read (``card_look``)
    outline: Outline | None = None  # where the document lies, once looked for
    cleaned: Cleaned | None = field(default=None, repr=False, compare=False)

    @property
    def card_cut(self) -> CardCut:
        if not self.one_card:
            return CardCut.NONE
        return CardCut.SMALL if self.small_card else CardCut.SHARP

    @property
    def text(self) -> str:
        return "\n".join(w.text for w in self.words)

    def cleaned_image(self) -> Cleaned | None:
        """The image cleaned up for reading, if it was made from this page's image (a page
        given another image keeps no stale one)."""
        return self.cleaned if self.cleaned is not None and (
            self.cleaned.source is self.image) else None


@dataclass(frozen=True)
class Outline:
    """Where the document lies in a page's picture, once looked for (so it is not
    looked for again): its corners (4x2) in the picture fitted to reading size
    (``image.fit_size``), or None when no outline stands out."""

    corners: np.ndarray | None


@dataclass(frozen=True)
class Field:
    name: str
    value: str  # "" (confidence 0): printed on the document, but its value could not be read
    page: int
    bbox: BBox | None
    confidence: float  # 0..1


@dataclass(frozen=True)
class StatementRow:
    date: str
    summary: str
    amount: str  # signed
    balance: str
    counterparty: str
    page: int
    bbox: BBox | None
    confidence: float


@dataclass(frozen=True)
class PdfInfo:
    """What a PDF says about where it came from (for ``fraud.pdf_edited``)."""

    producer: str
    creator: str
    creation_date: str  # ISO 8601 or ""
    mod_date: str  # ISO 8601 or ""
    revisions: int  # 1 + number of incremental updates appended after the first save
    encrypted: bool


@dataclass(frozen=True)
class ReadProblem:
    """Something that stopped or weakened the reading of a file."""

    code: str  # stable, e.g. "read.encrypted_pdf", "read.image_too_blurry"
    message: str  # for intake staff: what happened and what to do
    page: int | None = None


@dataclass
class ReadDocument:
    file: str  # the file's name as uploaded
    sha256: str  # of the file's bytes
    kind: DocumentKind
    kind_confidence: float
    pages: list[Page]
    fields: dict[str, Field] = field(default_factory=dict)
    rows: list[StatementRow] = field(default_factory=list)
    pdf: PdfInfo | None = None
    problems: list[ReadProblem] = field(default_factory=list)
    seconds: float = 0.0
    part: str | None = None  # which part of the uploaded file, when it held several

    @property
    def readable(self) -> bool:
        return self.kind is not DocumentKind.UNKNOWN and not any(
            p.code.startswith("read.unreadable") for p in self.problems
        )

    def value(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.value if f else None
