"""A photocopy of both ID sides on one A4 page, as applicants make them; and that page
scanned to PNG, photographed on a desk, or scanned into a one-page PDF."""

from __future__ import annotations

import random

from PIL import Image

from .. import degrade
from ..people import Person
from . import id_card, statement
from .common import Rendered

A4_300DPI = (2480, 3508)
CARD_WIDTH_300DPI = 1011  # 85.6 mm
DEGRADATIONS = ("composite_scan", "composite_photo", "composite_camera", "composite_pdf")
# a desk photo as a phone's camera takes it (12 MP, 4000 x 3000); composite_photo is the
# same photo at 2000 px, as a messaging app forwards it (the cards ~400 px wide)
CAMERA_SIDE = 4000


def id_copy_page(front: Rendered, back: Rendered, rng: random.Random) -> Image.Image:
    """Front above back on a white A4 page (300 dpi), each a little off-centre and tilted."""
    page = Image.new("RGB", A4_300DPI, "white")
    for i, card in enumerate((front.pages[0], back.pages[0])):
        scale = CARD_WIDTH_300DPI / card.width
        side = card.convert("RGB").resize((CARD_WIDTH_300DPI, round(card.height * scale)),
                                          Image.Resampling.LANCZOS)
        side = side.rotate(rng.uniform(-2.0, 2.0), expand=True, fillcolor="white",
                           resample=Image.Resampling.BICUBIC)
        x = (A4_300DPI[0] - side.width) // 2 + rng.randint(-150, 150)
        y = 500 + i * 1350 + rng.randint(-80, 80)
        page.paste(side, (x, y))
    return page


def id_copy(person: Person, rng: random.Random, layout: str | None = None,
            font: str | None = None) -> tuple[Image.Image, dict[str, str], dict[str, str]]:
    """The A4 page and the truth of its front and back (layout and font drawn from
    ``rng`` unless given)."""
    front_fields, back_fields = id_card.front_fields(person), id_card.back_fields(person)
    front = id_card.render_front(front_fields, rng, layout, font)
    back = id_card.render_back(back_fields, rng, layout, font)
    return id_copy_page(front, back, rng), front_fields, back_fields


def degrade_copy(page: Image.Image, degradation: str, seed: int) -> tuple[bytes, str]:
    """(file bytes, extension) of the A4 copy: ``composite_scan`` a scanned PNG,
    ``composite_photo`` a JPEG desk photo 2000 px long, ``composite_camera`` the same
    at a camera's 4000 px, ``composite_pdf`` a scanner's one-page PDF (the scanned JPEG
    on an A4 page, no text layer)."""
    if degradation == "composite_scan":
        return degrade.apply(page, "scan", seed)
    if degradation == "composite_photo":
        return degrade.apply(page, "photo", seed)
    if degradation == "composite_camera":
        return degrade.apply(page, "photo", seed, long_side=CAMERA_SIDE)
    if degradation == "composite_pdf":
        jpeg, _ = degrade.apply(page, "scan", seed, "jpg")
        return statement.images_to_pdf([jpeg], [page.size], dpi=300), "pdf"
    raise ValueError(degradation)
