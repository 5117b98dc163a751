"""JSON logs never carry personal data, whatever a caller puts in them."""

from __future__ import annotations

import io
import json
import logging

from api.logs import configure_logging, redact

ID_NUMBER = "110105199003071234"


def test_personal_data_is_taken_out_of_json_logs() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream)
    log = logging.getLogger("prereview.test")
    log.info("applicant %s phone 13800000000 account 6222020200112233445", ID_NUMBER,
             extra={"holder_name": "张三", "case_id": "2026-000123", "note": f"id {ID_NUMBER}"})
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    text = json.dumps(line, ensure_ascii=False)
    assert ID_NUMBER not in text and "13800000000" not in text and "张三" not in text
    assert "6222020200112233445" not in text
    assert line["logger"] == "prereview.test" and line["case_id"] == "2026-000123"
    assert line["level"] == "INFO" and "[id-number]" in line["message"]
    logging.getLogger().handlers.clear()


def test_ids_the_service_makes_are_kept_whole() -> None:
    task = "3f2b8c1e-1234-4abc-8def-123456789012"  # its last group is 12 digits
    digest = "ab" + "0123456789" * 6 + "01"
    line = f"task {task} case {digest} for 110105199205154328 account 6222021234567890123"
    assert redact(line) == f"task {task} case {digest} for [id-number] account [account]"
    # a run of digits long as a digest is still masked: no hex letter, not an id we made
    assert "[account]" in redact("1101051992051543281101051992051543")
