"""JSON logs, one object a line, with personal data taken out before anything is
written: ID numbers, phone and account numbers are masked wherever they appear,
and fields that hold personal data by name are dropped."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

PERSONAL_KEYS = frozenset({"name", "applicant", "id_number", "phone", "account_number",
                           "holder_name", "employee_name", "owners", "address"})
_PATTERNS = (
    (re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?!\d)"), "[id-number]"),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "[phone]"),
    (re.compile(r"(?<!\d)\d{12,}(?!\d)"), "[account]"),  # longer runs too: ids glued
)


# ids the service makes (task and case UUIDs, sha256 digests) are hex: a run of digits
# inside one is not personal data and is left as it is
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                     r"|(?<![0-9A-Za-z])(?=[0-9]*[a-f])[0-9a-f]{32,64}(?![0-9A-Za-z])")


def redact(text: str) -> str:
    kept = _HEX_ID.split(text)
    ids = _HEX_ID.findall(text)
    out = [_masked(kept[0])]
    for hex_id, part in zip(ids, kept[1:], strict=True):
        out += [hex_id, _masked(part)]
    return "".join(out)


def _masked(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)))


class RedactingFilter(logging.Filter):
    """Runs on every record before it is formatted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if isinstance(record.args, Mapping):  # "%(name)s" style, as Celery logs
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        for key in list(vars(record)):
            if key in _RECORD_ATTRIBUTES and key not in ("message",):
                continue
            if key in PERSONAL_KEYS:
                setattr(record, key, "[redacted]")
            elif isinstance(getattr(record, key), str) and key not in ("msg", "levelname"):
                setattr(record, key, redact(getattr(record, key)))
        return True


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
