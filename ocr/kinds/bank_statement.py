"""Bank statements (个人账户交易明细): header fields, then every row of the
table across all pages, columns found from the header line's positions.

Money is right-aligned in its column and text left-aligned, so a number belongs
to the last money column whose header middle lies left of its right edge, a text
to the nearest text column by its left edge. A line without a date continues the
row above (a counterparty wrapped onto a second line).

A scanned page's pieces are found with its rulings taken out (a ruling reads as
a digit or a bar); a balance, right-aligned, and the counterparty, left-aligned in
the next column, then often come as one piece, split again here. The running
balance checks each scanned row: an amount printed with its sign but read without
it takes the sign the balances give, and a row whose balance does not follow from
the row before is left unsure. A later page whose header is read only in part
keeps the columns of the page before."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

import cv2
import numpy as np

from .. import image as im
from .. import normalize as norm
from ..engines import detect_and_read
from ..types import Field, Page, StatementRow, Word
from . import KindResult, char_width

COLUMN_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("序号", "编号", "笔数")),
    ("date", ("交易日期", "记账日期", "日期")),
    ("summary", ("摘要", "交易摘要", "交易类型", "业务摘要")),
    ("credit", ("收入", "存入", "贷方发生额", "贷方")),
    ("debit", ("支出", "支取", "借方发生额", "借方")),
    ("amount", ("交易金额", "发生额", "金额")),
    ("balance", ("余额", "账户余额", "联机余额")),
    ("counterparty", ("对方户名", "对方账户名", "交易对手", "对方名称")),
)
TEXT_COLUMNS = {"summary", "counterparty"}
FOOTER = re.compile(r"第\s*\d+\s*页|共\s*\d+\s*页|Page\s*\d+", re.IGNORECASE)
NUMBER = re.compile(r"^[-+−]?[\d,]+\.\d{2}$")
ROW_DATE = re.compile(r"^(\d{8}|\d{4}[-./]\d{1,2}[-./]\d{1,2})$")
HEADER_PATTERNS = {
    "holder_name": re.compile(r"(?:户名|客户姓名|账户名称|姓名)\s*[:：]\s*([\u4e00-\u9fff·]{2,5}?)"
                             r"(?=账号|卡号|账户|币种|证件|[^\u4e00-\u9fff·]|$)"),
    "account_number": re.compile(r"(?:卡号|账号|账户号码)\s*[:：]\s*([\d\s*]{12,30}\d)"),
    "period": re.compile(r"(?:起止日期|查询期间|交易期间|查询日期|起止时间)\s*[:：]\s*"
                         r"([\d年月日./\-]{8,11})\s*(?:-|至|~|—|到)\s*([\d年月日./\-]{8,11})"),
}
BANK = re.compile(r"(中国[\u4e00-\u9fff]{2,4}银行|[\u4e00-\u9fff]{2,6}银行)")
MERGED = re.compile(r"^([-+−]?[\d,]+\.\d{2})[|｜丨]?(\D.*)$")  # a balance and the text after it
SIGNED = re.compile(r"^[-+−]")
# the recogniser drops the short hyphen after a payment channel ("支付宝-饿了么")
CHANNEL_JOINED = re.compile(r"^(" + "|".join(norm.PAYMENT_CHANNELS) + r")(?=[\u4e00-\u9fff])")
UNSURE = 0.6  # a row the balances do not confirm: below field_confidence_min


@dataclass(frozen=True)
class Column:
    role: str
    x0: int
    x1: int
    left: int = 0  # span of the column (midpoints between neighbouring headers)
    right: int = 10**9


@dataclass(frozen=True)
class _Read:
    row: StatementRow
    scanned: bool  # read by OCR (a text layer is taken as printed)
    signed: bool  # the amount's sign was read (or its column gave it)


def read(pages: list[Page]) -> KindResult:
    result = KindResult()
    _header_fields(pages, result)
    found: list[_Read] = []
    columns: list[Column] = []
    for page in pages:
        rows, columns = _page_rows(page, columns)
        found.extend(rows)
    result.rows = _checked_by_balance(found)
    return result


def _checked_by_balance(found: list[_Read]) -> list[StatementRow]:
    """Scanned rows checked against the balance of the row before: the balance
    moving by the amount's size the other way gives an unread sign; a balance that
    does not follow leaves the row unsure (a digit misread, or a row missed)."""
    rows: list[StatementRow] = []
    for item in found:
        row = item.row
        before = Decimal(rows[-1].balance) if rows else None
        change = Decimal(row.balance) - before if before is not None else None
        amount = Decimal(row.amount)
        if item.scanned and change is not None and change != amount:
            if not item.signed and change == -amount:
                row = replace(row, amount=f"{-amount:.2f}")
            else:
                row = replace(row, confidence=min(row.confidence, UNSURE))
        elif item.scanned and change is None and not item.signed:
            row = replace(row, confidence=min(row.confidence, UNSURE))
        rows.append(row)
    return rows


def _header_fields(pages: list[Page], result: KindResult) -> None:
    for page in pages[:1]:
        for line in page.words[:12]:
            text = norm.fullwidth_to_ascii(line.text)
            if "bank" not in result.fields and (m := BANK.search(text)):
                result.fields["bank"] = _field("bank", m.group(1), page, line)
            if (m := HEADER_PATTERNS["holder_name"].search(text)) and "holder_name" not in \
                    result.fields:
                result.fields["holder_name"] = _field("holder_name", m.group(1), page, line)
            if (m := HEADER_PATTERNS["account_number"].search(text)):
                value = norm.digits(m.group(1))
                if value:
                    result.fields["account_number"] = _field("account_number", value, page, line)
            if m := HEADER_PATTERNS["period"].search(text):
                start, end = norm.iso_date(m.group(1)), norm.iso_date(m.group(2))
                if start and end:
                    result.fields["period_start"] = _field("period_start", start, page, line)
                    result.fields["period_end"] = _field("period_end", end, page, line)


def _field(name: str, value: str, page: Page, line: Word) -> Field:
    return Field(name, value, page.number, line.bbox, line.confidence)


def _page_tokens(page: Page) -> list[Word]:
    """The page's words with their boxes: a text layer's as they are; a scanned
    page's pieces as the page's reading found them (else found here) on the page
    with its rulings taken out, pieces that joined a number and the text after it
    split."""
    if page.has_text_layer:
        return page.tokens
    found = page.tokens or _detect_without_rulings(page.image) or _split_lines(page.words)
    return [part for token in found for part in _split_merged(token)]


def _detect_without_rulings(image: np.ndarray) -> list[Word]:
    bare = cv2.cvtColor(im.remove_rulings(im.grey(image)), cv2.COLOR_GRAY2BGR)
    return detect_and_read(np.ascontiguousarray(bare))


def _split_merged(token: Word) -> list[Word]:
    token = replace(token, text=norm.comma_points(token.text.strip()))
    m = MERGED.match(token.text)
    if not m:
        return [token]
    number, rest = m.group(1), m.group(2).strip()
    x0, y0, x1, y1 = token.bbox
    share = _width(number) / (_width(number) + _width(rest))
    cut = int(x0 + (x1 - x0) * share)
    return [Word(number, (x0, y0, cut, y1), token.confidence),
            Word(rest, (cut, y0, x1, y1), token.confidence)]


def _without_overlap(line: list[Word]) -> list[Word]:
    """A text piece whose box starts inside the number before it read that number's
    last digits again: they are dropped from the text."""
    out = line[:1]
    for token in line[1:]:
        before = out[-1]
        lead = re.match(r"\d+(?=[^\d.,])", token.text)
        if lead and token.bbox[0] < before.bbox[2] - 2 and NUMBER.match(before.text.strip()):
            token = replace(token, text=token.text[lead.end():])
        out.append(token)
    return out


def _width(text: str) -> float:
    """Printed width in Chinese characters (a digit or a letter about half of one)."""
    return sum(map(char_width, text)) or 1.0


def _page_rows(page: Page, before: list[Column]) -> tuple[list[_Read], list[Column]]:
    """The page's rows, and its columns (``before``: the previous page's)."""
    tokens = _page_tokens(page)
    lines = _token_lines(tokens)
    if not page.has_text_layer:
        lines = [_without_overlap(line) for line in lines]
    columns: list[Column] = []
    rows: list[list[tuple[str, Word]]] = []
    for line in lines:
        header = _page_header(line, columns or before)
        if header:
            columns = header
            continue
        if not columns or FOOTER.search("".join(t.text for t in line)):
            continue
        cells = [(_column_of(t, columns), t) for t in line]
        if any(role == "date" and ROW_DATE.match(t.text) for role, t in cells):
            rows.append(cells)
        elif rows and _continues(rows[-1], cells, columns):
            rows[-1].extend(cells)  # wrapped text continues the row above
    return [r for r in (_row(page, cells) for cells in rows) if r], columns or before


def _continues(row: list[tuple[str, Word]], cells: list[tuple[str, Word]],
               columns: list[Column]) -> bool:
    """Text right under a row, inside its text columns, is that row's text wrapped."""
    spans = {c.role: c for c in columns}
    bottom = max(t.bbox[3] for _, t in row)
    height = max(t.bbox[3] - t.bbox[1] for _, t in row)
    return all(role in TEXT_COLUMNS and spans[role].left <= t.bbox[0] < spans[role].right
               and t.bbox[1] - bottom < height for role, t in cells)


def _split_lines(lines: list[Word]) -> list[Word]:
    """OCR lines without word boxes: split on spaces, boxes shared out by length."""
    out = []
    for line in lines:
        parts = line.text.split()
        total = sum(len(p) for p in parts) or 1
        x, width = line.bbox[0], line.bbox[2] - line.bbox[0]
        for part in parts:
            w = int(width * len(part) / total)
            out.append(Word(part, (x, line.bbox[1], x + w, line.bbox[3]), line.confidence))
            x += w
    return out


def _token_lines(tokens: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for token in sorted(tokens, key=lambda t: ((t.bbox[1] + t.bbox[3]) / 2, t.bbox[0])):
        middle = (token.bbox[1] + token.bbox[3]) / 2
        if lines:
            last = lines[-1][0]
            height = max(4, last.bbox[3] - last.bbox[1])
            if abs((last.bbox[1] + last.bbox[3]) / 2 - middle) < height * 0.5:
                lines[-1].append(token)
                continue
        lines.append([token])
    return [sorted(line, key=lambda t: t.bbox[0]) for line in lines]


def _header(line: list[Word]) -> list[Column] | None:
    found = []
    for token in line:
        role = _role(token.text)
        if role:
            found.append(Column(role, token.bbox[0], token.bbox[2]))
    roles = {c.role for c in found}
    if "balance" not in roles or "date" not in roles or len(found) < 3:
        return None
    found.sort(key=lambda c: c.x0)
    spans = []
    for i, col in enumerate(found):
        left = (found[i - 1].x1 + col.x0) // 2 if i else 0
        right = (col.x1 + found[i + 1].x0) // 2 if i + 1 < len(found) else 10**9
        spans.append(Column(col.role, col.x0, col.x1, left, right))
    return spans


def _page_header(line: list[Word], before: list[Column]) -> list[Column] | None:
    """The columns a header line names. A later page's header missing a column the
    page before had (its name unread: 摘要 lost, the summaries then ran into the
    counterparty beside them, 代发工资 with them) keeps the earlier columns, moved as
    far as the names read here moved."""
    found = _header(line)
    if found is not None and {c.role for c in before} <= {c.role for c in found}:
        return found
    return _header_in_part(line, before) or found


def _header_in_part(line: list[Word], before: list[Column]) -> list[Column] | None:
    """A later page's header with a name misread or missed (摘要 as 换要): the
    previous page's columns, moved as far as the names read here moved (each page
    is scanned on its own)."""
    seen = {role: token.bbox[0] for token in line if (role := _role(token.text))}
    known = {c.role: c.x0 for c in before}
    shifts = [x - known[role] for role, x in seen.items() if role in known]
    if "date" not in seen or len(shifts) < 2:
        return None
    dx = int(np.median(shifts))
    return [Column(c.role, c.x0 + dx, c.x1 + dx, c.left + dx if c.left else 0,
                   c.right + dx if c.right < 10**9 else c.right) for c in before]


def _role(text: str) -> str | None:
    for role, names in COLUMN_NAMES:
        if text.strip() in names:
            return role
    return None


def _column_of(token: Word, columns: list[Column]) -> str:
    text = token.text.strip()
    if NUMBER.match(text):
        return _number_column(token, columns)
    if ROW_DATE.match(text):
        return "date"
    middle = (token.bbox[0] + token.bbox[2]) // 2
    fixed = [c for c in columns if c.role not in TEXT_COLUMNS and c.left <= middle < c.right]
    if text.isdigit() and fixed:
        return fixed[0].role
    texts = [c for c in columns if c.role in TEXT_COLUMNS]
    if not texts:
        return "?"
    return min(texts, key=lambda c: abs(c.x0 - token.bbox[0])).role


def _number_column(token: Word, columns: list[Column]) -> str:
    """Money is right-aligned: a number ends right of its column's header middle
    and left of the next column's header (which is centred in a column that starts
    where this one ends), so it belongs to the last money column whose header
    middle lies left of its right edge."""
    edge = token.bbox[2] - 1
    numeric = [c for c in columns if c.role in ("credit", "debit", "amount", "balance")]
    if not numeric:
        return "?"
    left_of = [c for c in numeric if (c.x0 + c.x1) / 2 < edge]
    if left_of:
        return max(left_of, key=lambda c: c.x0).role
    return min(numeric, key=lambda c: abs(c.x1 - edge)).role


def _row(page: Page, cells: list[tuple[str, Word]]) -> _Read | None:
    parts: dict[str, list[str]] = {}
    for role, token in cells:
        parts.setdefault(role, []).append(token.text.strip())
    day = norm.iso_date(" ".join(parts.get("date", [])))
    balance = norm.amount(" ".join(parts.get("balance", [])))
    amount = _signed_amount(parts)
    if not day or balance is None or amount is None:
        return None
    boxes = [t.bbox for _, t in cells]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
           max(b[3] for b in boxes))
    confidence = min(t.confidence for _, t in cells)
    scanned = not page.has_text_layer
    counterparty = "".join(parts.get("counterparty", []))
    if scanned:
        counterparty = CHANNEL_JOINED.sub(r"\1-", counterparty.lstrip("|｜丨"))
    row = StatementRow(day, "".join(parts.get("summary", [])), amount, balance,
                       norm.counterparty(counterparty), page.number, box, confidence)
    signed = not parts.get("amount") or bool(SIGNED.match(parts["amount"][0]))
    return _Read(row, scanned, signed)


def _signed_amount(parts: dict[str, list[str]]) -> str | None:
    if parts.get("amount"):
        return norm.amount(" ".join(parts["amount"]))
    credit = norm.amount(" ".join(parts.get("credit", []))) if parts.get("credit") else None
    debit = norm.amount(" ".join(parts.get("debit", []))) if parts.get("debit") else None
    if credit and not debit:
        return credit
    if debit and not credit:
        return debit if debit.startswith("-") else f"-{debit}"
    return None
