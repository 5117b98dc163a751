"""Property certificate (不动产权证书), one A4 page at 150 dpi."""

from __future__ import annotations

import random

from PIL import ImageDraw

from .. import fonts
from .common import Rendered, draw_text, guilloche, paper, wrap

W, H = 1240, 1754
LAYOUTS = ("table", "list")
VALUE_FONTS = ("noto_serif", "noto_sans", "uming", "wqy_zenhei")

ROWS = (
    ("权利人", "owners"),
    ("共有情况", "co_ownership"),
    ("坐落", "location"),
    ("不动产单元号", "unit_number"),
    ("权利类型", "right_type"),
    ("权利性质", "right_nature"),
    ("用途", "use"),
    ("面积", "area"),
    ("使用期限", "term"),
    ("权利其他状况", "other_status"),
)


def render(fields: dict[str, str], rng: random.Random, layout: str | None = None,
           font_name: str | None = None) -> Rendered:
    layout = layout or rng.choice(LAYOUTS)
    font_name = font_name or rng.choice(VALUE_FONTS)
    vf = fonts.BODY_FONTS[font_name]
    img = paper((W, H), rng, (250, 251, 244) if layout == "table" else (252, 250, 245))
    guilloche(img, rng, (150, 185, 150), lines=90, amplitude=10, alpha=28)
    dr = ImageDraw.Draw(img)
    ink = (20, 20, 25)
    if layout == "table":
        _table(dr, fields, vf, ink)
    else:
        _list(dr, fields, vf, ink)
    return Rendered("property_certificate", layout, font_name, [img], dict(fields))


def _table(dr: ImageDraw.ImageDraw, f: dict[str, str], vf: fonts.FontSpec,
           ink: tuple[int, int, int]) -> None:
    draw_text(dr, (110, 120), f["certificate_number"], vf, 34, ink)
    x0, x1, x2 = 100, 330, 1140
    y = 190
    size, line_h = 30, 44
    green = (40, 90, 60)
    dr.line((x0, y, x2, y), fill=green, width=3)
    for label, key in ROWS:
        lines = wrap(f[key], vf, size, x2 - x1 - 40) or [""]
        min_h = 230 if key == "other_status" else 84
        h = max(min_h, 30 + line_h * len(lines))
        draw_text(dr, ((x0 + x1) / 2, y + h / 2), label, fonts.NOTO_SANS, 30, green, anchor="mm")
        ty = y + (h - line_h * len(lines)) / 2 + 6 if key != "other_status" else y + 22
        for i, line in enumerate(lines):
            draw_text(dr, (x1 + 22, ty + i * line_h), line, vf, size, ink)
        y += h
        dr.line((x0, y, x2, y), fill=green, width=2)
    dr.line((x0, 190, x0, y), fill=green, width=3)
    dr.line((x1, 190, x1, y), fill=green, width=2)
    dr.line((x2, 190, x2, y), fill=green, width=3)
    # 附记
    y += 40
    top = y
    draw_text(dr, ((x0 + x2) / 2, y + 30), "附  记", fonts.NOTO_SANS, 32, green, anchor="mm")
    y += 70
    dr.line((x0, y, x2, y), fill=green, width=2)
    for i, line in enumerate(wrap(f["notes"], vf, size, x2 - x0 - 60)):
        draw_text(dr, (x0 + 30, y + 24 + i * line_h), line, vf, size, ink)
    bottom = max(y + 260, y + 60 + line_h * len(wrap(f["notes"], vf, size, x2 - x0 - 60)))
    dr.rectangle((x0, top, x2, bottom), outline=green, width=3)


def _list(dr: ImageDraw.ImageDraw, f: dict[str, str], vf: fonts.FontSpec,
          ink: tuple[int, int, int]) -> None:
    brown = (120, 60, 30)
    draw_text(dr, (W / 2, 150), "不动产权证书", fonts.NOTO_SERIF_BOLD, 64, brown, spacing=12,
              anchor="mm")
    draw_text(dr, (W / 2, 250), f["certificate_number"], vf, 32, ink, anchor="mm")
    dr.rectangle((80, 310, W - 80, H - 130), outline=brown, width=4)
    dr.rectangle((92, 322, W - 92, H - 142), outline=brown, width=1)
    x_label, x_value, right = 130, 400, W - 130
    y = 380
    size, line_h = 30, 46
    for label, key in ROWS:
        draw_text(dr, (x_label, y), label + "：", fonts.NOTO_SANS, 30, brown)
        lines = wrap(f[key], vf, size, right - x_value) or [""]
        for i, line in enumerate(lines):
            draw_text(dr, (x_value, y + i * line_h), line, vf, size, ink)
            dr.line((x_value, y + i * line_h + 44, right, y + i * line_h + 44),
                    fill=(170, 150, 130), width=1)
        y += line_h * len(lines) + 38
    y += 20
    draw_text(dr, (x_label, y), "附记：", fonts.NOTO_SANS, 30, brown)
    for i, line in enumerate(wrap(f["notes"], vf, size, right - x_value)):
        draw_text(dr, (x_value, y + i * line_h), line, vf, size, ink)


def certificate_number(rng: random.Random, abbr: str, district: str, year: int) -> str:
    return f"{abbr}({year}){district}不动产权第{rng.randint(1, 999999):07d}号"


def unit_number(rng: random.Random, region_code: str) -> str:
    """28 characters: region (6) + cadastral area (6) + GB + parcel (5) + F + building/unit (8)."""
    area = f"{rng.randint(1, 20):03d}{rng.randint(1, 40):03d}"
    return (f"{region_code}{area}GB{rng.randint(1, 9999):05d}F"
            f"{rng.randint(1, 40):04d}{rng.randint(1, 3000):04d}")


def make_fields(rng: random.Random, *, owners: list[str], co_ownership: str, abbr: str,
                region_code: str, district: str, street: str, notes: str = "") -> dict[str, str]:
    year = rng.randint(2016, 2025)
    floor_area = rng.randint(6000, 14000) / 100
    shared = round(floor_area * rng.uniform(0.05, 0.12), 2)
    land = rng.randint(500000, 3000000) / 100
    start_year = year - rng.randint(0, 12)
    start = f"{start_year}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日"
    end = f"{start_year + 70}年{start[5:]}"
    location = (f"{district}{street}{rng.randint(1, 400)}号院{rng.randint(1, 20)}号楼"
                f"{rng.randint(1, 4)}单元{rng.randint(2, 30)}{rng.randint(1, 4):02d}")
    return {
        "certificate_number": certificate_number(rng, abbr, district, year),
        "owners": "、".join(owners),
        "co_ownership": co_ownership,
        "location": location,
        "unit_number": unit_number(rng, region_code),
        "right_type": "国有建设用地使用权/房屋所有权",
        "right_nature": "出让/市场化商品房",
        "use": "城镇住宅用地/住宅",
        "area": f"共有宗地面积{land:.2f}m²/房屋建筑面积{floor_area:.2f}m²",
        "term": f"国有建设用地使用权 {start}起{end}止",
        "other_status": (f"专有建筑面积{floor_area - shared:.2f}m²，分摊建筑面积{shared:.2f}m²；"
                         f"房屋结构：钢筋混凝土结构；总层数：{rng.randint(18, 33)}层"),
        "notes": notes,
    }


def make_notes(rng: random.Random, kind: str, city: str, district: str) -> str:
    """附记: ``none`` (benign text), ``mortgage`` or ``seizure``."""
    y, m, dd = rng.randint(2018, 2025), rng.randint(1, 12), rng.randint(1, 28)
    if kind == "mortgage":
        bank = rng.choice(("中国建设银行", "中国工商银行", "招商银行", "中国银行"))
        return (f"抵押权人：{bank}股份有限公司{city}{district}支行；抵押登记日期："
                f"{y}年{m:02d}月{dd:02d}日；债权数额：{rng.randint(50, 300)}万元")
    if kind == "seizure":
        return f"{y}年{m:02d}月{dd:02d}日 {city}{district}人民法院查封，查封期限三年"
    return rng.choice(("", "该房屋首次登记。", f"{y}年{m:02d}月{dd:02d}日转移登记。"))
