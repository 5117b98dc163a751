"""The approver's report (审批报告): one self-contained HTML file, readable offline.

No external scripts, styles or fonts; images are PNG ``data:`` URIs. Personal data is
masked for every reader but ``admin`` (:mod:`engine.masking`): personal fields by name,
free text through a :class:`~engine.masking.Scrubber` applied by Jinja2's ``finalize``
to every value the template prints, and the personal fields' boxes pixelated in the
evidence crops and page thumbnails.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import jinja2
import numpy as np

from .masking import FIELD_MASKS, Scrubber, is_personal_field, mask_value, should_mask

LOW_CONFIDENCE = 0.8
CROP_MAX_WIDTH, CROP_MAX_HEIGHT, THUMB_WIDTH = 600, 450, 160
NOT_EVALUATED = "未评估 / not evaluated"
TEMPLATES = Path(__file__).parent / "templates"

KIND_NAMES = {
    "id_card_front": "身份证人像面", "id_card_back": "身份证国徽面",
    "property_certificate": "不动产权证书", "pay_slip": "工资条",
    "income_certificate": "收入证明", "bank_statement": "银行流水", "unknown": "无法识别",
}
FIELD_LABELS = {
    "name": "姓名", "sex": "性别", "ethnicity": "民族", "birth_date": "出生", "address": "住址",
    "id_number": "公民身份号码", "issuing_authority": "签发机关", "valid_from": "有效期起",
    "valid_until": "有效期至", "certificate_number": "证书号", "owners": "权利人",
    "co_ownership": "共有情况", "location": "坐落", "unit_number": "不动产单元号",
    "right_type": "权利类型", "right_nature": "权利性质", "use": "用途", "area": "面积",
    "term": "使用期限", "other_status": "权利其他状况", "notes": "附记", "employer": "单位名称",
    "employee_name": "员工姓名", "period": "期间", "gross_pay": "应发工资",
    "social_insurance": "社保", "housing_fund": "公积金", "income_tax": "个税",
    "other_deductions": "其他扣款", "net_pay": "实发工资", "position": "职位",
    "start_date": "入职时间", "monthly_income": "月收入", "monthly_income_capital": "月收入大写",
    "issue_date": "开具日期", "bank": "银行", "holder_name": "户名", "account_number": "账号",
    "period_start": "起始日期", "period_end": "截止日期", "kind": "材料类型", "file": "文件",
}
PRODUCTS = {"mortgage": "住房按揭贷款", "car_loan": "汽车贷款", "consumer": "个人消费贷款"}
METHODS = {"equal_installment": "等额本息", "equal_principal": "等额本金",
           "interest_only": "按月还息到期还本"}
VERDICTS = {"pass": ("通过", "pass"), "conditional": ("有条件通过", "conditional pass"),
            "reject": ("拒绝", "reject")}
SEVERITIES = {"reject": ("拒绝项", "reject"), "condition": ("附条件项", "condition"),
              "info": ("提示", "info")}


class DataUri(str):
    """An embedded image: printed as is, never scrubbed."""


def render_report(verdict: dict[str, Any], pages: dict[str, list[np.ndarray]], *,
                  reader_role: str = "approver", generated_at: str | None = None) -> str:
    """The report as an HTML string; ``pages`` maps a file name to its page images (BGR)."""
    masked = should_mask(reader_role)
    scrub = Scrubber(known_personal(verdict)) if masked else None
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, finalize=_finalizer(scrub),
                             trim_blocks=True, lstrip_blocks=True)
    images = _Images(pages, _personal_boxes(verdict) if masked else {}, masked)
    when = generated_at or datetime.now().astimezone().isoformat(timespec="seconds")
    return env.get_template("report.html.j2").render(
        **_context(verdict, images, masked), generated_at=when, reader_role=reader_role,
        masked=masked)


def _finalizer(scrub: Scrubber | None) -> Callable[[Any], Any]:
    def finalize(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, DataUri) or scrub is None:
            return value
        return scrub(value if isinstance(value, str) else str(value))
    return finalize


# -- what the template shows ---------------------------------------------------------------

def _context(verdict: dict[str, Any], images: _Images, masked: bool) -> dict[str, Any]:
    app = verdict.get("application") or {}
    loan = app.get("loan") or {}
    ruleset = verdict.get("ruleset") or {}
    findings = verdict.get("findings") or []
    checks = verdict.get("checks") or []
    key = str(verdict.get("verdict", ""))
    zh, en = VERDICTS.get(key, ("未知", key or "unknown"))
    groups = [{"severity": s, "zh": z, "en": e,
               "findings": [_finding(f, images, masked) for f in findings
                            if f.get("severity") == s]} for s, (z, e) in SEVERITIES.items()]
    others = [f for f in findings if f.get("severity") not in SEVERITIES]
    if others:
        groups.append({"severity": "other", "zh": "其他", "en": "other",
                       "findings": [_finding(f, images, masked) for f in others]})
    people = [app.get("applicant") or {}, *(app.get("co_borrowers") or [])]
    return {
        "case_id": verdict.get("case_id") or app.get("case_id") or "—",
        "product": _label(PRODUCTS, app.get("product")),
        "application_date": app.get("application_date") or "—",
        "ruleset": {"name": ruleset.get("name") or "", "version": ruleset.get("version") or "—",
                    "sha": str(ruleset.get("sha256") or "")[:12] or "—"},
        "verdict": {"key": key, "zh": zh, "en": en},
        "counts": {s: len(g["findings"]) for s, g in zip(SEVERITIES, groups, strict=False)},
        "people": [{"role": "申请人 applicant" if i == 0 else "共同借款人 co-borrower",
                    **{k: _show(k, p.get(k), masked) for k in ("name", "id_number", "phone")}}
                   for i, p in enumerate(people) if p],
        "loan": {"amount": _money(loan.get("amount")),
                 "term": f"{loan['term_months']} 个月" if loan.get("term_months") else "—",
                 "rate": _percent(loan.get("annual_rate"), 2),
                 "method": _label(METHODS, loan.get("method"))},
        "figures": _figures(verdict.get("figures") or {}),
        "groups": groups,
        "checks": [{**c, "evaluated": c.get("status") == "evaluated"} for c in checks],
        "not_evaluated": [c for c in checks if c.get("status") != "evaluated"],
        "documents": [_document(d, images, masked) for d in verdict.get("documents") or []],
    }


def _figures(fig: Mapping[str, Any]) -> list[dict[str, Any]]:
    def num(name: str) -> float | None:
        v = fig.get(name)
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    rows = [("monthly_payment", "月供", "monthly payment", _money(num("monthly_payment"))),
            ("monthly_income", "核实月收入", "verified monthly income",
             _money(num("monthly_income"))),
            ("income_ratio", "收入/月供", "income ÷ payment",
             None if num("income_ratio") is None else f"{num('income_ratio'):.2f} 倍"),
            ("debt_ratio", "负债收入比", "debt-to-income", _percent(num("debt_ratio"), 1)),
            ("statement_months", "流水月数", "statement months",
             None if num("statement_months") is None else f"{num('statement_months'):g} 个月"),
            ("salary_credit_average", "流水代发工资月均", "salary credits, monthly average",
             _money(num("salary_credit_average")))]
    return [{"key": k, "zh": zh, "en": en, "value": None if v == "—" else v}
            for k, zh, en, v in rows]


def _finding(f: Mapping[str, Any], images: _Images, masked: bool) -> dict[str, Any]:
    rule = f.get("rule") or {}
    return {
        "code": f.get("code") or "—", "severity": f.get("severity") or "",
        "message": f.get("message") or "", "action": f.get("action") or "",
        "rule": {"id": rule.get("id") or "—", "version": rule.get("version") or "—",
                 "title": rule.get("title") or ""},
        "evidence": [_evidence(e, images, masked) for e in f.get("evidence") or []],
        "trace": _trace(f.get("trace") or [], masked),
    }


def _evidence(e: Mapping[str, Any], images: _Images, masked: bool) -> dict[str, Any]:
    field = str(e.get("field") or "")
    bbox, page = e.get("bbox"), e.get("page")
    crop, note = None, "无位置 / no position"
    if bbox:
        crop = images.crop(str(e.get("file")), page, bbox)
        note = "" if crop else "页面图像缺失 / page image not available"
    conf = e.get("confidence")
    return {"file": e.get("file") or "—", "page": page if page is not None else "—",
            "field": field, "label": _field_label(field),
            "value": _show(field, e.get("value"), masked), "confidence": _conf(conf),
            "low": isinstance(conf, int | float) and conf < LOW_CONFIDENCE,
            "crop": crop, "crop_note": note,
            "redacted": masked and bool(crop) and is_personal_field(field)}


def _trace(steps: list[Any], masked: bool, depth: int = 0) -> list[dict[str, Any]]:
    """The trace flattened to rows, each with its depth in the chain."""
    out: list[dict[str, Any]] = []
    for step in steps:
        if not isinstance(step, Mapping):
            continue
        values = step.get("values") or {}
        made = step.get("derived_by") or {}
        out.append({"depth": depth, "fact": step.get("fact") or "", "alias": step.get("alias"),
                    "pairs": [(k, _show(str(k), v, masked)) for k, v in values.items()],
                    "rule": f"{made['rule']} v{made.get('version', '?')}"
                    if made.get("rule") else ""})
        if depth < 8:
            out += _trace(made.get("from") or [], masked, depth + 1)
    return out


def _document(d: Mapping[str, Any], images: _Images, masked: bool) -> dict[str, Any]:
    kind = str(d.get("kind") or "unknown")
    confidence = d.get("field_confidence") or {}
    fields = [{"name": k, "label": FIELD_LABELS.get(k, ""), "value": _show(k, v, masked),
               "confidence": _conf(confidence.get(k)),
               "low": isinstance(confidence.get(k), int | float)
               and confidence[k] < LOW_CONFIDENCE}
              for k, v in (d.get("fields") or {}).items()]
    return {"file": d.get("file") or "—", "kind": kind, "kind_zh": KIND_NAMES.get(kind, kind),
            "kind_confidence": _conf(d.get("kind_confidence")),
            "kind_low": isinstance(d.get("kind_confidence"), int | float)
            and d["kind_confidence"] < LOW_CONFIDENCE,
            "sha": str(d.get("sha256") or "")[:12] or "—", "rows": d.get("rows"),
            "pages": d.get("pages"), "fields": fields, "problems": d.get("problems") or [],
            "thumb": images.thumbnail(str(d.get("file")))}


# -- formatting ------------------------------------------------------------------------------

def _show(field: str, value: Any, masked: bool) -> str:
    if value is None or value == "":
        return "—"
    if masked and is_personal_field(field):
        return str(mask_value(field, value))
    if isinstance(value, bool):
        return "是 true" if value else "否 false"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _field_label(field: str) -> str:
    if field.startswith("row "):
        return "交易行"
    label = FIELD_LABELS.get(field.rsplit(".", 1)[-1], "")
    return f"申请表{label}" if label and field.startswith(("applicant.", "co_borrower")) else label


def _money(value: Any) -> str:
    return f"{float(value):,.2f} 元" if isinstance(value, int | float) else "—"


def _percent(value: Any, digits: int) -> str | None:
    return f"{float(value) * 100:.{digits}f}%" if isinstance(value, int | float) else None


def _conf(value: Any) -> str:
    return f"{float(value):.2f}" if isinstance(value, int | float) else "—"


def _label(names: Mapping[str, str], key: Any) -> str:
    return f"{names[key]} {key}" if key in names else str(key or "—")


# -- personal data ---------------------------------------------------------------------------

def known_personal(verdict: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Every personal value the case mentions, by field name, for the scrubber."""
    known: dict[str, list[Any]] = {k: [] for k in FIELD_MASKS}
    app = verdict.get("application") or {}
    for person in [app.get("applicant") or {}, *(app.get("co_borrowers") or [])]:
        for k, v in person.items():
            if k in known:
                known[k].append(v)
    for d in verdict.get("documents") or []:
        for k, v in (d.get("fields") or {}).items():
            if k in known:
                known[k].append(v)
    for f in verdict.get("findings") or []:
        for e in f.get("evidence") or []:
            if str(e.get("field")) in known:
                known[str(e["field"])].append(e.get("value"))
    return known


def _personal_boxes(verdict: Mapping[str, Any]) -> dict[tuple[str, int], list[list[int]]]:
    """Boxes of personal fields on each (file, page), to pixelate in images."""
    boxes: dict[tuple[str, int], list[list[int]]] = {}
    for f in verdict.get("findings") or []:
        for e in f.get("evidence") or []:
            if e.get("bbox") and is_personal_field(str(e.get("field"))):
                boxes.setdefault((str(e.get("file")), int(e.get("page") or 1)), []).append(
                    [int(c) for c in e["bbox"]])
    return boxes


# -- images ----------------------------------------------------------------------------------

class _Images:
    def __init__(self, pages: Mapping[str, list[np.ndarray]],
                 redact: dict[tuple[str, int], list[list[int]]], masked: bool) -> None:
        self.pages, self.redact, self.masked = pages, redact, masked

    def _page(self, file: str, page: Any) -> tuple[np.ndarray, int] | None:
        images = self.pages.get(file) or []
        number = int(page) if isinstance(page, int) else (1 if len(images) == 1 else 0)
        if not 1 <= number <= len(images):
            return None
        return _bgr(images[number - 1]), number

    def crop(self, file: str, page: Any, bbox: Any) -> DataUri | None:
        found = self._page(file, page)
        if found is None or len(bbox) != 4:
            return None
        image, number = found
        h, w = image.shape[:2]
        x0, y0, x1, y1 = (int(round(float(c))) for c in bbox)
        x0, x1 = max(0, min(x0, x1)), min(w, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(h, max(y0, y1))
        if x1 <= x0 or y1 <= y0:
            return None
        mx, my = max(30, (x1 - x0) // 4), max(24, y1 - y0)
        cx0, cy0, cx1, cy1 = max(0, x0 - mx), max(0, y0 - my), min(w, x1 + mx), min(h, y1 + my)
        crop = image[cy0:cy1, cx0:cx1].copy()
        for bx0, by0, bx1, by1 in self.redact.get((file, number), []):
            pixelate(crop, bx0 - cx0, by0 - cy0, bx1 - cx0, by1 - cy0)
        scale = min(1.0, CROP_MAX_WIDTH / crop.shape[1], CROP_MAX_HEIGHT / crop.shape[0])
        if scale < 1.0:
            crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)),
                                     max(1, round(crop.shape[0] * scale))),
                              interpolation=cv2.INTER_AREA)
        cv2.rectangle(crop, (round((x0 - cx0) * scale), round((y0 - cy0) * scale)),
                      (round((x1 - cx0) * scale) - 1, round((y1 - cy0) * scale) - 1),
                      (0, 0, 255), 2)
        return _png(crop)

    def thumbnail(self, file: str) -> DataUri | None:
        found = self._page(file, 1)
        if found is None:
            return None
        image = found[0].copy()
        for box in self.redact.get((file, 1), []):
            pixelate(image, *box)
        scale = min(1.0, THUMB_WIDTH / image.shape[1])
        thumb = cv2.resize(image, (max(1, round(image.shape[1] * scale)),
                                   max(1, round(image.shape[0] * scale))),
                           interpolation=cv2.INTER_AREA)
        if self.masked:  # a thumbnail shows the layout, not the text
            thumb = cv2.GaussianBlur(thumb, (0, 0), 2.0)
        return _png(thumb)


def _bgr(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def pixelate(image: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    region = image[y0:y1, x0:x1]
    block = max(6, min(x1 - x0, y1 - y0) // 2)
    small = cv2.resize(region, (max(1, (x1 - x0) // block), max(1, (y1 - y0) // block)),
                       interpolation=cv2.INTER_AREA)
    image[y0:y1, x0:x1] = cv2.resize(small, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)


def _png(image: np.ndarray) -> DataUri:
    ok, data = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
        raise ValueError("PNG encoding failed")
    return DataUri("data:image/png;base64," + base64.b64encode(data.tobytes()).decode("ascii"))
