"""A red circular company seal (公章): ring, name along the arc, star in the middle."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import fonts
from .render.common import star

RED = (214, 28, 36)


def make_seal(text: str, rng: random.Random, diameter: int = 270,
              bottom: str = "") -> Image.Image:
    """An RGBA image of the seal with uneven ink."""
    pad = 12
    size = diameter + 2 * pad
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    dr = ImageDraw.Draw(img)
    c = size / 2
    r = diameter / 2
    ring = max(6, diameter // 36)
    dr.ellipse((c - r, c - r, c + r, c + r), outline=(*RED, 255), width=ring)
    star(dr, c, c, r * 0.30, (*RED, 255))  # type: ignore[arg-type]
    # the name along the upper arc, clockwise from lower left to lower right
    spec = fonts.NOTO_SERIF_BOLD if rng.random() < 0.5 else fonts.NOTO_SANS_BOLD
    n = len(text)
    span = min(250.0, 22.0 * n)
    char_size = int(min(r * 0.30, r * 2 * math.pi * span / 360 / n * 0.95))
    text_r = r - ring - char_size * 0.62
    f = fonts.font(spec, char_size)
    for i, ch in enumerate(text):
        a_deg = -90 - span / 2 + span * (i + 0.5) / n
        a = math.radians(a_deg)
        glyph = Image.new("RGBA", (char_size * 2, char_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((char_size, char_size), ch, font=f, fill=(*RED, 255),
                                   anchor="mm")
        glyph = glyph.rotate(-(a_deg + 90), resample=Image.Resampling.BICUBIC)
        x = c + text_r * math.cos(a) - char_size
        y = c + text_r * math.sin(a) - char_size
        img.alpha_composite(glyph, (int(round(x)), int(round(y))))
    if bottom:
        bf = fonts.font(spec, int(char_size * 0.7))
        dr.text((c, c + r * 0.55), bottom, font=bf, fill=(*RED, 255), anchor="mm")
    # uneven ink: thin the alpha with smooth noise, keep a few speckles
    nrng = np.random.default_rng(rng.randrange(2**32))
    noise = nrng.random((size // 8 + 1, size // 8 + 1)).astype(np.float32)
    noise_img = Image.fromarray((noise * 255).astype(np.uint8)).resize(
        (size, size), Image.Resampling.BICUBIC)
    level = np.asarray(noise_img, dtype=np.float32) / 255.0
    speck = nrng.random((size, size)) < 0.06
    alpha = np.asarray(img.getchannel("A"), dtype=np.float32)
    alpha = alpha * (0.55 + 0.4 * level) * np.where(speck, 0.3, 1.0)
    img.putalpha(Image.fromarray(alpha.clip(0, 255).astype(np.uint8)))
    img = img.rotate(rng.uniform(-12, 12), resample=Image.Resampling.BICUBIC)
    return img.filter(ImageFilter.GaussianBlur(0.7))


def stamp(page: Image.Image, seal: Image.Image, center: tuple[float, float]) -> None:
    """Press the seal onto the page: red ink darkens, never lightens, the text under it."""
    x = int(center[0] - seal.width / 2)
    y = int(center[1] - seal.height / 2)
    box = (x, y, x + seal.width, y + seal.height)
    region = np.asarray(page.crop(box).convert("RGB"), dtype=np.float32)
    rgba = np.asarray(seal, dtype=np.float32)
    alpha = rgba[..., 3:4] / 255.0
    ink = rgba[..., :3]
    multiplied = region * ink / 255.0
    out = region * (1 - alpha) + multiplied * alpha
    page.paste(Image.fromarray(out.clip(0, 255).astype(np.uint8)), box[:2])
