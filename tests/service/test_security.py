"""Keys, roles, upload limits and broken files, embedded profile."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import pikepdf
import pytest
from PIL import Image

from api.keys import create_key, revoke_key

from .conftest import embedded_settings, make_stack
from .helpers import (
    PROBLEM,
    CaseFiles,
    Stack,
    bearer,
    case_files,
    sha256,
    submit,
    wait_until_finished,
)

CALLS = {  # name -> (method, path template); {done} is a finished case, {scratch} a new one
    "create": ("POST", "/api/v1/cases"),
    "upload": ("POST", "/api/v1/cases/{scratch}/documents"),
    "verify": ("POST", "/api/v1/cases/{scratch}/verify"),
    "read_case": ("GET", "/api/v1/cases/{done}"),
    "verdict": ("GET", "/api/v1/cases/{done}/verdict"),
    "report": ("GET", "/api/v1/cases/{done}/report"),
}
# What each role may do, as the issue says it (intake cannot read verdicts or reports,
# approvers cannot create cases, compliance cannot read cases).
ALLOWED = {
    "intake": {"create", "upload", "verify", "read_case"},
    "approver": {"read_case", "verdict", "report"},
    "compliance": set(),
    "system": {"create", "upload", "verify", "read_case", "verdict"},
    "admin": set(CALLS),
}


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def done_case(embedded: Stack) -> str:
    """A finished case with one small file (reads at once)."""
    files = CaseFiles(case_files().application, [("blank.png", tiny_png())])
    case_id = submit(embedded, files)
    final = wait_until_finished(embedded.client, case_id, embedded.keys["admin"])
    assert final["status"] == "done", final
    return case_id


def call(stack: Stack, name: str, key: str | None, done: str, scratch: str) -> Any:
    method, template = CALLS[name]
    url = template.format(done=done, scratch=scratch)
    headers = bearer(key) if key else {}
    if name == "create":
        return stack.client.post(url, json=case_files().application, headers=headers)
    if name == "upload":
        return stack.client.post(url, files=[("files", ("a.png", tiny_png()))], headers=headers)
    return stack.client.request(method, url, headers=headers)


def new_case(stack: Stack) -> str:
    made = stack.client.post("/api/v1/cases", json=case_files().application,
                             headers=stack.headers("admin"))
    assert made.status_code == 201
    return str(made.json()["case_id"])


def assert_problem(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["code"] == code


@pytest.mark.parametrize("name", sorted(CALLS))
def test_no_key_is_401(embedded: Stack, done_case: str, name: str) -> None:
    answer = call(embedded, name, None, done_case, done_case)
    assert_problem(answer, 401, "auth.unauthorized")
    assert answer.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("key", ["prk_000000000000_nothing", "prk_bad", "not-a-key", ""])
def test_an_unknown_key_is_401(embedded: Stack, done_case: str, key: str) -> None:
    answer = embedded.client.get(f"/api/v1/cases/{done_case}",
                                 headers={"Authorization": f"Bearer {key}"})
    assert_problem(answer, 401, "auth.unauthorized")


def test_a_revoked_key_is_401_at_once(embedded: Stack, done_case: str) -> None:
    with embedded.runtime.sessions() as session:
        key = create_key(session, "approver")
    url = f"/api/v1/cases/{done_case}"
    assert embedded.client.get(url, headers=bearer(key)).status_code == 200
    with embedded.runtime.sessions() as session:
        assert revoke_key(session, key.split("_")[1])
    assert_problem(embedded.client.get(url, headers=bearer(key)), 401, "auth.unauthorized")


def test_a_wrong_secret_for_a_known_key_is_401(embedded: Stack, done_case: str) -> None:
    key_id = embedded.keys["admin"].split("_")[1]
    answer = embedded.client.get(f"/api/v1/cases/{done_case}",
                                 headers=bearer(f"prk_{key_id}_wrong-secret"))
    assert_problem(answer, 401, "auth.unauthorized")


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_may_do_only_its_calls(embedded: Stack, done_case: str, role: str) -> None:
    for name in sorted(CALLS):
        answer = call(embedded, name, embedded.keys[role], done_case, new_case(embedded))
        if name in ALLOWED[role]:
            assert 200 <= answer.status_code < 300, f"{role} {name}: {answer.text[:300]}"
        else:
            assert_problem(answer, 403, "auth.forbidden")


# -- upload limits --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    settings = embedded_settings(tmp_path_factory.mktemp("limited"), max_upload_mb=1,
                                 max_pages=2, max_pixels=1_000_000)
    yield from make_stack(settings)


def pdf_with_pages(count: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(count):
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def png_of(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, "PNG")
    return out.getvalue()


TOO_MUCH = {
    "size": (b"\xff\xd8\xff\xe0" + os.urandom(1_200_000), 413, "upload.too_large"),
    "pages": (pdf_with_pages(3), 413, "upload.too_large"),
    "pixels": (png_of(1100, 1000), 413, "upload.too_large"),
    "not_an_image": (b"just some text, named like a photo\n" * 20, 415,
                     "upload.unsupported_type"),
}


@pytest.mark.parametrize("what", sorted(TOO_MUCH))
def test_uploads_over_the_limits_are_refused(limited: Stack, what: str) -> None:
    data, status, code = TOO_MUCH[what]
    case_id = new_case(limited)
    url = f"/api/v1/cases/{case_id}/documents"
    answer = limited.client.post(url, files=[("files", ("photo.jpg", data))],
                                 headers=limited.headers("intake"))
    assert_problem(answer, status, code)
    case = limited.client.get(f"/api/v1/cases/{case_id}", headers=limited.headers("intake"))
    assert case.json()["documents"] == []
    assert not limited.runtime.store.exists(f"original/{sha256(data)[:2]}/{sha256(data)}")


def test_files_within_the_limits_pass(limited: Stack) -> None:
    case_id = new_case(limited)
    answer = limited.client.post(
        f"/api/v1/cases/{case_id}/documents", headers=limited.headers("intake"),
        files=[("files", ("a.pdf", pdf_with_pages(2))), ("files", ("b.png", png_of(1000, 1000)))])
    assert answer.status_code == 201, answer.text


# -- broken files ---------------------------------------------------------------------------

def broken_files(quick: CaseFiles) -> list[tuple[str, bytes]]:
    jpeg = next(d for n, d in quick.files if d[:3] == b"\xff\xd8\xff")
    pdf = next(d for n, d in quick.files if d[:5] == b"%PDF-")
    corrupt = jpeg[:600] + bytes(b ^ 0x5A for b in jpeg[600:4000])  # header kept, data garbled
    return [("IMG_0420.jpg", corrupt), ("statement.pdf", pdf[: len(pdf) // 3])]


def test_a_corrupt_jpeg_and_a_truncated_pdf_are_kept_and_reported(
        embedded: Stack, quick_case: CaseFiles) -> None:
    files = broken_files(quick_case)
    case_id = submit(embedded, CaseFiles(quick_case.application, files))
    final = wait_until_finished(embedded.client, case_id, embedded.keys["admin"])
    assert final["status"] == "done", final["error"]
    for _, data in files:
        key = f"original/{sha256(data)[:2]}/{sha256(data)}"
        assert embedded.runtime.store.get(key) == data
    verdict = embedded.client.get(f"/api/v1/cases/{case_id}/verdict",
                                  headers=embedded.headers("approver")).json()
    unreadable = [f for f in verdict["findings"] if f["code"] == "document.unreadable"]
    named = {e["file"] for f in unreadable for e in f["evidence"]}
    assert named == {name for name, _ in files}, verdict["findings"]

