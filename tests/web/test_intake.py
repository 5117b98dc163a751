"""Intake's flow in a real browser: sign in, create a case, drop many files at once,
watch each file's kind as it is read, see what is missing or unreadable and how to fix
it, replace and remove files, start verification and see the verdict."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.web.conftest import Person, Service, drop_files, sample_case


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), "white").save(out, "PNG")
    return out.getvalue()


def test_intake_prepares_and_verifies_a_case(person: Any, service: Service) -> None:
    sample = sample_case("clean_consumer", 4301)
    intake: Person = person("intake")
    page = intake.sign_in("intake")
    assert page.url.endswith("/intake")
    assert page.locator("nav.nav a").all_inner_texts() == ["受理"]
    intake.shot("cases")

    # a new case from the form
    page.click("#new-case")
    app = sample.application
    page.fill("input[name='applicant.name']", app["applicant"]["name"])
    page.fill("input[name='applicant.id_number']", app["applicant"]["id_number"])
    page.fill("input[name='applicant.phone']", app["applicant"]["phone"])
    page.select_option("select[name=product]", app["product"])
    page.fill("input[name='loan.amount']", str(app["loan"]["amount"]))
    page.fill("input[name='loan.term_months']", str(app["loan"]["term_months"]))
    page.fill("input[name='loan.annual_rate']", f"{app['loan']['annual_rate'] * 100:.4g}")
    page.select_option("select[name='loan.method']", app["loan"]["method"])
    page.fill("input[name=application_date]", app["application_date"])
    intake.shot("new-case")
    page.click("#new-case-form button[type=submit]")
    page.wait_for_url("**/intake/cases/*")
    case_id = page.url.rsplit("/", 1)[-1]
    stored = service.api("GET", f"/api/v1/cases/{case_id}", "intake")
    assert stored["application"]["loan"] == app["loan"]
    assert stored["application"]["applicant"]["name"] == app["applicant"]["name"]

    # many files at once: three dropped, one chosen; one is not a document, one is broken
    front, back = sample.files["id_card_front"], sample.files["id_card_back"]
    statement = sample.files["bank_statement"]
    broken = ("statement-copy.pdf", statement[1][: len(statement[1]) // 3])
    drop_files(page, "#dropzone", [front, back, broken])
    page.set_input_files("#file-input", files=[
        {"name": statement[0], "mimeType": "application/pdf", "buffer": statement[1]},
        {"name": "blank.png", "mimeType": "image/png", "buffer": blank_png()}])
    intake.shot("uploading", full_page=False)
    page.wait_for_function("() => document.getElementById('read-progress').textContent"
                           ".includes('5/5')", timeout=90_000)
    kinds = page.locator("#documents tr").all_inner_texts()
    assert any(front[0] in row and "身份证人像面" in row for row in kinds), kinds
    assert any(back[0] in row and "身份证国徽面" in row for row in kinds), kinds
    assert any(statement[0] in row and "银行流水" in row for row in kinds), kinds
    # what is missing and how to supply it; what is unreadable and what to do
    missing = page.locator("#checklist li.missing")
    assert missing.count() == 1 and "工资条" in missing.inner_text()
    assert "请上传工资条或单位开具的收入证明" in missing.inner_text()
    broken_row = page.locator("#documents tr", has_text="statement-copy.pdf")
    assert "attention" in (broken_row.get_attribute("class") or "")
    assert "PDF 已损坏" in broken_row.inner_text()
    blank_row = page.locator("#documents tr", has_text="blank.png")
    assert "无法识别" in blank_row.inner_text()
    intake.shot("missing-and-unreadable")

    # remove the blank page; replace the broken PDF with the pay slip
    page.once("dialog", lambda dialog: dialog.accept())
    blank_row.locator("[data-action=remove]").click()
    page.wait_for_function("() => !document.getElementById('documents').textContent"
                           ".includes('blank.png')")
    slip = sample.files["pay_slip"]
    with page.expect_file_chooser() as chooser:
        broken_row.locator("[data-action=replace]").click()
    chooser.value.set_files(files=[{"name": slip[0], "mimeType": "image/jpeg",
                                    "buffer": slip[1]}])
    page.wait_for_function("() => !document.getElementById('documents').textContent"
                           ".includes('statement-copy.pdf')"
                           " && document.getElementById('read-progress').textContent"
                           ".includes('4/4')", timeout=90_000)
    assert page.locator("#checklist li.present").count() == 4, \
        page.locator("#checklist").inner_text()
    assert "工资条" in page.locator("#documents tr", has_text=slip[0]).inner_text()
    intake.shot("complete")

    # verification, then the verdict
    page.click("#verify")
    page.wait_for_selector("#result:not(.hidden)", timeout=120_000)
    outcome = service.api("GET", f"/api/v1/cases/{case_id}", "intake")["verdict"]
    labels = {"pass": "通过", "conditional": "有条件通过", "reject": "拒绝"}
    assert page.inner_text("#verdict-banner") == labels[outcome]
    assert outcome == sample.expected["verdict"] or outcome == "conditional", outcome
    assert page.inner_text("#case-status") == "已完成"
    intake.shot("verdict")
    page.goto(page.url + "?lang=en")
    page.wait_for_selector("#result:not(.hidden)")
    assert page.inner_text("#case-status") == "done"
    assert page.inner_text("#checklist").count("present") == 4
    intake.shot("verdict-english")


def test_intake_form_explains_a_wrong_application(person: Any, service: Service) -> None:
    intake: Person = person("intake-invalid")
    page = intake.sign_in("intake")
    page.click("#new-case")
    page.fill("input[name='applicant.name']", "张三")
    page.fill("input[name='loan.amount']", "-5")
    page.click("#new-case-form button[type=submit]")
    error = page.locator("#form-error")
    error.wait_for(state="visible")
    assert "公民身份号码：必填" in error.inner_text()
    assert page.locator("input.invalid").count() >= 3  # ID number, amount, term, rate
    assert page.url.endswith("/intake/new")
    intake.shot("invalid")
