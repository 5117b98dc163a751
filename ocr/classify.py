"""Which kind of document a file is, from the words on its pages.

Keywords per kind, matched with tolerance for OCR errors (one wrong or
missing character in keywords of four or more characters). Works the same on
a PDF's text layer and on OCR lines.
"""

from __future__ import annotations

import re

from .types import DocumentKind, Page

# (keyword, weight): the printed labels and titles of each kind.
KEYWORDS: dict[DocumentKind, tuple[tuple[str, float], ...]] = {
    DocumentKind.ID_CARD_FRONT: (
        ("公民身份号码", 3.0), ("公民身份", 2.0), ("身份号码", 2.0), ("姓名", 1.0),
        ("性别", 1.0), ("民族", 1.0), ("出生", 1.0), ("住址", 1.5),
    ),
    DocumentKind.ID_CARD_BACK: (
        ("签发机关", 3.0), ("有效期限", 3.0), ("居民身份证", 2.0), ("中华人民共和国", 1.0),
        ("公安局", 1.0),
    ),
    DocumentKind.PROPERTY_CERTIFICATE: (
        ("不动产权", 3.0), ("不动产单元号", 3.0), ("权利人", 2.0), ("坐落", 2.0),
        ("共有情况", 2.0), ("权利类型", 2.0), ("权利性质", 2.0), ("权利其他状况", 2.0),
        ("房屋所有权", 3.0), ("使用期限", 1.0), ("附记", 1.0),
    ),
    DocumentKind.PAY_SLIP: (
        ("工资条", 3.0), ("工资单", 3.0), ("应发", 2.0), ("实发", 2.0), ("扣款", 1.5),
        ("公积金", 1.0), ("社保", 1.0), ("个税", 1.0), ("基本工资", 1.5), ("代扣", 1.0),
    ),
    DocumentKind.INCOME_CERTIFICATE: (
        ("收入证明", 4.0), ("兹证明", 3.0), ("月收入", 2.0), ("特此证明", 2.0),
        ("入职", 1.0), ("职务", 1.0), ("年收入", 1.0),
    ),
    DocumentKind.BANK_STATEMENT: (
        ("交易明细", 3.0), ("流水", 2.0), ("余额", 2.0), ("摘要", 1.5), ("交易日期", 2.0),
        ("对方户名", 2.0), ("户名", 1.0), ("账号", 1.0), ("卡号", 1.0), ("记账日期", 2.0),
    ),
}
MIN_SCORE = 3.0  # below this nothing fits: unknown
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")


def classify(pages: list[Page]) -> tuple[DocumentKind, float]:
    """The kind of the document and a confidence 0..1."""
    text = cjk_only("\n".join(p.text for p in pages[:3]))
    scores = {kind: score(text, kind) for kind in KEYWORDS}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_SCORE:
        return DocumentKind.UNKNOWN, round(1.0 - top / MIN_SCORE * 0.5, 2)
    strength = min(1.0, top / 8.0)
    margin = (top - second) / top
    return best, round(0.4 + 0.6 * strength * (0.3 + 0.7 * margin), 2)


def cjk_only(text: str) -> str:
    return _NOT_CJK.sub("", text)


def score(text: str, kind: DocumentKind) -> float:
    return sum(weight for word, weight in KEYWORDS[kind] if contains(text, word))


def keyword_hits(text: str) -> int:
    """How many keywords of any kind the text holds (an upright page has some)."""
    text = cjk_only(text)
    return sum(contains(text, w) for kws in KEYWORDS.values() for w, _ in kws)


def contains(text: str, word: str) -> bool:
    """True when ``word`` occurs in ``text``; words of 4+ characters may have
    one character misread or missing (shorter ones must be exact: "工资条" with
    one error would match "代发工资" on a statement)."""
    if word in text:
        return True
    if len(word) < 4 or sum(ch in text for ch in word) < len(word) - 1:
        return False  # one misread or missing character leaves the others in the text
    n = len(word)
    for i in range(len(text) - n + 2):
        window = text[i:i + n]
        if len(window) == n and sum(a != b for a, b in zip(window, word, strict=True)) <= 1:
            return True
        shorter = text[i:i + n - 1]
        if len(shorter) == n - 1 and _one_dropped(shorter, word):
            return True
    return False


def _one_dropped(short: str, word: str) -> bool:
    return any(word[:k] + word[k + 1:] == short for k in range(len(word)))
