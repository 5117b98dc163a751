"""Logs as api/logs.py configures them: JSON lines, no personal data from the case."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from api.logs import configure_logging

from .conftest import embedded_settings, make_stack
from .helpers import CaseFiles, Stack, case_files, finished, submit


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", stream)
    try:
        yield stream
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def test_a_case_logs_json_lines_without_personal_data(
        captured: io.StringIO, tmp_path_factory: pytest.TempPathFactory) -> None:
    case = case_files(("id_card_front", "bank_statement"))
    stack_iter = make_stack(embedded_settings(tmp_path_factory.mktemp("logs")))
    stack: Stack = next(stack_iter)
    try:
        case_id = submit(stack, case)
        bad = stack.client.post("/api/v1/cases", json={**case.application, "product": 5},
                                headers=stack.headers("intake"))
        assert bad.status_code == 422
        assert finished(stack, case_id)["status"] == "done"
    finally:
        stack_iter.close()
    assert_clean(captured.getvalue(), case, case_id)


def assert_clean(text: str, case: CaseFiles, case_id: str) -> None:
    lines = [line for line in text.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any(r.get("case_id") == case_id and r["message"] == "case done" for r in records)
    assert len(case.personal_values()) >= 4  # name, ID number, phone, an account number
    for value in case.personal_values():
        leaked = [line for line in lines if value in line]
        assert not leaked, f"{value!r} logged: {leaked[:3]}"
