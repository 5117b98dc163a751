"""JSON logs never carry personal data, whatever a caller puts in them."""

from __future__ import annotations

import io
import json
import logging

from api.logs import configure_logging

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
