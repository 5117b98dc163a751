"""The full-page evidence view serves page images with personal fields pixelated,
and the figures and schedule it shows come from the engine's payment rules."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import cv2
import numpy as np
import pytest

from api.web import evidence
from api.web.i18n import Translator
from storage.local import LocalStore

KEY = "cases/C1/documents/abc"
ID_BOX = [40, 30, 260, 60]  # personal: pixelated
EMPLOYER_BOX = [40, 100, 260, 130]  # not personal: kept


def _case(store: LocalStore, tmp: Path) -> Any:
    rng = np.random.default_rng(7)
    image = rng.integers(0, 255, (200, 320, 3), dtype=np.uint8)
    store.put_at(f"{KEY}/page-1.png", cv2.imencode(".png", image)[1].tobytes(), "image/png")
    fields = {"id_number": {"name": "id_number", "value": "110105199003071234", "page": 1,
                            "bbox": ID_BOX, "confidence": 0.9},
              "employer": {"name": "employer", "value": "某某公司", "page": 1,
                           "bbox": EMPLOYER_BOX, "confidence": 0.9}}
    store.put_at(f"{KEY}/read.json", json.dumps({"file": "slip.jpg", "fields": fields}).encode(),
                 "application/json")
    document = SimpleNamespace(kinds={"parts": [{"key": KEY, "kind": "pay_slip"}]})
    return SimpleNamespace(documents=[document], verdict={}), image


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "objects")


def test_personal_fields_are_pixelated_and_the_rest_kept(store: LocalStore,
                                                        tmp_path: Path) -> None:
    case, original = _case(store, tmp_path)
    rt = SimpleNamespace(store=store)
    masked = evidence.page_png(rt, case, "slip.jpg", 1, masked=True)  # type: ignore[arg-type]
    assert masked is not None
    shown = cv2.imdecode(np.frombuffer(masked, np.uint8), cv2.IMREAD_COLOR)
    x0, y0, x1, y1 = ID_BOX
    assert not np.array_equal(shown[y0:y1, x0:x1], original[y0:y1, x0:x1])
    assert len(np.unique(shown[y0:y1, x0:x1].reshape(-1, 3), axis=0)) < 80  # blocks, not text
    x0, y0, x1, y1 = EMPLOYER_BOX
    assert np.array_equal(shown[y0:y1, x0:x1], original[y0:y1, x0:x1])
    plain = evidence.page_png(rt, case, "slip.jpg", 1, masked=False)  # type: ignore[arg-type]
    assert plain == store.get(f"{KEY}/page-1.png")
    assert evidence.page_png(rt, case, "other.jpg", 1, masked=True) is None  # type: ignore[arg-type]
    assert evidence.page_png(rt, case, "slip.jpg", 2, masked=True) is None  # type: ignore[arg-type]


def test_findings_are_grouped_and_personal_values_masked() -> None:
    verdict = {
        "application": {"applicant": {"name": "张三丰", "id_number": "110105199003071234"}},
        "findings": [
            {"code": "identity.name_mismatch", "severity": "condition",
             "message": "工资条姓名 张三风 与身份证 张三丰 不一致", "action": "核对",
             "evidence": [{"file": "a.jpg", "page": 1, "field": "id_number",
                           "value": "110105199003071234", "bbox": [1, 2, 30, 40],
                           "confidence": 0.5}]},
            {"code": "fraud.pdf_edited", "severity": "reject", "message": "edited",
             "evidence": []}]}
    groups = evidence.findings_by_severity(verdict, Translator("zh"))
    assert [g["severity"] for g in groups] == ["reject", "condition", "info"]
    condition = groups[1]["findings"][0]
    assert "张三丰" not in condition["message"] and "张*丰" in condition["message"]
    assert condition["evidence"][0]["value"] == "110105********1234"
    assert condition["evidence"][0]["bbox"] == "1,2,30,40" and condition["evidence"][0]["low"]
    plain = evidence.findings_by_severity(verdict, Translator("zh"), masked=False)
    assert plain[1]["findings"][0]["evidence"][0]["value"] == "110105199003071234"


def test_the_schedule_has_every_month_and_adds_up() -> None:
    app = {"loan": {"amount": 120000, "term_months": 12, "annual_rate": 0.06,
                    "method": "equal_principal"}}
    rows, totals = evidence.repayment_schedule(app)
    assert len(rows) == 12 and rows[0]["principal"] == "10,000.00"
    assert rows[0]["payment"] == "10,600.00" and rows[-1]["payment"] == "10,050.00"
    assert totals["interest"] == "3,900.00"
    assert evidence.repayment_schedule({"loan": {"amount": -1}}) == ([], {})
