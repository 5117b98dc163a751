"""Drawing helpers shared by the renderers."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..fonts import FontSpec, font

RGB = tuple[int, int, int]


@dataclass
class Rendered:
    """One rendered document before degradation, and what it shows."""

    kind: str
    layout: str
    font: str
    pages: list[Image.Image]
    fields: dict[str, str]
    rows: list[dict[str, str]] = field(default_factory=list)
    pdf: bytes | None = None  # the digital PDF, for a statement


def text_width(spec: FontSpec, size: int, text: str) -> int:
    return int(font(spec, size).getlength(text))


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, spec: FontSpec,
              size: int, fill: RGB = (0, 0, 0), spacing: float = 0.0, anchor: str = "la") -> None:
    """Text at ``xy``; ``spacing`` adds that many pixels between characters."""
    f = font(spec, size)
    if not spacing:
        draw.text(xy, text, font=f, fill=fill, anchor=anchor)
        return
    x, y = xy
    if anchor[0] in "mr":
        total = f.getlength(text) + spacing * (len(text) - 1)
        x -= total / 2 if anchor[0] == "m" else total
    for ch in text:
        draw.text((x, y), ch, font=f, fill=fill, anchor="l" + anchor[1])
        x += f.getlength(ch) + spacing


def wrap(text: str, spec: FontSpec, size: int, width: int) -> list[str]:
    """Break ``text`` (CJK, no spaces needed) into lines no wider than ``width``."""
    f: ImageFont.FreeTypeFont = font(spec, size)
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and f.getlength(line + ch) > width and ch not in "，。、）；：！？":
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    return lines


def guilloche(img: Image.Image, rng: random.Random, color: RGB, lines: int = 40,
              amplitude: float = 18.0, alpha: int = 60) -> None:
    """Faint wavy security lines over the whole image."""
    w, h = img.size
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    dr = ImageDraw.Draw(layer)
    f1 = rng.uniform(0.004, 0.009)
    f2 = rng.uniform(0.010, 0.02)
    phase = rng.uniform(0, math.tau)
    for i in range(lines):
        y0 = h * i / lines
        pts = [(x, y0 + amplitude * math.sin(f1 * x + phase + i * 0.35)
                + amplitude * 0.4 * math.sin(f2 * x + i)) for x in range(0, w + 8, 8)]
        dr.line(pts, fill=(*color, alpha), width=1)
    img.paste(Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB"))


def rosettes(img: Image.Image, rng: random.Random, color: RGB, alpha: int = 45) -> None:
    """Faint concentric rings, another background pattern."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    dr = ImageDraw.Draw(layer)
    w, h = img.size
    for _ in range(3):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        for r in range(20, int(max(w, h) * 0.8), 14):
            dr.ellipse((cx - r, cy - r * 0.8, cx + r, cy + r * 0.8), outline=(*color, alpha))
    img.paste(Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB"))


def vertical_gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    w, h = size
    grad = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / max(1, h - 1)
        grad.putpixel((0, y), tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return grad.resize((w, h))


def star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: RGB,
         rotation: float = -math.pi / 2) -> None:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.382
        a = rotation + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(pts, fill=fill)


def portrait(size: tuple[int, int], rng: random.Random, bg: RGB) -> Image.Image:
    """A drawn head-and-shoulders placeholder (no real face)."""
    w, h = size
    img = Image.new("RGB", size, bg)
    dr = ImageDraw.Draw(img)
    tone = rng.randint(150, 190)
    hair = rng.randint(30, 70)
    cx = w / 2 + rng.uniform(-8, 8)
    # shoulders
    dr.ellipse((cx - w * 0.48, h * 0.70, cx + w * 0.48, h * 1.35), fill=(hair + 30,) * 3)
    # neck and head
    skin = (tone + 20, tone + 5, tone - 10)
    dr.rectangle((cx - w * 0.09, h * 0.52, cx + w * 0.09, h * 0.75),
                 fill=(tone, tone - 10, tone - 25))
    dr.ellipse((cx - w * 0.23, h * 0.14, cx + w * 0.23, h * 0.62), fill=skin)
    # hair
    dr.chord((cx - w * 0.25, h * 0.10, cx + w * 0.25, h * 0.50), 180, 360, fill=(hair,) * 3)
    # eyes and mouth, very plain
    for ex in (-0.09, 0.09):
        ex_c = cx + w * ex
        dr.ellipse((ex_c - 6, h * 0.36 - 4, ex_c + 6, h * 0.36 + 4), fill=(40, 40, 40))
    dr.line((cx - w * 0.06, h * 0.51, cx + w * 0.06, h * 0.51), fill=(120, 60, 60), width=3)
    return img


def paper(size: tuple[int, int], rng: random.Random, tint: RGB = (252, 251, 247)) -> Image.Image:
    """An off-white page with very light mottling."""
    img = Image.new("RGB", size, tint)
    dr = ImageDraw.Draw(img)
    w, h = size
    for _ in range(60):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(40, 160)
        c = tuple(max(0, v - rng.randint(1, 3)) for v in tint)
        dr.ellipse((x - r, y - r, x + r, y + r), fill=c)
    return img.filter(ImageFilter.GaussianBlur(25))
