"""Resident ID card (居民身份证), front and back, at a clean-scan 1300 px width."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageDraw

from .. import fonts
from ..people import Person
from .common import (
    Rendered,
    draw_text,
    guilloche,
    portrait,
    rosettes,
    star,
    vertical_gradient,
    wrap,
)

W, H = 1300, 820  # 85.6 x 54 mm
LAYOUTS = ("classic", "compact")
VALUE_FONTS = ("noto_sans", "wqy_zenhei", "wqy_microhei", "noto_serif")


def _date_cn(iso: str) -> tuple[str, str, str]:
    y, m, dd = iso.split("-")
    return y, str(int(m)), str(int(dd))


def _card_base(rng: random.Random, layout: str) -> Image.Image:
    if layout == "classic":
        img = vertical_gradient((W, H), (236, 242, 238), (246, 240, 228))
        guilloche(img, rng, (90, 140, 170), lines=55, alpha=55)
    else:
        img = vertical_gradient((W, H), (244, 238, 230), (233, 240, 244))
        rosettes(img, rng, (170, 120, 110), alpha=35)
        guilloche(img, rng, (120, 150, 120), lines=30, alpha=35)
    # rounded corners on a white surround, as a flatbed scan of a card shows it
    mask = Image.new("L", (W, H), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, W - 1, H - 1), radius=48, fill=255)
    out = Image.new("RGB", (W, H), (255, 255, 255))
    out.paste(img, (0, 0), mask)
    return out


def render_front(fields: dict[str, str], rng: random.Random, layout: str | None = None,
                 font_name: str | None = None) -> Rendered:
    layout = layout or rng.choice(LAYOUTS)
    font_name = font_name or rng.choice(VALUE_FONTS)
    value_font = fonts.BODY_FONTS[font_name]
    img = _card_base(rng, layout)
    dr = ImageDraw.Draw(img)
    if layout == "classic":
        label_font, label_color, lx, vx, top, ls = fonts.NOTO_SANS, (30, 110, 170), 80, 215, 95, 36
        photo_box = (860, 120, 1215, 590)
        num_font, num_size, num_spacing = fonts.DEJAVU_MONO_BOLD, 56, 4.0
        num_label_xy, num_xy = (80, 690), (430, 684)
    else:
        label_font, label_color = fonts.WQY_MICROHEI, (60, 100, 150)
        lx, vx, top, ls = 70, 200, 80, 34
        photo_box = (880, 100, 1225, 560)
        num_font, num_size, num_spacing = fonts.DEJAVU_MONO, 54, 6.0
        num_label_xy, num_xy = (70, 700), (420, 694)
    vsize = 44
    black = (15, 15, 20)
    draw_text(dr, (lx, top), "姓  名", label_font, ls, label_color)
    draw_text(dr, (vx, top - 6), fields["name"], value_font, vsize + 6, black)
    y = top + 100
    draw_text(dr, (lx, y), "性  别", label_font, ls, label_color)
    draw_text(dr, (vx, y - 4), fields["sex"], value_font, vsize, black)
    draw_text(dr, (vx + 200, y), "民  族", label_font, ls, label_color)
    draw_text(dr, (vx + 330, y - 4), fields["ethnicity"], value_font, vsize, black)
    y += 92
    draw_text(dr, (lx, y), "出  生", label_font, ls, label_color)
    yy, mm, dd = _date_cn(fields["birth_date"])
    x = vx
    for part, unit in ((yy, "年"), (mm, "月"), (dd, "日")):
        draw_text(dr, (x, y - 4), part, value_font, vsize, black)
        x += int(fonts.font(value_font, vsize).getlength(part)) + 14
        draw_text(dr, (x, y), unit, label_font, ls, label_color)
        x += 60
    y += 92
    draw_text(dr, (lx, y), "住  址", label_font, ls, label_color)
    for i, line in enumerate(wrap(fields["address"], value_font, vsize, photo_box[0] - vx - 40)):
        draw_text(dr, (vx, y - 4 + i * 62), line, value_font, vsize, black)
    draw_text(dr, num_label_xy, "公民身份号码", label_font, ls, label_color)
    draw_text(dr, num_xy, fields["id_number"], num_font, num_size, black, spacing=num_spacing)
    pw, ph = photo_box[2] - photo_box[0], photo_box[3] - photo_box[1]
    face = portrait((pw, ph), rng, (226, 232, 236) if layout == "classic" else (236, 230, 226))
    img.paste(face, photo_box[:2])
    return Rendered("id_card_front", layout, font_name, [img], dict(fields))


def _emblem(img: Image.Image, cx: float, cy: float, r: float) -> None:
    """A stylised emblem placeholder: red disc, gold stars, rays, wheat ring."""
    dr = ImageDraw.Draw(img)
    red, gold = (205, 30, 35), (240, 190, 40)
    dr.ellipse((cx - r, cy - r, cx + r, cy + r), fill=gold)
    dr.ellipse((cx - r * 0.86, cy - r * 0.86, cx + r * 0.86, cy + r * 0.86), fill=red)
    for i in range(24):
        a = i * math.tau / 24
        dr.line((cx + r * 0.3 * math.cos(a), cy + r * 0.3 * math.sin(a),
                 cx + r * 0.8 * math.cos(a), cy + r * 0.8 * math.sin(a)),
                fill=(225, 90, 50), width=2)
    star(dr, cx, cy - r * 0.3, r * 0.28, gold)
    for i in range(4):
        a = -math.pi / 2 + (i - 1.5) * 0.45
        star(dr, cx + r * 0.55 * math.cos(a), cy - r * 0.3 + r * 0.55 * math.sin(a) + r * 0.25,
             r * 0.09, gold)
    dr.rectangle((cx - r * 0.45, cy + r * 0.35, cx + r * 0.45, cy + r * 0.5), fill=gold)


def render_back(fields: dict[str, str], rng: random.Random, layout: str | None = None,
                font_name: str | None = None) -> Rendered:
    layout = layout or rng.choice(LAYOUTS)
    font_name = font_name or rng.choice(VALUE_FONTS)
    value_font = fonts.BODY_FONTS[font_name]
    img = _card_base(rng, layout)
    dr = ImageDraw.Draw(img)
    black = (15, 15, 20)
    if layout == "classic":
        _emblem(img, 210, 200, 125)
        draw_text(dr, (790, 150), "中华人民共和国", fonts.NOTO_SERIF_BOLD, 64, black,
                  spacing=10, anchor="mm")
        draw_text(dr, (790, 290), "居民身份证", fonts.NOTO_SANS_BOLD, 104, black,
                  spacing=20, anchor="mm")
        lx, vx, y1, y2 = 250, 480, 560, 665
        label_font = fonts.NOTO_SANS
    else:
        _emblem(img, 180, 190, 115)
        draw_text(dr, (780, 140), "中华人民共和国", fonts.WQY_ZENHEI, 60, black,
                  spacing=14, anchor="mm")
        draw_text(dr, (780, 280), "居民身份证", fonts.NOTO_SERIF_BOLD, 100, black,
                  spacing=22, anchor="mm")
        lx, vx, y1, y2 = 220, 450, 575, 680
        label_font = fonts.WQY_MICROHEI
    label_color = (40, 100, 150)
    start = fields["valid_from"].replace("-", ".")
    end = fields["valid_until"] if fields["valid_until"] == "长期" else fields[
        "valid_until"].replace("-", ".")
    draw_text(dr, (lx, y1), "签发机关", label_font, 36, label_color)
    draw_text(dr, (vx, y1 - 4), fields["issuing_authority"], value_font, 42, black)
    draw_text(dr, (lx, y2), "有效期限", label_font, 36, label_color)
    draw_text(dr, (vx, y2 - 4), f"{start}-{end}", value_font, 42, black)
    return Rendered("id_card_back", layout, font_name, [img], dict(fields))


def front_fields(p: Person) -> dict[str, str]:
    return {"name": p.name, "sex": p.sex, "ethnicity": p.ethnicity,
            "birth_date": p.birth_date.isoformat(), "address": p.address,
            "id_number": p.id_number}


def back_fields(p: Person) -> dict[str, str]:
    return {"issuing_authority": p.issuing_authority, "valid_from": p.valid_from.isoformat(),
            "valid_until": p.valid_until_text}
