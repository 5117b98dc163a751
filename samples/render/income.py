"""Income certificate (收入证明): a letter with the company's red seal."""

from __future__ import annotations

import random
from decimal import Decimal

from PIL import ImageDraw

from .. import fonts
from ..money import capital, fmt, fmt_thousands
from ..seal import make_seal, stamp
from .common import Rendered, draw_text, paper, wrap

W, H = 1240, 1754
LAYOUTS = ("plain", "letterhead")
VALUE_FONTS = ("noto_serif", "uming", "noto_sans", "wqy_zenhei", "wqy_microhei")


def make_fields(*, employer: str, name: str, id_number: str, position: str, start_date: str,
                income: Decimal, issue_date: str) -> dict[str, str]:
    return {"employer": employer, "employee_name": name, "id_number": id_number,
            "position": position, "start_date": start_date, "monthly_income": fmt(income),
            "monthly_income_capital": capital(income), "issue_date": issue_date}


def _cn_date(iso: str) -> str:
    y, m, dd = iso.split("-")
    return f"{y}年{int(m)}月{int(dd)}日"


def render(fields: dict[str, str], rng: random.Random, layout: str | None = None,
           font_name: str | None = None) -> Rendered:
    layout = layout or rng.choice(LAYOUTS)
    font_name = font_name or rng.choice(VALUE_FONTS)
    vf = fonts.BODY_FONTS[font_name]
    f = fields
    img = paper((W, H), rng, (255, 255, 254))
    dr = ImageDraw.Draw(img)
    ink = (20, 20, 20)
    amount = Decimal(f["monthly_income"])
    if layout == "plain":
        draw_text(dr, (W / 2, 220), "收入证明", fonts.NOTO_SANS_BOLD, 60, ink, spacing=24,
                  anchor="mm")
        body = (f"兹证明{f['employee_name']}（身份证号：{f['id_number']}）自"
                f"{_cn_date(f['start_date'])}起在我单位工作，现任{f['position']}职务，"
                f"月收入人民币{f['monthly_income']}元（大写：{f['monthly_income_capital']}）。")
        paras = [body, "特此证明。"]
        y, size, lh = 380, 36, 70
        left, right = 150, W - 150
    else:
        blue = (25, 60, 130)
        draw_text(dr, (W / 2, 110), f["employer"], vf, 46, blue, anchor="mm")
        dr.line((110, 160, W - 110, 160), fill=blue, width=4)
        dr.line((110, 168, W - 110, 168), fill=blue, width=1)
        draw_text(dr, (W / 2, 280), "收 入 证 明", fonts.NOTO_SERIF_BOLD, 56, ink, anchor="mm")
        draw_text(dr, (140, 380), "致：贵行", vf, 34, ink)
        body = (f"兹有我单位员工{f['employee_name']}，身份证号码：{f['id_number']}，于"
                f"{_cn_date(f['start_date'])}入职，现任{f['position']}。该员工月收入为人民币"
                f"（小写）¥{fmt_thousands(amount)}元，（大写）{f['monthly_income_capital']}。")
        paras = [body, "本证明仅用于该员工办理贷款手续，我单位保证以上信息真实有效。", "特此证明。"]
        y, size, lh = 460, 34, 66
        left, right = 140, W - 140
    for para in paras:
        for line in wrap("\u3000\u3000" + para, vf, size, right - left):
            draw_text(dr, (left, y), line, vf, size, ink)
            y += lh
        y += 16
    y += 60
    draw_text(dr, (left, y), "单位联系人：人力资源部", vf, 30, ink)
    phone = f"0{rng.randint(10, 29)}-{rng.randint(60000000, 89999999)}"
    draw_text(dr, (left, y + 56), f"联系电话：{phone}", vf, 30, ink)
    sy = y + 260
    sign_x = right - 40
    draw_text(dr, (sign_x, sy), f"{f['employer']}（盖章）", vf, 34, ink, anchor="ra")
    draw_text(dr, (sign_x, sy + 80), _cn_date(f["issue_date"]), vf, 34, ink, anchor="ra")
    text_w = fonts.font(vf, 34).getlength(f["employer"])
    seal = make_seal(f["employer"], rng, diameter=rng.randint(250, 290))
    cx = sign_x - text_w / 2 - 60 + rng.uniform(-40, 40)
    stamp(img, seal, (cx, sy + 40 + rng.uniform(-30, 30)))
    return Rendered("income_certificate", layout, font_name, [img], dict(fields))
