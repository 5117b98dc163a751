"""The approver's flow in a real browser: the case list with filters and search, the
report (verdict banner, findings, documents), the evidence drawn on the page image,
the figures with the repayment schedule, print and PDF; personal data masked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.web.conftest import Person, Service


def test_approver_finds_a_case_and_reads_its_report(person: Any, service: Service,
                                                    verified_case: dict[str, Any]) -> None:
    case_id = verified_case["case_id"]
    verdict = verified_case["verdict"]
    assert verdict["verdict"] == "reject", verdict["findings"]
    approver: Person = person("approver")
    page = approver.sign_in("approver")
    assert page.url.endswith("/approver")
    assert page.locator("nav.nav a").all_inner_texts() == ["审批"]
    assert page.locator(f"tr[data-case-id='{case_id}']").count() == 1
    approver.shot("case-list")

    # filters: a verdict that is not this case's hides it; its own verdict and the id find it
    page.select_option("select[name=verdict]", "pass")
    page.click("#filters button[type=submit]")
    assert page.locator(f"tr[data-case-id='{case_id}']").count() == 0
    page.select_option("select[name=verdict]", "reject")
    page.fill("input[name=q]", case_id[-6:])
    page.click("#filters button[type=submit]")
    assert page.locator("#case-list tbody tr").count() == 1
    approver.shot("filtered")

    page.click(f"a[href='/approver/cases/{case_id}']")
    page.wait_for_load_state("networkidle")
    assert "拒绝" in page.inner_text("#verdict-banner")
    report = page.frame_locator("#report-frame")
    assert "拒绝" in report.locator(".banner").inner_text()
    codes = {f["code"] for f in verdict["findings"]}
    assert "fraud.balance_chain_broken" in codes
    body = report.locator("body").inner_text()
    for code in codes:
        assert code in body
    applicant = verified_case["application"]["applicant"]
    assert applicant["id_number"] not in body, "the report shows an unmasked ID number"
    assert applicant["id_number"][:6] + "********" in body
    approver.shot("report")

    # evidence on the page: the page image loads and the box is placed over it
    page.click(".tabs button[data-tab=evidence]")
    view = page.locator("#tab-evidence .pageview").first
    view.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#tab-evidence .pageview')"
                           ".dataset.placed === '1'")
    box = view.locator(".hl").bounding_box()
    frame = view.bounding_box()
    assert box and frame and box["width"] > 5 and box["height"] > 3
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    assert applicant["id_number"] not in page.inner_text("#tab-evidence")
    approver.shot("evidence")
    view.click()
    page.wait_for_timeout(300)
    approver.shot("evidence-zoomed", full_page=False)
    view.click()

    # figures and the schedule: as many months as the loan's term
    page.click(".tabs button[data-tab=figures]")
    term = verified_case["application"]["loan"]["term_months"]
    payment = f"{verdict['figures']['monthly_payment']:,.2f}"
    assert payment in page.inner_text("[data-figure=monthly_payment]")
    approver.shot("figures")
    page.click("#show-schedule")
    assert page.locator("#schedule tbody tr:visible").count() == term
    approver.shot("schedule-all", full_page=False)

    # printing prints the report itself (the frame), not the page around it
    page.click(".tabs button[data-tab=report]")
    page.evaluate("() => { const w = document.getElementById('report-frame').contentWindow;"
                  " w.print = () => { w.printed = true; }; }")
    page.click("#print-report")
    assert page.evaluate("() => document.getElementById('report-frame')"
                         ".contentWindow.printed === true")

    # PDF download
    with page.expect_download() as download:
        page.click("#download-pdf")
    pdf = download.value.path()
    assert pdf is not None and Path(pdf).read_bytes()[:5] == b"%PDF-"

    # the page around the report in English
    page.goto(f"{service.base_url}/approver/cases/{case_id}?lang=en")
    assert page.locator(".tabs button").all_inner_texts() == [
        "Report", "Evidence on the page", "Figures and repayment schedule"]
    assert page.inner_text("#verdict-banner").startswith("Verdict: reject")
    approver.shot("english", full_page=False)
