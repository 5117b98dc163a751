"""Bank statement (个人账户交易明细): a digital multi-page PDF with a real text layer
and ruled table, and page images of the same PDF for scanned variants."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pikepdf
import pypdfium2 as pdfium
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .. import fonts
from ..money import fmt_thousands
from .common import Rendered

LAYOUTS = ("signed", "split")
VALUE_FONTS = tuple(fonts.PDF_FONTS)
PAGE_W, PAGE_H = A4
MARGIN = 36.0
ROWS_PER_PAGE = 44


def _register(font_name: str) -> str:
    rl_name = "CJK-" + font_name
    if rl_name not in pdfmetrics.getRegisteredFontNames():
        path, index = fonts.PDF_FONTS[font_name]
        pdfmetrics.registerFont(TTFont(rl_name, path, subfontIndex=index))
    return rl_name


def _columns(layout: str) -> list[tuple[str, float, str]]:
    """(header, width in pt, alignment)."""
    if layout == "signed":
        return [("序号", 30, "c"), ("交易日期", 70, "c"), ("摘要", 62, "c"),
                ("交易金额", 80, "r"), ("余额", 84, "r"), ("对方户名", 197, "l")]
    return [("交易日期", 60, "c"), ("摘要", 58, "c"), ("收入", 72, "r"), ("支出", 72, "r"),
            ("余额", 80, "r"), ("对方户名", 181, "l")]


def _cells(layout: str, i: int, row: dict[str, str]) -> list[str]:
    amount = Decimal(row["amount"])
    balance = fmt_thousands(Decimal(row["balance"]))
    if layout == "signed":
        return [str(i + 1), row["date"], row["summary"], fmt_thousands(amount, plus=True),
                balance, row["counterparty"]]
    date = row["date"].replace("-", "")
    income = f"{amount:.2f}" if amount > 0 else ""
    out = f"{-amount:.2f}" if amount < 0 else ""
    return [date, row["summary"], income, out, f"{Decimal(row['balance']):.2f}",
            row["counterparty"]]


def _split(text: str, font: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines or [""]


def render_pdf(fields: dict[str, str], rows: list[dict[str, str]], layout: str, font_name: str,
               print_date: str, creation: str) -> bytes:
    """The digital PDF; ``creation`` like ``D:20261020093012+08'00'``."""
    fn = _register(font_name)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"{fields['bank']}个人账户交易明细")
    c.setAuthor(fields["bank"])
    c.setCreator(f"{fields['bank']}个人网上银行")
    cols = _columns(layout)
    size = 7.5
    line_h = 10.0
    pages: list[list[tuple[int, dict[str, str]]]] = []
    for i, row in enumerate(rows):
        if not pages or len(pages[-1]) >= ROWS_PER_PAGE - (6 if len(pages) == 1 else 0):
            pages.append([])
        pages[-1].append((i, row))
    total = len(pages)
    for pno, chunk in enumerate(pages, start=1):
        y = PAGE_H - MARGIN
        if pno == 1:
            c.setFont(fn, 15)
            title = (f"{fields['bank']}个人账户交易明细" if layout == "signed"
                     else f"{fields['bank']}活期账户交易明细清单")
            c.drawCentredString(PAGE_W / 2, y - 14, title)
            y -= 40
            c.setFont(fn, 9)
            if layout == "signed":
                info = [(f"户名：{fields['holder_name']}", f"账号：{fields['account_number']}"),
                        ("币种：人民币",
                         f"查询期间：{fields['period_start']} 至 {fields['period_end']}"),
                        ("钞汇标志：钞", f"打印日期：{print_date}")]
            else:
                ps = fields["period_start"].replace("-", "")
                pe = fields["period_end"].replace("-", "")
                info = [(f"客户姓名：{fields['holder_name']}", f"卡号：{fields['account_number']}"),
                        ("币种：人民币元", f"起止日期：{ps}-{pe}"),
                        ("账户类型：借记卡", f"打印时间：{print_date}")]
            for left, right in info:
                c.drawString(MARGIN, y, left)
                c.drawString(PAGE_W / 2 + 10, y, right)
                y -= 15
            y -= 6
        table_top = y
        x_edges = [MARGIN]
        for _, w, _ in cols:
            x_edges.append(x_edges[-1] + w)
        # header row
        head_h = 16.0
        c.setFillGray(0.9)
        c.rect(x_edges[0], y - head_h, x_edges[-1] - x_edges[0], head_h, stroke=0, fill=1)
        c.setFillGray(0)
        c.setFont(fn, 8.5)
        for (head, _, _), x0, x1 in zip(cols, x_edges, x_edges[1:], strict=False):
            c.drawCentredString((x0 + x1) / 2, y - 11.5, head)
        y -= head_h
        h_lines = [table_top, y]
        c.setFont(fn, size)
        for i, row in chunk:
            cells = _cells(layout, i, row)
            wrapped = [_split(t, fn, size, w - 6) for t, (_, w, _) in zip(cells, cols, strict=True)]
            n = max(len(w) for w in wrapped)
            row_h = 6 + line_h * n
            for lines, (_, _, align), x0, x1 in zip(wrapped, cols, x_edges, x_edges[1:],
                                                   strict=False):
                for k, text in enumerate(lines):
                    ty = y - 10 - k * line_h
                    if align == "c":
                        c.drawCentredString((x0 + x1) / 2, ty, text)
                    elif align == "r":
                        c.drawRightString(x1 - 3, ty, text)
                    else:
                        c.drawString(x0 + 3, ty, text)
            y -= row_h
            h_lines.append(y)
        c.setLineWidth(0.6)
        for hy in h_lines:
            c.line(x_edges[0], hy, x_edges[-1], hy)
        for x in x_edges:
            c.line(x, table_top, x, y)
        c.setFont(fn, 8)
        c.drawCentredString(PAGE_W / 2, MARGIN - 14, f"第 {pno} 页 / 共 {total} 页")
        if pno == total:
            c.drawString(MARGIN, y - 18,
                         "本交易明细仅供参考，如与账户实际记录不一致，以银行账务记录为准。")
        c.showPage()
    c.save()
    return _set_metadata(buf.getvalue(), creation)


def _set_metadata(data: bytes, creation: str) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.docinfo["/CreationDate"] = creation
        pdf.docinfo["/ModDate"] = creation
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def rasterize(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


def render(fields: dict[str, str], rows: list[dict[str, str]], rng: random.Random, *,
           print_date: str, creation: str, layout: str | None = None,
           font_name: str | None = None, with_images: bool = False) -> Rendered:
    layout = layout or rng.choice(LAYOUTS)
    font_name = font_name or rng.choice(VALUE_FONTS)
    pdf = render_pdf(fields, rows, layout, font_name, print_date, creation)
    pages = rasterize(pdf) if with_images else []
    return Rendered("bank_statement", layout, font_name, pages, dict(fields),
                    [dict(r) for r in rows], pdf)


def images_to_pdf(jpegs: list[bytes], sizes: list[tuple[int, int]], dpi: int = 150) -> bytes:
    """An image-only PDF (a scanned statement): one JPEG per page, no text layer."""
    from reportlab.lib.utils import ImageReader

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for data, (w, h) in zip(jpegs, sizes, strict=True):
        pw, ph = w * 72 / dpi, h * 72 / dpi
        c.setPageSize((pw, ph))
        c.drawImage(ImageReader(io.BytesIO(data)), 0, 0, pw, ph)
        c.showPage()
    c.save()
    return buf.getvalue()
