"""Callbacks in the embedded profile (threads and timers, no broker): signed with the
secret kept in the data dir, retried with back-off until the receiver says 2xx."""

from __future__ import annotations

import io
import itertools
import json

import pytest
from PIL import Image

from .conftest import embedded_settings, make_stack
from .helpers import (
    CallbackReceiver,
    CaseFiles,
    case_files,
    finished,
    signature_ok,
    submit,
    wait_for,
)


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def test_an_embedded_callback_is_retried_until_delivered(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = embedded_settings(tmp_path_factory.mktemp("callbacks"),
                                 callback_backoff_seconds=0.2)
    stacks = make_stack(settings)
    stack = next(stacks)
    try:
        with CallbackReceiver([500, 502, 200]) as receiver:
            files = CaseFiles(case_files().application, [("blank.png", blank_png())])
            case_id = submit(stack, files, callback_url=receiver.url)
            assert finished(stack, case_id)["status"] == "done"
            wait_for("the callback to be delivered", lambda: stack.client.get(
                f"/api/v1/cases/{case_id}", headers=stack.headers("admin")
            ).json()["callback_status"] == "delivered", timeout=60)
            received = list(receiver.received)
    finally:
        stacks.close()
    assert len(received) == 3
    secret = settings.signing_secret().decode()
    assert len(secret) >= 32
    assert all(signature_ok(secret, r) for r in received)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(received)]
    assert all(gap >= settings.callback_backoff_seconds for gap in gaps), gaps
    assert json.loads(received[-1].body)["case_id"] == case_id


def test_an_embedded_callback_gives_up_after_its_tries(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = embedded_settings(tmp_path_factory.mktemp("callbacks-fail"),
                                 callback_backoff_seconds=0.1, callback_retries=2)
    stacks = make_stack(settings)
    stack = next(stacks)
    try:
        with CallbackReceiver([500]) as receiver:
            files = CaseFiles(case_files().application, [("blank.png", blank_png())])
            case_id = submit(stack, files, callback_url=receiver.url)
            wait_for("the callback to be given up", lambda: stack.client.get(
                f"/api/v1/cases/{case_id}", headers=stack.headers("admin")
            ).json()["callback_status"] == "failed", timeout=60)
            received = len(receiver.received)
    finally:
        stacks.close()
    assert received == settings.callback_retries
