"""Pay slip (工资条): a one-row table strip or a vertical item list."""

from __future__ import annotations

import random
from decimal import Decimal

from PIL import Image, ImageDraw

from .. import fonts
from ..money import Salary, d, fmt, fmt_thousands
from .common import Rendered, draw_text, paper, text_width

LAYOUTS = ("row", "list")
VALUE_FONTS = ("noto_sans", "wqy_microhei", "wqy_zenhei", "noto_serif", "uming")


def make_fields(salary: Salary, *, employer: str, name: str, id_number: str, period: str,
                gross_override: Decimal | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(fields, extra): ground truth and the breakdown printed beside it."""
    gross = gross_override if gross_override is not None else salary.gross
    basic = d(int(gross * Decimal("0.62")))
    fields = {
        "employer": employer, "employee_name": name, "id_number": id_number, "period": period,
        "gross_pay": fmt(gross), "social_insurance": fmt(salary.social_insurance),
        "housing_fund": fmt(salary.housing_fund), "income_tax": fmt(salary.tax),
        "other_deductions": fmt(salary.other), "net_pay": fmt(salary.net),
    }
    extra = {"basic": fmt(basic), "bonus": fmt(gross - basic), "pension": fmt(salary.pension),
             "medical": fmt(salary.medical), "unemployment": fmt(salary.unemployment)}
    return fields, extra


def _period_cn(period: str) -> str:
    y, m = period.split("-")
    return f"{y}年{int(m)}月"


def render(fields: dict[str, str], extra: dict[str, str], rng: random.Random,
           layout: str | None = None, font_name: str | None = None) -> Rendered:
    layout = layout or rng.choice(LAYOUTS)
    font_name = font_name or rng.choice(VALUE_FONTS)
    vf = fonts.BODY_FONTS[font_name]
    img = _row(fields, extra, vf, rng) if layout == "row" else _list(fields, vf, rng)
    return Rendered("pay_slip", layout, font_name, [img], dict(fields))


def _row(f: dict[str, str], extra: dict[str, str], vf: fonts.FontSpec,
         rng: random.Random) -> Image.Image:
    def money(key: str, src: dict[str, str]) -> str:
        return fmt_thousands(Decimal(src[key]))

    cols: list[tuple[str, str]] = [("姓名", f["employee_name"])]
    if f["id_number"]:
        cols.append(("身份证号", f["id_number"]))
    cols += [
        ("基本工资", money("basic", extra)), ("绩效奖金", money("bonus", extra)),
        ("应发工资", money("gross_pay", f)), ("养老保险", money("pension", extra)),
        ("医疗保险", money("medical", extra)), ("失业保险", money("unemployment", extra)),
        ("住房公积金", money("housing_fund", f)), ("个人所得税", money("income_tax", f)),
        ("其他扣款", money("other_deductions", f)), ("实发工资", money("net_pay", f)),
    ]
    size = 26
    widths = [max(text_width(fonts.NOTO_SANS, size, h), text_width(vf, size, v)) + 34
              for h, v in cols]
    margin = 60
    w = sum(widths) + 2 * margin
    h = 420
    img = paper((w, h), rng, (255, 255, 255))
    dr = ImageDraw.Draw(img)
    ink = (15, 15, 15)
    draw_text(dr, (w / 2, 70), f"{f['employer']}  {_period_cn(f['period'])}工资条", vf, 36, ink,
              anchor="mm")
    draw_text(dr, (w - margin, 130), "单位：元", vf, 22, (60, 60, 60), anchor="rm")
    top, row_h = 160, 64
    dr.rectangle((margin, top, w - margin, top + row_h), fill=(225, 235, 245))
    x = margin
    for (head, value), cw in zip(cols, widths, strict=True):
        draw_text(dr, (x + cw / 2, top + row_h / 2), head, fonts.NOTO_SANS, size, ink, anchor="mm")
        draw_text(dr, (x + cw / 2, top + row_h * 1.5), value, vf, size, ink, anchor="mm")
        x += cw
    grid = (70, 70, 70)
    for y in (top, top + row_h, top + 2 * row_h):
        dr.line((margin, y, w - margin, y), fill=grid, width=2)
    x = margin
    for cw in [0, *widths]:
        x += cw
        dr.line((x, top, x, top + 2 * row_h), fill=grid, width=2)
    draw_text(dr, (margin, top + 2 * row_h + 50), "注：本工资条仅供员工本人核对，如有疑问请于发放后"
              "三个工作日内联系人力资源部。", vf, 22, (80, 80, 80))
    return img


def _list(f: dict[str, str], vf: fonts.FontSpec, rng: random.Random) -> Image.Image:
    w, h = 1100, 1320
    img = paper((w, h), rng, (255, 255, 253))
    dr = ImageDraw.Draw(img)
    ink = (15, 15, 15)
    draw_text(dr, (w / 2, 90), f["employer"], vf, 40, ink, anchor="mm")
    draw_text(dr, (w / 2, 160), "员 工 工 资 条", fonts.NOTO_SANS_BOLD, 44, ink, anchor="mm")
    y = 250
    head = [("姓    名：", f["employee_name"])]
    if f["id_number"]:
        head.append(("身份证号：", f["id_number"]))
    head.append(("工资期间：", _period_cn(f["period"])))
    for label, value in head:
        draw_text(dr, (110, y), label, fonts.NOTO_SANS, 30, ink)
        draw_text(dr, (290, y), value, vf, 30, ink)
        y += 60
    items = [("应发工资", "gross_pay"), ("社会保险", "social_insurance"),
             ("住房公积金", "housing_fund"), ("个人所得税", "income_tax"),
             ("其他扣款", "other_deductions"), ("实发工资", "net_pay")]
    x0, x1, x2 = 110, 560, w - 110
    top, row_h = y + 30, 80
    grid = (60, 60, 60)
    dr.rectangle((x0, top, x2, top + row_h), fill=(238, 238, 238))
    draw_text(dr, ((x0 + x1) / 2, top + row_h / 2), "项  目", fonts.NOTO_SANS_BOLD, 30, ink,
              anchor="mm")
    draw_text(dr, ((x1 + x2) / 2, top + row_h / 2), "金额（元）", fonts.NOTO_SANS_BOLD, 30, ink,
              anchor="mm")
    for i, (label, key) in enumerate(items, start=1):
        yy = top + i * row_h
        bold = key == "net_pay"
        draw_text(dr, ((x0 + x1) / 2, yy + row_h / 2), label,
                  fonts.NOTO_SANS_BOLD if bold else fonts.NOTO_SANS, 30, ink, anchor="mm")
        draw_text(dr, (x2 - 40, yy + row_h / 2), f[key], vf, 32, ink, anchor="rm")
    bottom = top + (len(items) + 1) * row_h
    for i in range(len(items) + 2):
        dr.line((x0, top + i * row_h, x2, top + i * row_h), fill=grid, width=2)
    for x in (x0, x1, x2):
        dr.line((x, top, x, bottom), fill=grid, width=2)
    draw_text(dr, (x0, bottom + 60), "发放方式：银行代发", vf, 26, (70, 70, 70))
    draw_text(dr, (x0, bottom + 110), "人力资源部", vf, 26, (70, 70, 70))
    return img
