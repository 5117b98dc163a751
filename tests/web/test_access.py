"""Who sees what, in a real browser: each role lands on its own page and sees only its
navigation; other pages answer 403 with a readable page; the session cookie is HttpOnly
and SameSite=Strict; a call without the page's CSRF token is refused; English on
request; signing out ends the session."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import Person, Service

LANDING = {"intake": ("/intake", ["受理"]), "approver": ("/approver", ["审批"]),
           "compliance": ("/compliance", ["合规"]),
           "admin": ("/intake", ["受理", "审批", "合规"])}


@pytest.mark.parametrize("role", list(LANDING))
def test_each_role_sees_only_its_pages(role: str, person: Any, service: Service) -> None:
    someone: Person = person(f"access-{role}")
    page = someone.sign_in(role)
    path, nav = LANDING[role]
    assert page.url == service.base_url + path
    assert page.locator("nav.nav a").all_inner_texts() == nav
    pages = ("/intake", "/approver", "/compliance")
    allowed = set(pages) if role == "admin" else {path}
    for other in pages:
        response = page.goto(service.base_url + other)
        assert response is not None
        if other in allowed:
            assert response.status == 200, other
        else:
            assert response.status == 403, other
            assert "无权访问" in page.inner_text("h1")
            assert page.locator("a.button").get_attribute("href") == path
            if role == "intake" and other == "/compliance":
                someone.shot("forbidden")


def test_session_cookie_csrf_language_and_sign_out(person: Any, service: Service) -> None:
    someone: Person = person("session")
    page = someone.open("/intake")
    assert "/signin" in page.url  # not signed in: sent to sign in, then back
    page.fill("#api_key", "prk_000000000000_not-a-key")
    page.click("button[type=submit]")
    assert "密钥无效" in page.inner_text(".alert")
    someone.shot("signin-refused")
    page.fill("#api_key", service.keys["system"])
    page.click("button[type=submit]")
    assert "没有网页" in page.inner_text(".alert")  # other systems use the API
    page.fill("#api_key", service.keys["intake"])
    page.click("button[type=submit]")
    page.wait_for_url("**/intake")

    cookie = next(c for c in someone.context.cookies() if c["name"] == "prereview_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert service.keys["intake"] not in cookie["value"]
    assert page.evaluate("() => document.cookie").find("prereview_session") == -1

    # a state-changing call with the cookie but without the page's token is refused
    refused = page.evaluate("""async () => {
        const r = await fetch('/api/v1/cases', {method: 'POST', body: '{}',
                              headers: {'Content-Type': 'application/json'}});
        return [r.status, (await r.json()).code];
    }""")
    assert refused == [403, "auth.csrf"]
    accepted = page.evaluate("""async () => {
        const token = document.querySelector('meta[name=csrf-token]').content;
        const r = await fetch('/api/v1/cases', {method: 'POST', body: '{}',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token}});
        return [r.status, (await r.json()).code];
    }""")
    assert accepted == [422, "case.invalid_application"]  # past the CSRF check

    # English on request, remembered
    page.click("a.lang")
    assert page.locator("nav.nav a").all_inner_texts() == ["Intake"]
    assert page.inner_text("h1") == "Intake: cases"
    someone.shot("english")
    page.goto(service.base_url + "/intake/new")
    assert page.inner_text("h1") == "New case"
    page.click("a.lang")
    assert page.inner_text("h1") == "新建案件"

    page.click("button:has-text('退出')")
    page.wait_for_url("**/signin")
    response = page.goto(service.base_url + "/intake")
    assert response is not None and "/signin" in page.url
