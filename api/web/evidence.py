"""The approver's evidence on the page: each finding's evidence drawn as a box over the
whole page it was read from (the report shows crops; this shows where on the page).

Page images are served masked: the boxes of personal fields read on the page (names,
ID and account numbers, addresses, phones, birth dates) and of personal evidence are
pixelated, as in the report, for every role but those allowed to read unmasked."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import cv2
import numpy as np

from engine.application import Loan
from engine.documents import decode_png
from engine.masking import Scrubber, is_personal_field, mask_value
from engine.payment import schedule
from engine.report import known_personal
from engine.report import pixelate as report_pixelate

from ..db import Case
from ..runtime import Runtime
from .i18n import Translator

SEVERITIES = ("reject", "condition", "info")
LOW_CONFIDENCE = 0.8
SCHEDULE_HEAD = 12  # months shown before "show all"


def findings_by_severity(verdict: Mapping[str, Any], t: Translator,
                         masked: bool = True) -> list[dict[str, Any]]:
    scrub = Scrubber(personal_values(verdict)) if masked else str
    groups = []
    for severity in SEVERITIES:
        found = [f for f in verdict.get("findings") or [] if f.get("severity") == severity]
        groups.append({"severity": severity, "label": t(f"severity.{severity}"),
                       "findings": [_finding(f, scrub) for f in found]})
    return groups


def _finding(f: Mapping[str, Any], scrub: Callable[[str], str]) -> dict[str, Any]:
    evidence = []
    for e in f.get("evidence") or []:
        field = str(e.get("field") or "")
        conf = e.get("confidence")
        bbox = e.get("bbox")
        evidence.append({
            "file": scrub(str(e.get("file") or "")), "raw_file": str(e.get("file") or ""),
            "page": e.get("page") or 1, "field": field,
            "value": scrub(str(_value(field, e.get("value"), scrub) or "—")),
            "bbox": ",".join(str(int(round(float(c)))) for c in bbox) if bbox and len(bbox) == 4
            else "",
            "confidence": f"{float(conf):.2f}" if isinstance(conf, int | float) else "—",
            "low": isinstance(conf, int | float) and conf < LOW_CONFIDENCE})
    rule = f.get("rule") or {}
    return {"code": str(f.get("code") or ""), "severity": str(f.get("severity") or ""),
            "message": scrub(str(f.get("message") or "")),
            "action": scrub(str(f.get("action") or "")),
            "rule": f"{rule.get('id', '—')} v{rule.get('version', '?')}", "evidence": evidence}


def _value(field: str, value: Any, scrub: Callable[[str], str]) -> Any:
    return value if scrub is str else mask_value(field, value)


def figures(verdict: Mapping[str, Any], t: Translator) -> list[dict[str, str | None]]:
    fig = verdict.get("figures") or {}

    def number(name: str) -> float | None:
        value = fig.get(name)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else None

    def money(v: float | None) -> str | None:
        return None if v is None else f"{v:,.2f}"

    ratio, debt = number("income_ratio"), number("debt_ratio")
    rows = [("monthly_payment", money(number("monthly_payment"))),
            ("monthly_income", money(number("monthly_income"))),
            ("income_ratio", None if ratio is None else f"{ratio:.2f} ×"),
            ("debt_ratio", None if debt is None else f"{debt * 100:.1f}%")]
    return [{"key": k, "label": t(f"figure.{k}"), "value": v} for k, v in rows]


def repayment_schedule(application: Mapping[str, Any]
                       ) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Every month of the loan (payment, principal, interest: engine.payment) and the
    totals repaid and paid in interest."""
    try:
        loan = Loan.model_validate(application.get("loan") or {})
    except ValueError:
        return [], {}
    months = schedule(loan)
    rows = [{"month": str(m), "payment": f"{p:,.2f}", "principal": f"{pr:,.2f}",
             "interest": f"{i:,.2f}"} for m, p, pr, i in months]
    totals = {"payment": f"{sum(m[1] for m in months):,.2f}",
              "interest": f"{sum(m[3] for m in months):,.2f}"}
    return rows, totals


# -- page images --------------------------------------------------------------------------

def page_png(rt: Runtime, case: Case, file: str, page: int, masked: bool) -> bytes | None:
    """Page ``page`` of the document read from ``file``, personal fields pixelated."""
    for key in _part_keys(case):
        data = json.loads(rt.store.get(f"{key}/read.json"))
        if data.get("file") != file:
            continue
        name = f"{key}/page-{page}.png"
        if not rt.store.exists(name):
            continue
        if not masked:
            return rt.store.get(name)
        image = decode_png(rt.store.get(name))
        if image is None:
            return None
        boxes = list(_personal_boxes(data.get("fields") or {}, page))
        boxes += _evidence_boxes(case.verdict or {}, file, page)
        for box in boxes:
            pixelate(image, *box)
        ok, encoded = cv2.imencode(".png", image)
        return encoded.tobytes() if ok else None
    return None


def _part_keys(case: Case) -> Iterable[str]:
    for document in case.documents:
        for part in (document.kinds or {}).get("parts", []):
            if part.get("key"):
                yield str(part["key"])


def _personal_boxes(fields: Mapping[str, Any], page: int) -> Iterable[tuple[int, ...]]:
    for name, field in fields.items():
        if is_personal_field(name) and field.get("bbox") and field.get("page", 1) == page:
            yield tuple(int(c) for c in field["bbox"])


def _evidence_boxes(verdict: Mapping[str, Any], file: str, page: int) -> list[tuple[int, ...]]:
    return [tuple(int(c) for c in e["bbox"]) for f in verdict.get("findings") or []
            for e in f.get("evidence") or []
            if e.get("bbox") and e.get("file") == file and int(e.get("page") or 1) == page
            and is_personal_field(str(e.get("field")))]


def pixelate(image: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """As the report does, with 2 px more around the box (full pages are larger)."""
    report_pixelate(image, x0 - 2, y0 - 2, x1 + 2, y1 + 2)


personal_values = known_personal  # every personal value a verdict mentions
