"""The approver's report (engine.report) and personal-data masking (engine.masking)."""

from __future__ import annotations

import base64
import re
from typing import Any

import cv2
import numpy as np
import pytest

from engine.masking import (
    UNMASKED_ROLES,
    Scrubber,
    mask_account,
    mask_address,
    mask_birth_date,
    mask_fields,
    mask_id_number,
    mask_name,
    mask_owners,
    mask_phone,
    scrub_text,
    should_mask,
)
from engine.report import render_report

ID = "110105199003071234"
ACCOUNT = "6222021234567890123"
NAME, CO_OWNER = "张三丰", "李四"
PHONE = "13812345678"
ADDRESS = "北京市朝阳区建国路88号院3号楼"


# -- masking ---------------------------------------------------------------------------------

def test_mask_id_number() -> None:
    assert mask_id_number(ID) == "110105********1234"
    assert mask_id_number("11010519900307002X") == "110105********002X"


def test_mask_account() -> None:
    assert mask_account(ACCOUNT) == "6222 **** **** *** 0123"
    assert mask_account("6222 0212 3456 7890") == "6222 **** **** 7890"


def test_mask_name_and_phone() -> None:
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_phone("13800000000") == "138****0000"
    assert mask_owners("张三丰、李四") == "张*丰、李*"


@pytest.mark.parametrize("address, masked", [
    ("北京市朝阳区建国路88号", "北京市朝阳区******"),
    ("广西壮族自治区南宁市青秀区民族大道1号", "广西壮族自治区南宁市青秀区******"),
    ("江苏省昆山市玉山镇幸福小区3栋", "江苏省昆山市******"),
    ("某某路1号", "******"),
])
def test_mask_address(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_mask_fields_keeps_location_and_non_personal() -> None:
    fields = {"owners": "张三丰、李四", "location": "北京市朝阳区建国路88号", "area": "89.50",
              "id_number": ID, "account_number": ACCOUNT, "holder_name": NAME,
              "address": ADDRESS, "birth_date": "1990-03-07", "net_pay": "8500.00"}
    out = mask_fields("property_certificate", fields)
    assert out["owners"] == "张*丰、李*"
    assert out["location"] == fields["location"]
    assert out["area"] == "89.50" and out["net_pay"] == "8500.00"
    assert out["id_number"] == "110105********1234"
    assert out["account_number"] == "6222 **** **** *** 0123"
    assert out["holder_name"] == "张*丰"
    assert out["address"] == "北京市朝阳区******"
    assert out["birth_date"] == mask_birth_date("1990-03-07") == "1990-**-**"
    assert fields["owners"] == "张三丰、李四"  # pure: the input is untouched


def test_scrub_text_masks_numbers_in_free_text() -> None:
    text = f"身份证{ID}，卡号6222 0212 3456 7890 123，账户{ACCOUNT}，电话{PHONE}，金额12000.00元"
    out = scrub_text(text)
    assert ID not in out and ACCOUNT not in out and PHONE not in out
    assert "6222 0212 3456 7890 123" not in out
    assert "110105********1234" in out and "138****5678" in out and "12000.00" in out


def test_scrubber_masks_known_names() -> None:
    scrub = Scrubber({"name": [NAME], "owners": [f"{NAME}、{CO_OWNER}"]})
    assert scrub(f"权利人{NAME}与{CO_OWNER}共同共有") == "权利人张*丰与李*共同共有"


def test_roles() -> None:
    assert set(UNMASKED_ROLES) == {"admin"}
    assert should_mask("approver") and should_mask("compliance") and should_mask("intake")
    assert should_mask("") and should_mask(None) and not should_mask("admin")


# -- the report ------------------------------------------------------------------------------

def _page(width: int, height: int, lines: list[tuple[str, tuple[int, int]]]) -> np.ndarray:
    img = np.full((height, width, 3), 255, np.uint8)
    cv2.rectangle(img, (5, 5), (width - 6, height - 6), (120, 120, 120), 2)
    for text, (x, y) in lines:
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
    return img


def _pages() -> dict[str, list[np.ndarray]]:
    return {
        "IMG_0001.jpg": [_page(856, 540, [("NAME ZHANG", (60, 100)), (ID, (300, 460))])],
        "payslip.png": [_page(1240, 1754, [("NET PAY 8500.00", (100, 600)),
                                            ("GROSS 11000.00", (100, 540))])],
        "statement.pdf": [_page(1240, 1754, [(ACCOUNT, (120, 200))]),
                          _page(1240, 1754, [("2026-09-15 SALARY 8400.00", (100, 800))])],
        "property.jpg": [np.full((900, 1300), 230, np.uint8)],  # greyscale works too
    }


def _verdict() -> dict[str, Any]:
    evidence_net = {"file": "payslip.png", "page": 1, "field": "net_pay", "value": "8500.00",
                    "bbox": [90, 570, 420, 610], "confidence": 0.93}
    return {
        "case_id": "2026-000123", "verdict": "reject",
        "application": {
            "case_id": "2026-000123", "product": "mortgage", "application_date": "2026-11-01",
            "applicant": {"name": NAME, "id_number": ID, "phone": PHONE},
            "loan": {"amount": 1000000, "term_months": 360, "annual_rate": 0.0385,
                     "method": "equal_installment"},
            "co_borrowers": []},
        "findings": [
            {"code": "income.ratio_below_min", "severity": "reject",
             "message": "核实月收入 8500.0 元为月供 4636.67 元的 1.83 倍，低于 2.0 倍",
             "action": "补充其他稳定收入证明",
             "rule": {"id": "income.ratio_below_min.reject", "version": 1,
                      "title": "收入远低于月供"},
             "evidence": [evidence_net],
             "trace": [{"alias": "cover", "fact": "income_coverage", "id": "income_coverage",
                        "values": {"ratio": 1.83, "monthly_income": 8500.0},
                        "derived_by": {"rule": "income.coverage_ratio", "version": 1, "from": [
                            {"alias": "income", "fact": "verified_income", "values": {
                                "amount": 8500.0, "source": "pay_slip"}}]}}]},
            {"code": "owner.co_owner_consent_missing", "severity": "condition",
             "message": f"房产为{NAME}与{CO_OWNER}共同共有，缺少共有人同意",
             "action": f"请{CO_OWNER}签署共有产权人同意书",
             "rule": {"id": "owner.co_owner_consent_missing", "version": 2, "title": "共有人同意"},
             "evidence": [{"file": "property.jpg", "page": 1, "field": "owners",
                           "value": f"{NAME}、{CO_OWNER}", "bbox": [200, 300, 600, 350],
                           "confidence": 0.71}],
             "trace": [{"fact": "property", "values": {"co_owned": True, "owner_count": 2}}]},
            {"code": "fraud.id_number_invalid", "severity": "reject",
             "message": f"身份证号 {ID} 校验位不符；账户 {ACCOUNT}",
             "action": "核实身份证原件",
             "rule": {"id": "fraud.id_number_invalid", "version": 1, "title": "身份证号校验"},
             "evidence": [{"file": "IMG_0001.jpg", "page": 1, "field": "id_number", "value": ID,
                           "bbox": [290, 430, 800, 470], "confidence": 0.88},
                          {"file": "case.json", "page": None, "field": "applicant.id_number",
                           "value": ID, "bbox": None, "confidence": None}],
             "trace": [{"fact": "id_number", "values": {"number": ID, "check_ok": False}}]},
            {"code": "info.statement_source", "severity": "info", "message": "流水为电子版 PDF",
             "action": "", "rule": {"id": "info.statement", "version": 1, "title": "流水来源"},
             "evidence": [{"file": "statement.pdf", "page": 2, "field": "row 2026-09-15 代发工资",
                           "value": "8400.00", "bbox": [90, 770, 700, 810], "confidence": 1.0}],
             "trace": []},
        ],
        "figures": {"monthly_payment": 4636.67, "monthly_income": 8500.0, "income_ratio": 1.83,
                    "debt_ratio": None, "statement_months": 6},
        "checks": [
            {"check": "income.coverage", "title": "收入覆盖月供", "status": "evaluated",
             "reason": ""},
            {"check": "income.debt_burden", "title": "负债收入比", "status": "not_evaluated",
             "reason": "no debt_burden could be established"},
        ],
        "documents": [
            {"file": "IMG_0001.jpg", "kind": "id_card_front", "kind_confidence": 0.97,
             "fields": {"name": NAME, "id_number": ID, "address": ADDRESS,
                        "birth_date": "1990-03-07"},
             "field_confidence": {"name": 0.95, "id_number": 0.88, "address": 0.62,
                                  "birth_date": 0.9},
             "rows": 0, "problems": [], "sha256": "ab" * 32},
            {"file": "statement.pdf", "kind": "bank_statement", "kind_confidence": 0.99,
             "fields": {"holder_name": NAME, "account_number": ACCOUNT, "bank": "中国工商银行"},
             "field_confidence": {"holder_name": 1.0, "account_number": 1.0, "bank": 1.0},
             "rows": 42, "problems": [], "sha256": "cd" * 32},
            {"file": "property.jpg", "kind": "property_certificate", "kind_confidence": 0.9,
             "fields": {"owners": f"{NAME}、{CO_OWNER}", "location": "北京市朝阳区建国路88号"},
             "field_confidence": {"owners": 0.71, "location": 0.9},
             "rows": 0, "problems": [{"code": "read.low_contrast",
                                      "message": f"图像对比度低（持有人 {NAME}）"}],
             "sha256": "ef" * 32},
            {"file": "payslip.png", "kind": "pay_slip", "kind_confidence": 0.95,
             "fields": {"employee_name": NAME, "net_pay": "8500.00"},
             "field_confidence": {"employee_name": 0.9, "net_pay": 0.93},
             "rows": 0, "problems": [], "sha256": "12" * 32},
            {"file": "scan.tif", "kind": "unknown", "kind_confidence": 0.2, "fields": {},
             "field_confidence": {}, "rows": 0,
             "problems": [{"code": "read.unreadable", "message": "无法识别"}], "sha256": "34" * 32},
        ],
        "ruleset": {"name": "prereview-default", "version": "2026.11.1", "sha256": "f" * 64},
    }


@pytest.fixture(scope="module")
def approver_html() -> str:
    return render_report(_verdict(), _pages(), generated_at="2026-11-02T09:00:00+08:00")


@pytest.fixture(scope="module")
def admin_html() -> str:
    return render_report(_verdict(), _pages(), reader_role="admin",
                         generated_at="2026-11-02T09:00:00+08:00")


def _crops(html: str) -> dict[str, np.ndarray]:
    """Each evidence crop, by the evidence's field name."""
    found = re.findall(r'<img class="crop" src="data:image/png;base64,([A-Za-z0-9+/=]+)" '
                       r'alt="证据截图 evidence crop: ([^"]+)"', html)
    return {field: cv2.imdecode(np.frombuffer(base64.b64decode(u), np.uint8), cv2.IMREAD_COLOR)
            for u, field in found}


def test_banner_and_header(approver_html: str) -> None:
    assert 'class="banner reject"' in approver_html
    assert "预审结论：拒绝" in approver_html
    assert "2026-000123" in approver_html and "2026-11-01" in approver_html
    assert "2026-11-02T09:00:00+08:00" in approver_html
    assert "2026.11.1" in approver_html
    assert f"sha256 {'f' * 12}</span>" in approver_html  # the short hash
    assert "住房按揭贷款" in approver_html and "等额本息" in approver_html


@pytest.mark.parametrize("verdict, label", [("pass", "通过"), ("conditional", "有条件通过")])
def test_other_banners(verdict: str, label: str) -> None:
    v = _verdict() | {"verdict": verdict}
    html = render_report(v, {})
    assert f'class="banner {verdict}"' in html and f"预审结论：{label}" in html


def test_every_finding_and_rule_shown(approver_html: str) -> None:
    for f in _verdict()["findings"]:
        assert f["code"] in approver_html
        assert f["rule"]["id"] in approver_html
    assert "income.coverage_ratio v1" in approver_html  # the trace's derived-by rule
    assert "verified_income" in approver_html


def test_one_crop_per_evidence_with_bbox(approver_html: str) -> None:
    with_bbox = [e for f in _verdict()["findings"] for e in f["evidence"] if e["bbox"]]
    crops = _crops(approver_html)
    assert len(crops) == len(with_bbox) == 4
    assert set(crops) == {e["field"] for e in with_bbox}
    for crop in crops.values():
        assert crop is not None and crop.shape[1] <= 600
        red = (crop[:, :, 2] > 200) & (crop[:, :, 0] < 60) & (crop[:, :, 1] < 60)
        assert red.sum() > 50  # the bbox is outlined in red
    assert approver_html.count('<img class="thumb"') == 4  # every document with an image


def test_personal_data_masked_for_approver(approver_html: str) -> None:
    for secret in (ID, ACCOUNT, NAME, CO_OWNER, PHONE, ADDRESS, "1990-03-07",
                   "6222 0212 3456 7890 123", "199003071234"):
        assert secret not in approver_html, secret
    assert "110105********1234" in approver_html
    assert "6222 **** **** *** 0123" in approver_html
    assert "张*丰" in approver_html and "李*" in approver_html
    assert "北京市朝阳区建国路88号" in approver_html  # the collateral's location is kept


def test_personal_data_shown_to_admin(admin_html: str) -> None:
    assert ID in admin_html and ACCOUNT in admin_html and NAME in admin_html
    assert "未脱敏" in admin_html


def test_personal_fields_pixelated_in_crops(approver_html: str, admin_html: str) -> None:
    masked, plain = _crops(approver_html), _crops(admin_html)
    assert np.array_equal(masked["net_pay"], plain["net_pay"])  # nothing personal
    assert not np.array_equal(masked["id_number"], plain["id_number"])  # pixelated
    assert "personal data pixelated" in approver_html


def test_not_evaluated_checks_and_figures(approver_html: str) -> None:
    assert "未评估检查 checks not evaluated 1" in approver_html
    assert re.search(r"未评估</span> 负债收入比", approver_html)
    assert re.search(r"负债收入比 <span class=\"en\">debt-to-income</span></th>\s*<td><span "
                     r"class=\"na\">未评估 / not evaluated", approver_html)
    assert "0.0%" not in approver_html
    assert "4,636.67 元" in approver_html and "1.83 倍" in approver_html


def test_documents_kinds_and_low_confidence(approver_html: str) -> None:
    for zh in ("身份证人像面", "银行流水", "不动产权证书", "工资条", "无法识别"):
        assert zh in approver_html
    assert "0.62 低 low" in approver_html and "0.71 低 low" in approver_html
    assert "read.unreadable" in approver_html


def test_offline_and_escaped() -> None:
    v = _verdict()
    v["findings"][0]["message"] = '<script>alert(1)</script> see https://evil.example/x'
    html = render_report(v, _pages())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert not re.search(r"https?://", render_report(_verdict(), _pages()))
    assert "@page" in html and "print-color-adjust: exact" in html


def test_missing_pieces_do_not_break() -> None:
    v = {"case_id": "x", "verdict": "pass", "findings": [], "figures": {}, "documents": [],
         "ruleset": {}}
    html = render_report(v, {})
    assert "预审结论：通过" in html
    assert html.count("未评估 / not evaluated") == 6
    bad = _verdict()
    bad["findings"][0]["evidence"][0]["bbox"] = [5000, 5000, 6000, 6000]  # off the page
    assert len(_crops(render_report(bad, _pages()))) == 3
