"""Sign-in sessions, CSRF, role checks, the rules endpoints and the message catalogue,
tested in-process (no browser): fast checks of what the browser tests rely on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import ServiceSettings
from api.http import create_app
from api.keys import ROLES, create_key, revoke_key
from api.runtime import Runtime, build_runtime
from api.web import session as web_session
from api.web.approver import STATUSES, VERDICTS
from api.web.casestate import METHODS, PRODUCTS
from api.web.evidence import SEVERITIES
from api.web.i18n import MESSAGES
from ocr.types import DocumentKind

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "web" / "templates"
STATIC = TEMPLATES.parent / "static"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    return build_runtime(ServiceSettings(data_dir=tmp_path_factory.mktemp("web-session")),
                         dispatcher="in-process")


@pytest.fixture(scope="module")
def keys(runtime: Runtime) -> dict[str, str]:
    with runtime.sessions() as session:
        return {role: create_key(session, role)
                for role in ("intake", "approver", "compliance", "system")}


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime)) as made:
        yield made


def sign_in(client: TestClient, key: str) -> str:
    """Signs in; returns the page's CSRF token."""
    answer = client.post("/signin", data={"api_key": key}, follow_redirects=True)
    assert answer.status_code == 200, answer.text[:300]
    found = re.search(r'name="csrf-token" content="([^"]+)"', answer.text)
    assert found and found.group(1)
    return found.group(1)


def test_signin_sets_a_strict_httponly_cookie_and_lands_by_role(
        client: TestClient, keys: dict[str, str]) -> None:
    answer = client.post("/signin", data={"api_key": keys["approver"]}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/approver"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert keys["approver"].split("_", 2)[2] not in cookie  # the key's secret never travels
    assert client.get("/", follow_redirects=False).headers["location"] == "/approver"


def test_wrong_keys_and_machine_keys_get_no_session(client: TestClient,
                                                   keys: dict[str, str]) -> None:
    assert client.post("/signin", data={"api_key": "prk_x_y"}).status_code == 401
    refused = client.post("/signin", data={"api_key": keys["system"]})
    assert refused.status_code == 403 and web_session.COOKIE not in refused.cookies


def test_signin_follows_only_local_paths(client: TestClient, keys: dict[str, str]) -> None:
    for target, expected in (("//evil.example/x", "/intake"), ("https://evil.example", "/intake"),
                             ("/intake/new", "/intake/new")):
        answer = client.post("/signin", data={"api_key": keys["intake"], "next": target},
                             follow_redirects=False)
        assert answer.headers["location"] == expected


def test_cookie_calls_need_the_csrf_token_bearer_calls_do_not(
        client: TestClient, keys: dict[str, str]) -> None:
    token = sign_in(client, keys["intake"])
    refused = client.post("/api/v1/cases", json={})
    assert refused.status_code == 403 and refused.json()["code"] == "auth.csrf"
    wrong = client.post("/api/v1/cases", json={}, headers={"X-CSRF-Token": token[:-2] + "xx"})
    assert wrong.status_code == 403
    passed = client.post("/api/v1/cases", json={}, headers={"X-CSRF-Token": token})
    assert passed.json()["code"] == "case.invalid_application"
    assert client.get("/api/v1/cases").status_code == 200  # reading needs no token
    client.cookies.clear()
    bearer = client.post("/api/v1/cases", json={},
                         headers={"Authorization": f"Bearer {keys['intake']}"})
    assert bearer.json()["code"] == "case.invalid_application"


def test_forged_expired_and_revoked_sessions_end(runtime: Runtime, client: TestClient) -> None:
    with runtime.sessions() as session:
        key = create_key(session, "intake")
    sign_in(client, key)
    token = client.cookies[web_session.COOKIE]
    issued = web_session.parse(runtime, token)
    assert issued is not None
    assert web_session.parse(runtime, token, now=issued.expires + 1) is None
    body, _, signature = token.rpartition(".")
    other_key = body.replace(body.split(".")[0], "000000000000")
    assert web_session.parse(runtime, f"{other_key}.{signature}") is None
    assert client.get("/intake").status_code == 200
    with runtime.sessions() as session:
        assert revoke_key(session, key.split("_")[1])
    ended = client.get("/intake", follow_redirects=False)
    assert ended.status_code == 303 and "ended=1" in ended.headers["location"]
    assert client.get("/api/v1/cases").status_code == 401


def test_pages_answer_403_with_a_page_for_other_roles(client: TestClient,
                                                      keys: dict[str, str]) -> None:
    sign_in(client, keys["intake"])
    for path in ("/approver", "/compliance", "/approver/cases/x"):
        page = client.get(path)
        assert page.status_code == 403 and "text/html" in page.headers["content-type"]
        assert "无权访问" in page.text
    english = client.get("/compliance?lang=en")
    assert "Not allowed" in english.text and english.cookies.get("lang") == "en"


def test_rules_endpoints_check_roles_and_report_problems_with_lines(
        client: TestClient, keys: dict[str, str]) -> None:
    def bearer(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {keys[role]}"}

    assert client.get("/api/v1/rules", headers=bearer("intake")).status_code == 403
    assert client.get("/api/v1/rules", headers=bearer("approver")).json()["rules"] > 0
    assert client.post("/api/v1/rules/drafts", headers=bearer("approver")).status_code == 403
    made = client.post("/api/v1/rules/drafts", headers=bearer("compliance"))
    assert made.status_code == 201 and made.json()["valid"] is True
    base = f"/api/v1/rules/drafts/{made.json()['draft_id']}"
    text = client.get(f"{base}/files/policy.yaml", headers=bearer("compliance")).text
    broken = text.replace("income_ratio_min: 2.0", "income_ratio_min: two", 1)
    assert broken != text
    saved = client.put(f"{base}/files/policy.yaml", content=broken.encode(),
                       headers={**bearer("compliance"), "Content-Type": "text/plain"}).json()
    assert saved["saved"] and not saved["valid"]
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if "two" in row)
    assert any(p["file"] == "policy.yaml" and p["line"] == line for p in saved["problems"])
    escape = client.put(f"{base}/files/../../etc/x.yaml", content=b"x",
                        headers={**bearer("compliance"), "Content-Type": "text/plain"})
    assert escape.status_code in (404, 422)
    tests = client.post(f"{base}/test", headers=bearer("compliance")).json()
    assert tests["valid"] is False and tests["problems"]


def test_every_message_has_both_languages_and_every_key_used_exists() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"\{(\w+)\}", zh)) == set(re.findall(r"\{(\w+)\}", en)), key
    used = set()
    for path in TEMPLATES.glob("*.j2"):
        used |= set(re.findall(r"t\('([a-z_.]+)'", path.read_text()))
    for path in STATIC.glob("*.js"):
        used |= set(re.findall(r'msg\("([a-z_.]+)"', path.read_text()))
    used = {k for k in used if not k.endswith(".")}  # prefixes completed at run time:
    used |= {f"verdict.{v}" for v in VERDICTS} | {f"status.{s}" for s in STATUSES}
    used |= {f"product.{p}" for p in PRODUCTS} | {f"method.{m}" for m in METHODS}
    used |= {f"severity.{s}" for s in SEVERITIES} | {f"kind.{k.value}" for k in DocumentKind}
    used |= {f"role.{r}" for r in ROLES}
    assert used and not used - set(MESSAGES), sorted(used - set(MESSAGES))


def test_pages_load_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/signin")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for path in [*TEMPLATES.glob("*.j2"), *STATIC.iterdir()]:
        assert not re.search(r"(src|href)=\"(https?:)?//", path.read_text()), path
        assert "@import" not in path.read_text() and "url(http" not in path.read_text()


def test_a_sign_in_posted_from_another_site_is_refused(client: TestClient,
                                                       keys: dict[str, str]) -> None:
    other = client.post("/signin", data={"api_key": keys["intake"]},
                        headers={"Origin": "http://evil.example"}, follow_redirects=False)
    assert other.status_code == 403 and web_session.COOKIE not in other.cookies
    own = client.post("/signin", data={"api_key": keys["intake"]},
                      headers={"Origin": "https://testserver"}, follow_redirects=False)
    assert own.status_code == 303
