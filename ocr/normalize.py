"""Values as read -> the normal forms of ocr/types.py (dates ISO, amounts with
two decimals, 大写 amounts to digits)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

import cn2an

_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1",
                             "S": "5", "B": "8", "Z": "2", "，": ",", "。": ".", "．": "."})
_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {
    "（": "(", "）": ")", "：": ":", "－": "-", "／": "/"})


def fullwidth_to_ascii(text: str) -> str:
    return text.translate(_FULLWIDTH)


_POINT_SEPARATOR = re.compile(r"(?<=\d)\.(?=\d{3}(?:\.\d{3})*\.\d{2}(?!\d))")


# a run of digits and commas ending in a comma and two digits: no thousands group is two
# digits long, so that comma is the cents' point (36017,50)
_CENTS_COMMA = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+),(\d{2})(?![\d.,])")


def comma_points(text: str) -> str:
    """``26.200.00`` -> ``26,200.00``: a thousands comma read as a point (the last
    point, before two digits, is the cents'). Only in a run of digits and points: a
    run with a comma (``45,200.002,800.00``) is two amounts glued, not one. And
    ``36017,50`` -> ``36017.50``: the cents' point read as a comma."""
    text = re.sub(r"\d[\d.]*\d", lambda m: _POINT_SEPARATOR.sub(",", m.group(0)), text)
    return _CENTS_COMMA.sub(r"\1.\2", text)


def amount(text: str | None) -> str | None:
    """``"¥12,000.5元"`` -> ``"12000.50"``; ``"-350.5"`` -> ``"-350.50"``; None if no number."""
    if text is None:
        return None
    cleaned = fullwidth_to_ascii(str(text)).translate(_OCR_DIGITS)
    cleaned = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", cleaned)
    m = re.search(r"([-+−]?)\s*(\d+(?:\.\d+)?)", cleaned)
    if not m:
        return None
    try:
        value = Decimal(m.group(2)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    sign = "-" if m.group(1) in ("-", "−") and value else ""
    return f"{sign}{value}"


def capital_amount(text: str | None) -> str | None:
    """``"人民币壹万伍仟元整"`` -> ``"15000.00"`` (None if it does not parse)."""
    if not text:
        return None
    core = re.sub(r"人民币|[（）():：\s]|大写", "", str(text))
    core = core.replace("元整", "元").replace("圆", "元").replace("正", "").rstrip("整")
    if not re.fullmatch(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分两]+", core):
        return None
    yuan, _, rest = core.partition("元")
    try:
        whole = cn2an.cn2an(yuan, "strict") if yuan else 0
        cents = 0
        if m := re.search(r"([零壹贰叁肆伍陆柒捌玖])角", rest):
            cents += 10 * int(cn2an.cn2an(m.group(1), "strict"))
        if m := re.search(r"([零壹贰叁肆伍陆柒捌玖])分", rest):
            cents += int(cn2an.cn2an(m.group(1), "strict"))
    except (ValueError, KeyError):
        return None
    return f"{Decimal(int(whole)) + Decimal(cents) / 100:.2f}"


_DATE = re.compile(r"(\d{4})\s*[年./\-]?\s*(\d{1,2})\s*[月./\-]?\s*(\d{1,2})\s*日?")


def iso_date(text: str | None) -> str | None:
    """``2026年10月5日``, ``2026.10.05``, ``2026/10/05``, ``20261005`` -> ``2026-10-05``."""
    if not text:
        return None
    cleaned = fullwidth_to_ascii(str(text)).translate(_OCR_DIGITS)
    m = _DATE.search(cleaned)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def iso_month(text: str | None) -> str | None:
    """``2026年10月`` / ``2026-10`` / ``202610`` -> ``2026-10``."""
    if not text:
        return None
    m = re.search(r"(\d{4})\s*[年./\-]?\s*(\d{1,2})\s*月?", fullwidth_to_ascii(str(text)))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def chinese_name(text: str | None) -> str | None:
    """A person's name without spaces, punctuation or stray Latin letters; None for
    fewer than two characters (a surname and a given name: one character is a piece
    of a label or of the name, 基 of 基本工资 read after 姓名 in a pay slip's header)."""
    if not text:
        return None
    name = re.sub(r"[^\u4e00-\u9fff·]", "", str(text))
    return name if len(name) >= 2 else None


def digits(text: str | None) -> str | None:
    if not text:
        return None
    found = re.sub(r"\D", "", fullwidth_to_ascii(str(text)).translate(_OCR_DIGITS))
    return found or None


# Third-party payment channels print the merchant after a hyphen ("支付宝-饿了么");
# recognisers read that short hyphen as a middle dot, a dash or 一 ("一" only when
# nothing else separates). A middle dot elsewhere is kept: it is part of names (买买提·艾力).
PAYMENT_CHANNELS = ("支付宝", "财付通", "微信支付", "京东支付", "银联", "云闪付", "美团支付")
_CHANNEL_SEPARATOR = re.compile(
    r"^(" + "|".join(PAYMENT_CHANNELS) + r")\s*[·•・‧∙—–－\-一]\s*(?=\S)")


def counterparty(text: str) -> str:
    """A statement's counterparty as printed: the hyphen after a payment channel."""
    return _CHANNEL_SEPARATOR.sub(r"\1-", text.strip())
