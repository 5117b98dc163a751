"""Compliance's flow in a real browser: the rule files in force, a new draft, the
editor that validates as it saves (file, line, "did you mean"), the scenario tests,
backtest and publish, and the version history."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Person, Service


def test_compliance_edits_a_draft_and_runs_its_tests(person: Any, service: Service) -> None:
    compliance: Person = person("compliance")
    page = compliance.sign_in("compliance")
    assert page.url.endswith("/compliance")
    assert page.locator("nav.nav a").all_inner_texts() == ["合规"]
    assert "prereview-default" in page.inner_text("#live")
    compliance.shot("rules")

    page.click("a[href='/compliance/live/policy.yaml']")
    assert "required_documents" in page.input_value(".editor textarea")
    assert page.locator(".editor textarea").get_attribute("readonly") is not None
    compliance.shot("live-file", full_page=False)

    page.go_back()
    page.click("#new-draft")
    page.wait_for_url("**/compliance/drafts/*")
    page.click("#draft-files a:text-is('checks/income.yaml')")
    page.wait_for_url(lambda url: url.endswith("file=checks/income.yaml"))
    editor = page.locator("#source")
    text = editor.input_value()
    assert "declared_income" in text
    # a misspelt fact name: saved, and the problem named with its line and a suggestion
    editor.fill(text.replace("declared_income", "declared_incme", 1))
    page.click("#save")
    page.wait_for_function("() => document.getElementById('save-state')"
                           ".className.includes('result-bad')")
    problem = page.locator("#problems li").first
    assert "did you mean 'declared_income'" in problem.inner_text()
    assert problem.inner_text().startswith("checks/income.yaml:")
    line = int(problem.get_attribute("data-line") or 0)
    assert line > 0
    assert page.locator(".gutter div.error").first.inner_text() == str(line)
    listed = page.locator("#problems li").count()
    assert listed >= 1 and f"有 {listed} 个问题" in page.inner_text("#save-state")
    page.click("#run-tests")
    page.wait_for_function("() => !document.getElementById('tests-summary')"
                           ".textContent.includes('…')")
    assert "问题" in page.inner_text("#tests-summary")
    compliance.shot("problem")

    # fixed (and a note added, so the draft differs from the live version): valid again,
    # and every scenario test passes
    editor.fill(text.rstrip("\n") + "\n# 2026-11 复核 / reviewed\n")
    page.keyboard.press("Control+s")
    page.wait_for_function("() => document.getElementById('save-state').textContent"
                           ".includes('校验通过')")
    assert page.locator("#problems li").count() == 0
    page.click("#run-tests")
    page.wait_for_function("() => /\\d+ 个通过/.test(document.getElementById('tests-summary')"
                           ".textContent)")
    summary = page.inner_text("#tests-summary")
    assert "0 个失败" in summary, page.inner_text("#tests")
    assert page.locator("#tests .scenario").count() > 5
    compliance.shot("tests")

    # backtest against stored cases, then publish as a new version
    page.click("#run-backtest")
    page.wait_for_function("() => !document.getElementById('backtest-summary')"
                           ".textContent.includes('…')", timeout=120_000)
    compliance.shot("backtest")
    page.fill("#publish-note", "收入规则复核 / income rules reviewed")
    assert "回测" in page.inner_text("#backtest-summary")
    assert "尚未就绪" not in page.inner_text("#backtest-summary")
    page.click("#publish")
    page.wait_for_function("() => !document.getElementById('publish-state')"
                           ".textContent.includes('…')", timeout=120_000)
    assert "已发布" in page.inner_text("#publish-state"), page.inner_text("#publish-state")
    compliance.shot("published")
    page.goto(service.base_url + "/compliance")
    assert "收入规则复核" in page.inner_text("#versions")
    page.goto(service.base_url + "/compliance")
    compliance.shot("history")
